//! Which reader an input needs, told by its content (a name proves
//! nothing: exports get renamed, and `-` has none), and the ruleset read
//! from all of them. Without a file, the machine's own live firewall.

use super::model::{Input, InputError, Ruleset};
use super::windows::{self, Profile};

/// The kinds of firewall input `audit` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `nft -j list ruleset` (libnftables JSON).
    Nft,
    /// `iptables-save` or `ip6tables-save` text.
    Iptables,
    /// The Windows export (JSON) or a `reg export` file.
    Windows,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Nft => "nft -j list ruleset",
            Kind::Iptables => "iptables-save",
            Kind::Windows => "Windows Firewall export",
        }
    }
}

/// The kind of `input`, from its first bytes.
pub fn kind_of(input: &Input) -> Result<Kind, InputError> {
    let bytes = &input.bytes;
    // UTF-16 (with its BOM) is what `reg export` and 5.1's `>` write, the
    // latter for a Linux capture too (`ssh host nft -j list ruleset > f`).
    // UTF-16 that does not decode goes to the Windows reader, which says
    // where it breaks.
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    let text = match crate::file_text::decode(bytes) {
        Ok(text) => text,
        Err(_) if utf16 => return Ok(Kind::Windows),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    let start = text.trim_start();
    if start.starts_with("Windows Registry Editor") || start.starts_with("REGEDIT4") {
        return Ok(Kind::Windows);
    }
    if start.starts_with('{') || start.starts_with('[') {
        // Both are JSON: the nft ruleset is one object under "nftables".
        let head: String = start.chars().take(64).collect();
        return Ok(if head.contains("\"nftables\"") {
            Kind::Nft
        } else {
            Kind::Windows
        });
    }
    let saved = text.lines().map(str::trim).any(|line| {
        line.starts_with('*') && line.len() > 1
            || line.starts_with(":INPUT")
            || line.starts_with(":OUTPUT")
            || line.starts_with("-A ")
    });
    if saved {
        return Ok(Kind::Iptables);
    }
    Err(InputError {
        file: input.name.clone(),
        line: 1,
        column: 1,
        message: "not a firewall export audit reads".into(),
        hint: Some(
            "give `nft -j list ruleset`, `iptables-save` or `ip6tables-save` output, the JSON of the Windows export line (docs/audit.md), or a `reg export` of the firewall policy".into(),
        ),
    })
}

/// Every input read into one ruleset. A Windows export stands alone; on
/// Linux, nft and iptables inputs go together, as the kernel runs both
/// (iptables and ip6tables saves, legacy tables beside nft's), and a packet
/// must pass each.
pub fn read(inputs: &[Input], profile: Option<Profile>) -> Result<Box<dyn Ruleset>, InputError> {
    let mut kinds = Vec::new();
    for input in inputs {
        kinds.push(kind_of(input)?);
    }
    if inputs.is_empty() {
        return Err(InputError {
            file: "-".into(),
            line: 1,
            column: 1,
            message: "no input to audit".into(),
            hint: Some("give a file, or `-` for stdin".into()),
        });
    }
    let windows = kinds.iter().filter(|k| **k == Kind::Windows).count();
    if windows > 0 && windows < kinds.len() {
        let other = kinds
            .iter()
            .position(|k| *k != kinds[0])
            .unwrap_or_default();
        return Err(InputError {
            file: inputs[other].name.clone(),
            line: 1,
            column: 1,
            message: format!(
                "this is {}, while {} is {}: one machine's firewall at a time",
                kinds[other].word(),
                inputs[0].name,
                kinds[0].word()
            ),
            hint: Some("audit each machine's export on its own".into()),
        });
    }
    if windows > 0 {
        return Ok(Box::new(windows::read(inputs, profile)?));
    }
    if profile.is_some() {
        return Err(InputError {
            file: inputs[0].name.clone(),
            line: 1,
            column: 1,
            message: "--profile is for Windows Firewall exports".into(),
            hint: Some("leave it out for nftables and iptables".into()),
        });
    }
    let of_kind = |kind: Kind| -> Vec<Input> {
        inputs
            .iter()
            .zip(&kinds)
            .filter(|(_, k)| **k == kind)
            .map(|(i, _)| i.clone())
            .collect()
    };
    let mut parts: Vec<Box<dyn Ruleset>> = Vec::new();
    let nft = of_kind(Kind::Nft);
    if !nft.is_empty() {
        parts.push(Box::new(super::nft::read(&nft)?));
    }
    let iptables = of_kind(Kind::Iptables);
    if !iptables.is_empty() {
        parts.push(Box::new(super::iptables::read(&iptables)?));
    }
    Ok(match parts.len() {
        1 => parts.remove(0),
        _ => Box::new(super::all_of::AllOf { parts }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &[u8]) -> Result<Kind, InputError> {
        kind_of(&Input {
            name: "f".into(),
            bytes: text.to_vec(),
        })
    }

    #[test]
    fn the_kind_comes_from_the_content() {
        assert_eq!(
            kind(br#"{"nftables": [{"metainfo": {}}]}"#).unwrap(),
            Kind::Nft
        );
        assert_eq!(kind(br#"{"Rules": []}"#).unwrap(), Kind::Windows);
        assert_eq!(kind(b"\xEF\xBB\xBF{\"Rules\": []}").unwrap(), Kind::Windows);
        // UTF-16 as PowerShell 5.1's `>` saves any capture, Windows or Linux.
        let utf16 = |text: &str| {
            let mut bytes = vec![0xFF, 0xFE];
            bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            bytes
        };
        let reg = "Windows Registry Editor Version 5.00\r\n";
        assert_eq!(kind(&utf16(reg)).unwrap(), Kind::Windows);
        assert_eq!(kind(&utf16(r#"{"Rules": []}"#)).unwrap(), Kind::Windows);
        let nft = r#"{"nftables": [{"metainfo": {}}]}"#;
        assert_eq!(kind(&utf16(nft)).unwrap(), Kind::Nft);
        assert_eq!(kind(&utf16("*filter\nCOMMIT\n")).unwrap(), Kind::Iptables);
        // Broken UTF-16 is the Windows reader's to place.
        assert_eq!(kind(b"\xFF\xFEW\0i").unwrap(), Kind::Windows);
        assert_eq!(
            kind(b"Windows Registry Editor Version 5.00\r\n").unwrap(),
            Kind::Windows
        );
        assert_eq!(
            kind(b"# Generated by iptables-save v1.8.9\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n")
                .unwrap(),
            Kind::Iptables
        );
        let error = kind(b"hello").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("f:1:1: not a firewall export")
        );
    }
}
