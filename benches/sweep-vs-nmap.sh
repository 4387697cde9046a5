#!/usr/bin/env bash
# `vmmports sweep --connect-only` against `nmap -sT`, side by side, on the
# same fleet: 500 addresses on `lo` in a throwaway network namespace, where
# 10% drop every packet, 10% reject SYNs with a reset, and the rest listen on
# 445 and 5985 (every other port refuses). Both tools get the same addresses,
# the same ports (those a Hyper-V host must answer from the VMM server) and a
# 1 s timeout with no retries:
#   vmmports sweep --connect-only --timeout 1000
#   nmap -sT -Pn -n --max-retries 0 --max-rtt-timeout 1000ms
# Prints each tool's wall time (hyperfine when installed, else the median of
# --runs runs) and what each found, so a fast wrong answer cannot pass.
# Needs root, unshare, ip, nft, python3 and nmap (apt-get install -y nmap
# hyperfine). Not a test: the figures go in docs/performance.md.
#   benches/sweep-vs-nmap.sh [--runs N] [--addresses N] [--vmmports PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
addresses=500
vmmports=
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --addresses) addresses=$2; shift 2 ;;
    --vmmports) vmmports=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in unshare ip nft python3 nmap; do
  command -v "$tool" > /dev/null || { echo "$tool is needed (apt-get install -y nmap)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run as root: the fleet lives in a network namespace" >&2; exit 1; }
if [ -z "$vmmports" ]; then
  cargo build --release --quiet
  vmmports=$(realpath "${CARGO_TARGET_DIR:-target}/release/vmmports")
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The fleet, as files the namespace reads: addresses, nft sets, deployment.
python3 - "$work" "$addresses" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
addrs = [f"10.77.{i // 250}.{i % 250 + 1}" for i in range(n)]
dropped = [a for i, a in enumerate(addrs) if i % 10 == 0]
rejected = [a for i, a in enumerate(addrs) if i % 10 == 1]
open(f"{work}/ip-batch", "w").write("".join(f"address add {a}/32 dev lo\n" for a in addrs))
open(f"{work}/targets.txt", "w").write("\n".join(addrs) + "\n")
open(f"{work}/rules.nft", "w").write(f"""table inet fleet {{
  set dropped {{ type ipv4_addr; elements = {{ {", ".join(dropped)} }} }}
  set rejected {{ type ipv4_addr; elements = {{ {", ".join(rejected)} }} }}
  chain input {{
    type filter hook input priority 0; policy accept;
    ip daddr @dropped drop
    ip daddr @rejected tcp flags & (syn | ack) == syn reject with tcp reset
  }}
}}
""")
machines = ", ".join(f'(address: "{a}")' for a in addrs)
open(f"{work}/fleet.ron", "w").write(f'(machines: {{"hyperv-host": [{machines}]}})\n')
PY

unshare -n -p -f -m --mount-proc bash -s "$work" "$vmmports" "$runs" "$PWD/tests/tools" <<'SH'
set -euo pipefail
work=$1 vmmports=$2 runs=$3 tools=$4
cd "$work"
export XDG_CONFIG_HOME="$work/config"
ip link set lo up
ip -batch ip-batch
nft -f rules.nft
python3 "$tools/accept_and_close.py" listening 445 5985 &
while [ ! -f listening ]; do sleep 0.05; done

sweep=("$vmmports" sweep --deployment fleet.ron --connect-only --timeout 1000)
# The ports vmmports sweeps (TCP, single ports), for nmap too.
"${sweep[@]}" --format json > sweep.json || true
ports=$(python3 -c '
import json
r = json.load(open("sweep.json"))
print(",".join(sorted({x["port"] for x in r["hosts"][0]["results"] if x["transport"] == "tcp" and x["result"] != "not tested"}, key=int)))')
nmap=(nmap -sT -Pn -n --max-retries 0 --max-rtt-timeout 1000ms -p "$ports" -iL targets.txt -oG nmap.txt)
# nmap adapts its timeout to the round trips it sees: on loopback it gives
# up on a silent port after its 100 ms floor (--min-rtt-timeout), not after
# --max-rtt-timeout. So two more rows compare equal timeouts: nmap held at
# 1000 ms, and vmmports at nmap's 100 ms.
nmap_pinned=("${nmap[@]}" --min-rtt-timeout 1000ms --initial-rtt-timeout 1000ms)
sweep_100=("$vmmports" sweep --deployment fleet.ron --connect-only --timeout 100)
echo "fleet: $(wc -l < targets.txt) addresses, TCP ports $ports, timeout 1000 ms, $(nproc) cores"
echo
echo "what each found (ports by state):"
python3 -c '
import json
s = json.load(open("sweep.json"))["summary"]["ports"]
print("  vmmports:", ", ".join(f"{v} {k}" for k, v in sorted(s.items()) if k != "not tested"))'
"${nmap[@]}" > /dev/null
python3 -c '
import collections, re
c = collections.Counter()
for line in open("nmap.txt"):
    for state in re.findall(r"\d+/(\w+)/tcp", line):
        c[state] += 1
print("  nmap:    ", ", ".join(f"{v} {k}" for k, v in sorted(c.items())))'
echo
if command -v hyperfine > /dev/null; then
  hyperfine --warmup 1 --runs "$runs" --ignore-failure --style basic \
    -n "vmmports sweep --timeout 1000" "${sweep[*]} > /dev/null" \
    -n "nmap -sT --max-rtt-timeout 1000ms" "${nmap[*]} > /dev/null" \
    -n "nmap, timeout held at 1000 ms" "${nmap_pinned[*]} > /dev/null" \
    -n "vmmports sweep --timeout 100" "${sweep_100[*]} > /dev/null"
else
  median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  for name in sweep nmap nmap_pinned sweep_100; do
    declare -n command=$name
    for _ in $(seq "$runs"); do
      t0=$(date +%s%N)
      "${command[@]}" > /dev/null || true
      echo $((($(date +%s%N) - t0) / 1000000))
    done | median | xargs printf "%-12s median of $runs runs: %s ms\n" "$name"
  done
fi
SH
