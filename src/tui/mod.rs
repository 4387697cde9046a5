//! The interactive explorer (ratatui + crossterm).
//!
//! ```text
//! key/mouse event ──► keymap ──► Action ──► App::update ──► state ──► ui::render
//! ```
//! The loop redraws only after something changed, so an idle explorer writes
//! nothing to the terminal.

pub mod action;
pub mod app;
pub mod keymap;
pub mod layout;
mod loader;
pub mod search;
pub mod settings_form;
pub mod state;
mod terminal;
pub mod text_input;
pub mod theme;
pub mod ui;

use std::io;
use std::time::Duration;

use crossterm::event::{self, Event};

use std::path::PathBuf;

use crate::catalog::{Catalog, LoadError};
use crate::clipboard::{Choice, Clipboard, Environment};
use app::App;
use terminal::Screen;
use theme::Theme;

pub struct Options {
    /// The deployment file in use, checked against the catalog: its
    /// settings go over the config file's, for this session only.
    pub deployment: Option<(PathBuf, crate::deployment::Deployment)>,
    /// Machines' firewalls (`--audit`), for the machine view to mark.
    pub audits: Vec<MachineFirewall>,
    pub mouse: bool,
    /// Where settings are loaded from and saved to; `None` keeps them in memory.
    pub config_path: Option<std::path::PathBuf>,
    /// `--clipboard`; `None` takes the config file's choice (or auto).
    pub clipboard: Option<Choice>,
    /// Draw on the controlling terminal and keep stdout for `--print`.
    pub print: bool,
}

/// One machine's firewall as read for `audit`, by the machine's component id.
pub struct MachineFirewall {
    pub machine: String,
    /// The files it was read from, as given.
    pub source: String,
    pub ruleset: std::sync::Arc<dyn crate::audit::model::Ruleset>,
}

/// Where the explorer's catalog comes from.
pub enum Source {
    /// Already in memory (the embedded catalog).
    Ready(Catalog),
    /// A file, read behind the first frame: rows show as they are read.
    File(PathBuf),
}

/// How the explorer ended.
pub struct Exit {
    /// Stopped by SIGTERM, SIGHUP or SIGINT rather than by the user.
    pub signalled: bool,
    /// The last text copied, for `--print`.
    pub last_copy: Option<String>,
    /// The catalog file turned out not to be valid: every problem in it.
    /// The explorer closed to let it be printed in full.
    pub load_error: Option<LoadError>,
}

/// How the event loop ended.
enum Ending {
    Quit,
    Signalled,
    LoadFailed(LoadError),
}

