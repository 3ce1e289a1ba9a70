#!/usr/bin/env python3
"""Reader test for `pcap2kdb -f q` (no q interpreter needed).

A strict reader of exactly the q script grammar src/output/write_q.c emits:

    / pcap2kdb: load with \\l FILE.q
    if[not `NAME in key `.;NAME:([] col:`timestamp$(); col:`symbol$(); col:())]
    if[not(@[cols;NAME;()])~`col`col`col;'"NAME: a table of this name exists with other columns"]
    `NAME insert (COLUMN;COLUMN;...)          one statement per batch

(the table is made only when no variable NAME exists, so that a second
script appends; the second line, exactly as check_line() makes it from the
declared names, stops the load when NAME has other columns)
    `NAME insert enlist COLUMN                a one-column table

where each COLUMN literal is, by the column's declared type,

    timestamp  2020.05.14D12:10:02.639526000 0Np ...      (2 values or more)
               enlist 2020.05.14D12:10:02.639526000         (one row)
    int        1 0N 3i              enlist 5i               (suffix i at the end)
    long       1 0N 3               enlist 5
    symbol     `$("a";,"b";"")      `$enlist "a"            (,"c" for one char)
    string     ("0a0b";"")          enlist "0a0b"

Anything else is rejected, so a writer change that emits invalid q (or q that
would load with other types) fails here.  Every value is parsed and checked
against its column's type (timestamps valid and inside q's range, ints inside
32-bit signed without the null and infinity values, longs inside 64-bit,
strings without raw quotes, CR, LF or stray backslashes, data as lowercase
hex), the declared types are checked against `--schema`, and the table is
compared value by value with the CSV output of the same capture and columns
(q nulls equal empty CSV fields).

Runs over every capture of testdata/ and of ../shared/corpus (skipped with a
message when absent), with all columns (the list comes from the binary's own unknown-column
message; `data` with --data-max 16) and, on one capture of each (format,
link type) of testdata and a sample of the corpus, the default columns;
plus generated edge cases: an empty capture, a one-row capture, a batch
boundary (1001 rows), batches cut at 1 MiB of text, each column alone
(one- and 1001-row forms for one column of each type), --table names,
--sym with a backslash.

Usage: tests/qscript_check.py [--bin PATH] [--corpus DIR] [--jobs N]
                              [--no-corpus | --corpus-only]
                              [--file CAPTURE.q CAPTURE]  (check one pair)
The last line is `N passed, N failed`; exit status 1 on any failure.
"""

import argparse
import functools
import concurrent.futures
import os
import re
import struct
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BIN = os.path.join(REPO, "build", "pcap2kdb")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sample  # noqa: E402  (the corpus, its sample, the skip code)
DEFAULT_CORPUS = corpus_sample.corpus_dir()
CAPTURE_EXT = (".pcap", ".pcapng", ".cap")
TIMEOUT = 60

COMMENT = "/ pcap2kdb: load with \\l FILE.q"
DECL_TYPE = {"P": "`timestamp$()", "S": "`symbol$()", "I": "`int$()",
             "J": "`long$()", "N": "`timespan$()", "*": "()"}
TYPE_OF_DECL = {v: k for k, v in DECL_TYPE.items()}
DEF_RE = re.compile(r"if\[not `([A-Za-z][A-Za-z0-9_]*) in key `\.;([A-Za-z][A-Za-z0-9_]*):\(\[\](.*)\)\]\Z")


def rejections(parse, bad, what):
    """The reader's self-test: parse(b) must raise QError for every b of
    bad. Returns (passed, failed), printing each text it accepted."""
    passed = failed = 0
    for k, b in enumerate(bad):
        try:
            parse(b)
            print("FAIL reader accepts invalid %s #%d:\n%s" % (what, k, b))
            failed += 1
        except QError:
            passed += 1
    return passed, failed


def check_line(name, names):
    """The line after the definition: the same columns, or a q error."""
    return ("if[not(@[cols;%s;()])~%s%s;'\"%s: a table of this name exists with other columns\"]"
            % (name, "enlist" if len(names) == 1 else "", "".join("`" + c for c in names), name))

NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
COL_RE = re.compile(r" ([a-z][a-z0-9_]*):(`timestamp\$\(\)|`symbol\$\(\)|`int\$\(\)|`long\$\(\)|`timespan\$\(\)|\(\))\Z")
SPAN_RE = re.compile(r"(-?)([0-9]+)D([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{9})\Z")
TS_RE = re.compile(r"(\d{4})\.(\d\d)\.(\d\d)D(\d\d):(\d\d):(\d\d)\.(\d{9})")
INT_RE = re.compile(r"0N|0|-?[1-9][0-9]*")  # negative: the hash column (#17)
HEX_RE = re.compile(r"(?:[0-9a-f]{2})*\Z")

I_MAX = 2**31 - 2          # 2**31-1 is 0Wi (infinity), -2**31 is 0Ni
J_MAX = 2**63 - 2          # 2**63-1 is 0W, -2**63 is 0N
NS_MAX = 2**63 - 2         # timestamps: nanoseconds from 2000.01.01, 0Wp excluded
DAYS_2000 = 10957          # days from 1970.01.01 to 2000.01.01


class QError(Exception):
    pass


def days_from_civil(y, m, d):
    """Days since 1970-01-01 (proleptic Gregorian)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def month_days(y, m):
    if m == 2:
        return 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28
    return 30 if m in (4, 6, 9, 11) else 31


def check_span(t):
    m = SPAN_RE.match(t)
    if not m:
        raise QError("not a timespan literal: %r" % t)
    neg, d, hh, mi, ss, ns = m.groups()
    if int(hh) > 23 or int(mi) > 59 or int(ss) > 59:
        raise QError("invalid time of day in timespan %r" % t)
    if len(d) > 1 and d[0] == "0":
        raise QError("leading zero in the days of timespan %r" % t)
    total = ((int(d) * 86400 + int(hh) * 3600 + int(mi) * 60 + int(ss)) * 10**9 + int(ns))
    if total > NS_MAX:
        raise QError("timespan %r outside q's range" % t)


def check_timestamp(text):
    """Validates a q timestamp literal's text; raises QError."""
    m = TS_RE.fullmatch(text)
    if not m:
        raise QError("not a timestamp literal: %r" % text)
    y, mo, d, hh, mi, ss, ns = (int(g) for g in m.groups())
    if not 1 <= mo <= 12 or not 1 <= d <= month_days(y, mo):
        raise QError("invalid date in timestamp %r" % text)
    if hh > 23 or mi > 59 or ss > 59:
        raise QError("invalid time of day in timestamp %r" % text)
    total = ((days_from_civil(y, mo, d) - DAYS_2000) * 86400 + hh * 3600 + mi * 60 + ss) \
        * 10**9 + ns
    if not -NS_MAX <= total <= NS_MAX:
        raise QError("timestamp %r outside q's timestamp range" % text)


def check_number(text, qtype):
    if text == "0N":
        return
    v = int(text)
    limit = I_MAX if qtype == "I" else J_MAX
    if v > limit or v < -limit:
        raise QError("%s value %s out of range for q %s (max %d, the next values are "
                     "infinity/overflow)" % (qtype, text, "int" if qtype == "I" else "long",
                                             limit))


class Line:
    """A cursor over one line of the script."""

    def __init__(self, text, lineno):
        self.s, self.i, self.lineno = text, 0, lineno

    def fail(self, what):
        raise QError("line %d col %d: %s near %r" % (self.lineno, self.i + 1, what,
                                                    self.s[self.i:self.i + 40]))

    def take(self, lit):
        if self.s.startswith(lit, self.i):
            self.i += len(lit)
            return True
        return False

    def expect(self, lit):
        if not self.take(lit):
            self.fail("expected %r" % lit)

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else ""

    def at_end(self):
        return self.i == len(self.s)

    def string(self):
        """A q string item: "..." (not one character) or ,"c"; returns the text."""
        one = self.take(',"')
        if not one:
            self.expect('"')
        out = []
        while True:
            if self.at_end():
                self.fail("unterminated string")
            c = self.s[self.i]
            if c == '"':
                self.i += 1
                break
            if c == "\\":
                if self.s.startswith("\\\\", self.i):
                    out.append("\\")
                    self.i += 2
                    continue
                # a control byte of the sym, as q reads it: \ooo (#18)
                oct3 = self.s[self.i + 1:self.i + 4]
                if len(oct3) == 3 and all(d in "01234567" for d in oct3):
                    out.append(chr(int(oct3, 8)))
                    self.i += 4
                    continue
                self.fail("escape other than \\\\ or \\ooo in a string")
            if c in "\r\n":
                self.fail("raw CR/LF in a string")
            out.append(c)
            self.i += 1
        text = "".join(out)
        if one and len(text) != 1:
            self.fail(',"..." enlists exactly one character, got %r' % text)
        if not one and len(text) == 1:
            self.fail('one-character string %r must be written ,"c" (else it is a char atom)'
                      % text)
        return text

    def token(self):
        j = self.i
        while j < len(self.s) and self.s[j] not in " ;)":
            j += 1
        t = self.s[self.i:j]
        self.i = j
        return t


