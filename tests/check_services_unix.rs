//! `vmmports check` against real servers: after the TCP connect (or the UDP
//! datagram) it speaks a little of each service's protocol, and these tests
//! give it the real thing to talk to, each in a throwaway network, PID and
//! mount namespace (`unshare -n -p -f -m --mount-proc`) on 127.0.0.1:
//!
//! - TLS: `openssl s_server -www`, a self-signed certificate that expires in
//!   4½ days (CN=localhost, SAN localhost and 127.0.0.1) on 5986, and one a
//!   test CA signed that expired 10 days ago (CN=hv01.contoso.test) on 8531,
//!   TLS 1.2 only. Both are made at test time with `openssl ca -startdate
//!   -enddate` (no committed fixtures, no faketime). And a certificate of
//!   about 75 KB (2,600 names), on 5986 and 8531; and two whose organization
//!   is `x, CN=hv01.contoso.com`, on 5989 and 8531.
//! - HTTP that is not WinRM: `python3 -m http.server` on 5985 and 8530.
//! - SSH: OpenSSH's sshd on 22.
//! - SMB: Samba's smbd on 445 and 139, and samba-dcerpcd's endpoint mapper
//!   on 135; and a plain TCP echo service (Python) on 445, 80, 135 and 1433,
//!   which is none of those services.
//! - TFTP: tftpd-hpa on 69/udp. IPMI: OpenIPMI's `ipmi_sim` BMC on 623/udp.
//! - Silence on UDP: an nft rule that drops 1434/udp and 623/udp.
//! - Silence from DNS: resolv.conf (bind-mounted) names 127.0.0.1, where a
//!   socket reads the queries and never answers.
//!
//! `servers_start_and_answer_standard_clients` proves the servers with the
//! usual clients (openssl s_client, curl, ssh-keyscan, smbclient, rpcclient),
//! independently of vmmports. The PID namespace ends every server (and
//! smbd's helpers) when the script ends, and `timeout` bounds each test.
//!
//! Without root or the servers a test says what it lacks and passes, except
//! under CI, where it fails: `.ci/run` installs them and runs as root.
#![cfg(unix)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

mod common;
use common::needs;

use serde_json::Value;

/// The longest a whole namespace may live; each test stays well below.
const LIMIT_SECS: u32 = 50;

/// The shell functions every test's script starts with. `$1` is the test's
/// temporary folder (every file goes there, server logs in `logs/`), `$2`
/// the vmmports binary. Lines starting with `@@` are for the Rust side.
const PRELUDE: &str = r#####"
set -u
D=$1
VMMPORTS=$2
cd "$D" || exit 3
mkdir -p logs config
export XDG_CONFIG_HOME="$D/config" NO_COLOR=1
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
T0=$(date +%s%N)
ms() { echo $((($(date +%s%N) - T0) / 1000000)); }
ip link set lo up || { echo "@@fatal: ip link set lo up"; exit 3; }
# What the servers write outside $D stays in this mount namespace: /run
# (sshd's privilege separation folder, Samba's sockets) and Samba's default
# log folder, which its RPC helpers use whatever smb.conf says, are tmpfs.
mount -t tmpfs tmpfs /run || { echo "@@fatal: mount /run"; exit 3; }
if [ -d /var/log/samba ]; then mount -t tmpfs tmpfs /var/log/samba; fi

# "name tcp|udp port" for each server started and not yet listening.
pending=()

# Waits until every pending port listens, for 10 s at most.
wait_servers() {
    local i entry name proto port ok
    for ((i = 0; i < 200; i++)); do
        ok=1
        for entry in "${pending[@]}"; do
            read -r name proto port <<<"$entry"
            if ! ss -Hln"${proto:0:1}" "sport = :$port" | grep -q .; then
                ok=0
                break
            fi
        done
        if ((ok)); then
            echo "@@servers-up ms=$(ms)"
            pending=()
            return 0
        fi
        sleep 0.05
    done
    echo "@@fatal: $name is not listening on $port/$proto after $(ms) ms"
    exit 3
}

# Both certificates are X.509 v3 server certificates, made with `openssl ca`
# for its exact dates (`req -x509 -days` gives whole days only):
# valid.pem: self-signed EC, CN=localhost, SAN localhost and 127.0.0.1,
# valid until 5 days less 12 hours from now, so 4 whole days are left.
# expired.pem: RSA, CN=hv01.contoso.test, no SAN, signed by ca.pem
# ("Contoso Test CA"), valid from 40 until 10 days ago.
# future.pem: like valid.pem, but valid only from 2 days from now (a
# certificate bound too early, or a clock that is wrong).
# v1.pem: self-signed X.509 version 1 (no extensions at all), CN=old-appliance,
# as old appliances and hand-made certificates still have.
make_certs() {
    local day='+%Y%m%d%H%M%SZ'
    {
        mkdir -p ca && : >ca/index.txt && echo 01 >ca/serial &&
            printf '%s\n' '[ca]' 'default_ca = test_ca' '[test_ca]' \
                'database = ca/index.txt' 'new_certs_dir = ca' 'serial = ca/serial' \
                'default_md = sha256' 'policy = any' 'unique_subject = no' \
                '[any]' 'commonName = supplied' \
                '[server]' 'basicConstraints = CA:FALSE' \
                'keyUsage = digitalSignature, keyEncipherment' 'extendedKeyUsage = serverAuth' \
                '[localhost]' 'basicConstraints = CA:FALSE' 'keyUsage = digitalSignature' \
                'extendedKeyUsage = serverAuth' 'subjectAltName = DNS:localhost, IP:127.0.0.1' \
                >ca.cnf &&
            openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
                -subj /CN=localhost -keyout valid.key -out valid.csr &&
            openssl ca -batch -config ca.cnf -notext -selfsign -keyfile valid.key \
                -extensions localhost -in valid.csr -out valid.pem \
                -startdate "$(date -u -d '-1 hour' "$day")" \
                -enddate "$(date -u -d '+5 days -12 hours' "$day")" &&
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
                -subj "/CN=Contoso Test CA" -keyout ca.key -out ca.pem &&
            openssl req -new -newkey rsa:2048 -nodes -subj /CN=hv01.contoso.test \
                -keyout expired.key -out expired.csr &&
            openssl ca -batch -config ca.cnf -notext -cert ca.pem -keyfile ca.key \
                -extensions server -in expired.csr -out expired.pem \
                -startdate "$(date -u -d '-40 days' "$day")" \
                -enddate "$(date -u -d '-10 days' "$day")" &&
            openssl req -new -newkey rsa:2048 -nodes -subj /CN=old-appliance \
                -keyout v1.key -out v1.csr &&
            openssl x509 -req -in v1.csr -signkey v1.key -days 400 -out v1.pem &&
            openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
                -subj /CN=localhost -keyout future.key -out future.csr &&
            openssl ca -batch -config ca.cnf -notext -selfsign -keyfile future.key \
                -extensions localhost -in future.csr -out future.pem \
                -startdate "$(date -u -d '+2 days' "$day")" \
                -enddate "$(date -u -d '+400 days' "$day")"
    } >logs/certificates.log 2>&1 || { echo "@@fatal: certificates (logs/certificates.log)"; exit 3; }
}

