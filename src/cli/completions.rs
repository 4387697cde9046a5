//! `vmmports completions SHELL`: clap's completion script for the shell,
//! made from the same definition as `--help`.

use clap::Command;
use clap_complete::Shell;

/// clap's PowerShell script filters with the `.Where{ }` method shorthand.
/// PowerShell runs it, but readers that check scripts before they are
/// trusted (tree-sitter-powershell among them) reject it; the pipeline
/// form does the same filtering and every PowerShell grammar reads it.
const WHERE_METHOD: &str = "$completions.Where{ $_.CompletionText -like \"$wordToComplete*\" } |";
const WHERE_PIPELINE: &str =
    "$completions | Where-Object { $_.CompletionText -like \"$wordToComplete*\" } |";

/// The completion script for `shell`, completing the program `vmmports`.
pub fn script(shell: Shell, mut cli: Command) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cli, "vmmports", &mut out);
    let script = String::from_utf8_lossy(&out).into_owned();
    match shell {
        Shell::PowerShell => ascii_only(&script.replace(WHERE_METHOD, WHERE_PIPELINE)),
        _ => script,
    }
}

/// The script in ASCII. Windows PowerShell 5.1 reads a script file without
/// a byte-order mark in the ANSI code page, and `completions powershell |
/// Out-String | Invoke-Expression` decodes through the console's code page:
/// either way a UTF-8 `…` arrives as other characters, and some UTF-8 bytes
/// (0x91-0x94 in cp1252) are quote marks to PowerShell that would end a
/// help string early. The help text's few symbols get ASCII spellings.
fn ascii_only(script: &str) -> String {
    let mut out = String::with_capacity(script.len());
    for c in script.chars() {
        match c {
            c if c.is_ascii() => out.push(c),
            '…' => out.push_str("..."),
            '→' => out.push_str("->"),
            '—' | '–' => out.push('-'),
            '·' => out.push('-'),
            '×' => out.push('x'),
            _ => out.push('?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_powershell_script_filters_in_a_pipeline() {
        let script = script(Shell::PowerShell, crate::cli::args::Cli::command());
        assert!(script.contains(WHERE_PIPELINE), "{script}");
        assert!(!script.contains(".Where{"), "{script}");
    }

    #[test]
    fn the_powershell_script_is_ascii_whatever_the_help_says() {
        let script = script(Shell::PowerShell, crate::cli::args::Cli::command());
        assert!(script.is_ascii());
        assert_eq!(ascii_only("a … b → c ’"), "a ... b -> c ?");
    }
}
