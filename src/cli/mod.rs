//! The plain command-line front end: parse arguments, load the catalog, run
//! one subcommand, print, and return an exit code. It never touches terminal
//! modes, so it is safe in scripts and pipes.

mod args;
mod audit;
mod check;
mod completions;
mod csv_out;
mod deployment;
mod deployment_import;
mod doctor;
mod flows;
mod list;
mod listen;
mod man;
mod output_thread;
mod record;
mod rules;
mod show;
mod style;
mod sweep;
mod table;
mod width;

use std::io::{IsTerminal, Write};

pub use args::Cli;
use args::{Command, DeploymentCommand, ExportFormat, ListFormat};
use clap::CommandFactory;

use crate::catalog::{self, Catalog, LoadError};
use crate::query::SearchIndex;
use crate::text;

/// What a command's exit status says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It worked and found something.
    Success = 0,
    /// It worked but nothing matched.
    NoMatch = 1,
    /// Bad input: a query, a flag value or a file.
    BadInput = 2,
    /// The explorer was stopped from outside: SIGTERM, SIGHUP or SIGINT on
    /// Unix; Ctrl-Break or a closed console window on Windows.
    Interrupted = 130,
}

/// A user-facing error: what went wrong and, where we know, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub message: String,
    pub hint: Option<String>,
    /// Lines printed as they are before the message, like a compiler's
    /// `file:line:col: …` list that editors can jump through.
    pub details: Option<String>,
}

impl CliError {
    pub fn new(message: impl Into<String>, hint: Option<String>) -> Self {
        CliError {
            message: message.into(),
            hint,
            details: None,
        }
    }
}

/// A query that does not parse names the term, what is wrong, and a fix.
impl From<crate::query::QueryError> for CliError {
    fn from(e: crate::query::QueryError) -> Self {
        CliError::new(
            format!("bad query term `{}`: {}", e.term, e.message),
            Some(e.hint),
        )
    }
}

impl From<LoadError> for CliError {
    fn from(e: LoadError) -> Self {
        if e.problems.iter().all(|p| p.position.is_none()) {
            return CliError::new(e.to_string(), None);
        }
        let count = e.problems.len();
        CliError {
            message: format!(
                "{} has {}; nothing was loaded",
                e.origin,
                text::count(count, "problem")
            ),
            hint: None,
            details: Some(e.to_string()),
        }
    }
}

/// The width limits for this run: `--width`, else the terminal's width when
/// stdout is one, else none for tables (a pipe or a file gets every cell).
fn output_width(flag: Option<u16>) -> width::OutputWidth {
    let terminal = std::io::stdout().is_terminal().then(|| {
        crossterm::terminal::size()
            .ok()
            .map(|(cols, _)| usize::from(cols))
    });
    width::OutputWidth::resolve(flag.map(usize::from), terminal)
}

pub fn run(cli: Cli) -> Outcome {
    match execute(cli) {
        Ok((text, outcome)) => {
            print(&text);
            outcome
        }
        Err(e) => {
            let _ = std::io::stdout().flush();
            // Errors quote what they were given (a catalog value, a flag, a
            // config key): never let that text drive the terminal.
            let shown = crate::text::printable_lines;
            if let Some(details) = e.details {
                eprintln!("{}", shown(&details));
            }
            eprintln!("vmmports: error: {}", shown(&e.message));
            if let Some(hint) = e.hint {
                eprintln!("  help: {}", shown(&hint));
            }
            Outcome::BadInput
        }
    }
}