# big.pem: self-signed EC, CN=big.contoso.test, with 2,600 DNS names in its
# SAN: about 75 KB, more than the 64 KB a TLS handshake message may have
# before the probe stops reading.
make_big_cert() {
    {
        printf '%s\n' '[req]' 'distinguished_name = dn' '[dn]' '[big]' &&
            printf 'subjectAltName = DNS:host-%05d.big.contoso.test' 0 &&
            for ((i = 1; i < 2600; i++)); do printf ', DNS:host-%05d.big.contoso.test' "$i"; done &&
            echo
    } >big.cnf
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 5 \
        -subj /CN=big.contoso.test -config big.cnf -extensions big -keyout big.key -out big.pem \
        >logs/big-certificate.log 2>&1 || { echo "@@fatal: big certificate (logs/big-certificate.log)"; exit 3; }
    echo "@@big-cert-bytes $(openssl x509 -in big.pem -outform der | wc -c)"
}

# Self-signed EC certificates whose organization's value is
# `x, CN=hv01.contoso.com` (one attribute: -subj escapes the comma):
# posing.pem has no common name at all, posing-cn.pem has CN=other.example
# after the organization.
make_posing_certs() {
    local name subject
    for name in posing posing-cn; do
        subject='/O=x\, CN=hv01.contoso.com'
        if [ "$name" = posing-cn ]; then subject="$subject/CN=other.example"; fi
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 5 \
            -subj "$subject" -keyout "$name.key" -out "$name.pem" >>logs/posing-certificates.log 2>&1 ||
            { echo "@@fatal: $name certificate (logs/posing-certificates.log)"; exit 3; }
    done
}

# start_tls PORT CERT KEY [s_server options]
start_tls() {
    local port=$1 cert=$2 key=$3
    shift 3
    openssl s_server -accept "127.0.0.1:$port" -cert "$cert" -key "$key" -www -quiet "$@" \
        >"logs/tls-$port.log" 2>&1 &
    pending+=("tls-$port tcp $port")
}

# start_http PORT: Python's http.server, which is not WinRM.
start_http() {
    "$PY" -m http.server "$1" --bind 127.0.0.1 >"logs/http-$1.log" 2>&1 &
    pending+=("http-$1 tcp $1")
}

start_sshd() {
    mkdir -p /run/sshd
    ssh-keygen -q -t ed25519 -N '' -f "$D/ssh_host_key" >logs/ssh-keygen.log 2>&1
    printf '%s\n' 'ListenAddress 127.0.0.1:22' "HostKey $D/ssh_host_key" 'UsePAM no' \
        'PidFile none' >sshd_config
    /usr/sbin/sshd -D -e -f "$D/sshd_config" >logs/sshd.log 2>&1 &
    pending+=("sshd tcp 22")
}

start_tftpd() {
    mkdir -p tftp
    /usr/sbin/in.tftpd -L -4 -s "$D/tftp" >logs/tftpd.log 2>&1 &
    pending+=("tftpd udp 69")
}

# A BMC simulator answering RMCP/ASF pings and IPMI 1.5 on 623/udp.
start_ipmi() {
    mkdir -p ipmi-state
    cat >lan.conf <<'END'
name "vmmports-test"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 623
    priv_limit admin
    allowed_auths_callback none md5 straight
    allowed_auths_user none md5 straight
    allowed_auths_operator none md5 straight
    allowed_auths_admin none md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  user 1 true  ""      "test" user  10 none md5 straight
  user 2 true  "admin" "test" admin 10 none md5 straight
END
    printf '%s\n' 'mc_setbmc 0x20' \
        'mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr' \
        'mc_enable 0x20' >sim.emu
    ipmi_sim -c lan.conf -f sim.emu -s "$D/ipmi-state" -n >logs/ipmi_sim.log 2>&1 &
    pending+=("ipmi_sim udp 623")
}

# smbd on 445 and 139, samba-dcerpcd's endpoint mapper on 135; every file
# Samba writes goes under $D/samba.
start_samba() {
    local dir
    for dir in private lock state cache pid ncalrpc share; do mkdir -p "samba/$dir"; done
    cat >smb.conf <<END
[global]
  server role = standalone server
  workgroup = CONTOSO
  netbios name = HV01
  interfaces = 127.0.0.1
  bind interfaces only = yes
  smb ports = 445 139
  disable netbios = yes
  private dir = $D/samba/private
  lock directory = $D/samba/lock
  state directory = $D/samba/state
  cache directory = $D/samba/cache
  pid directory = $D/samba/pid
  ncalrpc dir = $D/samba/ncalrpc
  log file = $D/logs/samba.%m
  rpc start on demand helpers = no
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
  map to guest = Bad User
[share]
  path = $D/samba/share
  guest ok = yes
END
    /usr/sbin/smbd -F --debug-stdout -s "$D/smb.conf" >logs/smbd.log 2>&1 &
    /usr/libexec/samba/samba-dcerpcd -F --libexec-rpcds --debug-stdout -s "$D/smb.conf" \
        >logs/samba-dcerpcd.log 2>&1 &
    pending+=("smbd tcp 445" "smbd tcp 139" "samba-dcerpcd tcp 135")
}

