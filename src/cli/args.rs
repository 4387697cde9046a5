//! The command line, as clap sees it. Definitions only: behaviour lives in
//! the sibling modules.

use std::path::PathBuf;

use std::ffi::OsString;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  vmmports list winrm                     fuzzy search
  vmmports list to:hyper-v mod:setup      what setup can change on Hyper-V hosts
  vmmports list port:443 -from:vmm        port 443, not opened by the VMM server
  vmmports list proto:udp --format json   UDP rows as JSON
  vmmports show vmm-to-bmc-ipmi           one connection in full
  vmmports export --format json > my.json
  vmmports --data my.json list            use your own catalog
  vmmports validate my.json

Query terms (ANDed): free words (fuzzy), from:/src:, to:/dst:, on:, port:N or
port:A-B, proto:tcp|udp, mod:setup|fixed|device|none, dir:in|out|none,
section:general|vmware. A bare number is a port; -term or !term negates.";

#[derive(Debug, Parser)]
#[command(
    name = "vmmports",
    version,
    about = "System Center VMM's firewall connection matrix: browse, search, and get rules",
    after_help = EXAMPLES
)]
pub struct Cli {
    /// Load this catalog (RON or JSON, by extension) instead of the embedded one
    #[arg(long, global = true, value_name = "FILE")]
    pub data: Option<PathBuf>,

    /// When to colour output; NO_COLOR in the environment means `never` for `auto`
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the connections that match a query
    List {
        /// Query terms, e.g. `winrm`, `to:hyper-v`, `port:443`, `-proto:udp`
        query: Vec<String>,
        #[arg(long, short, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Print one connection in full, with its notes
    Show {
        /// The connection's id, as shown by `list`
        id: String,
        #[arg(long, short, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Write the loaded catalog to stdout; `--data` reads it back
    Export {
        #[arg(long, short, value_enum)]
        format: ExportFormat,
    },
    /// Check a catalog file and report every problem with file:line:col
    Validate {
        /// The catalog to check (*.ron or *.json)
        file: PathBuf,
    },
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Ron,
    Json,
}

/// Subcommands whose positional arguments are query terms.
const QUERY_COMMANDS: &[&str] = &["list"];

impl Cli {
    /// Parses the process's arguments, letting negated query terms
    /// (`-proto:udp`) stand anywhere among options.
    pub fn parse_args() -> Self {
        Cli::parse_from(negations_as_terms(std::env::args_os().collect()))
    }
}

/// clap would read `-proto:udp` as the short options `-p -r -o …`, and
/// letting the query take hyphen values makes it swallow every option after
/// the first term (`list winrm --format json`). So, after a query command,
/// each argument that starts with `-` but is none of that command's options
/// is rewritten to the query's other negation sign, `!` (`-5985` → `!5985`),
/// which means the same. Everything after `--` is left alone.
pub fn negations_as_terms(args: Vec<OsString>) -> Vec<OsString> {
    // Building adds the automatic `--help`/`--version` and global options
    // to every subcommand, so they are recognised too.
    let mut root = Cli::command();
    root.build();
    let takes_value = |name: &str, cmd: &clap::Command| {
        cmd.get_arguments().find_map(|a| {
            let long = a.get_long().map(|l| format!("--{l}"));
            let short = a.get_short().map(|s| format!("-{s}"));
            (long.as_deref() == Some(name) || short.as_deref() == Some(name))
                .then(|| a.get_action().takes_values())
        })
    };
    let mut out = Vec::with_capacity(args.len());
    let mut query_command: Option<&clap::Command> = None;
    let mut expecting_value = false;
    let mut iter = args.into_iter();
    if let Some(program) = iter.next() {
        out.push(program);
    }
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy().into_owned();
        if expecting_value {
            expecting_value = false;
            out.push(arg);
            continue;
        }
        if text == "--" {
            out.push(arg);
            out.extend(iter);
            break;
        }
        let name = text.split('=').next().unwrap_or_default();
        let known =
            takes_value(name, &root).or_else(|| query_command.and_then(|c| takes_value(name, c)));
        match known {
            Some(value) => {
                expecting_value = value && !text.contains('=');
                out.push(arg);
            }
            None if query_command.is_some() && text.len() > 1 && text.starts_with('-') => {
                out.push(OsString::from(format!("!{}", &text[1..])));
            }
            None => {
                if query_command.is_none() && !text.starts_with('-') {
                    query_command = QUERY_COMMANDS
                        .contains(&text.as_str())
                        .then(|| root.find_subcommand(&text))
                        .flatten();
                }
                out.push(arg);
            }
        }
    }
    out
}