def parse_column(ln, qtype):
    """One column literal at the cursor; returns its values as text (None = null)."""
    if qtype in "S*":
        if qtype == "S":
            ln.expect("`$")
        if ln.take("enlist "):
            return [ln.string()]
        ln.expect("(")
        vals = [ln.string()]
        while ln.take(";"):
            vals.append(ln.string())
        ln.expect(")")
        if len(vals) < 2:
            ln.fail("a parenthesised list of one string is a string, not a list")
        return vals
    single = ln.take("enlist ")
    toks = [ln.token()]
    while not single and ln.take(" "):
        toks.append(ln.token())
    if not single and len(toks) < 2:
        ln.fail("a vector of one value without enlist is an atom")
    if qtype == "I":
        if not toks[-1].endswith("i"):
            ln.fail("int vector without its i suffix")
        toks[-1] = toks[-1][:-1]
    vals = []
    for t in toks:
        if qtype == "P":
            if t == "0Np":
                vals.append(None)
                continue
            check_timestamp(t)
            vals.append(t)
        elif qtype == "N":
            if t == "0Nn":
                vals.append(None)
                continue
            check_span(t)
            vals.append(t)
        else:
            if not INT_RE.fullmatch(t):
                ln.fail("%r is not an %s item" % (t, "int" if qtype == "I" else "long"))
            check_number(t, qtype)
            vals.append(None if t == "0N" else t)
    return vals


def parse_script(text, table=None):
    """Parses a whole -f q output; returns (name, [(col, qtype)], rows)."""
    if not text.endswith("\n"):
        raise QError("script does not end with a newline")
    lines = text[:-1].split("\n")
    if lines[0] != COMMENT:
        raise QError("line 1: expected the comment %r, got %r" % (COMMENT, lines[0]))
    if len(lines) < 3:
        raise QError("no table definition and check")
    decl = lines[1]
    m = DEF_RE.match(decl)
    if not m or m.group(1) != m.group(2):
        raise QError("line 2: not if[not `NAME in key `.;NAME:([] ...)]: %r" % decl[:80])
    name = m.group(1)
    if table is not None and name != table:
        raise QError("line 2: table %r, expected %r" % (name, table))
    cols = []
    for item in m.group(3).split(";"):
        c = COL_RE.match(item)
        if not c:
            raise QError("line 2: bad column declaration %r" % item)
        cols.append((c.group(1), TYPE_OF_DECL[c.group(2)]))
    if len({c for c, _ in cols}) != len(cols):
        raise QError("line 2: duplicate column names")
    if lines[2] != check_line(name, [c for c, _ in cols]):
        raise QError("line 3: not the column check %r: %r" % (check_line(name, [c for c, _ in cols]),
                                                             lines[2][:120]))
    rows = []
    prefix = "`%s insert " % name
    for n, text_line in enumerate(lines[3:], start=4):
        ln = Line(text_line, n)
        ln.expect(prefix)
        if len(cols) == 1:
            ln.expect("enlist ")
            vectors = [parse_column(ln, cols[0][1])]
        else:
            ln.expect("(")
            vectors = []
            for k, (_, qtype) in enumerate(cols):
                if k:
                    ln.expect(";")
                vectors.append(parse_column(ln, qtype))
            ln.expect(")")
        if not ln.at_end():
            ln.fail("trailing text")
        counts = {len(v) for v in vectors}
        if len(counts) != 1:
            raise QError("line %d: columns of different lengths %s" % (n, sorted(counts)))
        rows.extend(zip(*vectors))
    return name, cols, rows


