//! OSC 52: asking the terminal itself to set the clipboard, which works over
//! SSH because the terminal is on the admin's own machine. The terminal never
//! answers, so callers say "sent", never "copied".

use base64::Engine;

/// hterm's limit (100,000 bytes of sequence, about 74,994 of text); many
/// terminals take less, none that we know of more.
pub const DEFAULT_LIMIT: usize = 74_994;

/// GNU screen passes DCS strings of at most 768 bytes; old versions less.
const SCREEN_CHUNK: usize = 250;

const ESC: char = '\u{1b}';
const BEL: char = '\u{7}';

/// The longest OSC string (`52;c;` and the base64) the pseudo console of
/// Windows 10-era builds passes on to the terminal; longer ones vanish
/// without an error (microsoft/terminal#15551, seen on build 19045, not on
/// Windows 11). Windows' OpenSSH server runs every session in that pseudo
/// console, so this is what an SSH session into Windows Server 2019 or 2022
/// can expect.
pub const CONPTY_OSC_LIMIT: usize = 256;

/// What every OSC 52 string starts with (see [`sequence`]).
const OSC52_PARAMETERS: &str = "52;c;";

/// The most text whose OSC 52 string fits [`CONPTY_OSC_LIMIT`]: base64 turns
/// each 3 bytes into 4 characters, so 186 bytes.
pub const CONPTY_TEXT_LIMIT: usize = (CONPTY_OSC_LIMIT - OSC52_PARAMETERS.len()) / 4 * 3;

/// Whether `text` is too long for the pseudo console of Windows 10-era
/// builds ([`CONPTY_TEXT_LIMIT`]).
pub fn too_long_for_old_conpty(text: &str) -> bool {
    text.len() > CONPTY_TEXT_LIMIT
}

/// How the sequence must be packed to get through a multiplexer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrapping {
    Plain,
    /// tmux takes the plain sequence into its buffer (with `set-clipboard
    /// on`); the passthrough copy also reaches the outer terminal when
    /// `allow-passthrough` is on. Both are sent.
    Tmux,
    /// GNU screen: the sequence cut into DCS chunks.
    Screen,
}

impl Wrapping {
    pub fn name(self) -> &'static str {
        match self {
            Wrapping::Plain => "terminal",
            Wrapping::Tmux => "tmux",
            Wrapping::Screen => "screen",
        }
    }
}

/// `ESC ] 52 ; c ; BASE64 BEL`. Always `c`: an empty target means the
/// primary selection on some terminals.
pub fn sequence(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("{ESC}]{OSC52_PARAMETERS}{encoded}{BEL}")
}

/// The bytes to write for `text` through `wrapping`.
pub fn encode(text: &str, wrapping: Wrapping) -> String {
    let plain = sequence(text);
    match wrapping {
        Wrapping::Plain => plain,
        Wrapping::Tmux => {
            // Passthrough: `ESC Ptmux;` + the sequence with every ESC doubled + `ESC \`.
            let doubled = plain.replace(ESC, &format!("{ESC}{ESC}"));
            format!("{plain}{ESC}Ptmux;{doubled}{ESC}\\")
        }
        Wrapping::Screen => {
            let mut out = String::new();
            let bytes = plain.as_bytes();
            // The sequence is ASCII, so byte chunks are character chunks.
            for chunk in bytes.chunks(SCREEN_CHUNK) {
                out.push_str(&format!("{ESC}P{}{ESC}\\", String::from_utf8_lossy(chunk)));
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_conpty_limit_counts_the_whole_osc_string() {
        assert_eq!(CONPTY_TEXT_LIMIT, 186);
        // 186 bytes encode to 248 characters: with `52;c;`, 253, which fits;
        // 187 bytes need 252, so 257.
        let osc_string =
            |n: usize| sequence(&"x".repeat(n)).len() - "\u{1b}]".len() - "\u{7}".len();
        assert_eq!(osc_string(186), 253);
        assert!(!too_long_for_old_conpty(&"x".repeat(186)));
        assert_eq!(osc_string(187), 257);
        assert!(too_long_for_old_conpty(&"x".repeat(187)));
    }

    fn decode(sequence: &str) -> String {
        let body = sequence
            .strip_prefix("\u{1b}]52;c;")
            .unwrap()
            .strip_suffix('\u{7}')
            .unwrap();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn plain_sequence_round_trips() {
        let text = "New-NetFirewallRule -Name 'VMM' # ü ‘q’\n";
        let seq = encode(text, Wrapping::Plain);
        assert!(seq.starts_with("\u{1b}]52;c;"));
        assert_eq!(decode(&seq), text);
    }

    #[test]
    fn tmux_sends_plain_then_passthrough_with_doubled_escapes() {
        let seq = encode("x", Wrapping::Tmux);
        let plain = sequence("x");
        assert!(seq.starts_with(&plain));
        let rest = &seq[plain.len()..];
        assert!(
            rest.starts_with("\u{1b}Ptmux;\u{1b}\u{1b}]52;c;"),
            "{rest:?}"
        );
        assert!(rest.ends_with("\u{1b}\\"));
        let inner = rest
            .strip_prefix("\u{1b}Ptmux;")
            .unwrap()
            .strip_suffix("\u{1b}\\")
            .unwrap();
        assert_eq!(inner.replace("\u{1b}\u{1b}", "\u{1b}"), plain);
    }

    #[test]
    fn screen_chunks_stay_under_the_limit_and_reassemble() {
        let text = "a".repeat(2000);
        let seq = encode(&text, Wrapping::Screen);
        let chunks: Vec<&str> = seq.split("\u{1b}\\").filter(|c| !c.is_empty()).collect();
        assert!(chunks.len() > 5);
        let mut joined = String::new();
        for chunk in chunks {
            assert!(chunk.len() <= 768, "{}", chunk.len());
            joined.push_str(chunk.strip_prefix("\u{1b}P").unwrap());
        }
        assert_eq!(decode(&joined), text);
    }
}
