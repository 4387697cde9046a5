//! How the list's columns share the width, and how a cell too narrow for its
//! text is cut so that what is left still tells rows apart: several machines
//! keep the first one's name and a count, a port list keeps whole numbers and
//! its transport. Plain text in, plain text out: no drawing here.

use unicode_width::UnicodeWidthStr;

/// The least a name column gets when there is room at all.
const FLOOR: usize = 4;
/// From, To and Service: enough to tell `VMM server` from `VMM library
/// server`, and `WinRM` from `WCF`. Without it, one long port list (PXE's
/// five ports) left the names three letters each.
const READABLE: [usize; 3] = [10, 10, 8];
/// Ports keep this much even in a narrow terminal.
const PORTS_FLOOR: usize = 12;
/// The most the ports take while a name still wants room: the agent's
/// `80,135,139,445/tcp`. A longer list is cut (the detail pane shows it
/// whole), since PXE's 26 characters of ports cost every name its end.
const PORTS_CAP: usize = 18;
/// The id is shown only when each name column still gets this much (or all
/// it needs) beside it: the names tell rows apart, the id is for typing.
const ROOMY: usize = 16;

/// Widths for From, To, Service and Ports within `available` cells, from
/// their `natural` (widest content) widths. Ports come first, up to
/// [`PORTS_CAP`], as long as the others keep enough to tell rows apart
/// (`READABLE`). The rest is shared so that no column gets more than it
/// needs and the narrow ones are never cut to feed a wide one (max-min
/// fair); what the names leave goes back to a long port list.
pub fn fit_columns(natural: [usize; 4], available: usize) -> [usize; 4] {
    let floor_of = |limits: [usize; 3]| -> usize {
        natural[..3]
            .iter()
            .zip(limits)
            .map(|(&n, limit)| n.min(limit))
            .sum()
    };
    let others_floor = floor_of([FLOOR; 3]);
    let readable_floor = floor_of(READABLE);
    let ports_cap = available
        .saturating_sub(readable_floor)
        .min(PORTS_CAP)
        .max(PORTS_FLOOR.min(available.saturating_sub(others_floor)));
    let ports = natural[3].min(ports_cap);
    let mut widths = [0, 0, 0, ports];
    let mut left = available - ports;
    let mut open: Vec<usize> = (0..3).collect();
    open.sort_by_key(|&i| natural[i]);
    while let Some(&i) = open.first() {
        let share = left / open.len();
        if natural[i] <= share {
            widths[i] = natural[i];
            left -= natural[i];
            open.remove(0);
        } else {
            // Every column left wants more than an equal share: split what
            // is left evenly, the first ones taking the odd cells.
            let extra = left % open.len();
            for (n, &j) in open.iter().enumerate() {
                widths[j] = share + usize::from(n < extra);
            }
            left = 0;
            break;
        }
    }
    widths[3] += left.min(natural[3] - ports);
    widths
}

/// Whether an id column `id` wide (its widest id) fits beside the others:
/// only whole, and only when the names keep [`ROOMY`] cells each (or all
/// they need). The width it takes is `id` and one space.
pub fn id_fits(id: usize, natural: [usize; 4], available: usize) -> bool {
    let Some(rest) = available.checked_sub(id + 1) else {
        return false;
    };
    let widths = fit_columns(natural, rest);
    id > 0
        && widths[..3]
            .iter()
            .zip(&natural[..3])
            .all(|(&w, &n)| w >= n.min(ROOMY))
}

/// A cell's text as shown: `kept` of its first characters are the
/// original's (so highlights can follow them), the rest is what the cut
/// added (`…`, ` +1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub text: String,
    pub kept: usize,
}

/// `text` cut to `width` columns, ending in `…` when cut.
pub fn cut(text: &str, width: usize) -> Cut {
    if width == 0 {
        return Cut {
            text: String::new(),
            kept: 0,
        };
    }
    let shown = crate::text::truncate(text, width);
    let kept = if shown == text {
        text.chars().count()
    } else {
        shown.chars().count().saturating_sub(1)
    };
    Cut { text: shown, kept }
}

/// Machine names joined with `, ` in `width` columns. When they do not fit,
/// the first keeps as much of its name as it can and the others are
/// counted, `Hyper-V host +1`: a cut list would read like a longer name
/// (`Hyper-V host…` is also the host in an untrusted domain).
pub fn names(names: &[String], width: usize) -> Cut {
    let joined = names.join(", ");
    let suffix = format!(" +{}", names.len().saturating_sub(1));
    if joined.width() <= width || names.len() < 2 || width < suffix.width() + 2 {
        return cut(&joined, width);
    }
    let first = cut(&names[0], width - suffix.width());
    Cut {
        text: first.text + &suffix,
        kept: first.kept,
    }
}

