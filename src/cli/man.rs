//! The manual page, made from the clap definition that `--help` prints, so
//! the two can never disagree. One self-contained page: `vmmports man`
//! prints it for `man -l -`, and no install step has to place one file per
//! subcommand.

use clap_mangen::Man;
use clap_mangen::roff::Roff;

/// The whole page, as roff: the program's own sections, then one section
/// per subcommand (its synopsis, description and options), then the
/// examples and the query language that `--help` ends with.
pub fn page(cli: clap::Command) -> String {
    // The built-in `help` subcommand has nothing to say on paper.
    let mut cli = cli.disable_help_subcommand(true);
    cli.build();
    let top = Man::new(cli.clone());
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = top.render_title(&mut out);
    let _ = top.render_name_section(&mut out);
    let _ = top.render_synopsis_section(&mut out);
    let _ = top.render_description_section(&mut out);
    let _ = top.render_options_section(&mut out);
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        out.extend(subcommand_section(sub));
        // `deployment import`: a group's own subcommands, each a section too.
        for nested in sub
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        {
            out.extend(subcommand_section(nested));
        }
    }
    out.extend(after_help_section("SH", "EXAMPLES", &cli));
    let _ = top.render_version_section(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// `vmmports list` and the rest, each a section of the one page, its own
/// parts as subsections. (clap_mangen's usual layout is a page per
/// subcommand, which a page printed to stdout cannot point to.)
fn subcommand_section(sub: &clap::Command) -> Vec<u8> {
    let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name());
    let mut head = Roff::default();
    head.control("SH", [name.to_uppercase().as_str()]);
    // Global options and --help are the program's, described once above.
    let shared: Vec<String> = sub
        .get_arguments()
        .filter(|a| a.is_global_set() || a.get_id() == "help")
        .map(|a| a.get_id().to_string())
        .collect();
    let sub = shared
        .iter()
        .fold(sub.clone(), |cmd, id| cmd.mut_arg(id, |a| a.hide(true)));
    let man = Man::new(sub.clone());
    let mut body = Vec::new();
    let _ = man.render_synopsis_section(&mut body);
    let _ = man.render_description_section(&mut body);
    let _ = man.render_options_section(&mut body);
    let body = String::from_utf8_lossy(&body).replace("\n.SH ", "\n.SS ");
    let body = body
        .strip_prefix(".SH ")
        .map_or(body.clone(), |rest| format!(".SS {rest}"));
    let mut out = head.to_roff().into_bytes();
    out.extend(body.into_bytes());
    out.extend(after_help_section("SS", "NOTES", &sub));
    out
}

/// A command's after-help (examples laid out in columns, a paragraph on
/// the query language) as written, without filling: roff would otherwise
/// run the example lines together. `level` is `SH` (a section) or `SS` (a
/// subsection).
fn after_help_section(level: &str, heading: &str, cmd: &clap::Command) -> Vec<u8> {
    let Some(text) = cmd.get_after_long_help().or_else(|| cmd.get_after_help()) else {
        return Vec::new();
    };
    let mut roff = Roff::default();
    roff.control(level, [heading]);
    roff.control("nf", []);
    for line in text.to_string().lines() {
        roff.text([clap_mangen::roff::roman(line)]);
    }
    roff.control("fi", []);
    roff.to_roff().into_bytes()
}