def run(binary, args, timeout=TIMEOUT):
    p = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape"), p.stderr


def all_columns(binary):
    rc, _, err = run(binary, ["--columns", "no_such_column", "--schema"])
    m = re.search(r"valid columns: (\S+)", err.decode())
    if rc != 1 or not m:
        raise SystemExit("qscript_check: cannot get the column list from %s (rc %d): %s"
                         % (binary, rc, err.decode()))
    return m.group(1).split(",")


@functools.lru_cache(maxsize=None)
def _schema(binary, args, table):
    return _schema_types(binary, list(args), *([table] if table else []))


def schema_types(binary, args, table=None):
    """--schema's types for args: one run per distinct args."""
    return _schema(binary, tuple(args), table)


def _schema_types(binary, args):
    rc, out, err = run(binary, args + ["--schema"])
    m = re.fullmatch(r'[A-Za-z][A-Za-z0-9_]*:\((enlist)?"([^"]*)";enlist","\) 0: `:out\.csv\n', out)
    # enlisted exactly when it is one letter (a char atom in q otherwise)
    if rc != 0 or not m or (m.group(1) is not None) != (len(m.group(2)) == 1):
        raise QError("--schema %s: rc %d, output %r %s" % (" ".join(args), rc, out, err))
    return m.group(2)


def check_pair(binary, capture, args, table=None):
    """Runs -f q and -f csv with args on capture and compares; returns problems."""
    qargs = args + (["--table", table] if table else [])
    try:
        types = schema_types(binary, args)
        rq, qtext, qerr = run(binary, ["-f", "q"] + qargs + [capture])
        rc, ctext, cerr = run(binary, ["-f", "csv"] + args + [capture])
    except subprocess.TimeoutExpired:
        return ["timeout"]
    except QError as e:
        return [str(e)]
    probs = []
    if rq != rc or qerr != cerr:
        probs.append("exit/stderr differ: q rc %d %r, csv rc %d %r" % (rq, qerr[:200], rc,
                                                                      cerr[:200]))
    if rq not in (0, 1, 2):
        probs.append("exit code %d" % rq)
    # no input a capture: nothing written, in either format (not even the
    # table's definition or the header line)
    if qtext == "" or ctext == "":
        if qtext != ctext or rq == 0:
            probs.append("q output %d bytes, CSV %d, exit %d: only a failed run writes "
                         "nothing" % (len(qtext), len(ctext), rq))
        return probs
    try:
        name, cols, rows = parse_script(qtext, table or "pcap")
    except QError as e:
        return probs + ["invalid q: %s" % e]
    if "".join(t for _, t in cols) != types:
        probs.append("declared types %s, --schema says %s"
                     % ("".join(t for _, t in cols), types))
    clines = ctext.split("\n")
    if clines[-1] != "":
        probs.append("CSV does not end with a newline")
    header, crow_lines = clines[0], clines[1:-1]
    if header != ",".join(c for c, _ in cols):
        probs.append("q columns %s, CSV header %s" % (",".join(c for c, _ in cols), header))
    if len(rows) != len(crow_lines):
        probs.append("q has %d rows, CSV %d" % (len(rows), len(crow_lines)))
    for k, (qrow, cline) in enumerate(zip(rows, crow_lines), start=1):
        fields = cline.split(",")
        if len(fields) != len(cols):
            probs.append("CSV row %d has %d fields for %d columns" % (k, len(fields), len(cols)))
            continue
        for (col, qtype), qv, cv in zip(cols, qrow, fields):
            qtext_v = "" if qv is None else qv
            if qtext_v != cv:
                probs.append("row %d %s: q %r csv %r" % (k, col, qtext_v, cv))
            elif qtype == "*" and not HEX_RE.match(qtext_v):
                probs.append("row %d %s: data is not lowercase hex: %r" % (k, col, qtext_v))
        if len(probs) > 20:
            probs.append("...")
            break
    return probs


