//! The command line, as clap sees it. Definitions only: behaviour lives in
//! the sibling modules.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

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
        #[arg(allow_hyphen_values = true)]
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