fn execute(cli: Cli) -> Result<(String, Outcome), CliError> {
    let painter = style::Painter::new(cli.color);
    let width = output_width(cli.width);
    // `validate`, `completions` and `man` need no catalog; load it only for the rest,
    // so a broken --data file does not stop them.
    match cli.command {
        Some(Command::Validate { file }) => {
            let c = catalog::load_file(&file)?;
            Ok((
                format!(
                    "{}: ok: {}, {}, {}, {}\n",
                    file.display(),
                    text::count(c.connections.len(), "connection"),
                    text::count(c.components.len(), "component"),
                    text::count(c.setup_features.len(), "setup feature"),
                    text::count(c.notes.len(), "note")
                ),
                Outcome::Success,
            ))
        }
        Some(Command::Deployment {
            command:
                DeploymentCommand::Import {
                    files,
                    out,
                    force,
                    map,
                },
        }) => deployment_import::run_import(
            &load(cli.data.as_deref())?,
            &files,
            out.as_deref(),
            force,
            &map,
        ),
        Some(Command::Doctor) => {
            let config = crate::config::default_path()
                .and_then(|path| crate::config::load(&path).ok())
                .unwrap_or_default();
            let choice = cli
                .clipboard
                .map(Into::into)
                .or(config.clipboard)
                .unwrap_or_default();
            let file = deployment::describe(cli.deployment.as_deref());
            Ok(doctor::run(choice, config.osc52_limit, file))
        }
        Some(Command::Completions { shell }) => {
            Ok((completions::script(shell, Cli::command()), Outcome::Success))
        }
        Some(Command::Man) => Ok((man::page(Cli::command()), Outcome::Success)),
        Some(Command::List { query, format }) => {
            let (catalog, index) = load_indexed(cli.data.as_deref())?;
            let result = list::run(&catalog, &index, &query, format, &painter, width.table());
            // See below: no point freeing it row by row just before exit.
            std::mem::forget((catalog, index));
            result
        }
        // With no subcommand: the explorer on a terminal. --print keeps
        // stdout for its result and draws on the tty.
        None if cli.print || std::io::stdout().is_terminal() => explore(&cli),
        // The explorer's flags with no explorer to show them in: said, not
        // silently dropped.
        None if !cli.audit.is_empty() || cli.audit_profile.is_some() => Err(CliError::new(
            "--audit marks the explorer's machine view, and stdout is not a terminal",
            Some("for a report in a pipe, run `vmmports audit --on ROLE FILE`".into()),
        )),
        command => {
            let catalog = load(cli.data.as_deref())?;
            let origin = cli.data.as_ref().map_or_else(
                || catalog::EMBEDDED_ORIGIN.to_string(),
                |p| p.display().to_string(),
            );
            let result = match command {
                Some(Command::Rules {
                    query,
                    format,
                    on,
                    settings,
                    copy,
                }) => {
                    let (config, base) = load_base(&catalog, cli.deployment.as_deref())?;
                    let (script, outcome) = rules::run(
                        &catalog,
                        &origin,
                        &query,
                        format,
                        on.as_deref(),
                        base,
                        &settings,
                    )?;
                    if copy {
                        let choice = cli
                            .clipboard
                            .map(Into::into)
                            .or(config.clipboard)
                            .unwrap_or_default();
                        copy_to_clipboard(&script, choice, config.osc52_limit);
                    }
                    Ok((script, outcome))
                }
                Some(Command::Flows {
                    query,
                    remote,
                    include_dynamic,
                    format,
                }) => select_flows(
                    &catalog,
                    cli.deployment.as_deref(),
                    &remote,
                    include_dynamic,
                    &query,
                )
                .and_then(|s| flows::run_flows(&s, format, &painter, width.table())),
                Some(Command::Policy {
                    query,
                    remote,
                    include_dynamic,
                    out,
                    target,
                    any_for_missing,
                }) => select_flows(
                    &catalog,
                    cli.deployment.as_deref(),
                    &remote,
                    include_dynamic,
                    &query,
                )
                .and_then(|s| flows::run_policy(&s, &out, &target, any_for_missing)),
                Some(Command::Diagram {
                    query,
                    include_dynamic,
                    format,
                }) => select_flows(
                    &catalog,
                    cli.deployment.as_deref(),
                    &[],
                    include_dynamic,
                    &query,
                )
                .and_then(|s| flows::run_diagram(&s, format)),
                Some(Command::Check {
                    host,
                    query,
                    on,
                    timeout,
                    format,
                    set_port,
                }) => check::run(
                    &deployed(&catalog, cli.deployment.as_deref(), &set_port)?,
                    &host,
                    &query,
                    on.as_deref(),
                    timeout,
                    format,
                ),
                Some(Command::Audit {
                    on,
                    files,
                    profile,
                    remote,
                    set_port,
                    include_dynamic,
                    outbound,
                    format,
                }) => {
                    let (_, base) = load_base(&catalog, cli.deployment.as_deref())?;
                    let settings = args::SettingsArgs {
                        remote,
                        set_port,
                        include_dynamic,
                        outbound,
                        ..Default::default()
                    };
                    audit::run(
                        &catalog,
                        base,
                        &audit::Request {
                            on: &on,
                            files: &files,
                            profile: profile.as_deref(),
                            settings,
                            format,
                        },
                    )
                }
                Some(Command::Sweep {
                    query,
                    as_role,
                    connect_only,
                    timeout,
                    format,
                    diff,
                }) => sweep::run(
                    &catalog,
                    &sweep::Request {
                        words: &query,
                        as_role: &as_role,
                        deployment: cli.deployment.as_deref(),
                        connect_only,
                        timeout_ms: timeout,
                        format,
                        diff,
                    },
                ),
                Some(Command::Listen {
                    query,
                    duration,
                    bind,
                    set_port,
                }) => listen::run(
                    &deployed(&catalog, cli.deployment.as_deref(), &set_port)?,
                    &query,
                    &duration,
                    &bind,
                ),
                Some(Command::Show { id, format }) => Ok((
                    show::run(&catalog, &id, format, &painter, width.wrap())?,
                    Outcome::Success,
                )),
                Some(Command::Export { format }) => Ok((
                    match format {
                        ExportFormat::Ron => catalog::to_ron(&catalog),
                        ExportFormat::Json => catalog::to_json(&catalog),
                    },
                    Outcome::Success,
                )),
                // With no subcommand and stdout a pipe or a file: the whole
                // table (on a terminal, the explorer: see above).
                _ => list::run(
                    &catalog,
                    &SearchIndex::new(&catalog),
                    &[],
                    ListFormat::Table,
                    &painter,
                    width.table(),
                ),
            };
            // The process ends right after printing: freeing a large catalog
            // row by row would only delay the exit (a third of the run time
            // with 100,000 connections).
            std::mem::forget(catalog);
            result
        }
    }
}

