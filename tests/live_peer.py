#!/usr/bin/env python3
"""Real TCP peers for tests/live.sh (run inside its network namespaces).

server ADDR: listens on ports 7001 (reply then close after the client),
7003 (read until reset), 7004 (half-close: keep sending after the client's
FIN, then close); 7002 stays closed (refused). Exits after 20 s at most.
client ADDR: runs the four conversations in order.
"""
import socket
import struct
import sys
import threading
import time

mode, addr = sys.argv[1], sys.argv[2]


def serve(port, handler):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(4)
    s.settimeout(20)
    try:
        c, _ = s.accept()
        c.settimeout(10)
        handler(c)
    except OSError:
        pass
    finally:
        s.close()


def normal(c):
    c.recv(100)
    c.sendall(b"pong" * 8)
    c.recv(100)          # the client's FIN: b""
    c.close()


def until_reset(c):
    try:
        while c.recv(100):
            pass
    except OSError:
        pass
    c.close()


def half(c):
    c.recv(100)
    c.recv(100)          # client FIN (shutdown SHUT_WR)
    for _ in range(3):
        c.sendall(b"x" * 100)
        time.sleep(0.05)
    c.close()


if mode == "server":
    ts = [threading.Thread(target=serve, args=a) for a in
          ((7001, normal), (7003, until_reset), (7004, half))]
    for t in ts:
        t.start()
    print("ready", flush=True)
    for t in ts:
        t.join(25)
    sys.exit(0)

# client
def conn(port):
    s = socket.create_connection((addr, port), timeout=5)
    return s

s = conn(7001)                      # normal close by the client
s.sendall(b"ping")
s.recv(100)
s.close()
time.sleep(0.2)
try:                                # refused: RST,ACK to the SYN
    conn(7002)
except OSError:
    pass
s = conn(7003)                      # abortive close: SO_LINGER 0 -> RST
s.sendall(b"data")
time.sleep(0.1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
s = conn(7004)                      # half-close: the server keeps sending
s.sendall(b"request")
s.shutdown(socket.SHUT_WR)
while s.recv(1000):
    pass
s.close()
time.sleep(0.5)