# start_echo PORT: a plain TCP echo service, which sends every byte back.
start_echo() {
    "$PY" -c '
import socket, sys, threading
def serve(conn):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)
server = socket.create_server(("127.0.0.1", int(sys.argv[1])))
while True:
    threading.Thread(target=serve, args=(server.accept()[0],), daemon=True).start()
' "$1" >"logs/echo-$1.log" 2>&1 &
    pending+=("echo-$1 tcp $1")
}

# silent_dns: this mount namespace's resolver is 127.0.0.1, where a socket
# reads every query and never answers (glibc's own defaults, written out:
# 5 s per try, two tries), and names are looked up in /etc/hosts, then DNS.
silent_dns() {
    printf '%s\n' 'nameserver 127.0.0.1' 'options timeout:5 attempts:2' >resolv.conf
    printf '%s\n' 'hosts: files dns' >nsswitch.conf
    mount --bind "$D/resolv.conf" /etc/resolv.conf &&
        mount --bind "$D/nsswitch.conf" /etc/nsswitch.conf ||
        { echo "@@fatal: bind-mount resolv.conf, nsswitch.conf"; exit 3; }
    "$PY" -c '
import socket
server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(("127.0.0.1", 53))
while True:
    server.recv(4096)
' >logs/silent-dns.log 2>&1 &
    pending+=("silent-dns udp 53")
}

# drop_udp PORTS: datagrams to these ports (comma separated) vanish, so no
# ICMP port-unreachable comes back either.
drop_udp() {
    nft add table inet vmmports_test &&
        nft add chain inet vmmports_test input '{ type filter hook input priority 0; policy accept; }' &&
        nft add rule inet vmmports_test input udp dport "{ $1 }" drop ||
        { echo "@@fatal: nft"; exit 3; }
}

# run_check NAME ARGS...: `vmmports check 127.0.0.1 ARGS`, its output
# between markers, with its exit code and how long it took.
run_check() {
    local name=$1 start rc
    shift
    start=$(ms)
    echo "@@begin $name"
    "$VMMPORTS" check 127.0.0.1 "$@" --timeout 3000 </dev/null
    rc=$?
    echo
    echo "@@end $name rc=$rc ms=$(($(ms) - start))"
}

# expect NAME PATTERN COMMAND...: whether COMMAND's output (with stderr)
# has a line matching PATTERN (grep -E), within 10 s.
expect() {
    local name=$1 pattern=$2 out start
    shift 2
    start=$(ms)
    if declare -F "$1" >/dev/null; then
        out=$("$@" </dev/null 2>&1) # a function here, bounded by itself
    else
        out=$(timeout 10 "$@" </dev/null 2>&1)
    fi
    if grep -qE -- "$pattern" <<<"$out"; then
        echo "@@ok $name ms=$(($(ms) - start))"
    else
        echo "@@fail $name: wanted /$pattern/ in: $(printf %q "$out")"
    fi
}

# peer_cert PORT X509-OPTIONS...: fields of the server's certificate.
peer_cert() {
    timeout 10 openssl s_client -connect "127.0.0.1:$1" </dev/null 2>/dev/null |
        openssl x509 -noout "${@:2}"
}

# tls_say PORT TEXT [SECONDS]: the server's answer to TEXT (printf escapes)
# inside TLS, read for SECONDS (10 by default).
tls_say() {
    printf "$2" | timeout "${3:-10}" openssl s_client -quiet -connect "127.0.0.1:$1" 2>/dev/null
}

# bytes COMMAND...: how many bytes COMMAND prints.
bytes() { "$@" | wc -c; }

# udp_ask PORT HEX: sends one datagram, prints the reply in hex (or the
# error: ConnectionRefusedError, TimeoutError).
udp_ask() {
    "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.5)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.send(bytes.fromhex(sys.argv[2]))
try:
    print(s.recv(512).hex())
except OSError as e:
    print(type(e).__name__)
' "$1" "$2"
}
"#####;

/// An RMCP/ASF Presence Ping, as a hex string for `udp_ask`.
const RMCP_PING: &str = "0600ff06000011be80000000";

/// Whether `tools` (names on PATH or absolute paths) and namespaces are
/// here; under CI they must be.
fn ready(tools: &[&str]) -> bool {
    let base = [
        "unshare", "timeout", "ip", "ss", "bash", "openssl", "python3",
    ];
    let missing = needs::missing_for_namespaces(
        base.into_iter().chain(tools.iter().copied()),
        &["-n", "-p", "-f", "-m", "--mount-proc"],
    );
    needs::ready(
        &missing,
        "see .ci/run, which installs them and runs as root",
    )
}

const SSHD: &str = "/usr/sbin/sshd";
const TFTPD: &str = "/usr/sbin/in.tftpd";
const SMBD: &str = "/usr/sbin/smbd";
const DCERPCD: &str = "/usr/libexec/samba/samba-dcerpcd";

/// One namespace's run: the script's output and its folder (logs included).
struct Run {
    stdout: String,
    dir: tempfile::TempDir,
}

/// One `vmmports check` inside a run.
struct Check {
    name: String,
    code: i32,
    ms: u64,
    output: String,
}

impl Check {
    fn json(&self) -> Value {
        serde_json::from_str(&self.output).unwrap_or_else(|e| {
            panic!(
                "`{}`: not JSON ({e}), exit {}:\n{}",
                self.name, self.code, self.output
            )
        })
    }
}

