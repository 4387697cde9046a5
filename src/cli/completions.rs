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
        Shell::PowerShell => script.replace(WHERE_METHOD, WHERE_PIPELINE),
        _ => script,
    }
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
}
