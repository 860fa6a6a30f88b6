#!/usr/bin/env python3
"""Real TCP peers for tests/live.sh and tests/fanout.sh (run inside their
network namespaces).

server ADDR: listens on ports 7001 (reply then close after the client),
7003 (read until reset), 7004 (half-close: keep sending after the client's
FIN, then close); 7002 stays closed (refused). Exits after 20 s at most.
client ADDR: runs the four conversations in order.
many-server ADDR PORT N: answers N connections on PORT, each closed
gracefully after the client's FIN. Exits after 30 s at most.
many-client ADDR PORT N: makes the N connections, one after the other,
each from its own ephemeral port: request, reply, the client closes first.
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


if mode == "many-server":
    port, n = int(sys.argv[3]), int(sys.argv[4])
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(n)
    s.settimeout(30)
    print("ready", flush=True)
    try:
        for _ in range(n):
            c, _ = s.accept()
            c.settimeout(10)
            c.recv(100)
            c.sendall(b"pong")
            c.recv(100)      # the client's FIN: b""
            c.close()
    except OSError:
        pass
    s.close()
    sys.exit(0)

if mode == "many-client":
    port, n = int(sys.argv[3]), int(sys.argv[4])
    for _ in range(n):
        s = socket.create_connection((addr, port), timeout=5)
        s.sendall(b"ping")
        s.recv(100)
        s.close()
        time.sleep(0.02)
    time.sleep(0.5)
    sys.exit(0)

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
