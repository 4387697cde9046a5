"""Sends every probe of PROBE_FILE at once and prints, per probe, `ID
open` when it was answered (a TCP handshake that completed, a datagram
echoed back, an echo reply to a ping) or `ID blocked` (refused, rejected,
refused by this host's own firewall on the way out, or silent for TIMEOUT
seconds). Each line of PROBE_FILE: `ID tcp|udp|icmp SOURCE DESTINATION
PORT` (PORT is ignored for icmp). Pings need root (raw sockets).

EPOCH (0 to 800) makes each run's UDP source ports and ping identifiers
its own, so conntrack never takes a probe for the reply to an earlier
run's (TCP's ephemeral ports need no help: a new SYN starts a new entry).

    python3 probe_tcp_udp_ping.py PROBE_FILE TIMEOUT EPOCH
"""
import errno
import select
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def echo_request(v6, ident):
    kind = 128 if v6 else 8
    body = b"vmmports"
    packet = struct.pack("!BBHHH", kind, 0, 0, ident, 1) + body
    if not v6:
        # The kernel fills in ICMPv6's checksum, not ICMP's.
        packet = struct.pack("!BBHHH", kind, 0, checksum(packet), ident, 1) + body
    return packet


def is_echo_reply(v6, data, ident):
    if not v6:
        data = data[(data[0] & 0x0F) * 4 :]  # a raw IPv4 socket sees the IP header
    if len(data) < 8:
        return False
    kind, _, _, got, _ = struct.unpack("!BBHHH", data[:8])
    return kind == (129 if v6 else 0) and got == ident


epoch = int(sys.argv[3])
pending = {}
result = {}
udp_count = 0
for number, line in enumerate(open(sys.argv[1])):
    pid, proto, source, destination, port = line.split()
    v6 = ":" in destination
    family = socket.AF_INET6 if v6 else socket.AF_INET
    if proto == "icmp":
        s = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    else:
        s = socket.socket(family, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.setblocking(False)
    if proto == "udp":
        s.bind((source, 10000 + epoch * 64 + udp_count % 64))
        udp_count += 1
    else:
        s.bind((source, 0))
    result[pid] = "blocked"
    ident = (epoch * 256 + number) & 0xFFFF
    try:
        if proto == "tcp":
            code = s.connect_ex((destination, int(port)))
            if code not in (0, errno.EINPROGRESS):
                continue
        elif proto == "udp":
            # Not connected: the echo may come back from another of the
            # peer's addresses (a wildcard listener answers from its
            # primary one); the payload says which probe it answers.
            s.sendto(pid.encode(), (destination, int(port)))
        else:
            s.sendto(echo_request(v6, ident), (destination, 0))
    except OSError:
        # A packet this host's output chain drops fails at once (EPERM).
        continue
    pending[s] = (pid, proto, v6, ident)

deadline = time.time() + float(sys.argv[2])
while pending and time.time() < deadline:
    tcp = [s for s, p in pending.items() if p[1] == "tcp"]
    others = [s for s, p in pending.items() if p[1] != "tcp"]
    readable, writable, _ = select.select(others, tcp, [], max(0.0, deadline - time.time()))
    for s in writable:
        pid = pending.pop(s)[0]
        # Connected means the handshake went through, whatever came after:
        # a rule that rejects established packets answers the handshake's
        # last ACK with an ICMP error, which SO_ERROR would report (as a
        # soft error) though the connection stands. A refused or reset
        # connect leaves no peer to name.
        try:
            s.getpeername()
            result[pid] = "open"
        except OSError:
            pass
    for s in readable:
        pid, proto, v6, ident = pending[s]
        try:
            data = s.recv(2048)
        except OSError:
            pending.pop(s)
            continue
        if proto == "udp":
            pending.pop(s)
            if data == pid.encode():
                result[pid] = "open"
        elif is_echo_reply(v6, data, ident):
            # A raw socket sees every ping's reply: only its own counts.
            pending.pop(s)
            result[pid] = "open"
for pid, state in result.items():
    print(pid, state)
