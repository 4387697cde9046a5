"""Sends one packet's worth of a flow through a real firewall and says
whether it got through, for tests/audit_iptables_kernel_unix.rs.

    python3 firewall_probe.py listen READY_FILE tcp:PORT udp:PORT ...
        Listens on 0.0.0.0 and ::, accepts and closes TCP connections,
        echoes UDP datagrams; writes READY_FILE once every port listens.
    python3 firewall_probe.py probe PROTO SOURCE DESTINATION PORT
        From SOURCE (an address of this machine), opens a TCP connection,
        sends a UDP datagram and waits for its echo, or sends an ICMP echo
        request (PROTO icmp, PORT ignored) and waits for the reply. Prints
        `open` when the answer came back within half a second, else
        `closed` (refused, rejected or dropped). IPv6 when the addresses
        are.
"""
import os
import selectors
import socket
import struct
import sys
import time

TIMEOUT = 0.5


def listen(ready_file, specs):
    sel = selectors.DefaultSelector()
    for spec in specs:
        proto, port = spec.split(":")
        for family, anywhere in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
            kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
            s = socket.socket(family, kind)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((anywhere, int(port)))
            if proto == "tcp":
                s.listen(64)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, proto)
    with open(ready_file, "w") as f:
        f.write("ready\n")
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            try:
                if key.data == "tcp":
                    conn, _ = s.accept()
                    conn.close()
                else:
                    data, peer = s.recvfrom(2048)
                    s.sendto(data, peer)
            except OSError:
                pass


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def probe(proto, source, destination, port):
    family = socket.AF_INET6 if ":" in destination else socket.AF_INET
    if proto == "tcp":
        s = socket.socket(family, socket.SOCK_STREAM)
        s.bind((source, 0))
        s.settimeout(TIMEOUT)
        try:
            s.connect((destination, port))
            return True
        except OSError:
            return False
    if proto == "udp":
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.bind((source, 0))
        s.settimeout(TIMEOUT)
        s.sendto(b"probe", (destination, port))
        try:
            data, _ = s.recvfrom(2048)
            return data == b"probe"
        except OSError:
            return False
    ident = os.getpid() & 0xFFFF
    if family == socket.AF_INET6:
        # The kernel fills in an ICMPv6 checksum and strips the IP header.
        s = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        request, reply, header_length = 128, 129, lambda data: 0
        packet = struct.pack("!BBHHH", request, 0, 0, ident, 1) + b"probe"
    else:
        s = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        request, reply, header_length = 8, 0, lambda data: (data[0] & 0x0F) * 4
        header = struct.pack("!BBHHH", request, 0, 0, ident, 1)
        packet = struct.pack("!BBHHH", request, 0, checksum(header + b"probe"), ident, 1) + b"probe"
    s.bind((source, 0))
    s.sendto(packet, (destination, 0))
    deadline = time.monotonic() + TIMEOUT
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        s.settimeout(left)
        try:
            data, peer = s.recvfrom(2048)
        except OSError:
            return False
        at = header_length(data)
        kind, _, _, got_ident, _ = struct.unpack("!BBHHH", data[at : at + 8])
        if peer[0] == destination and kind == reply and got_ident == ident:
            return True


if __name__ == "__main__":
    if sys.argv[1] == "listen":
        listen(sys.argv[2], sys.argv[3:])
    else:
        _, _, proto, source, destination, port = sys.argv
        print("open" if probe(proto, source, destination, int(port)) else "closed")