/// Every server log, for failure messages.
fn logs(dir: &Path) -> String {
    let mut out = String::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir.join("logs"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for path in entries.into_iter().filter(|p| p.is_file()) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        out.push_str(&format!("--- {}\n", path.display()));
        for line in tail.into_iter().rev() {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Runs `body` after the prelude in a new network, PID and mount namespace.
/// Everything the run printed and every server log goes to stderr, which
/// the test harness shows when the test fails.
fn run(body: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("test.sh");
    std::fs::write(&script, format!("{PRELUDE}\n{body}\necho @@done\n")).unwrap();
    let start = Instant::now();
    let out = Command::new("timeout")
        .args(["-k", "5", &LIMIT_SECS.to_string()])
        .args(["unshare", "-n", "-p", "-f", "-m", "--mount-proc", "bash"])
        .arg(&script)
        .arg(dir.path())
        .arg(env!("CARGO_BIN_EXE_vmmports"))
        .env("PATH", needs::path_env())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!(
        "namespace: {:?} after {:.1} s\n=== stdout\n{stdout}\n=== stderr\n{stderr}\n=== server logs\n{}",
        out.status,
        start.elapsed().as_secs_f64(),
        logs(dir.path())
    );
    assert!(
        out.status.success() && stdout.contains("@@done"),
        "the namespace's script did not finish ({:?}); its output and the server logs are above",
        out.status
    );
    assert!(
        !stdout.contains("@@fatal"),
        "a server did not start; see the output and logs above"
    );
    Run { stdout, dir }
}

impl Run {
    /// The output of `run_check NAME …`.
    fn check(&self, name: &str) -> Check {
        let begin = format!("@@begin {name}\n");
        let start = self.stdout.find(&begin).expect("the check's begin marker") + begin.len();
        let rest = &self.stdout[start..];
        let end = rest
            .find(&format!("@@end {name} "))
            .expect("the check's end marker");
        let output = rest[..end].trim_end().to_string();
        let tail = rest[end..].lines().next().unwrap();
        let field = |key: &str| -> u64 {
            tail.split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("`{key}` in {tail}"))
        };
        Check {
            name: name.to_string(),
            code: field("rc=") as i32,
            ms: field("ms="),
            output,
        }
    }

    /// Milliseconds from the script's start until its servers listened.
    fn servers_up_ms(&self) -> u64 {
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix("@@servers-up ms="))
            .and_then(|v| v.parse().ok())
            .expect("servers-up marker")
    }
}

/// The result rows for `port` (several connections can share a port).
fn rows<'a>(report: &'a Value, port: &str) -> Vec<&'a Value> {
    let rows: Vec<&Value> = report["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results array: {report:#}"))
        .iter()
        .filter(|r| r["port"] == port)
        .collect();
    assert!(!rows.is_empty(), "no row for port {port}: {report:#}");
    rows
}

fn text<'a>(row: &'a Value, key: &str) -> &'a str {
    row[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {row:#}"))
}

/// A row that reached its service: open, with the connect time, through
/// `probe`, and whether the service `answered` as expected.
fn assert_row(row: &Value, transport: &str, probe: &str, answered: bool) {
    assert_eq!(row["transport"], transport, "{row:#}");
    assert_eq!(row["result"], "open", "{row:#}");
    assert_eq!(row["probe"], probe, "{row:#}");
    assert_eq!(row["answered"], answered, "{row:#}");
    assert!(!connections(row).is_empty(), "{row:#}");
    assert_eq!(row["hint"].is_null(), answered, "{row:#}");
    assert!(!text(row, "detail").is_empty(), "{row:#}");
    if transport == "tcp" {
        assert!(row["ms"].is_number(), "{row:#}");
    }
}

/// The connections a port's record names.
fn connections(row: &Value) -> Vec<&str> {
    row["connections"]
        .as_array()
        .unwrap_or_else(|| panic!("no connections list: {row:#}"))
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect()
}

/// The row's warnings: a list of strings, present on every row.
fn warnings(row: &Value) -> Vec<&str> {
    row["warnings"]
        .as_array()
        .unwrap_or_else(|| panic!("no warnings list: {row:#}"))
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect()
}

fn assert_detail(row: &Value, needle: &str) {
    let detail = text(row, "detail");
    assert!(
        detail.contains(needle),
        "detail `{detail}` lacks `{needle}`: {row:#}"
    );
}

fn assert_header(report: &Value) {
    assert_eq!(report["host"], "127.0.0.1", "{report:#}");
    assert_eq!(report["address"], "127.0.0.1", "{report:#}");
    assert_eq!(report["timeout_ms"], 3000, "{report:#}");
}

// ── the servers themselves ───────────────────────────────────────────────

/// Every server starts within 10 s and answers the usual client, without
/// vmmports. This proves the harness the other tests rely on.
#[test]
fn servers_start_and_answer_standard_clients() {
    if !ready(&[
        "nft",
        "curl",
        "ssh-keygen",
        "ssh-keyscan",
        "ipmi_sim",
        "smbclient",
        "rpcclient",
        SSHD,
        TFTPD,
        SMBD,
        DCERPCD,
    ]) {
        return;
    }
    let body = format!(
        r#"
make_certs
start_tls 5986 valid.pem valid.key
start_tls 8531 expired.pem expired.key -tls1_2
start_http 5985
start_http 8530
start_sshd
start_tftpd
start_ipmi
start_samba
wait_servers

expect tls-5986-tls13 '^Protocol version: TLSv1.3' openssl s_client -connect 127.0.0.1:5986 -brief
expect tls-5986-san 'IP Address:127.0.0.1' peer_cert 5986 -ext subjectAltName
expect tls-5986-subject '^subject=CN ?= ?localhost' peer_cert 5986 -subject
expect tls-8531-tls12 '^Protocol version: TLSv1.2' openssl s_client -connect 127.0.0.1:8531 -brief
expect tls-8531-expired 'certificate has expired' \
    openssl s_client -connect 127.0.0.1:8531 -CAfile ca.pem -verify_return_error -brief
expect tls-8531-issuer '^issuer=CN ?= ?Contoso Test CA' peer_cert 8531 -issuer
# s_server -www answers GET only: a POST gets no byte back while the
# connection stays open (and s_server, single-threaded, serves no one else).
expect tls-5986-post-is-silent '^ *0$' \
    bytes tls_say 5986 'POST /wsman HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n' 2
expect tls-5986-get '^HTTP/1.0 200 ok' tls_say 5986 'GET / HTTP/1.0\r\n\r\n'

expect http-5985-501 '^HTTP/1.0 501' curl -sS -i -X POST --data '' http://127.0.0.1:5985/wsman
expect http-5985-server '^Server: SimpleHTTP' curl -sS -i -X POST --data '' http://127.0.0.1:5985/wsman
expect http-8530 '^HTTP/1.0 200' curl -sS -I http://127.0.0.1:8530/

expect ssh-banner '^SSH-2.0-OpenSSH' bash -c 'exec 3<>/dev/tcp/127.0.0.1/22; head -n 1 <&3'
expect ssh-keyscan '^127.0.0.1 ssh-ed25519 AAAA' ssh-keyscan -t ed25519 127.0.0.1

expect smb-445 'IPC\$' smbclient -N -L //127.0.0.1 -p 445 -m SMB3
expect smb-139 'IPC\$' smbclient -N -L //127.0.0.1 -p 139
expect rpc-epm-135 '^tower\[' rpcclient -U% ncacn_ip_tcp:127.0.0.1 -c epmmap

expect tftp-69 'TFTP error: File not found' curl -v tftp://127.0.0.1/vmmports-missing
expect ipmi-623-pong '^0600ff06000011be40' udp_ask 623 {RMCP_PING}

expect udp-1434-closed '^ConnectionRefusedError$' udp_ask 1434 02
expect udp-623-answers-before-drop '^0600ff06' udp_ask 623 {RMCP_PING}
drop_udp 623,1434
expect udp-1434-dropped '^TimeoutError$' udp_ask 1434 02
expect udp-623-dropped '^TimeoutError$' udp_ask 623 {RMCP_PING}
"#
    );
    let run = run(&body);
    let fails: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("@@fail"))
        .collect();
    assert!(fails.is_empty(), "clients failed:\n{}", fails.join("\n"));
    let oks = run.stdout.lines().filter(|l| l.starts_with("@@ok")).count();
    let wanted = body.lines().filter(|l| l.starts_with("expect ")).count();
    assert_eq!(oks, wanted, "every client check ran");
    let up = run.servers_up_ms();
    assert!(up < 10_000, "the servers took {up} ms to start");
    assert!(run.dir.path().join("expired.pem").exists());
}

