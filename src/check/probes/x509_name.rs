//! A certificate's distinguished names as text that cannot lie about their
//! own structure. The certificate's owner writes every value, so a value
//! may hold `, CN=hv01.contoso.com`; shown as is, that reads as a second
//! attribute. Here each value is escaped as RFC 4514 (2.4) says, and the
//! common names come from the parsed attributes, never from the text.

use std::fmt::Write;

use x509_parser::asn1_rs::{Any, BmpString, Tag, ToDer};
use x509_parser::prelude::{AttributeTypeAndValue, X509Name, oid_registry, oid2abbrev};

/// The name as `C=US, O=Contoso\, Ltd, CN=hv01`: the attributes in the
/// order the certificate lists them (as `openssl x509 -subject` shows
/// them), `, ` between RDNs and ` + ` within one, every value escaped.
pub fn text(name: &X509Name<'_>) -> String {
    name.iter()
        .map(|rdn| rdn.iter().map(attribute).collect::<Vec<_>>().join(" + "))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name's common names, in order, as plain strings (unescaped: for
/// comparing with a host name). A CN that is not a string is left out.
pub fn common_names(name: &X509Name<'_>) -> Vec<String> {
    name.iter_common_name()
        .filter_map(|cn| string(cn.attr_value()))
        .collect()
}

/// `CN=value` for a common name, escaped as in [`text`].
pub fn common_name_text(cn: &str) -> String {
    format!("CN={}", escape(cn))
}

/// One attribute: its short name (`CN`, `O`; the dotted OID for one the
/// registry does not know) and its value, escaped.
fn attribute(attribute: &AttributeTypeAndValue<'_>) -> String {
    let oid = attribute.attr_type();
    let kind = oid2abbrev(oid, oid_registry())
        .map(str::to_string)
        .unwrap_or_else(|_| oid.to_id_string());
    let value = attribute.attr_value();
    match string(value) {
        Some(text) => format!("{kind}={}", escape(&text)),
        // RFC 4514 2.4: a value that is not a string is `#` and the hex of
        // its encoding.
        None => format!("{kind}=#{}", hex(&value.to_der_vec().unwrap_or_default())),
    }
}

/// A directory string's text, whichever of ASN.1's string types holds it.
fn string(value: &Any<'_>) -> Option<String> {
    match value.tag() {
        Tag::BmpString => BmpString::try_from(value.clone()).ok().map(|s| s.string()),
        // The types `as_any_str` reads (it panics on any other).
        Tag::GeneralString
        | Tag::GraphicString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::PrintableString
        | Tag::T61String
        | Tag::Utf8String
        | Tag::VideotexString
        | Tag::VisibleString
        | Tag::UniversalString => value.as_any_str().ok(),
        _ => None,
    }
}

/// RFC 4514 2.4: a backslash before `"`, `+`, `,`, `;`, `<`, `>` and `\`
/// anywhere, before `#` or a space that starts the value, and before a
/// space that ends it. Control characters are left for the finding's own
/// clean-up, which makes every peer's text printable.
pub fn escape(value: &str) -> String {
    let last = value.chars().count().saturating_sub(1);
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, '"' | '+' | ',' | ';' | '<' | '>' | '\\')
            || (i == 0 && matches!(c, '#' | ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02X}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::FromDer;

    #[test]
    fn separators_inside_values_are_escaped() {
        assert_eq!(escape("x, CN=hv01.contoso.com"), "x\\, CN=hv01.contoso.com");
        assert_eq!(escape("a+b;c<d>e\"f\\g"), "a\\+b\\;c\\<d\\>e\\\"f\\\\g");
        assert_eq!(escape("#1 "), "\\#1\\ ");
        assert_eq!(escape(" a#b "), "\\ a#b\\ ");
        assert_eq!(escape("hv01.contoso.test"), "hv01.contoso.test");
        assert_eq!(escape(""), "");
        assert_eq!(common_name_text("a, O=b"), "CN=a\\, O=b");
    }

    /// DER: a tag, a short length, the content.
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag, content.len() as u8];
        out.extend_from_slice(content);
        out
    }

    fn attribute(oid: &[u8], value: Vec<u8>) -> Vec<u8> {
        tlv(0x30, &[tlv(0x06, oid), value].concat())
    }

    #[test]
    fn names_read_from_their_attributes() {
        const ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0A];
        const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
        // O (UTF8String) `a, CN=b`; then one RDN holding CN (BMPString)
        // `hv` and 1.2.3.4, an INTEGER 5 no registry names.
        let der = tlv(
            0x30,
            &[
                tlv(0x31, &attribute(ORGANIZATION, tlv(0x0C, b"a, CN=b"))),
                tlv(
                    0x31,
                    &[
                        attribute(COMMON_NAME, tlv(0x1E, &[0, b'h', 0, b'v'])),
                        attribute(&[0x2A, 0x03, 0x04], tlv(0x02, &[5])),
                    ]
                    .concat(),
                ),
            ]
            .concat(),
        );
        let (_, name) = X509Name::from_der(&der).unwrap();
        assert_eq!(text(&name), "O=a\\, CN=b, CN=hv + 1.2.3.4=#020105");
        assert_eq!(common_names(&name), ["hv"]);
    }
}
