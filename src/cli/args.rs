//! The command line, as clap sees it. Definitions only: behaviour lives in
//! the sibling modules.

use std::path::PathBuf;

use std::ffi::OsString;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  vmmports list winrm                     fuzzy search
  vmmports list to:hyper-v mod:setup      what setup can change on Hyper-V hosts
  vmmports list port:443 not:from:vmm     port 443, not opened by the VMM server
  vmmports list proto:udp --format json   UDP rows as JSON
  vmmports show vmm-to-bmc-ipmi           one connection in full
  vmmports rules --on hyper-v             firewall rules a Hyper-V host needs
  vmmports rules to:sql --format nft      the same query language, other dialects
  vmmports export --format json > my.json
  vmmports --data my.json list            use your own catalog
  vmmports validate my.json
  vmmports check hv01 to:hyper-v          do the ports answer, and is it the right service?
  vmmports listen vmm-to-host-bits        stand in for a stopped service to test the path

Query terms (ANDed): free words, from:/src:, to:/dst:, on:, port:N or
port:A-B, proto:tcp|udp|icmp, mod:setup|fixed|device|host|none,
dir:in|out|none, section:general|vmware. A bare number is a port; not:term
(or -term) negates, e.g. not:section:vmware. `list` matches free words fuzzily; `rules` and `check` match
them as plain text and keep only the ports the query names (`listen` too).";

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

    /// The deployment: machines by role, setup ports, rule settings (default: deployment.ron beside config.ron, when it exists); flags override it
    #[arg(long, global = true, value_name = "FILE")]
    pub deployment: Option<PathBuf>,

    /// When to colour output; NO_COLOR in the environment means `never` for `auto`
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Cut tables to this many columns (default: the terminal's width; in a pipe or a file nothing is cut)
    #[arg(long, global = true, value_name = "COLUMNS", value_parser = clap::value_parser!(u16).range(1..))]
    pub width: Option<u16>,

    /// Explorer: leave mouse capture off, so the terminal's own text selection works
    #[arg(long)]
    pub no_mouse: bool,

    /// Explorer: on exit, print the last copied text to stdout, e.g. `$(vmmports --print)`
    #[arg(long)]
    pub print: bool,

    /// Explorer: mark the machine view's flows for ROLE with what its firewall does (an `audit` export: Windows JSON or .reg, nft JSON, iptables-save); repeatable
    #[arg(long, value_name = "ROLE=FILE[,FILE...]")]
    pub audit: Vec<String>,

    /// Explorer: the Windows network profile in force for --audit exports that do not say (domain, private, public)
    #[arg(long, value_name = "PROFILE")]
    pub audit_profile: Option<String>,

    /// How to copy: native clipboard, OSC 52 through the terminal (tmux's buffer inside tmux), or none (auto picks; see `vmmports doctor`)
    #[arg(long, global = true, value_enum)]
    pub clipboard: Option<ClipboardArg>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the connections that match a query
    List {
        /// Query terms, e.g. `winrm`, `to:hyper-v`, `port:443`, `not:proto:udp`
        query: Vec<String>,
        #[arg(long, short, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Print a firewall script for the connections that match a query
    #[command(after_help = RULES_EXAMPLES)]
    Rules {
        /// Query terms, as for `list`
        query: Vec<String>,
        #[arg(long, short, value_enum, default_value_t = DialectArg::Powershell)]
        format: DialectArg,
        /// Only the rules this machine needs: a component id or an unambiguous part of its name
        #[arg(long, value_name = "COMPONENT")]
        on: Option<String>,
        #[command(flatten)]
        settings: SettingsArgs,
        /// Also copy the script to the clipboard (the same transports as the explorer's `y`)
        #[arg(long)]
        copy: bool,
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
    /// Check whether the ports of the matching connections answer on HOST now, and which service answers
    #[command(after_help = CHECK_HELP)]
    Check {
        /// The machine to connect to: a name (resolved once) or an IP address
        host: String,
        /// Query terms choosing the connections, as for `list` (required unless --on)
        query: Vec<String>,
        /// Only what this machine must answer: the ports of the connections placed inbound on it (a component id or an unambiguous part of its name), as `rules --on`
        #[arg(long, value_name = "COMPONENT")]
        on: Option<String>,
        /// Timeout in milliseconds, for the connect and again for the service's reply
        #[arg(long, default_value_t = 2000, value_name = "MS")]
        timeout: u64,
        #[arg(long, short, value_enum, default_value_t = CheckFormat::Table)]
        format: CheckFormat,
        /// A port setup moved, e.g. SqlPort=50123 or WSManTcpPort=5995 (repeatable; adds to the config file's)
        #[arg(long = "set-port", value_name = "KEY=PORT")]
        set_port: Vec<String>,
    },
    /// Listen on the ports of the matching connections here, to test the firewall path while the service is down
    #[command(after_help = LISTEN_HELP)]
    Listen {
        /// Query terms choosing the connections and ports, as for `check` (required)
        query: Vec<String>,
        /// How long to listen: 90s, 10m, 1h, 500ms… (at most 7d)
        #[arg(long = "for", default_value = "10m", value_name = "DURATION")]
        duration: String,
        /// The local address to listen on: 0.0.0.0 (every IPv4 address), ::, or one of this machine's addresses
        #[arg(long, default_value = "0.0.0.0", value_name = "ADDR")]
        bind: String,
        /// A port setup moved, e.g. SqlPort=50123 (repeatable; adds to the config file's)
        #[arg(long = "set-port", value_name = "KEY=PORT")]
        set_port: Vec<String>,
    },
    /// Probe every machine of the deployment at once, on the ports its role must answer from this machine's role
    #[command(after_help = SWEEP_HELP)]
    Sweep {
        /// Query terms narrowing the connections, as for `check` (default: every one)
        query: Vec<String>,
        /// The role this machine plays (a component id or an unambiguous part of its name)
        #[arg(long = "as", default_value = "vmm-server", value_name = "ROLE")]
        as_role: String,
        /// Only connect (TCP) or send one datagram (UDP): no service probe on open ports
        #[arg(long)]
        connect_only: bool,
        /// Timeout in milliseconds, for each connect and lookup, and again for a service's reply
        #[arg(long, default_value_t = 2000, value_name = "MS")]
        timeout: u64,
        #[arg(long, short, value_enum, default_value_t = CheckFormat::Table)]
        format: CheckFormat,
        /// Also say what changed since the last sweep of the same deployment, role and query
        #[arg(long)]
        diff: bool,
    },
    /// Would this machine's own firewall let VMM's flows through, and which rule decides
    #[command(after_help = AUDIT_HELP)]
    Audit {
        /// The machine whose firewall it is (a component id or an unambiguous part of its name)
        #[arg(long, value_name = "ROLE")]
        on: String,
        /// Firewall exports: `nft -j list ruleset`, `iptables-save`/`ip6tables-save`, the Windows export JSON or `reg export` files; `-` reads stdin; none reads this machine's live firewall
        files: Vec<PathBuf>,
        /// The Windows network profile in force, when the export does not say: domain, private or public
        #[arg(long, value_name = "PROFILE")]
        profile: Option<String>,
        /// The peers' addresses (IPv4, IPv6, CIDR, a-b ranges); repeatable; over the deployment file's
        #[arg(long, value_name = "COMPONENT=ADDR[,ADDR...]")]
        remote: Vec<String>,
        /// A port you chose in VMM setup, by its VMServer.ini key (or SqlPort); repeatable
        #[arg(long = "set-port", value_name = "KEY=PORT")]
        set_port: Vec<String>,
        /// Also the dynamic RPC range (TCP 49152-65535) on hosts, file and library servers
        #[arg(long)]
        include_dynamic: bool,
        /// Also the flows this machine opens (its outbound rules)
        #[arg(long)]
        outbound: bool,
        #[arg(long, short, value_enum, default_value_t = CheckFormat::Table)]
        format: CheckFormat,
    },
    /// The network flows of the matching connections, for a change request: source, destination, protocol, ports, why
    #[command(after_help = FLOWS_HELP)]
    Flows {
        /// Query terms choosing the connections and ports, as for `rules`
        query: Vec<String>,
        /// A component's addresses (IPv4, IPv6, CIDR, a-b ranges); repeatable; adds to the config file's
        #[arg(long, value_name = "COMPONENT=ADDR[,ADDR...]")]
        remote: Vec<String>,
        /// Also the dynamic RPC range (TCP 49152-65535) from the VMM server and between hosts, file and library servers
        #[arg(long)]
        include_dynamic: bool,
        #[arg(long, short, value_enum, default_value_t = FlowsFormat::Table)]
        format: FlowsFormat,
    },
    /// Write an Aerleon policy (networks, services, one term per flow) that aclgen turns into vendor ACLs
    #[command(after_help = POLICY_HELP)]
    Policy {
        /// Query terms choosing the connections and ports, as for `rules`
        query: Vec<String>,
        /// A component's addresses (IPv4, IPv6, CIDR, a-b ranges); repeatable; every component of a flow needs some
        #[arg(long, value_name = "COMPONENT=ADDR[,ADDR...]")]
        remote: Vec<String>,
        /// Also the dynamic RPC range (TCP 49152-65535) from the VMM server and between hosts, file and library servers
        #[arg(long)]
        include_dynamic: bool,
        /// The folder to write def/ and policies/ into (created if missing)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Aerleon platforms, comma-separated: cisco, ciscoasa, juniper, arista, paloalto, nftables, iptables
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "cisco,juniper,nftables",
            value_name = "TARGETS"
        )]
        target: Vec<String>,
        /// Allow any address for components given no --remote, instead of refusing
        #[arg(long)]
        any_for_missing: bool,
    },
    /// Draw the flows of the matching connections: Mermaid for a wiki, or DOT for Graphviz
    #[command(after_help = DIAGRAM_HELP)]
    Diagram {
        /// Query terms choosing the connections and ports, as for `rules`
        query: Vec<String>,
        /// Also the dynamic RPC range (TCP 49152-65535) from the VMM server and between hosts, file and library servers
        #[arg(long)]
        include_dynamic: bool,
        #[arg(long, short, value_enum, default_value_t = DiagramFormat::Mermaid)]
        format: DiagramFormat,
    },
    /// Build or convert a deployment file (deployment.ron): which machines play each role
    Deployment {
        #[command(subcommand)]
        command: DeploymentCommand,
    },
    /// Say how copying works here (SSH, tmux, screen, display) and what to fix
    Doctor,
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) made from this same help: `vmmports man | man -l -`
    Man,
}

