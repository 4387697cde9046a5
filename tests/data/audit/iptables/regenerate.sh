#!/bin/sh
# Regenerates the *.save fixtures of tests/audit_iptables.rs from the
# *.rules sources beside them, with the real tools: each source is loaded
# by iptables-restore into a throwaway network namespace and printed back
# by iptables-save, so the fixtures are exactly what admins will paste.
#
# Needs root, unshare, iptables (nft and legacy back ends) and ipset:
#   apt-get install -y iptables ipset
# Run from anywhere: sh tests/data/audit/iptables/regenerate.sh
set -eu
cd "$(dirname "$0")"
PATH="/usr/sbin:/sbin:$PATH"

# One namespace per fixture, so no rule leaks from one into the next.
# $1: the restore command, $2: the source, $3: the save command, $4: output.
save() {
    unshare -n sh -eu -c '
        ipset create vmm-servers hash:ip
        "$1" < "$2"
        "$3" > "$4"
    ' sh "$1" "$2" "$3" "$4"
    echo "wrote $4"
}

save iptables-nft-restore host.rules iptables-nft-save host.save
save iptables-nft-restore tables.rules iptables-nft-save tables.save
save iptables-nft-restore goto.rules iptables-nft-save goto.save
save ip6tables-nft-restore host6.rules ip6tables-nft-save host6.save
save iptables-nft-restore unmodelled.rules iptables-nft-save unmodelled.save
save iptables-nft-restore notrack.rules iptables-nft-save notrack.save
save iptables-nft-restore mark.rules iptables-nft-save mark.save

# The nft and legacy back ends loaded at once, as on a machine where
# something still uses iptables-legacy: iptables-nft-save warns that the
# legacy tables exist (on stderr; kept here as a terminal shows it, which
# is what a pasted copy holds), and iptables-legacy-save prints them.
unshare -n sh -eu -c '
    iptables-legacy-restore < legacy.rules
    iptables-nft-restore < host.rules
    iptables-nft-save > host-with-legacy.save 2>&1
    iptables-legacy-save > legacy.save
'
echo "wrote host-with-legacy.save legacy.save"

# ufw's own rules (its shipped before/after rules plus three user rules),
# as `ufw enable` loads them. ufw runs in a mount namespace over a copy of
# /etc/ufw, reset first, so this machine's ufw settings are neither read
# nor changed. Skipped where ufw is not installed.
if command -v ufw >/dev/null; then
    copy=$(mktemp -d)
    cp -a /etc/ufw/. "$copy"
    unshare -n -m sh -eu -c '
        mount --bind "$1" /etc/ufw
        ufw --force reset >/dev/null
        ufw --force enable >/dev/null
        ufw allow from 10.10.0.0/24 to any port 5985 proto tcp >/dev/null
        ufw limit 22/tcp >/dev/null
        ufw allow 443 >/dev/null
        iptables-save > ufw.save
        ip6tables-save > ufw6.save
    ' sh "$copy"
    rm -rf "$copy"
    echo "wrote ufw.save ufw6.save"
else
    echo "ufw is not installed: ufw.save and ufw6.save kept as they are"
fi