// ── vmmports check against them ──────────────────────────────────────────

/// A self-signed certificate with 4½ days left on WSUS over HTTPS: the
/// handshake, the certificate's fields, and a warning, not a failure.
#[test]
fn tls_certificate_expiring_soon_is_reported_and_only_warns() {
    if !ready(&[]) {
        return;
    }
    let query = "port:8531";
    let run = run(&format!(
        "make_certs\nstart_tls 8531 valid.pem valid.key\nwait_servers\n\
         run_check json {query} --format json\n\
         run_check table {query} --format table --color never\n"
    ));
    let check = run.check("json");
    let report = check.json();
    assert_header(&report);
    let rows = rows(&report, "8531");
    assert_eq!(rows.len(), 1, "{report:#}");
    let row = rows[0];
    assert_eq!(
        connections(row),
        ["vmm-to-wsus", "managed-to-wsus"],
        "{row:#}"
    );
    assert_row(row, "tcp", "tls", true);
    let detail = text(row, "detail");
    assert!(detail.starts_with("TLS 1."), "{row:#}");
    assert_detail(row, "expires in");
    assert!(
        warnings(row)
            .iter()
            .any(|w| w.contains("expires in 4 days")),
        "{row:#}"
    );

    let tls = &row["tls"];
    assert_eq!(tls["version"], "TLS 1.3", "{row:#}");
    assert_eq!(tls["subject"], "CN=localhost", "{row:#}");
    assert!(text(tls, "issuer").contains("CN=localhost"), "{row:#}");
    let san: Vec<&str> = tls["san"]
        .as_array()
        .unwrap_or_else(|| panic!("san: {row:#}"))
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        san.contains(&"localhost") && san.contains(&"127.0.0.1"),
        "{row:#}"
    );
    assert_eq!(tls["self_signed"], true, "{row:#}");
    assert_eq!(tls["expired"], false, "{row:#}");
    assert_eq!(tls["days_left"], 4, "4½ days, floored: {row:#}");
    assert_eq!(tls["name_matches"], true, "{row:#}");
    let not_after = text(tls, "not_after");
    assert!(
        time::OffsetDateTime::parse(not_after, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "not_after `{not_after}` is not RFC 3339"
    );
    // Expiring within 30 days is a warning only.
    assert_eq!(check.code, 0, "{report:#}");

    let table = run.check("table");
    assert_eq!(table.code, 0, "{}", table.output);
    let line = table
        .output
        .lines()
        .find(|l| l.contains("8531"))
        .unwrap_or_else(|| panic!("no 8531 line:\n{}", table.output));
    assert!(line.contains("expires in"), "{}", table.output);
    assert!(!table.output.contains("next:"), "{}", table.output);
    assert!(check.ms < 10_000 && table.ms < 10_000, "too slow");
}