/// `vmmports deployment …`
#[derive(Debug, Subcommand)]
pub enum DeploymentCommand {
    /// Make a deployment file from CSV, VMM's JSON (ConvertTo-Json), Ansible inventories or deployment files
    #[command(after_help = IMPORT_HELP)]
    Import {
        /// The files to read, merged in this order: *.csv, *.json, *.ini or *.yml (Ansible), *.ron
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Write the deployment here instead of to stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace the --out file if it exists (to keep its machines, give it as an input too)
        #[arg(long, requires = "out")]
        force: bool,
        /// The role of an Ansible group's hosts (and its children's), e.g. hyperv=hyperv-host; repeatable
        #[arg(long, value_name = "GROUP=ROLE")]
        map: Vec<String>,
    },
}

const IMPORT_HELP: &str = "\
CSV: the header role,name,address, then one machine a row; name or
address may be empty, not both. JSON: objects with role, name and address,
as ConvertTo-Json writes them in Windows PowerShell 5.1 or PowerShell 7.
Ansible: --map GROUP=ROLE for each group to take; other groups are skipped
with a note. A machine met twice (same role, and same name or address) is
kept once, with the name and the address either file gives.

Exit codes: 0 written; 2 bad input (file:line:col: what, and how to fix it).
Nothing is written then.