/// A port list (`80,8530,443,8531/tcp 623/udp`) in `width` columns: whole
/// numbers only, never a number cut into another (`853…` reads as 853),
/// with `…` where some were left out and the transport kept
/// (`80,8530,…/tcp`).
pub fn ports(text: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    if text.width() <= width {
        return text.to_string();
    }
    let groups: Vec<&str> = text.split(' ').collect();
    let mut out = String::new();
    for (n, group) in groups.iter().enumerate() {
        let sep = if out.is_empty() { "" } else { " " };
        let more = n + 1 < groups.len();
        let whole = format!("{out}{sep}{group}");
        if whole.width() + if more { 2 } else { 0 } <= width {
            out = whole;
            continue;
        }
        let (numbers, transport) = group.rsplit_once('/').unwrap_or((group, ""));
        let numbers: Vec<&str> = numbers.split(',').collect();
        let fitting = (1..numbers.len()).rev().find_map(|k| {
            let part = format!("{out}{sep}{},…/{transport}", numbers[..k].join(","));
            (part.width() <= width).then_some(part)
        });
        return match fitting {
            Some(part) => part,
            None if !out.is_empty() => format!("{out} …"),
            None => crate::text::truncate(text, width),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_come_first_up_to_a_cap_and_the_rest_is_shared_fairly() {
        // Room for everything: natural widths.
        assert_eq!(fit_columns([10, 20, 12, 14], 100), [10, 20, 12, 14]);
        // Tight: ports whole; the narrow From keeps its 10, the others split.
        assert_eq!(fit_columns([10, 40, 40, 14], 60), [10, 18, 18, 14]);
        // Very tight: the others keep a few cells each, ports take the rest.
        assert_eq!(fit_columns([10, 40, 40, 30], 20), [4, 4, 4, 8]);
        // Nothing at all.
        assert_eq!(fit_columns([10, 40, 40, 30], 0), [0, 0, 0, 0]);
        // One long port list does not starve the names: it stops at the
        // cap while they want more (the list is 72 columns at 120×40).
        assert_eq!(fit_columns([35, 32, 52, 26], 57), [13, 13, 13, 18]);
        // What the names leave goes back to the long list.
        assert_eq!(fit_columns([10, 12, 8, 26], 60), [10, 12, 8, 26]);
        assert_eq!(fit_columns([10, 12, 8, 26], 50), [10, 12, 8, 20]);
        for available in 0..120 {
            let widths = fit_columns([22, 37, 41, 17], available);
            assert!(
                widths.iter().sum::<usize>() <= available,
                "{available}: {widths:?}"
            );
            let widths = fit_columns([22, 37, 41, 40], available);
            assert!(
                widths.iter().sum::<usize>() <= available,
                "{available}: {widths:?}"
            );
        }
    }

    #[test]
    fn the_id_shows_only_whole_and_beside_readable_names() {
        let natural = [35, 32, 52, 26];
        // 120×40 and 160×48: the names need the room.
        assert!(!id_fits(31, natural, 57));
        assert!(!id_fits(31, natural, 81));
        // 200×50: room for the id and names of 18.
        assert!(id_fits(31, natural, 105));
        // Short names need less.
        assert!(id_fits(20, [10, 12, 8, 7], 60));
        assert!(!id_fits(0, natural, 200));
        assert!(!id_fits(31, natural, 10));
    }

    #[test]
    fn several_names_keep_the_first_and_a_count() {
        let two = ["Hyper-V host".to_string(), "VMM library server".to_string()];
        assert_eq!(names(&two, 40).text, "Hyper-V host, VMM library server");
        assert_eq!(
            names(&two, 15),
            Cut {
                text: "Hyper-V host +1".into(),
                kept: 12
            }
        );
        assert_eq!(
            names(&two, 10),
            Cut {
                text: "Hyper-… +1".into(),
                kept: 6
            }
        );
        // Too narrow for a count: a plain cut.
        assert_eq!(names(&two, 4).text, "Hyp…");
        let one = ["Hyper-V host in an untrusted domain".to_string()];
        assert_eq!(names(&one, 13).text, "Hyper-V host…");
        assert_eq!(names(&[], 5).text, "");
    }

    #[test]
    fn a_port_list_is_cut_between_whole_numbers() {
        assert_eq!(ports("80,8530,443,8531/tcp", 20), "80,8530,443,8531/tcp");
        assert_eq!(ports("80,8530,443,8531/tcp", 18), "80,8530,443,…/tcp");
        assert_eq!(ports("80,8530,443,8531/tcp", 16), "80,8530,…/tcp");
        assert_eq!(ports("67,69,4011,64001-65000/udp", 18), "67,69,4011,…/udp");
        // A second transport that does not fit is left to the `…`.
        assert_eq!(ports("443/tcp 623,624/udp", 17), "443/tcp 623,…/udp");
        assert_eq!(ports("443/tcp 623,624/udp", 12), "443/tcp …");
        // A single number too long for the cell: a plain cut.
        assert_eq!(ports("64001-65000/udp", 8), "64001-6…");
        assert_eq!(ports("", 0), "");
        for width in 0..30 {
            let shown = ports("67,69,4011,64001-65000/udp 80,443/tcp", width);
            assert!(shown.width() <= width, "{width}: {shown}");
        }
    }
}