/// WinRM over HTTPS is what VMM needs on 5986: an HTTPS server that is not
/// WinRM (`s_server -www` never answers WinRM's POST) fails the check, with
/// the next step, however good its certificate.
#[test]
fn tls_without_winrm_inside_on_5986_fails() {
    if !ready(&[]) {
        return;
    }
    // One connection only: s_server serves one client at a time, and the
    // WinRM request inside holds it until the probe gives up.
    let query = "vmm-to-host-winrm-tls port:5986";
    let run = run(&format!(
        "make_certs\nstart_tls 5986 valid.pem valid.key\nwait_servers\n\
         run_check json {query} --format json\n"
    ));
    let check = run.check("json");
    let report = check.json();
    let rows = rows(&report, "5986");
    assert_eq!(rows.len(), 1, "{report:#}");
    let row = rows[0];
    assert_eq!(connections(row), ["vmm-to-host-winrm-tls"], "{row:#}");
    assert_row(row, "tcp", "tls", false);
    assert_detail(row, "TLS, but no WinRM inside");
    assert_eq!(row["tls"]["version"], "TLS 1.3", "{row:#}");
    assert!(
        text(row, "hint").contains("another service owns 5986"),
        "{row:#}"
    );
    assert_eq!(check.code, 1, "not WinRM: {report:#}");
}

/// How the certificate tests start: `openssl s_server` on `port` with the
/// test certificate `name` (`name.pem` and `name.key`, and any further
/// s_server `options`), then `check port:PORT --format json` against it;
/// that check and its report. `None` when the tools are missing (skipped).
fn tls_report(port: &str, name: &str, options: &str) -> Option<(Check, Value)> {
    if !ready(&[]) {
        return None;
    }
    let run = run(&format!(
        "make_certs\nstart_tls {port} {name}.pem {name}.key {options}\nwait_servers\n\
         run_check json port:{port} --format json\n"
    ));
    let check = run.check("json");
    let report = check.json();
    Some((check, report))
}

/// WSUS over HTTPS with a certificate that expired 10 days ago and names
/// another machine: a failure, with the certificate's fields.
#[test]
fn expired_certificate_fails_the_check() {
    let Some((check, report)) = tls_report("8531", "expired", "-tls1_2") else {
        return;
    };
    assert_header(&report);
    // 8531 serves the VMM server and the servers it updates.
    let rows = rows(&report, "8531");
    assert_eq!(rows.len(), 1, "one record per port: {report:#}");
    let row = rows[0];
    assert_eq!(
        connections(row),
        ["vmm-to-wsus", "managed-to-wsus"],
        "{report:#}"
    );
    assert_eq!(row["result"], "open", "{row:#}");
    assert_eq!(row["probe"], "tls", "{row:#}");
    let detail = text(row, "detail");
    assert!(detail.starts_with("TLS 1."), "{row:#}");
    assert!(detail.contains("expired"), "{row:#}");
    let tls = &row["tls"];
    assert_eq!(tls["version"], "TLS 1.2", "{row:#}");
    assert_eq!(tls["subject"], "CN=hv01.contoso.test", "{row:#}");
    assert!(text(tls, "issuer").contains("Contoso Test CA"), "{row:#}");
    assert_eq!(tls["self_signed"], false, "{row:#}");
    assert_eq!(tls["expired"], true, "{row:#}");
    let days = tls["days_left"]
        .as_i64()
        .unwrap_or_else(|| panic!("{row:#}"));
    assert!((-11..=-10).contains(&days), "10 days ago, floored: {row:#}");
    assert_eq!(tls["name_matches"], false, "{row:#}");
    assert!(
        tls["san"].as_array().is_none_or(|s| s.is_empty()),
        "{row:#}"
    );
    // The next step is the certificate: the right service answers.
    let hint = text(row, "hint");
    assert!(hint.contains("certificate on"), "{row:#}");
    assert!(!hint.contains("another service"), "{row:#}");
    assert_eq!(check.code, 1, "an expired certificate fails: {report:#}");
}

/// An X.509 v1 certificate (no extensions, so no SAN): the handshake and
/// its fields are still reported, and its name is the common name.
#[test]
fn version_1_certificate_is_still_read() {
    let Some((check, report)) = tls_report("443", "v1", "") else {
        return;
    };
    let rows = rows(&report, "443");
    assert!(!rows.is_empty(), "{report:#}");
    for row in rows {
        assert_row(row, "tcp", "tls", true);
        let tls = &row["tls"];
        assert_eq!(tls["subject"], "CN=old-appliance", "{row:#}");
        assert_eq!(tls["self_signed"], true, "{row:#}");
        assert_eq!(tls["san"], serde_json::json!([]), "{row:#}");
        assert_eq!(tls["name_matches"], false, "{row:#}");
        assert!(
            warnings(row)
                .iter()
                .any(|w| w.contains("does not name 127.0.0.1")),
            "{row:#}"
        );
    }
    // A name mismatch is a warning: the check passes.
    assert_eq!(check.code, 0, "{report:#}");
}

/// A certificate whose notBefore is still ahead: clients refuse it, so the
/// check fails, and says when it starts.
#[test]
fn certificate_not_yet_valid_fails_the_check() {
    let Some((check, report)) = tls_report("8531", "future", "") else {
        return;
    };
    let rows = rows(&report, "8531");
    assert_eq!(rows.len(), 1, "{report:#}");
    let row = rows[0];
    assert_eq!(connections(row), ["vmm-to-wsus", "managed-to-wsus"]);
    assert_row(row, "tcp", "tls", false);
    assert_detail(row, "not valid before");
    assert_eq!(row["tls"]["not_yet_valid"], true, "{row:#}");
    assert_eq!(row["tls"]["expired"], false, "{row:#}");
    assert_eq!(check.code, 1, "{report:#}");
}

