"""Answers on every PORT, IPv4 and IPv6, TCP and UDP: accepts and closes
each connection, echoes each datagram back. Writes READY_FILE once all
listen. For tests/audit_kernel_diff_unix.rs, where a probe that gets an answer
went through the firewall.

    python3 answer_tcp_udp.py READY_FILE PORT...
"""
import selectors
import socket
import sys

sel = selectors.DefaultSelector()
for port in sys.argv[2:]:
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET6, kind)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::", int(port)))
        if kind == socket.SOCK_STREAM:
            s.listen(4096)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, kind)
with open(sys.argv[1], "w") as ready:
    ready.write("ready")
while True:
    for key, _ in sel.select():
        try:
            if key.data == socket.SOCK_STREAM:
                key.fileobj.accept()[0].close()
            else:
                data, peer = key.fileobj.recvfrom(512)
                key.fileobj.sendto(data, peer)
        except OSError:
            pass
