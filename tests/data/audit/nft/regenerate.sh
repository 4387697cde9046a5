#!/bin/sh
# Regenerates each FILE.json here from FILE.nft with the real nft: loads it
# into an empty, throwaway network namespace and lists the ruleset as JSON.
# Needs root (or unprivileged user namespaces: set UNSHARE="unshare -rn").
set -eu
cd "$(dirname "$0")"
unshare=${UNSHARE:-unshare -n}
# firewalld's ruleset is shared with tests/rules_linux_tools.rs.
for source in *.nft ../../firewalld-1.3.3.nft; do
	json=$(basename "${source%.nft}").json
	$unshare sh -c 'nft -f "$1" && nft -j list ruleset' sh "$source" >"$json.tmp"
	mv "$json.tmp" "$json"
	echo "$json"
done
