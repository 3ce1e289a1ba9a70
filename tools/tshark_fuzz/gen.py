#!/usr/bin/env python3
"""Random, partly malformed frames from a grammar -> pcap (DLT 1), for a
differential comparison of pcap2kdb's packet rows with tshark 4.0 (run.sh).

usage: gen.py SEED OUT.pcap [NFRAMES]

Ethernet with 0-3 VLAN tags, MPLS stacks or PPPoE; IPv4 (some options) and
IPv6 with random extension-header chains; IP-in-IP, GRE (ERSPAN, TEB),
VXLAN and GENEVE; TCP with random flags and options, UDP, SCTP, ICMP and
ICMPv6 errors quoting generated packets; damaged IP and UDP lengths, snap
cuts, trailers; four interleaved TCP conversations. Same SEED, same bytes.
Written by the tenth session's differential audit, which found seven
causes of disagreement with it (all fixed or listed in README)."""
import random, struct, sys

R = random.Random()


def csum16(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def rb(n):
    return bytes(R.getrandbits(8) for _ in range(n))


V4 = ["10.0.0.1", "10.0.0.2", "192.0.2.1", "198.51.100.7", "203.0.113.9", "8.8.8.8"]
V6 = ["2001:db8::1", "2001:db8::2", "fe80::1", "2001:db8:1::5", "::1", "2001:db8::99"]


def a4(s):
    return bytes(int(x) for x in s.split("."))


def a6(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed


def pick4():
    return a4(R.choice(V4)) if R.random() < 0.85 else rb(4)


def pick6():
    return a6(R.choice(V6)) if R.random() < 0.85 else rb(16)


def maybe_len(real, lo=0):
    """a length field: usually right, sometimes wrong"""
    x = R.random()
    if x < 0.85:
        return real
    c = R.choice(["zero", "short", "long", "small", "huge"])
    if c == "zero":
        return 0
    if c == "short":
        return max(0, real - R.randint(1, 40))
    if c == "long":
        return min(0xffff, real + R.randint(1, 40))
    if c == "small":
        return R.randint(0, 30)
    return R.randint(0, 0xffff)


# ---------------------------------------------------------------- transport

PORTS = [80, 443, 5001, 12345, 40000, 50505, 33333]


def rport():
    return R.choice(PORTS) if R.random() < 0.5 else R.randint(1024, 65535)


def tcp_opts():
    o = b""
    for _ in range(R.randint(0, 5)):
        k = R.choice(["mss", "ws", "sack", "sackp", "ts", "nop", "eol", "junk", "bad"])
        if k == "mss":
            o += b"\x02\x04" + struct.pack(">H", R.randint(0, 65535))
        elif k == "ws":
            o += b"\x03\x03" + bytes([R.randint(0, 16)])
        elif k == "sackp":
            o += b"\x04\x02"
        elif k == "sack":
            n = R.randint(1, 3)
            o += bytes([5, 2 + 8 * n]) + rb(8 * n)
        elif k == "ts":
            o += b"\x08\x0a" + rb(8)
        elif k == "nop":
            o += b"\x01"
        elif k == "eol":
            o += b"\x00"
        elif k == "junk":
            l = R.randint(2, 8)
            o += bytes([R.choice([30, 34, 253, 254, 99]), l]) + rb(l - 2)
        else:
            o += bytes([R.choice([2, 3, 8, 5]), R.randint(0, 12)])
    o = o[:40]
    while len(o) % 4:
        o += b"\x01"
    return o


def tcp(sport, dport, seq, ack, flags, win, opts=b"", payload=b"", doff=None):
    hl = 20 + len(opts)
    if doff is None:
        doff = hl // 4
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, (doff << 4) | ((flags >> 8) & 1),
                       flags & 0xff, win, 0, 0) + opts + payload


def rand_tcp():
    flags = R.choice([0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, R.randint(0, 0x1ff)])
    doff = None
    if R.random() < 0.08:
        doff = R.randint(0, 15)
    return tcp(rport(), rport(), R.getrandbits(32), R.getrandbits(32), flags,
               R.randint(0, 65535), tcp_opts(), rb(R.choice([0, 0, 1, 10, 100])), doff)


def udp(sport, dport, payload, ulen=None):
    if ulen is None:
        ulen = maybe_len(8 + len(payload))
    return struct.pack(">HHHH", sport, dport, ulen, 0) + payload


def rand_udp():
    sp = R.randint(1024, 65535)
    dp = R.choice([R.randint(1024, 65535), 9999, 40000])
    return udp(sp, dp, rb(R.choice([0, 4, 20])))


def sctp():
    chunks = b""
    for _ in range(R.randint(0, 2)):
        d = rb(R.randint(0, 12))
        chunks += struct.pack(">BBH", R.choice([0, 1, 2, 3, 7]), 0, 4 + len(d)) + d
        while len(chunks) % 4:
            chunks += b"\0"
    return struct.pack(">HHII", rport(), rport(), R.getrandbits(32), 0) + chunks


# ---------------------------------------------------------------- IP

def ipv4(proto, payload, src=None, dst=None, opts=b"", tl=None, ipid=None, frag=0, ttl=None):
    if src is None:
        src = pick4()
    if dst is None:
        dst = pick4()
    while len(opts) % 4:
        opts += b"\0"
    ihl = 5 + len(opts) // 4
    real = ihl * 4 + len(payload)
    if tl is None:
        tl = maybe_len(real)
    if ipid is None:
        ipid = R.randint(0, 65535)
    if ttl is None:
        ttl = R.randint(1, 255)
    h = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, tl, ipid, frag, ttl, proto, 0, src, dst) + opts
    h = h[:10] + struct.pack(">H", csum16(h)) + h[12:]
    return h + payload


