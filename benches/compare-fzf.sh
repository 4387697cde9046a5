#!/usr/bin/env bash
# Side-by-side: fzf --filter over N text lines vs vmmports over the same N
# connections, whole processes. Needs the Debian packages fzf and hyperfine.
#   benches/compare-fzf.sh [COUNT] [QUERY]
set -euo pipefail
count=${1:-100000}
query=${2:-winrm}
dir=target/synthetic
cargo build --release --quiet
cargo bench --quiet --bench write_synthetic -- "$count" "$dir"
# Every command runs through sh, so each pays the same shell start-up.
hyperfine --warmup 2 --runs 10 \
  --command-name "fzf --filter $query ($count lines)" \
  "fzf --filter $query < $dir/synthetic-$count.txt > /dev/null" \
  --command-name "vmmports list $query ($count connections, loading the JSON catalog)" \
  "target/release/vmmports --data $dir/synthetic-$count.json list $query --format csv > /dev/null"
