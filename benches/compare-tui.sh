#!/usr/bin/env bash
# The explorer against fzf, side by side, each in a 120x40 pseudo-terminal:
# time to the first frame and to a full list, bytes drawn, and per-keystroke
# latency, on the embedded catalog and on 100,000 synthetic connections.
# benches/tui.rs says what is measured and how. Needs the Debian package fzf.
#   benches/compare-tui.sh [OPTIONS]      options go to benches/tui.rs, e.g.
#   benches/compare-tui.sh --runs 9 --query winr
#   benches/compare-tui.sh --vmmports before=/tmp/vmmports-old --vmmports after=target/release/vmmports
# Keep the machine otherwise idle while it runs (about a minute and a half).
set -euo pipefail
cd "$(dirname "$0")/.."
count=100000
dir=target/synthetic
command -v fzf > /dev/null || { echo "fzf is needed: apt-get install -y fzf" >&2; exit 1; }
cargo build --release --quiet
if [ ! -e "$dir/synthetic-$count.json" ] || [ ! -e "$dir/synthetic-$count.txt" ]; then
  cargo bench --quiet --bench write_synthetic -- "$count" "$dir"
fi
cargo bench --quiet --bench tui -- --big "$count" --data-dir "$dir" "$@"