/// Runs the explorer until the user quits or a signal arrives.
pub fn run(source: Source, origin: String, options: Options) -> io::Result<Exit> {
    // A config that does not parse is shown, and the explorer runs on
    // defaults without ever saving over the admin's file. (A catalog still
    // to be read checks the settings once it is in.)
    let loaded = options.config_path.as_deref().map(|path| {
        let config = crate::config::load(path).map_err(|e| e.to_string())?;
        match &source {
            Source::Ready(catalog) => match config.settings.check(catalog) {
                Ok(()) => Ok(config),
                Err(e) => Err(format!("{}: {}", path.display(), e.message)),
            },
            Source::File(_) => Ok(config),
        }
    });
    let (config, config_error) = match loaded {
        Some(Ok(config)) => (config, None),
        Some(Err(e)) => (crate::config::Config::default(), Some(e)),
        None => (crate::config::Config::default(), None),
    };
    // The deployment file's settings go over the config file's; the
    // explorer never writes them back (see `App::settings_file`).
    let mut settings = config.settings.clone();
    let mut deployment_error = None;
    if let (Some((path, deployment)), Source::Ready(catalog)) = (&options.deployment, &source) {
        match deployment.settings(catalog, settings.clone()) {
            Ok(mut from_file) => {
                from_file.deployment = Some(path.display().to_string());
                settings = from_file;
            }
            Err(e) => {
                deployment_error =
                    Some(format!("deployment file {}: {}", path.display(), e.message))
            }
        }
    }
    let choice = options.clipboard.or(config.clipboard).unwrap_or_default();
    let mut clipboard = Clipboard::new(choice, Environment::from_process(), config.osc52_limit);
    let screen = if options.print {
        Screen::Tty
    } else {
        Screen::Stdout
    };
    let stop = terminal::termination_flag(options.mouse, screen);
    let (guard, mut tui) = terminal::TerminalGuard::enter(options.mouse, screen)?;
    let theme = Theme::from_env();
    let (mut app, loader) = match source {
        Source::Ready(catalog) => (App::new(catalog, origin, settings.clone()), None),
        Source::File(path) => (
            App::loading(origin, settings.clone()),
            Some(loader::Loader::start(path, settings.clone())),
        ),
    };
    if deployment_error.is_none() && settings.deployment.is_some() {
        app.settings_file = options.deployment.as_ref().map(|(path, _)| path.clone());
        app.status = Some(app::Status {
            text: format!(
                "settings from {} (session only: edit the file to keep changes)",
                app.settings_file
                    .as_deref()
                    .unwrap_or(std::path::Path::new(""))
                    .display()
            ),
            is_error: false,
        });
    }
    app.config_path = if config_error.is_none() {
        options.config_path
    } else {
        None
    };
    if let Some(dialect) = config.dialect {
        app.dialect = dialect;
    }
    app.hosts = config.hosts.clone();
    app.load_audits(options.audits);
    // A deployment that does not fit the catalog is not swept either.
    if deployment_error.is_none() {
        app.deployment = options.deployment;
    }
    app.deployment_error.clone_from(&deployment_error);
    if let Some(e) = deployment_error {
        app.status = Some(app::Status {
            text: format!("{e}; running on the config file's settings"),
            is_error: true,
        });
    }
    if let Some(e) = config_error {
        app.status = Some(app::Status {
            text: format!("config file {e}; running on defaults, and not saving"),
            is_error: true,
        });
    }
    // OSC 52 goes to the same terminal the frames go to, after a frame.
    let mut osc_out = screen.open()?;
    let ending = event_loop(
        &mut app,
        loader,
        &mut tui,
        &theme,
        &mut clipboard,
        &mut *osc_out,
        &stop,
        options.mouse,
    )?;
    // Give the terminal back first, then keep the clipboard served a moment.
    drop(tui);
    drop(guard);
    clipboard.hand_off(Duration::from_millis(1500));
    let (signalled, load_error) = match ending {
        Ending::Quit => (false, None),
        Ending::Signalled => (true, None),
        Ending::LoadFailed(e) => (false, Some(e)),
    };
    Ok(Exit {
        signalled,
        last_copy: app.last_copy,
        load_error,
    })
}