def ipv6(nh, payload, src=None, dst=None, plen=None, hlim=None):
    if src is None:
        src = pick6()
    if dst is None:
        dst = pick6()
    if plen is None:
        plen = maybe_len(len(payload))
        if plen == 0:
            plen = len(payload)  # plen 0: README known difference (BIG TCP)
    if hlim is None:
        hlim = R.randint(1, 255)
    return struct.pack(">IHBB", 0x60000000 | R.randint(0, 0xfffff), plen, nh, hlim) + src + dst + payload


def tlv_opts(in_dst, body_target):
    """random IPv6 options; length padded to 8n-2"""
    o = b""
    for _ in range(R.randint(0, 3)):
        k = R.choice(["pad1", "padn", "ra", "jumbo", "hoa", "hoa_bad", "unk", "unk_skip"])
        if not in_dst and k.startswith("hoa"):
            k = "pad1"
        if k == "pad1":
            o += b"\x00"
        elif k == "padn":
            n = R.randint(0, 5)
            o += bytes([1, n]) + b"\0" * n
        elif k == "ra":
            o += b"\x05\x02" + rb(2)
        elif k == "jumbo":
            o += b"\xc2\x04" + struct.pack(">I", R.choice([0, 100, 70000, R.getrandbits(32)]))
        elif k == "hoa":
            o += b"\xc9\x10" + pick6()
        elif k == "hoa_bad":
            l = R.choice([18, 20])
            o += bytes([0xc9, l]) + rb(l)
        elif k == "unk":
            l = R.randint(0, 6)
            o += bytes([R.choice([0x3e, 0x7e, 0xbe, 0xfe, 0x1e]), l]) + rb(l)
        else:
            l = R.randint(0, 6)
            o += bytes([0x1e, l]) + rb(l)
    # pad to 8n - 2
    need = (-(len(o) + 2)) % 8
    if need == 1:
        o += b"\x00"
    elif need > 1:
        o += bytes([1, need - 2]) + b"\0" * (need - 2)
    return o


