//! A file's bytes as text, for every reader of files an admin hands over
//! (deployment imports, firewall exports): UTF-8 with or without its BOM,
//! or UTF-16 behind its BOM, which is what Windows PowerShell 5.1's `>`
//! and `Out-File` write. And where a byte offset falls in a text, for
//! errors that name file:line:col.

/// A 1-based line and column, in characters.
pub type Position = (usize, usize);

/// Why bytes are not text, and where when a place can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotText {
    pub message: String,
    pub at: Option<Position>,
}

/// The text of a file's bytes, its byte order mark left out.
pub fn decode(bytes: &[u8]) -> Result<String, NotText> {
    let utf16 = |rest: &[u8], from: fn([u8; 2]) -> u16| {
        if !rest.len().is_multiple_of(2) {
            return Err(NotText {
                message: "the file is UTF-16 by its BOM but has an odd number of bytes".into(),
                at: None,
            });
        }
        let units = rest.chunks_exact(2).map(|pair| from([pair[0], pair[1]]));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|e| NotText {
                message: format!("the file is UTF-16 by its BOM but holds {e}"),
                at: None,
            })
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ => utf8(bytes),
    }
}

/// Text in a Windows code page (an old Excel's "CSV", say) is refused at its
/// first byte that is not UTF-8, placed, so the admin sees which line it is.
fn utf8(bytes: &[u8]) -> Result<String, NotText> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = String::from_utf8_lossy(&bytes[..valid]);
        let byte = bytes[valid];
        NotText {
            message: format!(
                "the file is not UTF-8: the byte 0x{byte:02X} here is not text in UTF-8"
            ),
            at: Some(position_of(&before, before.len())),
        }
    })
}

/// The line and column of byte `offset` in `text`.
pub fn position_of(text: &str, offset: usize) -> Position {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_behind_a_bom_and_utf8_behind_one_are_read() {
        let text = "role,name\r\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&le).unwrap(), text);
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be).unwrap(), text);
        assert_eq!(decode(b"\xEF\xBB\xBFrole").unwrap(), "role");
        assert!(decode(b"\xFF\xFEa").unwrap_err().message.contains("odd"));
        let refused = decode(b"role\nr\xE9le").unwrap_err();
        assert!(refused.message.contains("0xE9"), "{refused:?}");
        assert_eq!(refused.at, Some((2, 2)));
    }

    #[test]
    fn offsets_become_lines_and_columns_in_characters() {
        let text = "ab\ncdé\nf";
        assert_eq!(position_of(text, 0), (1, 1));
        assert_eq!(position_of(text, 3), (2, 1));
        assert_eq!(position_of(text, "ab\ncdé".len()), (2, 4));
        assert_eq!(position_of(text, text.len()), (3, 2));
        assert_eq!(position_of(text, 999), (3, 2));
    }
}
