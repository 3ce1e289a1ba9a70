#!/usr/bin/env python3
"""The corpus checkers' own oracle mapping, on golden captures whose tshark
decode is kept here, so that a shape the mapping gets wrong shows as a
failure here rather than as a false difference in someone's capture:

- tests/corpus_diff.py: every column of every frame must agree, with no
  known difference. tshark 4.0's VXLAN-GPE carrying IPv4, IPv6 or Ethernet
  has no vxlan layer (`udp:ip:`, `udp:eth:`); GRE in UDP is `udp:gre:`.

    tests/oracle_selftest.py --bin PCAP2KDB     check (ctest: oracle_selftest)
    tests/oracle_selftest.py --regen            re-record the decodes (tshark 4.0)

The decodes, tests/tshark_oracle/NAME.tshark.tsv, are tshark 4.0.17's fields
(tools/tshark_fuzz/fields.txt, as the reference corpus has them) of
testdata/NAME, captures of tests/gen_tunnels.py: GTP-U, MPLS in UDP, GRE in
UDP, VXLAN-GPE and IP in IP (tunnels_more); which UDP port names a tunnel
(tunnel_ports); ERSPAN type III Frame Types (erspan_frame_type).
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ORACLE = os.path.join(HERE, "tshark_oracle")
CAPTURES = ("tunnels_more.pcap", "tunnel_ports.pcap", "erspan_frame_type.pcap")
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
    return 0


def check(binary):
    with tempfile.TemporaryDirectory(prefix="oracle-selftest.") as tmp:
        corpus = os.path.join(tmp, "corpus")
        os.mkdir(corpus)
        for name in CAPTURES:
            os.symlink(os.path.join(REPO, "testdata", name), os.path.join(corpus, name))
            os.symlink(os.path.join(ORACLE, name + ".tshark.tsv"),
                       os.path.join(corpus, name + ".tshark.tsv"))
        known = os.path.join(tmp, "no_known.tsv")
        open(known, "w").close()
        r = subprocess.run([sys.executable, os.path.join(HERE, "corpus_diff.py"),
                            "--bin", binary, "--corpus", corpus, "--known", known,
                            "--columns", ",".join(corpus_diff_columns()), "--jobs", "1"],
                           capture_output=True, text=True)
    sys.stdout.write(r.stdout + r.stderr)
    want = "%d passed, 0 failed" % len(CAPTURES)
    lines = r.stdout.strip().splitlines()
    if r.returncode != 0 or not lines or lines[-1] != want:
        print("FAIL: corpus_diff.py disagrees with the recorded tshark decodes "
              "(expected '%s')" % want)
        return 1
    return 0


def corpus_diff_columns():
    sys.path.insert(0, HERE)
    import corpus_diff  # noqa: E402
    return corpus_diff.ALL_COLUMNS


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "pcap2kdb"))
    ap.add_argument("--regen", action="store_true")
    a = ap.parse_args()
    return regen() if a.regen else check(a.bin)


if __name__ == "__main__":
    sys.exit(main())
