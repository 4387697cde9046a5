//! A CSV sheet with the header `role,name,address` (in any order), one
//! machine a row. Excel's own CSV works as it is: a UTF-8 BOM (left out by
//! `decode`), CRLF line ends, quoted fields.

use std::path::Path;

use super::{Entry, Located, Position, error, position_of};
use crate::deployment::DeploymentError;

const COLUMNS: [&str; 3] = ["role", "name", "address"];
const HEADER_HINT: &str = "the first row is the header role,name,address";

pub fn read(path: &Path, text: &str) -> Result<Vec<Entry>, DeploymentError> {
    // Excel writes `;` where the decimal mark is a comma (most of Europe):
    // the header, which holds no comma then, says which.
    let header_line = text.lines().next().unwrap_or_default();
    let delimiter = if header_line.contains(';') && !header_line.contains(',') {
        b';'
    } else {
        b','
    };
    let place = |start: usize, index: usize| field_position(text, delimiter, start, index);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        // Rows of the wrong length are reported here, with their place.
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let fail = |e: ::csv::Error| {
        let at = e.position().map(|p| (p.line() as usize, 1));
        let message = match e.kind() {
            ::csv::ErrorKind::Utf8 { err, .. } => format!("not UTF-8: {err}"),
            _ => e.to_string(),
        };
        error(path, at, message, "")
    };
    let Some(header) = records.next().transpose().map_err(fail)? else {
        return Ok(Vec::new());
    };
    let start = header.position().map_or(0, |p| p.byte() as usize);
    let mut index: [Option<usize>; 3] = [None; 3];
    for (i, field) in header.iter().enumerate() {
        let name = field.trim().to_lowercase();
        let at = Some(place(start, i));
        let Some(column) = COLUMNS.iter().position(|c| *c == name) else {
            return Err(error(
                path,
                at,
                format!("unknown column `{}`", field.trim()),
                HEADER_HINT,
            ));
        };
        if index[column].replace(i).is_some() {
            return Err(error(
                path,
                at,
                format!("the column `{name}` is named twice"),
                HEADER_HINT,
            ));
        }
    }
    if let Some(missing) = COLUMNS.iter().zip(index).find(|(_, i)| i.is_none()) {
        return Err(error(
            path,
            Some(place(start, 0)),
            format!("the header has no `{}` column", missing.0),
            HEADER_HINT,
        ));
    }
    let width = header.len();
    let mut entries = Vec::new();
    for record in records {
        let record = record.map_err(fail)?;
        let start = record.position().map_or(0, |p| p.byte() as usize);
        if record.len() != width {
            // At the first field too many, or at the row's end.
            let at = place(start, width.min(record.len()));
            return Err(error(
                path,
                Some(at),
                format!(
                    "this row has {} fields; the header has {width}",
                    record.len()
                ),
                "quote a field that holds a comma: \"a,b\"; leave an empty field empty: hyperv-host,,10.0.1.21",
            ));
        }
        // Excel keeps rows that once held something as `,,`.
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |column: usize| {
            let i = index[column].expect("every column was found");
            Located {
                text: record[i].to_string(),
                at: Some(place(start, i)),
            }
        };
        entries.push(Entry {
            role: field(0),
            name: Some(field(1)),
            address: Some(field(2)),
            at: Some(place(start, 0)),
        });
    }
    Ok(entries)
}

/// Where field `index` of the record that starts at byte `start` begins:
/// the csv crate gives a record's place, not its fields', so the commas
/// are counted again here, quotes (which may hold commas and line breaks)
/// skipped.
fn field_position(text: &str, delimiter: u8, start: usize, index: usize) -> Position {
    // The reader's place for a record can be the line end before it.
    let start = start.min(text.len());
    let start =
        start + (text[start..].len() - text[start..].trim_start_matches(['\r', '\n']).len());
    let mut quoted = false;
    let mut field = 0;
    for (offset, byte) in text.as_bytes()[start.min(text.len())..].iter().enumerate() {
        if field == index {
            return position_of(text, start + offset);
        }
        match byte {
            b'"' => quoted = !quoted,
            b if *b == delimiter && !quoted => field += 1,
            b'\n' | b'\r' if !quoted => break,
            _ => {}
        }
    }
    // A missing field: the end of the record's line.
    let end = text[start.min(text.len())..]
        .find(['\r', '\n'])
        .map_or(text.len(), |i| start + i);
    position_of(text, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<Vec<Entry>, DeploymentError> {
        read(Path::new("m.csv"), text)
    }

    #[test]
    fn fields_carry_their_line_and_column() {
        let text =
            "role,name,address\r\nhyperv-host,\"hv01,x\",10.0.1.21\r\nsql,,10.0.2.5\r\n,,\r\n";
        let entries = read_text(text).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name.as_ref().unwrap().text, "hv01,x");
        assert_eq!(entries[0].address.as_ref().unwrap().at, Some((2, 22)));
        assert_eq!(entries[1].role.at, Some((3, 1)));
        assert_eq!(entries[1].address.as_ref().unwrap().at, Some((3, 6)));
    }

    #[test]
    fn excels_semicolons_are_read_where_the_header_has_them() {
        let entries = read_text("role;name;address\r\nsql;\"sql01\";10.0.0.9\r\n").unwrap();
        assert_eq!(entries[0].name.as_ref().unwrap().text, "sql01");
        assert_eq!(entries[0].address.as_ref().unwrap().at, Some((2, 13)));
    }

    #[test]
    fn the_header_may_be_in_any_order_and_case() {
        let entries = read_text("Address,Role,Name\n10.0.0.5,vmm,vmm01\n").unwrap();
        assert_eq!(entries[0].role.text, "vmm");
        assert_eq!(entries[0].name.as_ref().unwrap().text, "vmm01");
    }

    #[test]
    fn a_bad_header_or_row_is_placed() {
        let e = read_text("role,host,address\n").unwrap_err();
        assert_eq!(e.to_string(), "m.csv:1:6: unknown column `host`");
        let e = read_text("role,name\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("m.csv:1:1: the header has no `address`"),
            "{e}"
        );
        let e = read_text("role,name,address\nhyperv-host,hv01,10.0.0.1,extra\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("m.csv:2:27: this row has 4 fields"),
            "{e}"
        );
    }
}
