"""Sends one packet's worth of a flow through a real firewall and says
whether it got through, for tests/audit_iptables_kernel_unix.rs.

    python3 firewall_probe.py listen READY_FILE tcp:PORT udp:PORT ...
        Listens on 0.0.0.0: accepts and closes TCP connections, echoes UDP
        datagrams; writes READY_FILE once every port listens.
    python3 firewall_probe.py probe PROTO SOURCE DESTINATION PORT
        From SOURCE (an address of this machine), opens a TCP connection,
        sends a UDP datagram and waits for its echo, or sends an ICMP echo
        request (PROTO icmp, PORT ignored) and waits for the reply. Prints
        `open` when the answer came back within half a second, else
        `closed` (refused, rejected or dropped).
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
        if proto == "tcp":
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", int(port)))
            s.listen(64)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", int(port)))
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
    if proto == "tcp":
        s = socket.socket()
        s.bind((source, 0))
        s.settimeout(TIMEOUT)
        try:
            s.connect((destination, port))
            return True
        except OSError:
            return False
    if proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((source, 0))
        s.settimeout(TIMEOUT)
        s.sendto(b"probe", (destination, port))
        try:
            data, _ = s.recvfrom(2048)
            return data == b"probe"
        except OSError:
            return False
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.bind((source, 0))
    ident = os.getpid() & 0xFFFF
    header = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    packet = struct.pack("!BBHHH", 8, 0, checksum(header + b"probe"), ident, 1) + b"probe"
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
        ihl = (data[0] & 0x0F) * 4
        kind, _, _, got_ident, _ = struct.unpack("!BBHHH", data[ihl : ihl + 8])
        if peer[0] == destination and kind == 0 and got_ident == ident:
            return True


if __name__ == "__main__":
    if sys.argv[1] == "listen":
        listen(sys.argv[2], sys.argv[3:])
    else:
        _, _, proto, source, destination, port = sys.argv
        print("open" if probe(proto, source, destination, int(port)) else "closed")
