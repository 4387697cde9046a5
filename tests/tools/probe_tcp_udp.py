"""Sends every probe of PROBE_FILE at once and prints, per probe, `ID
open` when it was answered (a TCP connect that succeeded, a datagram
echoed back) or `ID blocked` (refused, rejected, refused by this host's
own firewall on the way out, or silent for TIMEOUT seconds). Each line of
PROBE_FILE: `ID tcp|udp SOURCE DESTINATION PORT`.

    python3 probe_tcp_udp.py PROBE_FILE TIMEOUT
"""
import errno
import select
import socket
import sys
import time

pending = {}
result = {}
for line in open(sys.argv[1]):
    pid, proto, source, destination, port = line.split()
    family = socket.AF_INET6 if ":" in destination else socket.AF_INET
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(family, kind)
    s.setblocking(False)
    s.bind((source, 0))
    result[pid] = "blocked"
    try:
        if kind == socket.SOCK_STREAM:
            code = s.connect_ex((destination, int(port)))
            if code not in (0, errno.EINPROGRESS):
                continue
        else:
            # Not connected: the echo may come back from another of the
            # peer's addresses (a wildcard listener answers from its
            # primary one); the payload says which probe it answers.
            s.sendto(pid.encode(), (destination, int(port)))
    except OSError:
        # A packet this host's output chain drops fails at once (EPERM).
        continue
    pending[s] = (pid, kind)

deadline = time.time() + float(sys.argv[2])
while pending and time.time() < deadline:
    tcp = [s for s, (_, k) in pending.items() if k == socket.SOCK_STREAM]
    udp = [s for s, (_, k) in pending.items() if k == socket.SOCK_DGRAM]
    readable, writable, _ = select.select(udp, tcp, [], max(0.0, deadline - time.time()))
    for s in writable:
        pid, _ = pending.pop(s)
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            result[pid] = "open"
    for s in readable:
        pid, _ = pending.pop(s)
        try:
            if s.recv(512) == pid.encode():
                result[pid] = "open"
        except OSError:
            pass
for pid, state in result.items():
    print(pid, state)