/// The explorer. A catalog file is read behind its first frame, so a big
/// one shows rows at once; what makes a file unusable before any row (its
/// name, its permissions) is said before the screen changes.
fn explore(cli: &Cli) -> Result<(String, Outcome), CliError> {
    // A deployment file is checked against the catalog before the screen
    // changes, so its errors print with file:line:col; with --data that
    // means reading the catalog first, which only a deployment needs.
    let with_deployment = cli.deployment.is_some()
        || !cli.audit.is_empty()
        || crate::deployment::default_path().is_some_and(|p| p.exists());
    let (source, origin) = match &cli.data {
        Some(path) if with_deployment => (
            crate::tui::Source::Ready(catalog::load_file(path)?),
            path.display().to_string(),
        ),
        Some(path) => {
            catalog::Format::from_path(path)?;
            std::fs::File::open(path).map_err(|e| {
                CliError::new(
                    format!("cannot read {}: {e}", path.display()),
                    Some("check the path given to --data".into()),
                )
            })?;
            (
                crate::tui::Source::File(path.clone()),
                path.display().to_string(),
            )
        }
        None => (
            crate::tui::Source::Ready(catalog::embedded()?),
            catalog::EMBEDDED_ORIGIN.to_string(),
        ),
    };
    let deployment = match &source {
        crate::tui::Source::Ready(catalog) => {
            deployment::in_use(cli.deployment.as_deref(), catalog)?
        }
        crate::tui::Source::File(_) => None,
    };
    let audits = match &source {
        crate::tui::Source::Ready(catalog) => {
            audit::for_explorer(catalog, &cli.audit, cli.audit_profile.as_deref())?
        }
        crate::tui::Source::File(_) => Vec::new(),
    };
    let options = crate::tui::Options {
        deployment: deployment.map(|d| (d.path, d.deployment)),
        audits,
        mouse: !cli.no_mouse,
        config_path: crate::config::default_path(),
        clipboard: cli.clipboard.map(Into::into),
        print: cli.print,
    };
    let exit = crate::tui::run(source, origin, options).map_err(explorer_error)?;
    if let Some(e) = exit.load_error {
        return Err(e.into());
    }
    Ok((
        if cli.print {
            exit.last_copy.unwrap_or_default()
        } else {
            String::new()
        },
        if exit.signalled {
            Outcome::Interrupted
        } else {
            Outcome::Success
        },
    ))
}

/// Why the explorer could not run, and what works instead.
fn explorer_error(e: std::io::Error) -> CliError {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<crate::platform::ConsoleUnsupported>())
    {
        Some(unsupported) => CliError::new(
            format!("cannot start the explorer: {unsupported}"),
            Some(
                "the plain commands work on any console: `vmmports list`, `vmmports show`, \
                 `vmmports rules`"
                    .into(),
            ),
        ),
        None => CliError::new(format!("the explorer stopped: {e}"), None),
    }
}

/// `rules --copy`: the script goes to the clipboard too, and stderr says
/// honestly what happened. OSC 52 needs the controlling terminal.
fn copy_to_clipboard(text: &str, choice: crate::clipboard::Choice, limit: Option<usize>) {
    let mut clipboard = crate::clipboard::Clipboard::new(
        choice,
        crate::clipboard::Environment::from_process(),
        limit,
    );
    let report = match crate::platform::terminal_writer() {
        Ok(mut tty) => clipboard.copy(text, &mut tty),
        Err(e) => clipboard.copy(text, &mut FailingWriter(e.to_string())),
    };
    eprintln!("vmmports: {}", report.message);
    // A native copy lives as long as its owner: serve it a moment.
    clipboard.hand_off(std::time::Duration::from_millis(1500));
}

