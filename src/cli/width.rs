//! How wide the CLI's output may be. A table written to a pipe or a file is
//! never cut, as with `ls` or `kubectl get`: `vmmports | grep 445` must see
//! every port. Only a terminal (or `--width`) sets a limit.

/// Prose in a pipe still wraps at this width: wrapping loses nothing, and a
/// paragraph on one line would be hard to read in a file.
const PIPE_WRAP: usize = 100;
/// A terminal narrower than this is taken as this wide: below it, a table has
/// nothing left to give.
const NARROWEST_TERMINAL: usize = 20;

/// The width limits that apply to one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputWidth {
    /// Where tables are cut; `None` keeps every cell whole.
    cut: Option<usize>,
    /// Where prose (`show`) wraps.
    wrap: usize,
}

impl OutputWidth {
    /// `--width` wins; then a terminal's width (`terminal` is `None` when
    /// stdout is not a terminal, `Some(None)` when its size is unknown);
    /// otherwise tables are not cut at all.
    pub fn resolve(flag: Option<usize>, terminal: Option<Option<usize>>) -> Self {
        let cut = match (flag, terminal) {
            (Some(w), _) => Some(w),
            (None, Some(size)) => Some(size.map_or(PIPE_WRAP, |w| w.max(NARROWEST_TERMINAL))),
            (None, None) => None,
        };
        OutputWidth {
            cut,
            wrap: cut.unwrap_or(PIPE_WRAP),
        }
    }

    /// The width a table must fit in (unbounded when nothing limits it).
    pub fn table(self) -> usize {
        self.cut.unwrap_or(usize::MAX)
    }

    /// The width prose wraps at.
    pub fn wrap(self) -> usize {
        self.wrap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_cuts_nothing_and_the_flag_always_wins() {
        assert_eq!(OutputWidth::resolve(None, None).table(), usize::MAX);
        assert_eq!(OutputWidth::resolve(None, None).wrap(), PIPE_WRAP);
        assert_eq!(OutputWidth::resolve(Some(60), None).table(), 60);
        assert_eq!(OutputWidth::resolve(Some(60), Some(Some(200))).table(), 60);
        assert_eq!(OutputWidth::resolve(Some(60), None).wrap(), 60);
        assert_eq!(OutputWidth::resolve(None, Some(Some(132))).table(), 132);
        assert_eq!(OutputWidth::resolve(None, Some(Some(5))).table(), 20);
        assert_eq!(OutputWidth::resolve(None, Some(None)).table(), PIPE_WRAP);
    }
}