/// A comma inside a value cannot pose as another attribute: the
/// organization `x, CN=hv01.contoso.com` is shown escaped, and the name the
/// check reports is the certificate's parsed common name (on 8531), or the
/// whole subject when it has none (on 5989), never `CN=hv01.contoso.com`.
#[test]
fn a_comma_in_a_certificate_value_cannot_fake_its_name() {
    if !ready(&[]) {
        return;
    }
    let run = run("make_posing_certs\n\
         start_tls 5989 posing.pem posing.key\n\
         start_tls 8531 posing-cn.pem posing-cn.key\n\
         wait_servers\n\
         expect posing-one-o '^subject=O=x\\\\, CN=hv01.contoso.com$' peer_cert 5989 -subject -nameopt RFC2253\n\
         expect posing-cn-two '^subject=CN=other.example,O=x\\\\, CN=hv01' peer_cert 8531 -subject -nameopt RFC2253\n\
         run_check posing port:5989,8531 --format json\n\
         run_check table port:5989,8531 --format table --color never\n");
    let fails: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("@@fail"))
        .collect();
    assert!(
        fails.is_empty(),
        "openssl reads the certificates otherwise:\n{}",
        fails.join("\n")
    );
    let check = run.check("posing");
    let report = check.json();
    let organization = r"O=x\, CN=hv01.contoso.com";

    let no_cn = rows(&report, "5989")[0];
    assert_row(no_cn, "tcp", "tls", true);
    let tls = &no_cn["tls"];
    assert_eq!(tls["subject"], organization, "{no_cn:#}");
    assert_eq!(tls["issuer"], organization, "{no_cn:#}");
    assert_eq!(tls["common_names"], serde_json::json!([]), "{no_cn:#}");
    assert_detail(no_cn, &format!("cert {organization} expires"));

    for row in rows(&report, "8531") {
        assert_row(row, "tcp", "tls", true);
        let tls = &row["tls"];
        assert_eq!(
            tls["subject"],
            format!("{organization}, CN=other.example"),
            "{row:#}"
        );
        assert_eq!(
            tls["common_names"],
            serde_json::json!(["other.example"]),
            "{row:#}"
        );
        assert_detail(row, "cert CN=other.example expires");
        assert!(
            warnings(row)
                .iter()
                .any(|w| w.contains("(it names CN=other.example)")),
            "{row:#}"
        );
    }
    for row in report["results"].as_array().unwrap() {
        assert!(
            !text(row, "detail").contains("cert CN=hv01"),
            "a value posed as the common name: {row:#}"
        );
    }
    let table = run.check("table");
    assert!(
        table
            .output
            .contains(&format!("cert {organization} expires"))
            && !table.output.contains("cert CN=hv01"),
        "{}",
        table.output
    );
}

