#!/usr/bin/env python3
"""The corpus checkers' own oracle mapping, on golden captures whose tshark
decode is kept here, so that a shape the mapping gets wrong shows as a
failure here rather than as a false difference in someone's capture:

- tests/corpus_diff.py: every column of every frame must agree, with no
  known difference. tshark 4.0's VXLAN-GPE carrying IPv4, IPv6 or Ethernet
  has no vxlan layer (`udp:ip:`, `udp:eth:`); GRE in UDP is `udp:gre:`.
- tests/corpus_flows.py: every conversation must agree, with no known
  difference. --flows writes a further row, with the same stream, for a
  connection's packets that come after its row was written; tshark's
  table has one conversation per tcp.stream.

    tests/oracle_selftest.py --bin PCAP2KDB     check (ctest: oracle_selftest)
    tests/oracle_selftest.py --regen            re-record the decodes (tshark 4.0)

The decodes, tests/tshark_oracle/NAME.tshark.tsv, are tshark 4.0.17's fields
(tools/tshark_fuzz/fields.txt, as the reference corpus has them) of
testdata/NAME, captures of tests/gen_tunnels.py: GTP-U, MPLS in UDP, GRE in
UDP, VXLAN-GPE and IP in IP (tunnels_more); which UDP port names a tunnel
(tunnel_ports); ERSPAN type III Frame Types (erspan_frame_type); and of
tests/gen_testdata.py: Shim6 headers, a layer `shim6` of its own in tshark
4.0 that the mapping passes as an extension header (ipv6_shim6).
tests/tshark_oracle/flows_conv.tsv is tshark 4.0.17's `-z conv,tcp` of
testdata/flows_late.pcap (tests/gen_flows.py: a connection reset, then a
segment every 30 s after its row was written), as tests/corpus_flows.py
keeps it for the corpus.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ORACLE = os.path.join(HERE, "tshark_oracle")
CAPTURES = ("tunnels_more.pcap", "tunnel_ports.pcap", "erspan_frame_type.pcap",
            "ipv6_shim6.pcap")
FLOWS_CAPTURES = ("flows_late.pcap",)
FLOWS_CONV = os.path.join(ORACLE, "flows_conv.tsv")
FIELDS = os.path.join(REPO, "tools", "tshark_fuzz", "fields.txt")


def regen():
    fields = open(FIELDS).read().split()
    os.makedirs(ORACLE, exist_ok=True)
    for name in CAPTURES:
        cmd = ["tshark", "-n", "-r", os.path.join(REPO, "testdata", name), "-T", "fields",
               "-E", "header=y", "-E", "separator=/t", "-E", "occurrence=a",
               "-E", "aggregator=;"]
        for f in fields:
            cmd += ["-e", f]
        out = subprocess.run(cmd, capture_output=True, check=True).stdout
        with open(os.path.join(ORACLE, name + ".tshark.tsv"), "wb") as fh:
            fh.write(out)
    lines = ["# tshark 4.0.17 -n -q -z conv,tcp of testdata/NAME, as tests/corpus_flows.py",
             "# keeps it (tests/oracle_selftest.py --regen)"]
    for name in FLOWS_CAPTURES:
        lines += checkers().corpus_flows.conv_lines(name, os.path.join(REPO, "testdata", name))
    with open(FLOWS_CONV, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return 0


def corpus_of(tmp, sub, names, oracle_suffix=None):
    """A corpus folder of testdata captures (and their recorded decodes)."""
    corpus = os.path.join(tmp, sub)
    os.mkdir(corpus)
    for name in names:
        os.symlink(os.path.join(REPO, "testdata", name), os.path.join(corpus, name))
        if oracle_suffix:
            os.symlink(os.path.join(ORACLE, name + oracle_suffix),
                       os.path.join(corpus, name + oracle_suffix))
    return corpus


def run_checker(what, cmd, want):
    """Runs a checker; 0 when it exits 0 with the last line want."""
    r = subprocess.run([sys.executable] + cmd, capture_output=True, text=True)
    sys.stdout.write(r.stdout + r.stderr)
    lines = r.stdout.strip().splitlines()
    if r.returncode != 0 or not lines or lines[-1] != want:
        print("FAIL: %s disagrees with the recorded tshark output (expected '%s')"
              % (what, want))
        return 1
    return 0


# tshark's frame.time_epoch texts and their nanoseconds, worked out by hand
# from its display_signed_time (seconds and nanoseconds side by side; a
# negative fraction as its absolute value, "-" before the whole time when
# the seconds are not negative)
EPOCH_TEXTS = (
    ("12.000000001", 12 * 10**9 + 1),
    ("1418145370.1000000000", 1418145371 * 10**9),     # ts_usec 10^6
    ("-0.2078753920", -2078753920),                    # 32-bit overflow
    ("-1418145370.2078753920", 1418145370 * 10**9 - 2078753920),
    ("-100.000005000", -100 * 10**9 + 5000),           # before 1970
)


def check_epoch_texts():
    bad = 0
    for text, want in EPOCH_TEXTS:
        got = checkers().corpus_diff.epoch_ns(text)
        if got != want:
            print("FAIL epoch_ns(%r) = %r, want %r" % (text, got, want))
            bad += 1
    return bad


def check(binary):
    if check_epoch_texts():
        return 1
    with tempfile.TemporaryDirectory(prefix="oracle-selftest.") as tmp:
        known = os.path.join(tmp, "no_known.tsv")
        open(known, "w").close()
        corpus = corpus_of(tmp, "packets", CAPTURES, ".tshark.tsv")
        bad = run_checker("corpus_diff.py", [
            os.path.join(HERE, "corpus_diff.py"), "--bin", binary, "--corpus", corpus,
            "--known", known, "--columns", ",".join(checkers().corpus_diff.ALL_COLUMNS),
            "--jobs", "1"], "%d passed, 0 failed" % len(CAPTURES))
        corpus = corpus_of(tmp, "flows", FLOWS_CAPTURES)
        bad += run_checker("corpus_flows.py", [
            os.path.join(HERE, "corpus_flows.py"), "--bin", binary, "--corpus", corpus,
            "--expected", FLOWS_CONV, "--known", known], "PASS")
    return 1 if bad else 0


def checkers():
    """The checker modules (imported late: --help needs neither)."""
    sys.path.insert(0, HERE)
    import corpus_diff  # noqa: E402
    import corpus_flows  # noqa: E402
    return types.SimpleNamespace(corpus_diff=corpus_diff, corpus_flows=corpus_flows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "pcap2kdb"))
    ap.add_argument("--regen", action="store_true")
    a = ap.parse_args()
    return regen() if a.regen else check(a.bin)


if __name__ == "__main__":
    sys.exit(main())
