#!/usr/bin/env python3
"""README's kdb+ IPC example (section "kdb+ IPC messages"): it runs from a
checkout as written, on a capture of testdata/, and every number it shows is
what that capture holds.

The oracle is tests/gen_kdb.py's model of testdata/kdb_tick.pcap (the rows
it expects with the default columns, from what it sent), not pcap2kdb: the
README's count and the q tables are computed here from the model's rows,
written the way the q console shows a keyed table, and must appear in the
README as they are (a trailing `/ comment` on a line is left out of the
comparison). pcap2kdb's CSV from the README's command must equal the model.

    tests/readme_kdb_example_test.py PCAP2KDB_BINARY
"""

import csv
import io
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen_kdb  # noqa: E402

failed = []


def check(what, ok, detail=""):
    if not ok:
        failed.append(what)
        print("FAIL: %s%s" % (what, ("\n" + detail) if detail else ""))


def section(text):
    start = text.index("## kdb+ IPC messages (`--kdb`)")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def q_keyed(keys, values, rows):
    """A keyed table as the q console shows it: columns left-aligned, each as
    wide as its widest cell, the key and the values apart by '| '."""
    cols = keys + values
    width = {c: max([len(c)] + [len(r[c]) for r in rows]) for c in cols}

    def line(cells):
        k = " ".join(cells[c].ljust(width[c]) for c in keys)
        v = " ".join(cells[c].ljust(width[c]) for c in values)
        return (k + "| " + v).rstrip()
    kw = sum(width[c] for c in keys) + len(keys) - 1
    vw = sum(width[c] for c in values) + len(values) - 1
    return "\n".join([line({c: c for c in cols}), "-" * kw + "| " + "-" * vw] +
                     [line(r) for r in rows])


def q_float(x):
    """q's default display of a float: 7 significant digits."""
    s = "%.7g" % x
    return s.rstrip("0").rstrip(".") if "." in s else s


def group(rows, keys, where, agg):
    out = {}
    for r in rows:
        if where(r):
            out.setdefault(tuple(keys(r)), []).append(r)
    return [agg(k, v) for k, v in sorted(out.items())]


def expected_blocks(rows):
    """The README's q outputs, from the model's rows."""
    blocks = ["q)count ipc\n%d" % len(rows)]

    blocks.append(q_keyed(["user", "dir", "msgtype", "func"], ["n"], group(
        rows, lambda r: (r["user"], r["dir"], r["msgtype"], r["func"]), lambda r: True,
        lambda k, v: dict(zip(["user", "dir", "msgtype", "func"], k), n=str(len(v))))))

    def per_second(k, v):
        return {"table": k[0], "second": k[1], "msgs": str(len(v)),
                "rows": str(sum(int(r["rows"]) for r in v)),
                "bytes": str(sum(int(r["len"]) for r in v))}
    blocks.append(q_keyed(["table", "second"], ["msgs", "rows", "bytes"], group(
        rows, lambda r: (r["table"], r["time"][11:19]), lambda r: r["func"] == ".u.upd",
        per_second)))

    def fan_out(k, v):
        wire = sum(int(r["len"]) for r in v)
        raw = sum(int(r["ulen"]) for r in v)
        return {"user": k[0], "dest": k[1], "destport": k[2], "msgs": str(len(v)),
                "rows": str(sum(int(r["rows"]) for r in v)), "wire": str(wire),
                "raw": str(raw), "ratio": q_float(raw / wire)}
    blocks.append(q_keyed(["user", "dest", "destport"], ["msgs", "rows", "wire", "raw", "ratio"],
                          group(rows, lambda r: (r["user"], r["dest"], r["destport"]),
                                lambda r: r["func"] == "upd", fan_out)))
    return blocks


def main():
    binary = os.path.abspath(sys.argv[1])
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = section(f.read())
    # the command, as written, names a capture of the repository
    m = re.search(r"^    pcap2kdb --kdb -o ipc\.csv (\S+)$", text, re.M)
    check("README's --kdb example command found", m is not None)
    if not m:
        return 1
    capture = m.group(1)
    check("README's example capture %s is in testdata/" % capture,
          capture.startswith("testdata/") and os.path.isfile(os.path.join(ROOT, capture)))
    check("README's example capture is testdata/kdb_tick.pcap (gen_kdb.py's model)",
          capture == "testdata/kdb_tick.pcap")
    if failed:
        return 1
    cap = gen_kdb.case_tick()
    model = list(csv.DictReader(io.StringIO(gen_kdb.default_out(cap, "kdb_tick"))))
    with tempfile.TemporaryDirectory() as tmp:
        # from the repository's root, as a reader of the README runs it
        cmd = [binary, "--kdb", "-o", os.path.join(tmp, "ipc.csv"), capture]
        run = subprocess.run(cmd, cwd=ROOT, capture_output=True)
        check("the example command: exit 0, nothing on stderr",
              run.returncode == 0 and run.stderr == b"", run.stderr.decode(errors="replace"))
        with open(os.path.join(tmp, "ipc.csv"), newline="") as f:
            got = list(csv.DictReader(f))
    check("pcap2kdb's ipc.csv equals gen_kdb.py's model", got == model)
    # README's lines without their trailing comments
    shown = "\n".join(re.sub(r"\s+/ .*$", "", line) for line in text.split("\n"))
    for block in expected_blocks(model):
        check("README shows:\n" + block, block in shown)
    check("README's load line is --schema's", '("PPSSSIIJJSSSBJJHSSJ*SNSS";enlist",")' in text)
    print("%d failed" % len(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