/// A certificate larger than the 64 KB a handshake message may have for
/// rustls: the server is TLS (1.3 on 5986, 1.2 on 8531), and the check says
/// so, and that the certificate was not checked; it does not say "not TLS".
#[test]
fn a_certificate_larger_than_the_probe_reads_is_still_tls() {
    if !ready(&[]) {
        return;
    }
    let run = run("make_big_cert\n\
         start_tls 5986 big.pem big.key\n\
         start_tls 8531 big.pem big.key -tls1_2\n\
         wait_servers\n\
         expect big-cert-served 'DNS:host-02599.big.contoso.test' peer_cert 5986 -ext subjectAltName\n\
         run_check big port:5986,8531 --format json\n");
    let bytes: u64 = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("@@big-cert-bytes "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the big certificate's size");
    assert!(bytes > 65_535, "the certificate is only {bytes} bytes");
    assert!(
        run.stdout.contains("@@ok big-cert-served"),
        "openssl s_client reads the whole certificate"
    );
    let check = run.check("big");
    let report = check.json();
    for (port, version) in [("5986", "TLS 1.3"), ("8531", "TLS 1.2")] {
        for row in rows(&report, port) {
            assert_row(row, "tcp", "tls", false);
            assert_detail(
                row,
                &format!(
                    "{version}, but its certificate chain is larger than the 64 KB this probe reads"
                ),
            );
        }
    }
    assert_eq!(check.code, 1, "the certificate was not checked: {report:#}");
}

/// Python's http.server on WinRM's port is reachable but is not WinRM (a
/// failure); on WSUS's HTTP port it is what was asked for.
#[test]
fn http_server_on_winrm_port_is_not_winrm_but_is_http() {
    if !ready(&[]) {
        return;
    }
    let run = run("start_http 5985\nstart_http 8530\nwait_servers\n\
         run_check winrm port:5985 --format json\n\
         run_check http port:8530 --format json\n");
    let winrm = run.check("winrm");
    let report = winrm.json();
    assert_header(&report);
    let rows_5985 = rows(&report, "5985");
    assert_eq!(rows_5985.len(), 1, "{report:#}");
    assert!(
        connections(rows_5985[0]).len() >= 2,
        "several connections use 5985: {report:#}"
    );
    for row in rows_5985 {
        assert_row(row, "tcp", "winrm", false);
        assert_detail(row, "not WinRM");
    }
    assert_eq!(winrm.code, 1, "not the service expected: {report:#}");

    let http = run.check("http");
    let report = http.json();
    for row in rows(&report, "8530") {
        assert_row(row, "tcp", "http", true);
        assert_detail(row, "SimpleHTTP");
    }
    assert_eq!(http.code, 0, "{report:#}");
}

/// OpenSSH's banner on ESXi's SSH port.
#[test]
fn ssh_banner_is_read() {
    if !ready(&["ssh-keygen", SSHD]) {
        return;
    }
    let run = run("start_sshd\nwait_servers\nrun_check ssh port:22 --format json\n");
    let check = run.check("ssh");
    let report = check.json();
    assert_header(&report);
    let rows = rows(&report, "22");
    assert_eq!(rows.len(), 1, "{report:#}");
    assert_eq!(
        connections(rows[0]),
        ["vmm-to-esxi-sftp", "vmm-to-esxi"],
        "{report:#}"
    );
    for row in rows {
        assert_row(row, "tcp", "ssh", true);
        assert_detail(row, "SSH-2.0-OpenSSH");
    }
    assert_eq!(check.code, 0, "{report:#}");
}

/// Samba on the agent's ports: SMB 3 on 445 and (after a NetBIOS session
/// request) on 139, and a bind to the endpoint mapper on 135.
#[test]
fn smb_dialect_and_rpc_endpoint_mapper_answer() {
    if !ready(&[SMBD, DCERPCD]) {
        return;
    }
    let run = run("start_samba\nwait_servers\nrun_check smb port:445,139,135 --format json\n");
    let check = run.check("smb");
    let report = check.json();
    assert_header(&report);
    for port in ["445", "139"] {
        for row in rows(&report, port) {
            assert_row(row, "tcp", "smb", true);
            assert_detail(row, "SMB 3");
        }
    }
    for row in rows(&report, "135") {
        assert_row(row, "tcp", "rpc-epm", true);
    }
    assert_eq!(check.code, 0, "{report:#}");
}

/// A TCP echo service on 445 sends the NEGOTIATE request back: that is
/// not SMB (no server-to-client flag, a request's body), and the check fails.
/// Nor does an echo pass for HTTP, WinRM, the endpoint mapper or TDS.
#[test]
fn an_echo_service_passes_for_no_service() {
    if !ready(&[]) {
        return;
    }
    let run = run(
        "for port in 445 80 135 1433; do start_echo $port; done\nwait_servers\n\
         expect echo-445 '^hello$' bash -c 'exec 3<>/dev/tcp/127.0.0.1/445; echo hello >&3; head -n 1 <&3'\n\
         run_check echo port:445,80,135,1433 --format json\n",
    );
    assert!(
        run.stdout.contains("@@ok echo-445"),
        "the echo service echoes"
    );
    let check = run.check("echo");
    let report = check.json();
    assert_header(&report);
    for row in rows(&report, "445") {
        assert_row(row, "tcp", "smb", false);
        assert_detail(row, "not SMB");
    }
    for (port, probe) in [("80", "winrm"), ("135", "rpc-epm"), ("1433", "tds")] {
        let rows = rows(&report, port);
        assert!(rows.iter().any(|r| r["probe"] == probe), "{report:#}");
        for row in rows {
            assert_eq!(row["result"], "open", "{row:#}");
            assert_eq!(row["answered"], false, "{row:#}");
        }
    }
    assert_eq!(check.code, 1, "{report:#}");
}

/// A resolver that never answers holds the system's lookup for 10 s; the
/// check gives up on it at its timeout and says so.
#[test]
fn a_silent_resolver_is_given_up_on_at_the_timeout() {
    if !ready(&["getent"]) {
        return;
    }
    let run = run(r#"silent_dns
wait_servers
# The resolver is the one asked, and it is silent: getent still waits at 2 s.
expect getent-waits '^rc=124$' bash -c 'timeout 2 getent hosts silent.invalid.example; echo rc=$?'
start=$(ms)
echo "@@begin silent"
"$VMMPORTS" check silent.invalid.example port:445 --timeout 500 </dev/null 2>&1
rc=$?
echo
echo "@@end silent rc=$rc ms=$(($(ms) - start))"
"#);
    assert!(
        run.stdout.contains("@@ok getent-waits"),
        "the system lookup must hang for this test to mean anything"
    );
    let check = run.check("silent");
    assert!(
        check
            .output
            .contains("`silent.invalid.example`: name not resolved (timed out after 500 ms)"),
        "{}",
        check.output
    );
    assert_eq!(check.code, 2, "{}", check.output);
    assert!(
        check.ms < 500 + 1_000,
        "took {} ms with --timeout 500",
        check.ms
    );
}

/// A BMC simulator pongs on 623/udp; tftpd-hpa says "File not found" on
/// 69/udp, which is a TFTP server answering.
#[test]
fn ipmi_and_tftp_answer_over_udp() {
    if !ready(&["ipmi_sim", TFTPD]) {
        return;
    }
    let run = run("start_ipmi\nstart_tftpd\nwait_servers\n\
         run_check ipmi port:623 --format json\n\
         run_check tftp port:69 --format json\n");
    let ipmi = run.check("ipmi");
    let report = ipmi.json();
    assert_header(&report);
    let rows_623 = rows(&report, "623");
    assert_eq!(rows_623.len(), 1, "{report:#}");
    assert_row(rows_623[0], "udp", "ipmi", true);
    assert_detail(rows_623[0], "pong");
    assert_eq!(ipmi.code, 0, "{report:#}");

    let tftp = run.check("tftp");
    let report = tftp.json();
    let rows_69 = rows(&report, "69");
    assert_eq!(rows_69.len(), 1, "{report:#}");
    assert_eq!(rows_69[0]["connection"], "pxe-boot");
    assert_row(rows_69[0], "udp", "tftp", true);
    assert_detail(rows_69[0], "TFTP");
    assert_eq!(tftp.code, 0, "{report:#}");
}

/// Datagrams that a firewall drops get no answer at all (not even ICMP):
/// "no answer", within the timeout, and exit 1.
#[test]
fn dropped_udp_gets_no_answer() {
    if !ready(&["nft"]) {
        return;
    }
    let run = run("drop_udp 623,1434\nrun_check dropped port:1434,623 --format json\n");
    let check = run.check("dropped");
    let report = check.json();
    assert_header(&report);
    for (port, probe) in [("1434", "sql-browser"), ("623", "ipmi")] {
        for row in rows(&report, port) {
            assert_eq!(row["transport"], "udp", "{row:#}");
            assert_eq!(row["probe"], probe, "{row:#}");
            assert_eq!(row["result"], "no answer", "{row:#}");
            assert_eq!(row["answered"], false, "{row:#}");
            let hint = text(row, "hint");
            assert!(
                hint.contains("open or filtered")
                    && hint.contains(&format!("vmmports listen port:{port}")),
                "{row:#}"
            );
        }
    }
    assert_eq!(check.code, 1, "{report:#}");
    assert!(check.ms < 10_000, "took {} ms", check.ms);
}