/// Stands in for a terminal that could not be opened.
struct FailingWriter(String);

impl Write for FailingWriter {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other(self.0.clone()))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The catalog as deployed: the ports setup moved, from the config file,
/// the deployment file and then `--set-port`, so `check` and `listen` act
/// on the real port numbers.
fn deployed(
    catalog: &Catalog,
    deployment: Option<&std::path::Path>,
    set_port: &[String],
) -> Result<Catalog, CliError> {
    let mut settings = load_base(catalog, deployment)?.1.settings;
    for port in set_port {
        settings.set_port(catalog, port)?;
    }
    Ok(settings.apply_ports(catalog))
}

/// The config file, and the settings a command's flags go on top of: the
/// config file's, then the deployment file's (`--deployment`, or the
/// default one when it exists).
fn load_base(
    catalog: &Catalog,
    deployment: Option<&std::path::Path>,
) -> Result<(crate::config::Config, deployment::Base), CliError> {
    let config = load_config(catalog)?;
    let in_use = deployment::in_use(deployment, catalog)?;
    let base = deployment::Base::new(catalog, config.settings.clone(), in_use.as_ref())?;
    Ok((config, base))
}

/// The config file's settings; a file that does not parse is an error
/// (exit 2), so a script never silently runs without the admin's settings.
fn load_config(catalog: &Catalog) -> Result<crate::config::Config, CliError> {
    let Some(path) = crate::config::default_path() else {
        return Ok(Default::default());
    };
    let hint = || Some("fix the file, or set XDG_CONFIG_HOME to use another folder".to_string());
    let config = crate::config::load(&path)
        .map_err(|e| CliError::new(format!("config file {e}"), hint()))?;
    config.settings.check(catalog).map_err(|e| {
        CliError::new(
            format!("config file {}: {}", path.display(), e.message),
            hint(),
        )
    })?;
    Ok(config)
}

/// What `flows`, `policy` and `diagram` work on: the config file's and
/// the deployment file's settings with `--remote` on top, and the query's
/// exact selection.
fn select_flows(
    catalog: &Catalog,
    deployment: Option<&std::path::Path>,
    remote: &[String],
    include_dynamic: bool,
    query: &[String],
) -> Result<flows::Selection, CliError> {
    let (_, base) = load_base(catalog, deployment)?;
    flows::Selection::new(catalog, base, remote, include_dynamic, query)
}

fn load(data: Option<&std::path::Path>) -> Result<Catalog, CliError> {
    Ok(match data {
        Some(path) => catalog::load_file(path)?,
        None => catalog::embedded()?,
    })
}

/// The catalog and its search index. From a file, the index is built on a
/// second thread while the rest of the file is still being parsed: on a big
/// catalog that is most of what `list` costs.
fn load_indexed(data: Option<&std::path::Path>) -> Result<(Catalog, SearchIndex), CliError> {
    let Some(path) = data else {
        let catalog = catalog::embedded()?;
        let index = SearchIndex::new(&catalog);
        return Ok((catalog, index));
    };
    let mut growing: Option<SearchIndex> = None;
    let catalog = catalog::load_file_with(path, |head, _, rows| {
        growing
            .get_or_insert_with(|| SearchIndex::for_components(head))
            .extend(rows)
    })?;
    // A catalog without connections never started one.
    let index = growing.unwrap_or_else(|| SearchIndex::new(&catalog));
    Ok((catalog, index))
}

/// Writes to stdout; a closed pipe (`vmmports list | head`) is not an error.
/// An empty result touches nothing: `listen` prints through a thread of its
/// own, which may still hold stdout, stuck on a pipe nobody reads.
fn print(text: &str) {
    if text.is_empty() {
        return;
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_console_without_vt_is_told_what_works_instead() {
        let unsupported = crate::platform::ConsoleUnsupported {
            reason: "this console does not take VT escape sequences".into(),
        };
        let e = explorer_error(std::io::Error::other(unsupported));
        assert_eq!(
            e.message,
            "cannot start the explorer: this console does not take VT escape sequences"
        );
        let hint = e.hint.expect("a way out");
        assert!(
            hint.contains("vmmports list") && hint.contains("vmmports rules"),
            "{hint}"
        );
        // Any other failure keeps its own words.
        let other = explorer_error(std::io::Error::other("broken pipe"));
        assert_eq!(other.message, "the explorer stopped: broken pipe");
    }
}