Examples:
  vmmports deployment import machines.csv --out deployment.ron
  vmmports deployment import hosts.json library.json vmm.json
  vmmports deployment import inventory.yml --map hyperv=hyperv-host --map sql=sql-server
  vmmports deployment import deployment.ron new-hosts.csv --out deployment.ron --force";

const RULES_EXAMPLES: &str = "\
Examples:
  vmmports rules --on hyper-v                          everything a Hyper-V host must allow
  vmmports rules --on sql --remote vmm-server=10.0.0.5  SQL Server, scoped to the VMM server
  vmmports rules --on guest-vm --format nft            a Linux VM with the guest agent
  vmmports rules winrm --format probe --remote hyperv-host=10.0.0.21
  vmmports rules --on hyper-v --set-port BitsTcpPort=8443 --include-dynamic";

const CHECK_HELP: &str = "\
After the connect (or one datagram, for UDP) each port's probe speaks just
enough of its protocol to recognise the service, never with credentials: TLS
(version, certificate names and expiry), WinRM, HTTP, SMB, the RPC endpoint
mapper, SQL Server (TDS), the SQL Browser, IPMI, TFTP or SSH. UDP with no reply
is `no answer`: open or filtered. One line per port, naming the connections
that use it; a port that is not right gets a `next:` line saying what to run.
WinRM over HTTPS (5986) with another service inside TLS is a failure.

