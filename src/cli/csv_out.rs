//! CSV as admins open it: in a spreadsheet. A cell that starts with `=`,
//! `+`, `-` or `@` is a formula there (and `=cmd|…` has run programs), so
//! such a cell gets a leading `'`, which spreadsheets show as text and
//! hide. Catalog text is checked for control characters, not for this.

use std::borrow::Cow;

use super::CliError;

/// `cell` as text a spreadsheet will not evaluate.
pub fn safe(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// `header` and `rows` as CSV, every cell made [`safe`].
pub fn write<const N: usize>(
    header: [&str; N],
    rows: impl IntoIterator<Item = [String; N]>,
) -> Result<String, CliError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let write = || -> csv::Result<()> {
        writer.write_record(header)?;
        for row in rows {
            writer.write_record(row.iter().map(|cell| safe(cell).into_owned()))?;
        }
        writer.flush()?;
        Ok(())
    };
    let failed = |e: &dyn std::fmt::Display| CliError::new(format!("cannot write CSV: {e}"), None);
    write().map_err(|e| failed(&e))?;
    let bytes = writer.into_inner().map_err(|e| failed(&e))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::safe;

    #[test]
    fn formulas_become_text() {
        assert_eq!(safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe("+1"), "'+1");
        assert_eq!(safe("-2"), "'-2");
        assert_eq!(safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe("VMM server"), "VMM server");
        assert_eq!(safe("80,443/tcp"), "80,443/tcp");
        assert_eq!(safe(""), "");
    }
}
