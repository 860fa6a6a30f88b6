#!/usr/bin/env python3
"""pcapng_write.py - join classic pcap files (written by libpcap's
pcap_dump through tests/mkpcap) into one pcapng file, one interface
description per input, for tests/pcapng.sh. libpcap writes no pcapng, so
the blocks are written here, byte by byte, after the format
(draft-ietf-opsawg-pcapng):

    pcapng_write.py OUT.pcapng [--sections] [--big-endian N,...]
        [--chunks N] IN.pcap[:opt=val...] ...

Each input becomes an interface (link type and snaplen from its header;
--sections puts each in a section of its own, as `cat a.pcapng b.pcapng`
does), its frames enhanced packet blocks merged by time. Per-input
options:
    tsresol=N      if_tsresol byte (6 by default: microseconds; 9 ns;
                   0x80|k for 2^-k)
    tsoffset=S     if_tsoffset: stamps written S seconds earlier
    ifdrop=N osdrop=N   an interface statistics block at the end
    ifdrop2=N      an earlier statistics block (before the last one)
    pb             obsolete packet blocks (type 2) instead of enhanced
    spb            simple packet blocks (type 3: no interface number, the
                   section's first, and no time)
    linktype=N     override the interface's link type
    snaplen=N      override the interface's snaplen
--big-endian N,... writes those sections (0-based) big-endian.
--chunks N writes each interface's frames N at a time in turn (interface
0's first N, interface 1's first N, ...), as dumpcap writes a capture of
several interfaces a buffer of each at a time, instead of merged by time.
"""
import struct
import sys


def read_pcap(path):
    d = open(path, 'rb').read()
    magic = struct.unpack('<I', d[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = '<'
    else:
        e = '>'
        magic = struct.unpack('>I', d[:4])[0]
    nano = magic == 0xa1b23c4d
    _, _, _, _, _, snap, lt = struct.unpack(e + 'IHHiIII', d[:24])
    frames = []
    off = 24
    while off + 16 <= len(d):
        s, sub, cl, ol = struct.unpack(e + 'IIII', d[off:off + 16])
        ns = s * 10**9 + (sub if nano else sub * 1000)
        frames.append((ns, ol, d[off + 16:off + 16 + cl]))
        off += 16 + cl
    return lt, snap, frames


class W:
    def __init__(self, e):
        self.e = e
        self.out = bytearray()

    def block(self, t, body):
        body = bytes(body) + b'\0' * ((-len(body)) % 4)
        n = 12 + len(body)
        self.out += struct.pack(self.e + 'II', t, n) + body + \
            struct.pack(self.e + 'I', n)

    def opt(self, code, val):
        return struct.pack(self.e + 'HH', code, len(val)) + val + \
            b'\0' * ((-len(val)) % 4)

    def end(self):
        return struct.pack(self.e + 'HH', 0, 0)


def units_of(res):
    return 2 ** (res & 0x7f) if res & 0x80 else 10 ** res


def main(argv):
    out = argv[1]
    sections = False
    big = set()
    chunks = 0
    ins = []
    i = 2
    while i < len(argv):
        a = argv[i]
        if a == '--sections':
            sections = True
        elif a == '--big-endian':
            i += 1
            big = {int(x) for x in argv[i].split(',')}
        elif a == '--chunks':
            i += 1
            chunks = int(argv[i])
        else:
            parts = a.split(':')
            o = {}
            for p in parts[1:]:
                k, _, v = p.partition('=')
                o[k] = int(v, 0) if v else True
            ins.append((parts[0], o))
        i += 1
    groups = [[k] for k in range(len(ins))] if sections else \
        [list(range(len(ins)))]
    data = bytearray()
    for si, g in enumerate(groups):
        w = W('>' if si in big else '<')
        w.block(0x0A0D0D0A, struct.pack(w.e + 'IHHq', 0x1A2B3C4D, 1, 0, -1))
        pk = []
        for ifn, k in enumerate(g):
            path, o = ins[k]
            lt, snap, frames = read_pcap(path)
            lt = o.get('linktype', lt)
            snap = o.get('snaplen', snap)
            res = o.get('tsresol', 6)
            opts = b''
            if 'tsresol' in o:
                opts += w.opt(9, bytes([res]))
            if 'tsoffset' in o:
                opts += w.opt(14, struct.pack(w.e + 'q', o['tsoffset']))
            if opts:
                opts += w.end()
            w.block(1, struct.pack(w.e + 'HHI', lt, 0, snap) + opts)
            for ns, ol, b in frames:
                pk.append((ns, ifn, ol, b, o, res))
        pk.sort(key=lambda x: (x[0], x[1]))
        if chunks:
            per = [[x for x in pk if x[1] == ifn] for ifn in range(len(g))]
            pk = []
            while any(per):
                for q in per:
                    pk += q[:chunks]
                    del q[:chunks]
        for ns, ifn, ol, b, o, res in pk:
            ns -= o.get('tsoffset', 0) * 10**9
            t = ns * units_of(res) // 10**9
            if o.get('spb'):
                w.block(3, struct.pack(w.e + 'I', ol) + b)
            elif o.get('pb'):
                w.block(2, struct.pack(w.e + 'HHIIII', ifn, 0, t >> 32,
                                       t & 0xffffffff, len(b), ol) + b)
            else:
                w.block(6, struct.pack(w.e + 'IIIII', ifn, t >> 32,
                                       t & 0xffffffff, len(b), ol) + b)
        for ifn, k in enumerate(g):
            o = ins[k][1]
            for key, dkey in (('ifdrop2', 'ifdrop2'), ('ifdrop', None)):
                if key not in o and not (key == 'ifdrop' and 'osdrop' in o):
                    continue
                opts = b''
                if key == 'ifdrop2':
                    opts += w.opt(5, struct.pack(w.e + 'Q', o['ifdrop2']))
                else:
                    if 'ifdrop' in o:
                        opts += w.opt(5, struct.pack(w.e + 'Q', o['ifdrop']))
                    if 'osdrop' in o:
                        opts += w.opt(7, struct.pack(w.e + 'Q', o['osdrop']))
                opts += w.end()
                w.block(5, struct.pack(w.e + 'III', ifn, 0, 0) + opts)
        data += w.out
    open(out, 'wb').write(data)


if __name__ == '__main__':
    main(sys.argv)