def ext_header(kind, nh):
    if kind in (0, 60):
        o = tlv_opts(kind == 60, 0)
        hl = (len(o) + 2) // 8 - 1
        if R.random() < 0.0:
            hl = R.randint(0, 5)
        return bytes([nh, hl]) + o
    if kind == 43:
        t = R.choice([0, 2, 3, 4, 5, 6, 253])
        if t == 0:
            n = R.randint(0, 3)
            sl = R.randint(0, n)
            hl = 2 * n
            if R.random() < 0.1:
                hl = R.randint(0, 8)
            return bytes([nh, hl, 0, sl]) + b"\0" * 4 + b"".join(pick6() for _ in range(n))
        if t == 2:
            sl = R.choice([0, 1, 1, 2])
            hl = 2 if R.random() > 0.1 else R.choice([0, 1, 4])
            return bytes([nh, hl, 2, sl]) + b"\0" * 4 + pick6()
        if t == 3:  # RPL: CmprI/CmprE/Pad
            cmpri = R.randint(0, 15)
            cmpre = R.randint(0, 15)
            n = R.randint(1, 3)
            addrs = b"".join(pick6()[cmpri:] for _ in range(n - 1)) + pick6()[cmpre:]
            total = 8 + len(addrs)
            pad = (-total) % 8
            hl = (total + pad) // 8 - 1
            sl = R.randint(0, n)
            return bytes([nh, hl, 3, sl, (cmpri << 4) | cmpre, pad << 4, 0, 0]) + addrs + b"\0" * pad
        if t == 4:  # SRH
            n = R.randint(1, 3)
            sl = R.randint(0, n)
            le = n - 1 if R.random() > 0.1 else R.randint(0, 5)
            hl = 2 * n
            return bytes([nh, hl, 4, sl, le, 0, 0, 0]) + b"".join(pick6() for _ in range(n))
        if t in (5, 6):
            size = 2 if t == 5 else 4
            n = R.randint(0, 6)
            sids = rb(size * n)
            body = sids + b"\0" * size  # a zero SID: README's known CRH difference otherwise
            while (len(body) + 4) % 8:
                body += b"\0"
            hl = (len(body) + 4) // 8 - 1
            sl = R.randint(0, n + 1)
            return bytes([nh, hl, t, sl]) + body
        return bytes([nh, 0, t, R.randint(0, 3)]) + rb(4)
    if kind == 44:
        off = 0 if R.random() < 0.7 else R.randint(0, 100)
        m = 0 if R.random() < 0.8 else 1
        return bytes([nh, 0]) + struct.pack(">HI", (off << 3) | m, R.getrandbits(32))
    if kind == 51:  # AH
        icv = R.choice([12, 16])
        return bytes([nh, (12 + icv) // 4 - 2]) + b"\0\0" + rb(8) + rb(icv)
    raise ValueError


def chain6(upper_nh, upper):
    kinds = [R.choice([0, 43, 44, 60, 51, 60, 43]) for _ in range(R.choice([0, 0, 1, 1, 2, 3, 4]))]
    body = upper
    nh = upper_nh
    for k in reversed(kinds):
        body = ext_header(k, nh) + body
        nh = k
    return nh, body


# ---------------------------------------------------------------- payloads

def icmp_err(v6, depth):
    q = rand_ip(depth + 1, allow_tunnel=False, v=6 if v6 else 4)[1]
    if R.random() < 0.4:
        q = q[:R.choice([28, 40, 48, 60, 8, 20])]
    if v6:
        t = R.choice([1, 2, 3, 4])
        return 58, struct.pack(">BBHI", t, R.randint(0, 4), 0, R.choice([0, 1280])) + q
    t = R.choice([3, 4, 5, 11, 12])
    rest = 0
    if R.random() < 0.3:
        rest = R.randint(0, 30) << 16   # RFC 4884 length
    return 1, struct.pack(">BBHI", t, R.randint(0, 4), 0, rest) + q


def ether_frame(depth, allow_ip=True):
    dst, src = rb(6), bytes([R.getrandbits(8) & 0xfe]) + rb(5)
    if allow_ip and R.random() < 0.9:
        et, ip = rand_ip(depth + 1)
    else:
        et, ip = 0x0806, rb(28)
    tags = b""
    if R.random() < 0.2:
        tags = struct.pack(">HH", 0x8100, R.randint(0, 4095))
    return dst + src + tags + struct.pack(">H", et) + ip


def gre_payload(depth):
    c = R.choice(["ip", "teb", "erspan2", "erspan1", "erspan3", "mpls"])
    fl = 0
    opt = b""
    if R.random() < 0.3:
        fl |= 0x8000
        opt += b"\0\0\0\0"
    key = None
    if R.random() < 0.5:
        fl |= 0x2000
        key = R.getrandbits(32)
        opt += struct.pack(">I", key)
    if R.random() < 0.4 or c == "erspan2":
        fl |= 0x1000
        opt += struct.pack(">I", R.getrandbits(32))
    if c == "erspan1":
        fl &= ~0x1000
        opt = opt[:len(opt) - 4] if (fl & 0x1000) else opt
    if c == "ip":
        et, ip = rand_ip(depth + 1)
        return struct.pack(">HH", fl, et) + opt + ip
    if c == "teb":
        return struct.pack(">HH", fl, 0x6558) + opt + ether_frame(depth)
    if c == "mpls":
        et, ip = rand_ip(depth + 1)
        return struct.pack(">HH", fl, 0x8847) + opt + mpls_stack(ip)
    if c == "erspan1":
        return struct.pack(">HH", fl & ~0x1000, 0x88be) + (opt if not fl & 0x1000 else opt) + ether_frame(depth)
    if c == "erspan2":
        ver = 1 if R.random() < 0.9 else R.randint(0, 15)
        return struct.pack(">HH", fl | 0x1000, 0x88be) + opt + struct.pack(">HHI", ver << 12 | R.randint(0, 4095), R.randint(0, 1023), 0) + ether_frame(depth)
    plat = R.random() < 0.5
    return struct.pack(">HH", fl, 0x22eb) + opt + struct.pack(">HHIHH", 2 << 12, R.randint(0, 1023), R.getrandbits(32), 0, 1 if plat else 0) + (rb(8) if plat else b"") + ether_frame(depth)


def mpls_stack(ip):
    n = R.randint(1, 3)
    out = b""
    for i in range(n):
        out += struct.pack(">I", (R.randint(16, 1 << 20 - 1) << 12) | ((1 if i == n - 1 else 0) << 8) | 64)
    return out + ip


def transport(depth, v6, allow_tunnel=True):
    opts = ["tcp", "tcp", "udp", "icmp", "sctp"]
    if allow_tunnel and depth < 2:
        opts += ["ipip", "gre", "vxlan", "geneve"]
    c = R.choice(opts)
    if c == "tcp":
        return 6, rand_tcp()
    if c == "udp":
        return 17, rand_udp()
    if c == "sctp":
        return 132, sctp()
    if c == "icmp":
        if depth >= 1:
            return 17, rand_udp()
        return icmp_err(v6, depth)
    if c == "ipip":
        et, ip = rand_ip(depth + 1)
        return (4 if et == 0x0800 else 41), ip
    if c == "gre":
        return 47, gre_payload(depth)
    if c == "vxlan":
        return 17, udp(R.randint(1024, 65535), 4789, struct.pack(">BBHI", 0x08, 0, 0, R.randint(0, 1 << 24 - 1) << 8) + ether_frame(depth))
    # geneve
    ol = R.choice([0, 0, 1, 2])
    proto, inner = (0x6558, ether_frame(depth)) if R.random() < 0.6 else rand_ip(depth + 1)
    return 17, udp(R.randint(1024, 65535), 6081, struct.pack(">BBHI", ol, 0, proto, R.randint(0, 1 << 24 - 1) << 8) + rb(4 * ol) + inner)


def rand_ip(depth=0, allow_tunnel=True, v=None):
    if v is None:
        v = R.choice([4, 6])
    proto, payload = transport(depth, v == 6, allow_tunnel)
    if v == 4:
        opts = b""
        if R.random() < 0.1:
            opts = R.choice([b"\x01\x01\x01\x00", b"\x94\x04\x00\x00", b"\x07\x07\x04" + pick4() + b"\0"])
        frag = 0
        if R.random() < 0.05:
            frag = 0x4000
        return 0x0800, ipv4(proto, payload, opts=opts, frag=frag)
    nh, body = chain6(proto, payload)
    return 0x86dd, ipv6(nh, body)


# ---------------------------------------------------------------- TCP conversations

class Conv:
    def __init__(self):
        self.v6 = R.random() < 0.4
        if self.v6:
            self.a, self.b = a6(R.choice(V6)), a6(R.choice(V6))
        else:
            self.a, self.b = a4(R.choice(V4)), a4(R.choice(V4))
        self.pa, self.pb = rport(), rport()
        self.sa, self.sb = R.getrandbits(32), R.getrandbits(32)
        self.step = 0
        self.ws = R.choice([None, 0, 7])
        self.ext = R.random() < 0.3   # v6 extension headers

    def next(self):
        s = self.step
        self.step += 1
        fwd = True
        if s == 0:
            flags, opts = 0x02, b"\x02\x04\x05\xb4" + (b"\x01\x03\x03" + bytes([self.ws]) if self.ws is not None else b"")
            seq, ack = self.sa, 0
        elif s == 1:
            fwd = False
            flags, opts = 0x12, b"\x02\x04\x05\xb4" + (b"\x01\x03\x03\x02" if self.ws is not None else b"")
            seq, ack = self.sb, self.sa + 1
        else:
            fwd = R.random() < 0.6
            flags = R.choice([0x10, 0x18, 0x18, 0x11, 0x04, 0x02 if R.random() < 0.2 else 0x10])
            opts = b""
            seq = self.sa + 1 + R.randint(0, 300) if fwd else self.sb + 1 + R.randint(0, 300)
            ack = self.sb + 1 if fwd else self.sa + 1
            if flags == 0x02:
                self.sa = R.getrandbits(32)
                seq = self.sa
                fwd = True
        while len(opts) % 4:
            opts += b"\x01"
        pl = rb(R.choice([0, 0, 10, 100]))
        seq &= 0xffffffff
        ack &= 0xffffffff
        if fwd:
            t = tcp(self.pa, self.pb, seq, ack, flags, R.randint(100, 65535), opts, pl)
            src, dst = self.a, self.b
        else:
            t = tcp(self.pb, self.pa, seq, ack, flags, R.randint(100, 65535), opts, pl)
            src, dst = self.b, self.a
        if self.v6:
            nh, body = (chain6(6, t) if self.ext else (6, t))
            return 0x86dd, ipv6(nh, body, src, dst)
        return 0x0800, ipv4(6, t, src, dst)


# ---------------------------------------------------------------- link

def link(et, ip):
    """Ethernet + VLANs / MPLS / PPPoE"""
    dst, src = rb(6), bytes([R.getrandbits(8) & 0xfe]) + rb(5)
    mid = b""
    c = R.random()
    if c < 0.15:
        labels = mpls_stack(ip)
        ip = labels
        et = 0x8847
    elif c < 0.25:
        pp = 0x0021 if et == 0x0800 else 0x0057
        ip = struct.pack(">BBHH", 0x11, 0, R.randint(1, 65535), (len(ip) + 2)) + struct.pack(">H", pp) + ip
        et = 0x8864
    tags = b""
    for i in range(R.choice([0, 0, 0, 1, 1, 2, 3])):
        tpid = R.choice([0x8100, 0x88a8, 0x8100]) if i == 0 else 0x8100
        tags += struct.pack(">HH", tpid, (R.randint(0, 7) << 13) | R.randint(0, 4095))
    return dst + src + tags + struct.pack(">H", et) + ip


def main():
    seed = int(sys.argv[1])
    out = sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    R.seed(seed)
    convs = [Conv() for _ in range(4)]
    recs = []
    t = 1700000000
    for i in range(n):
        if R.random() < 0.35:
            cv = R.choice(convs)
            if cv.step > 12:
                convs[convs.index(cv)] = cv = Conv()
            et, ip = cv.next()
        else:
            et, ip = rand_ip()
        fr = link(et, ip)
        if R.random() < 0.2:
            fr += rb(R.randint(1, 20))   # trailer
        if len(fr) < 60:
            fr += b"\0" * (60 - len(fr))
        orig = len(fr)
        if R.random() < 0.15:
            fr = fr[:R.randint(14, len(fr))]
        recs.append((t + i, i, fr, orig))
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for s, us, fr, orig in recs:
            f.write(struct.pack("<IIII", s, us, len(fr), orig) + fr)


if __name__ == "__main__":
    main()