# --- generated captures ---------------------------------------------------

def _csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth_ipv4(proto, l4, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02"):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0x1234, 0x4000, 64, proto, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + l4


def tcp_packet(seq, payload, flags=0x18):
    opts = b"\x01\x01\x08\x0a" + struct.pack("!II", seq, 7)   # NOP NOP timestamps
    hdr = struct.pack("!HHIIBBHHH", 40000, 5010, seq, 99, (5 + len(opts) // 4) << 4, flags,
                      512, 0, 0)
    return eth_ipv4(6, hdr + opts + payload)


def udp_packet(payload):
    return eth_ipv4(17, struct.pack("!HHHH", 53, 5353, 8 + len(payload), 0) + payload)


def ipv6_jumbo_udp():
    """IPv6 payload length 0: the UDP payload length comes from orig_len."""
    ip6 = struct.pack("!IHBB", 0x60000000, 0, 17, 64) + b"\x20\x01" + b"\0" * 13 + b"\1" \
        + b"\x20\x01" + b"\0" * 13 + b"\2"
    return b"\x02" * 12 + b"\x86\xdd" + ip6 + struct.pack("!HHHH", 1, 2, 0, 0) + b"abc"


def write_pcap(path, packets, t0=1589458202):
    """packets: bytes, or (bytes, orig_len) for a record longer on the wire."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for k, p in enumerate(packets):
            p, orig = p if isinstance(p, tuple) else (p, len(p))
            f.write(struct.pack("<IIII", t0 + k // 1000, (k % 1000) * 1000, len(p), orig))
            f.write(p)


def make_captures(d):
    caps = {}
    caps["empty"] = os.path.join(d, "empty.pcap")
    write_pcap(caps["empty"], [])
    caps["one"] = os.path.join(d, "one.pcap")
    write_pcap(caps["one"], [tcp_packet(1000, b"x")])          # one-char data "78"
    caps["two"] = os.path.join(d, "two.pcap")
    write_pcap(caps["two"], [udp_packet(b"a"), tcp_packet(5, b"")])
    caps["batch1001"] = os.path.join(d, "batch1001.pcap")
    write_pcap(caps["batch1001"], [tcp_packet(k * 10, bytes([k % 256]) * (k % 3))
                                   if k % 2 else udp_packet(b"z" * (k % 4))
                                   for k in range(1001)])
    # a batch also ends at 1 MiB of text: 19 rows of 120 kB hex give 9 + 9 + 1
    caps["bigdata"] = os.path.join(d, "bigdata.pcap")
    write_pcap(caps["bigdata"], [udp_packet(bytes([k]) * 60000) for k in range(19)])
    # orig_len beyond q's int range: length and len must not overflow
    caps["biglen"] = os.path.join(d, "biglen.pcap")
    tcp0 = tcp_packet(1, b"hello")
    tcp0 = tcp0[:16] + b"\0\0" + tcp0[18:]                  # IPv4 total length 0
    write_pcap(caps["biglen"], [(udp_packet(b"q"), 2**31 - 2), (udp_packet(b"q"), 2**31 - 1),
                                (udp_packet(b"q"), 2**31), (ipv6_jumbo_udp(), 2**32 - 1),
                                (tcp0, 2**32 - 16)])
    return caps


def run_cases(binary, cases, jobs):
    """Checks each (capture, args, table); returns (passed, failed)."""
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        futs = [(case, ex.submit(check_pair, binary, *case)) for case in cases]
        for (capture, args, table), fut in futs:
            probs = fut.result()
            if probs:
                failed += 1
                label = os.path.relpath(capture, REPO) if capture.startswith(REPO) \
                    else os.path.basename(capture)
                print("FAIL %s %s%s" % (label, " ".join(args),
                                        " --table " + table if table else ""))
                for p in probs[:10]:
                    print("  " + p)
            else:
                passed += 1
    return passed, failed


def check_cases(binary, cases, jobs):
    passed, failed = run_cases(binary, cases, jobs)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--jobs", type=int, default=2)
    part = ap.add_mutually_exclusive_group()
    part.add_argument("--no-corpus", action="store_true",
                      help="testdata, the generated edge cases and the reader's own checks")
    part.add_argument("--corpus-only", action="store_true",
                      help="only the corpus captures: a sample (tests/corpus_sample.py) "
                           "unless PCAP2KDB_FULL=1; exit 77 when the corpus is absent")
    ap.add_argument("--file", nargs=2, metavar=("SCRIPT", "CSV"),
                    help="only check SCRIPT (a -f q output) against CSV")
    a = ap.parse_args()

    if a.file:
        with open(a.file[0], encoding="utf-8", errors="surrogateescape") as f:
            try:
                name, cols, rows = parse_script(f.read())
            except QError as e:
                print("invalid q: %s" % e)
                return 1
        print("ok: table %s, %d columns, %d rows" % (name, len(cols), len(rows)))
        return 0

    binary = os.path.abspath(a.bin)
    if not os.access(binary, os.X_OK):
        print("qscript_check: %s not found (build first)" % binary)
        return 1
    cols = all_columns(binary)
    every = ["--columns", ",".join(cols), "--data-max", "16"]

    testdata = os.path.join(REPO, "testdata")
    caps = sorted(os.path.join(testdata, f) for f in os.listdir(testdata)
                  if f.endswith(CAPTURE_EXT))
    corpus = os.path.normpath(a.corpus)
    if a.corpus_only:
        if not os.path.isdir(corpus):
            corpus_sample.skip(corpus)
        names = corpus_sample.require(
            corpus, sorted(f for f in os.listdir(corpus) if f.endswith(CAPTURE_EXT)))
        picked = corpus_sample.sample(corpus, names)
        print("corpus: %d of %d captures%s" % (len(picked), len(names), "" if
              len(picked) == len(names) else " (a sample; PCAP2KDB_FULL=1 for all)"))
        return check_cases(binary, [(os.path.join(corpus, f), args, None)
                                    for f in picked for args in ([], every)], a.jobs)
    elif not a.no_corpus:
        if os.path.isdir(corpus):
            caps += sorted(os.path.join(corpus, f) for f in os.listdir(corpus)
                           if f.endswith(CAPTURE_EXT))
        else:
            print("SKIP: corpus not found at %s (testdata and edge cases only)" % corpus)

    tmp = tempfile.TemporaryDirectory(prefix="pcap2kdb-qcheck.")
    gen = make_captures(tmp.name)
    cases = []   # (label, capture, args, table)
    # Every capture with all columns (a superset of the default columns'
    # values); the default columns on one capture of each (format, link type)
    # and on the generated ones -- the same writer, so more would only repeat.
    kinds = set()
    for c in caps:
        cases.append((c, every, None))
        k = corpus_sample.kind(c)
        if k not in kinds or not c.startswith(testdata):
            kinds.add(k)
            cases.append((c, [], None))
    for g in ("empty", "one", "two", "batch1001", "biglen"):
        cases.append((gen[g], [], None))
        cases.append((gen[g], every, None))
    # each column alone (a one-column table: `insert enlist COLUMN`) on the
    # small captures; on the 1001-row one a column of each type is enough
    typed = {}
    for c in cols:
        extra = ["--data-max", "16"] if c == "data" else []
        for g in ("empty", "two"):
            cases.append((gen[g], ["--columns", c] + extra, None))
        typed.setdefault(schema_types(binary, ["--columns", c] + extra), (c, extra))
    for c, extra in typed.values():       # the one-row and 1001-row forms by type
        cases.append((gen["one"], ["--columns", c] + extra, None))
        cases.append((gen["batch1001"], ["--columns", c] + extra, None))
    cases.append((gen["one"], ["--columns", "data,sym", "--data-max", "1"], None))
    cases.append((gen["bigdata"], ["--columns", "data,len,sym", "--data-max", "65535"], None))
    cases.append((gen["bigdata"], ["--columns", "data", "--data-max", "65535"], None))
    cases.append((gen["two"], ["--columns", "sym", "--sym", "q"], None))    # ,"q" items
    cases.append((gen["one"], ["--columns", "sym", "--sym", "q"], None))    # enlist ,"q"
    cases.append((gen["two"], ["--sym", ""], None))                          # empty sym
    for sym in ("a\\b", "\\", "end\\", "x y/z;`$ \t#"):                      # escapes
        cases.append((gen["two"], ["--columns", "sym,time", "--sym", sym], None))
        cases.append((gen["one"], ["--columns", "time,sym", "--sym", sym], None))
        cases.append((gen["one"], ["--columns", "sym", "--sym", sym], None))
    # two inputs, the second named with a backslash (its sym): escaped
    # although its sym may sit where the first input's did
    backslashed = os.path.join(tmp.name, "b\\x.pcap")
    with open(gen["two"], "rb") as src, open(backslashed, "wb") as dst:
        dst.write(src.read())
    cases.append((backslashed, [gen["two"]], None))
    cases.append((backslashed, ["--columns", "sym", gen["one"]], None))
    for t in ("trades", "T_1", "x"):
        cases.append((gen["two"], [], t))
        cases.append((gen["empty"], ["--columns", "len"], t))
    testcaps = [c for c in caps if c.startswith(testdata)]
    cases.append((testcaps[0], ["-c", "1"], "one"))

    passed, failed = run_cases(binary, cases, a.jobs)

    # The empty capture: the table is still created, with every column typed.
    _, qtext, _ = run(binary, ["-f", "q"] + every + [gen["empty"]])
    try:
        name, qcols, rows = parse_script(qtext)
        exp = schema_types(binary, every)
        assert [c for c, _ in qcols] == cols and "".join(t for _, t in qcols) == exp \
            and rows == [] and len(qtext.split("\n")) == 4, qtext
        passed += 1
    except (QError, AssertionError) as e:
        print("FAIL empty capture must give only the typed table definition: %s" % e)
        failed += 1

    # q keywords and non-names are refused as table names (the script would not load).
    for t in ("select", "insert", "exec", "1x", "a-b", "_x", ""):
        rc, out, err = run(binary, ["-f", "q", "--table", t, gen["one"]])
        if rc != 1 or out:
            print("FAIL --table %r: expected a usage error (exit 1), got %d" % (t, rc))
            failed += 1
        else:
            passed += 1

    # The reader itself must reject what is not in the grammar.
    good = (COMMENT + "\nif[not `pcap in key `.;pcap:([] time:`timestamp$(); sym:`symbol$(); "
            "len:`int$())]\n" + check_line("pcap", ["time", "sym", "len"]) + "\n"
            "`pcap insert (2020.01.01D00:00:00.000000000 0Np;`$(\"ab\";,\"b\");1 0Ni)\n")
    bad = [
        good.replace("1 0Ni", "1 0N"),                         # ints without suffix
        good.replace(",\"b\"", "\"b\""),                       # char atom in a sym list
        good.replace("0Np", "0N"),                             # untyped null in times
        good.replace("2020.01.01D", "2020.02.30D"),            # no such date
        good.replace("2020.01.01D", "2300.01.01D"),            # past q's range
        good.replace("1 0Ni", "2147483648 0Ni"),               # int overflow
        good.replace("1 0Ni", "2147483647 0Ni"),               # 0Wi
        good.replace("(\"ab\";", "(\"a\\b\";"),                 # bad escape
        good.replace("`pcap insert (", "`pcap insert ("[:-1] + "  ("),
        good.replace(";1 0Ni)", ";1i)"),                       # length mismatch
        good.replace("`$(\"ab\";,\"b\")", "`$(\"ab\")"),         # one-item list
        good.replace("`pcap insert", "`trades insert"),        # other table
        good.replace("len:`int$()", "len:`float$()"),          # type outside grammar
        good.replace("`time`sym`len", "`time`sym"),            # check of other columns
        good.replace("`time`sym`len", "`time`len`sym"),        # ... in another order
        good.replace("in key `.;pcap:", "in key `.;trades:"),  # makes another table
        good.replace("if[not `pcap in key `.;", "").replace(")]\n", ")\n", 1),  # always made
        good[:-1],                                             # no final newline
    ]
    try:
        parse_script(good)
        passed += 1
    except QError as e:
        print("FAIL reader rejects a valid script: %s" % e)
        failed += 1
    p, f = rejections(parse_script, bad, "script")
    passed, failed = passed + p, failed + f

    tmp.cleanup()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