Exit codes: 0 every tested port is open and its service answered as expected;
1 a port is refused, timed out or silent, a service is not what was expected,
or a certificate has expired (expiring within 30 days is only a warning);
2 bad input.

Examples:
  vmmports check hv01.contoso.com from:vmm-server to:hyper-v
  vmmports check hv01 vmm-to-host-winrm-tls --format json
  vmmports check sql01 to:sql --set-port SqlPort=50123
  vmmports check sql01 --on sql-server     what that machine must answer";

const AUDIT_HELP: &str = "\
Reads the firewall from its own rules, not from outside: for every flow VMM
needs to reach the machine (and leave it, with --outbound), as `rules --on`
would open it, the first packet is put through the ruleset: nftables (every
base chain on the hook must accept), iptables (each table's chain), or the
Windows Firewall (allow-bypass > block > allow, the active profile's rules and
default action, Group Policy's local-merge setting). Verdicts: allowed,
blocked, partly (only some peer addresses or ports). Each names the deciding
rules and says why; what it had to assume (the program a rule is for, an
interface) is listed. The input's kind is told by its content.

Export on Windows (elevated PowerShell), then copy the file here: see
docs/audit.md for the line. On Linux, as root, without FILE: the live ruleset.

Exit codes: 0 every flow allowed; 1 some blocked or partly; 2 bad input
(file:line:col).

Examples:
  vmmports audit --on hyper-v HV01-firewall.json
  vmmports audit --on hyper-v firewall-local.reg firewall-gpo.reg --profile domain
  sudo vmmports audit --on guest-vm                       this machine, live
  iptables-save | vmmports audit --on guest-vm - --format json";

const SWEEP_HELP: &str = "\
Every machine the deployment file names is probed on the ports its role must
answer from --as (default vmm-server): TCP connects, hundreds at once, then
`check`'s service probe on each open port (unless --connect-only). A subnet is
not swept: list its hosts. States: open, refused, timed out, no answer (UDP),
unreachable, name not resolved; ranges and ICMP are not tested. One line per
machine, failing ports first; each sweep is saved beside the config file, and
--diff says what changed since the last one. Ctrl-C prints what is known so
far (a second one exits at once).

Exit codes: 0 every port answered as expected; 1 some did not, or the sweep
was cut short by its deadline; 2 bad input; 130 interrupted.

Examples:
  vmmports sweep                                    the whole fleet, from the VMM server
  vmmports sweep winrm --connect-only --timeout 1000
  vmmports sweep --as library-server --format json
  vmmports sweep --deployment site2.ron --diff";

const FLOWS_HELP: &str = "\
One row per source, destination and protocol, with the ports of every
matching connection between them merged. Components with no address given
show `(address not given)`. Local calls cross no network and are left out.

Examples:
  vmmports flows to:hyper-v --remote vmm-server=10.0.0.5 --remote hyperv-host=10.0.1.0/24
  vmmports flows --format csv > flows.csv
  vmmports flows winrm --format markdown";

const POLICY_HELP: &str = "\
Writes DIR/def/networks.yaml, DIR/def/services.yaml and
DIR/policies/pol/vmm.yaml. Then, with Aerleon (pip install aerleon):
  aclgen --base_directory=DIR/policies --definitions_directory=DIR/def --output_directory=OUT

Exit codes: 0 written; 2 bad input, a component with no address (unless
--any-for-missing), or nothing matched. Nothing is written then.

Examples:
  vmmports policy from:vmm-server to:hyper-v --remote vmm-server=10.0.0.5 --remote hyperv-host=10.0.1.0/24 --out vmm-policy
  vmmports policy --remote vmm-server=10.0.0.5 --any-for-missing --target cisco,paloalto --out vmm-policy";

const DIAGRAM_HELP: &str = "\
Examples:
  vmmports diagram > flows.mmd                         paste into a ```mermaid block
  vmmports diagram to:hyper-v --format dot | dot -Tsvg > flows.svg";

const LISTEN_HELP: &str = "\
Opens a TCP listener and a UDP socket for each selected port (each port once,
whatever number of connections share it) and prints every attempt as it
arrives: time (UTC), source, port and the connections it belongs to. A TCP
connection is accepted and closed; a UDP datagram gets a short reply. Ports
already in use are refused and named, and then nothing is opened. ICMP and
ranges wider than 16 ports are skipped with a note: pick one with port:N.
Ends after --for or on Ctrl-C, with a summary per port.

Exit codes: 0 something arrived; 1 nothing arrived (or nothing to listen on);
2 bad input, or a port that could not be bound.

Examples:
  vmmports listen port:5985                    WinRM, while the service is stopped
  vmmports listen vmm-to-bmc-ipmi --for 2m     623/udp for two minutes
  vmmports listen to:sql --bind 10.0.0.7       SQL Server's ports, on one address
  vmmports listen pxe-boot port:64001          one port of the PXE range";

/// The deployment settings shared by everything that writes rules.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SettingsArgs {
    /// Scope a component's rules to its addresses (IPv4, IPv6, CIDR, a-b ranges, LocalSubnet…); repeatable
    #[arg(long, value_name = "COMPONENT=ADDR[,ADDR...]")]
    pub remote: Vec<String>,
    /// Rule group, and the first part of every rule name
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Windows Firewall profiles: any, or a list of domain, private, public
    #[arg(long, value_name = "PROFILES")]
    pub profile: Option<String>,
    /// A port you chose in VMM setup, by its VMServer.ini key (or SqlPort); repeatable
    #[arg(long = "set-port", value_name = "KEY=PORT")]
    pub set_port: Vec<String>,
    /// Also open the dynamic RPC range (TCP 49152-65535) on hosts, file and library servers
    #[arg(long)]
    pub include_dynamic: bool,
    /// Also give each source its outbound rules, for estates that deny outgoing traffic
    #[arg(long)]
    pub outbound: bool,
    /// With some --remote given, write the rules of peers given none open to any address (each marked), instead of refusing
    #[arg(long)]
    pub any_for_missing: bool,
}

/// `--format` of `rules`: the core's dialects, as clap values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    Powershell,
    Netsh,
    Nft,
    Iptables,
    Firewalld,
    Ufw,
    Probe,
}

impl From<DialectArg> for crate::rules::Dialect {
    fn from(d: DialectArg) -> Self {
        use crate::rules::Dialect;
        match d {
            DialectArg::Powershell => Dialect::Powershell,
            DialectArg::Netsh => Dialect::Netsh,
            DialectArg::Nft => Dialect::Nft,
            DialectArg::Iptables => Dialect::Iptables,
            DialectArg::Firewalld => Dialect::Firewalld,
            DialectArg::Ufw => Dialect::Ufw,
            DialectArg::Probe => Dialect::Probe,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClipboardArg {
    Auto,
    Native,
    Osc52,
    None,
}

impl From<ClipboardArg> for crate::clipboard::Choice {
    fn from(c: ClipboardArg) -> Self {
        use crate::clipboard::Choice;
        match c {
            ClipboardArg::Auto => Choice::Auto,
            ClipboardArg::Native => Choice::Native,
            ClipboardArg::Osc52 => Choice::Osc52,
            ClipboardArg::None => Choice::None,
        }
    }
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
pub enum FlowsFormat {
    Table,
    Csv,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    Mermaid,
    Dot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
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
const QUERY_COMMANDS: &[&str] = &[
    "list", "rules", "check", "listen", "flows", "policy", "diagram", "sweep",
];

impl Cli {
    /// Parses the process's arguments, letting negated query terms
    /// (`-proto:udp`) stand anywhere among options. On bad input it prints
    /// the error and exits 2 (0 for `--help` and `--version`), as clap does,
    /// but never echoes a control or invisible character it was given.
    pub fn parse_args() -> Self {
        let args: Vec<OsString> = std::env::args_os().collect();
        if let Err(message) = check_arguments(&args) {
            eprintln!("vmmports: error: {message}");
            std::process::exit(2);
        }
        match Cli::try_parse_from(negations_as_terms(args)) {
            Ok(cli) => cli,
            Err(e) if !e.use_stderr() => e.exit(), // --help, --version: stdout, exit 0
            Err(e) => {
                // clap quotes what it was given; printable() keeps a hostile
                // value from driving the terminal.
                eprint!("{}", crate::text::printable_lines(&e.render().to_string()));
                std::process::exit(e.exit_code());
            }
        }
    }
}

/// Refuses any argument holding a control or invisible character, before
/// anything reads it: no flag, query word or path needs one, and each could
/// make a script or an error message act or read differently.
fn check_arguments(args: &[OsString]) -> Result<(), String> {
    for (i, arg) in args.iter().enumerate().skip(1) {
        let text = arg.to_string_lossy();
        crate::text::check_plain(&format!("argument {i}"), &text).map_err(|e| {
            format!(
                "{e}\n  help: the argument reads `{}`",
                crate::text::printable(&text)
            )
        })?;
    }
    Ok(())
}

/// clap would read `-proto:udp` as the short options `-p -r -o …`, and
/// letting the query take hyphen values makes it swallow every option after
/// the first term (`list winrm --format json`). So, after a query command,
/// each argument that starts with a single `-` but is none of that command's
/// options is rewritten to the query's other negation sign, `!` (`-5985` →
/// `!5985`), which means the same. An unknown `--flag` is left for clap to
/// refuse (exit 2, naming the nearest flag): read as a query term, a typo
/// such as `--remtoe` would silently select nothing. Everything after `--`
/// is left alone.
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
            // `--anything` unknown is a mistyped flag: clap refuses it and
            // names the nearest one. Only a single dash negates.
            None if query_command.is_some()
                && text.len() > 1
                && text.starts_with('-')
                && !text.starts_with("--") =>
            {
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
