"""Where the corpus is, what the quick tiers take of it, and the skip code.

Shared by the corpus checkers (corpus_diff.py, corpus_analysis.py,
corpus_flows.py, fix_diff.py, kdb_diff.py, qscript_check.py,
qscript_msg_check.py):

  corpus_dir()     $PCAP2KDB_CORPUS, else ../shared/corpus beside the repo
  SKIP_CODE        77: the corpus is absent. ctest shows the test as
                   "Skipped" (SKIP_RETURN_CODE in tests/CMakeLists.txt);
                   nothing else may skip.
  sample(dir, names)
                   the names a sampled run checks: every capture of the small
                   sources (FIX, kdb+, seeds, scapy, libpcap), the first
                   capture of each (file format, link type) pair -- every
                   distinct reader and link-layer decoder -- and a fixed
                   one-in-SAMPLE_EVERY of the rest, by a hash of the name
                   (the same files on every run and every machine).
                   PCAP2KDB_FULL=1 in the environment turns sampling off.
"""

import os
import struct
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP_CODE = 77
SAMPLE_EVERY = 8
BIG_SOURCES = ("tcpdump__", "pcapplusplus__", "gopacket__")


def corpus_dir(default=None):
    return os.path.normpath(os.environ.get("PCAP2KDB_CORPUS") or default or
                            os.path.join(REPO, "..", "shared", "corpus"))


def full():
    return os.environ.get("PCAP2KDB_FULL", "") not in ("", "0")


def skip(corpus):
    """Says why, and exits with the skip code."""
    print("SKIP: corpus not found at %s (set PCAP2KDB_CORPUS)" % corpus)
    raise SystemExit(SKIP_CODE)


def read_tshark(path):
    """A NAME.tshark.tsv oracle: (header fields, {frame number: {field:
    value}}), or None when it is empty."""
    with open(path, encoding="utf-8", errors="replace", newline="") as fp:
        lines = [l for l in fp.read().split("\n") if l]
    if not lines:
        return None
    hdr = lines[0].split("\t")
    rows = {}
    for l in lines[1:]:
        d = dict(zip(hdr, l.rstrip("\r").split("\t")))
        rows[int(d["frame.number"])] = d
    return hdr, rows


def require(corpus, names, what="captures"):
    """names, or a failure when the corpus directory holds none: a test that
    found nothing to compare has tested nothing (only an absent corpus is
    a skip)."""
    if not names:
        print("FAIL: no %s in %s: nothing tested" % (what, corpus))
        raise SystemExit(1)
    return names


def kind(path):
    """(format, link type) of a capture, from its first bytes; None if odd."""
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        return None
    if len(head) < 24:
        return None
    magic = head[:4]
    for order in "<>":
        m = struct.unpack(order + "I", magic)[0]
        if m in (0xA1B2C3D4, 0xA1B23C4D):
            return ("pcap", struct.unpack(order + "I", head[20:24])[0] & 0xFFFF)
    if magic == b"\n\r\r\n":
        order = "<" if head[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        off = struct.unpack(order + "I", head[4:8])[0]
        while off + 12 <= len(head):
            btype, blen = struct.unpack(order + "II", head[off:off + 8])
            if btype == 1:                       # the first interface
                return ("pcapng", struct.unpack(order + "H", head[off + 8:off + 10])[0])
            if blen < 12:
                break
            off += blen
        return ("pcapng", None)
    return None


def sample(corpus, names):
    """The sampled subset of names (capture file names in corpus), in order."""
    if full():
        return list(names)
    seen = set()
    keep = []
    for n in names:
        k = kind(os.path.join(corpus, n))
        if not n.startswith(BIG_SOURCES) or k not in seen or \
                zlib.crc32(n.encode()) % SAMPLE_EVERY == 0:
            keep.append(n)
        seen.add(k)
    return keep