/// Draws after every change and waits for events, taking in the rows of a
/// catalog still loading as they come.
#[allow(clippy::too_many_arguments)]
fn event_loop(
    app: &mut App,
    mut loader: Option<loader::Loader>,
    tui: &mut terminal::Tui,
    theme: &Theme,
    clipboard: &mut Clipboard,
    osc_out: &mut dyn std::io::Write,
    stop: &std::sync::atomic::AtomicBool,
    mouse: bool,
) -> io::Result<Ending> {
    let mut dirty = true;
    // Events of the port check running in the background, if any.
    let mut check: Option<std::sync::mpsc::Receiver<crate::check::Event>> = None;
    // Events of the sweep running in the background, if any.
    let mut sweep: Option<std::sync::mpsc::Receiver<crate::sweep::Event>> = None;
    let mut drawn_size = None;
    while !app.quit {
        if terminal::signalled(stop) {
            return Ok(Ending::Signalled);
        }
        if let Some(progress) = loader.as_mut().map(loader::Loader::poll) {
            for step in progress {
                match step {
                    loader::Progress::Batch {
                        head,
                        rows,
                        indexed,
                    } => app.add_indexed_rows(head.map(|h| *h), rows, indexed),
                    loader::Progress::Done { head } => {
                        app.finish_loading(*head);
                        loader = None;
                    }
                    loader::Progress::Failed(e) => return Ok(Ending::LoadFailed(e)),
                }
                dirty = true;
            }
        }
        let size = tui.size()?;
        // A resize that came before the input reader was listening sends no
        // event; comparing sizes each turn catches it too.
        if Some(size) != drawn_size {
            tui.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
            drawn_size = Some(size);
            dirty = true;
        }
        let areas = ui::fit(app, size.into());
        if dirty {
            tui.draw(|frame| ui::render(frame, app, theme))?;
            dirty = false;
        }
        if std::mem::take(&mut app.requests.check)
            && let Some(app::Overlay::Check(run)) = &app.overlay
        {
            let context = crate::check::Context {
                host: run.host.clone(),
                timeout: crate::check::DEFAULT_TIMEOUT,
                sql_ports: run.sql_ports.clone(),
            };
            check = Some(crate::check::spawn(context, run.targets.clone()));
        }
        if std::mem::take(&mut app.requests.sweep)
            && let Some(view) = &app.sweep
        {
            let options = crate::sweep::Options {
                timeout: crate::check::DEFAULT_TIMEOUT,
                connect_only: false,
                sql_ports: crate::check::sql_ports(&app.catalog),
                in_flight: crate::sweep::connect::MAX_IN_FLIGHT,
            };
            // A sweep started over another: the old one's stop flag is set
            // already, and its events are dropped with its channel.
            sweep = Some(crate::sweep::spawn(
                std::sync::Arc::clone(&view.plan),
                options,
                std::sync::Arc::clone(&view.stop),
            ));
        }
        // Answers show as they arrive; a check or a sweep never blocks the
        // keys.
        if let Some(events) = &sweep {
            let (took, closed) = drain(events, |event| app.sweep_event(event));
            dirty |= took || closed;
            if closed {
                app.sweep_finished();
                sweep = None;
            }
        }
        if let Some(events) = &check {
            let (took, closed) = drain(events, |event| app.check_event(event));
            dirty |= took;
            if closed {
                check = None;
            }
        }
        // The plain view leaves the frame altogether, then everything is
        // drawn anew.
        if let Some(text) = app.requests.plain.take() {
            if terminal::show_plain(tui, &text, mouse, stop)? {
                return Ok(Ending::Signalled);
            }
            drawn_size = None;
            dirty = true;
            continue;
        }
        // Copies go to the terminal between frames, never inside one.
        if let Some(what) = app.requests.copy.take() {
            let text = app.last_copy.clone().unwrap_or_default();
            let report = clipboard.copy(&text, osc_out);
            app.status = Some(app::Status {
                text: format!("{what}: {}", report.message),
                is_error: !report.ok,
            });
            dirty = true;
            continue;
        }
        // A short timeout keeps signals noticed promptly while idle, and
        // background answers (and rows being read) drawn within a few
        // milliseconds of arriving.
        let timeout = if app.filter.searching || check.is_some() {
            4
        } else if sweep.is_some() {
            // Its clock ticks on screen, a few times a second.
            50
        } else if loader.is_some() {
            // Rows come faster than a screen can show them: a frame every
            // 16 ms or so is as smooth as it gets.
            16
        } else {
            100
        };
        if !event::poll(Duration::from_millis(timeout))? {
            dirty |= app.poll_search() || (sweep.is_some() && app.view == app::View::Sweep);
            continue;
        }
        // Take every event already waiting (a burst of typed keys, a paste)
        // before drawing, so the screen shows the end state once, not each
        // step on the way.
        loop {
            let action = match event::read()? {
                Event::Key(key) => keymap::key(app, key),
                Event::Mouse(mouse) => keymap::mouse(app, mouse, &areas),
                Event::Resize(..) => {
                    // A quick shrink and grow can end at the size last drawn
                    // at, while the terminal has already lost what it cut
                    // off: always repaint everything.
                    drawn_size = None;
                    None
                }
                _ => None,
            };
            if let Some(action) = action {
                app.update(action);
                dirty = true;
            }
            if app.quit || app.requests.pending() || !event::poll(Duration::ZERO)? {
                break;
            }
        }
        dirty |= app.poll_search();
    }
    Ok(Ending::Quit)
}

/// Hands every event waiting on a background job's channel to `take`,
/// without waiting: whether any came, and whether the job is over (its
/// channel closed).
fn drain<T>(events: &std::sync::mpsc::Receiver<T>, mut take: impl FnMut(T)) -> (bool, bool) {
    let mut took = false;
    loop {
        match events.try_recv() {
            Ok(event) => {
                take(event);
                took = true;
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => return (took, false),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return (took, true),
        }
    }
}
