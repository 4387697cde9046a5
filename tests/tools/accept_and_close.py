"""Listens on 0.0.0.0 on each PORT, accepts every connection and closes it
at once; writes READY_FILE once every port listens. The backlog is deep
enough for hundreds of addresses connecting at the same moment, so a test
fleet's connects never wait on it. For tests/sweep_unix.rs and
benches/sweep-vs-nmap.sh.

    python3 accept_and_close.py READY_FILE PORT...
"""
import selectors
import socket
import sys

sel = selectors.DefaultSelector()
for port in sys.argv[2:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(port)))
    s.listen(4096)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
with open(sys.argv[1], "w") as ready:
    ready.write("ready")
while True:
    for key, _ in sel.select():
        try:
            key.fileobj.accept()[0].close()
        except OSError:
            pass
