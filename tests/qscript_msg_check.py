#!/usr/bin/env python3
"""Reader test for `-f q` of the message and connection tables (no q needed).

The packet table has tests/qscript_check.py; this is its counterpart for the
tables of `--fix`, `--kdb` (src/output/write_table.c) and `--flows` (src/modes/flows/flows_summary.c).
A strict reader of exactly the grammar they emit:

  --fix, --kdb (write_table.c):
    / pcap2kdb: load with \\l FILE.q
    if[not `NAME in key `.;NAME:([] col:`timestamp$(); col:`symbol$(); col:`short$();
             col:`int$(); col:`long$(); col:`float$(); col:`boolean$(); col:`timespan$(); col:())]
    if[not(@[cols;NAME;()])~`col`col...;'"NAME: a table of this name exists with other columns"]
    `NAME insert (COLUMN;COLUMN;...)      one statement per batch (<= 1000 rows, fewer
                                          once its text reaches 1 MiB)
    `NAME insert enlist COLUMN            a one-column table

  where COLUMN is, by declared type (two rows or more | one row):
    P  2026.01.05D13:30:00.000001000 0Np          | enlist 0Np
    N  0D00:00:00.000120000 -0D00:00:01.000000000 0Nn
    F  101.25 100. -0.5 0n                        (a dot in every value)
    J  1 0N -3          I  1 0N 3i         H  -128 0N 10h   (suffix at the end)
    B  1011b                                      (null is 0)
    S  `$("ab";,"c";"")   | `$enlist "ab"         ("" is the null)
    *  ("ab";,"c";"")     | enlist "ab"
  strings: raw bytes but " \\ CR LF and other control bytes, which are
  written \\" \\\\ and \\ooo (three octal digits, <= \\377), as q reads them.

  --flows (flows_summary.c): one row per statement, atoms:
    / pcap2kdb --flows: load with \\l FILE.q
    if[not `NAME in key `.;NAME:([] ...)]          (types P S I J N)
    if[not(@[cols;NAME;()])~`col`col...;'"..."]    (as above)
    `NAME insert (0;`$"sym";`$"10.0.0.1";40000i;...;0Np;0Nn;0Ni;0N;`$"")

Every value is checked against its declared type with q's ranges (short and
int without their null and infinities, long, timestamp and timespan grammar
and range, float syntax, boolean digits), compared with the CSV of the same
run (RFC 4180: quoted fields unquoted, "" undoubled; nulls = empty fields;
string bytes decoded on both sides and compared), and the declared types are
compared with --schema for the same options.

Captures: testdata/fix_*, kdb_*, analysis_*, flows_* and from ../shared/corpus the
fixsim-shared__*, kdbipc-shared__tick-any and a dozen others for --flows
(skipped with a message when the corpus is absent); generated edge cases:
no messages, one message, 1001 messages (a batch boundary), FIX values and
kdb+ strings with quotes, backslashes, commas, CR, LF, control and non-ASCII
bytes, one-character values, odd floats, a --sym with backslashes.

Usage: tests/qscript_msg_check.py [--bin PATH] [--corpus DIR] [--jobs N]
                                  [--no-corpus | --corpus-only]
       tests/qscript_msg_check.py --gen DIR   (only write the generated captures;
       testdata/kdb_qstrings.pcap is kdb_weird.pcap, fix_qstrings.pcap fix_weird.pcap)
The last line is `N passed, N failed`; exit status 1 on any failure.
"""

import argparse
import functools
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import qscript_check as qc        # noqa: E402  (timestamp check, packet builders)
from csv_text import csv_unescape  # noqa: E402
from qscript_check import check_span  # noqa: E402
import gen_fixdata as gf          # noqa: E402
import gen_kdb as gk              # noqa: E402

REPO = os.path.dirname(HERE)
DEFAULT_BIN = os.path.join(REPO, "build", "pcap2kdb")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_sample  # noqa: E402  (the corpus, its sample, the skip code)
DEFAULT_CORPUS = corpus_sample.corpus_dir()
TIMEOUT = 120

MSG_COMMENT = "/ pcap2kdb: load with \\l FILE.q"
FLOWS_COMMENT = "/ pcap2kdb --flows: load with \\l FILE.q"
DECL = {"P": "`timestamp$()", "S": "`symbol$()", "H": "`short$()", "I": "`int$()",
        "J": "`long$()", "F": "`float$()", "B": "`boolean$()", "N": "`timespan$()",
        "*": "()"}
TYPE_OF_DECL = {v: k for k, v in DECL.items()}
COL_RE = re.compile(r" ([a-z][a-z0-9_]*):(" + "|".join(re.escape(d) for d in DECL.values())
                    + r")\Z")
NUM_RE = re.compile(r"-?[0-9]+\Z")
FLOAT_RE = re.compile(r"-?[0-9]+\.[0-9]*\Z")
LIMIT = {"H": 2**15 - 2, "I": 2**31 - 2, "J": 2**63 - 2}  # +-(2**k-1) are +-0W, -2**k 0N
NULL = {"P": "0Np", "N": "0Nn", "F": "0n", "J": "0N", "I": "0N", "H": "0N"}
NS_MAX = 2**63 - 2


QError = qc.QError  # check_span, shared with the packet checker, raises it


# ------------------------------------------------------------- values --

def check_item(t, qtype):
    """One item of a numeric/temporal column (suffix removed); None for null."""
    if t == NULL[qtype]:
        return None
    if qtype == "P":
        try:
            qc.check_timestamp(t)
        except qc.QError as e:
            raise QError(str(e))
    elif qtype == "N":
        check_span(t)
    elif qtype == "F":
        if not FLOAT_RE.match(t):
            raise QError("%r is not a float item (digits, a dot, digits)" % t)
    else:
        if not NUM_RE.match(t):
            raise QError("%r is not a %s item" % (t, qtype))
        if abs(int(t)) > LIMIT[qtype]:
            raise QError("%s value %s outside q's range (+-%d; beyond are infinities, null "
                         "or overflow)" % (qtype, t, LIMIT[qtype]))
    return t


class Line(qc.Line):
    """The packet reader's cursor, with the message tables' strings (any
    byte of the wire, so \" too)."""

    def qstring(self):
        """At a '"': a q string literal; returns its bytes (latin-1 text)."""
        self.expect('"')
        out = []
        while True:
            if self.at_end():
                self.fail("unterminated string")
            c = self.s[self.i]
            if c == '"':
                self.i += 1
                return "".join(out)
            if c == "\\":
                n = self.s[self.i + 1:self.i + 2]
                if n in ('"', "\\"):
                    out.append(n)
                    self.i += 2
                    continue
                o = self.s[self.i + 1:self.i + 4]
                if re.fullmatch(r"[0-3][0-7][0-7]", o):
                    out.append(chr(int(o, 8)))
                    self.i += 4
                    continue
                self.fail("escape other than \\\" \\\\ \\ooo")
            if ord(c) < 0x20 or ord(c) == 0x7f:
                self.fail("raw control byte 0x%02x in a string (written \\ooo)" % ord(c))
            out.append(c)
            self.i += 1

    def item(self):
        """A list item: ,"c" (one char) or "..." (not one char)."""
        one = self.take(",")
        v = self.qstring()
        if one and len(v) != 1:
            self.fail(',"..." enlists exactly one character, got %r' % v)
        if not one and len(v) == 1:
            self.fail("one-character string %r must be written ,\"c\" (else a char atom)" % v)
        return v

def parse_column(ln, qtype):
    """A message table column literal; returns its values (None = null)."""
    if qtype in "S*":
        if qtype == "S":
            ln.expect("`$")
        if ln.take("enlist "):
            vals = [ln.item()]
        else:
            ln.expect("(")
            vals = [ln.item()]
            while ln.take(";"):
                vals.append(ln.item())
            ln.expect(")")
            if len(vals) < 2:
                ln.fail("a parenthesised list of one string is a string, not a list")
        return [v if v != "" else None for v in vals]
    single = ln.take("enlist ")
    if qtype == "B":
        t = ln.token()
        if not re.fullmatch(r"[01]+b", t):
            ln.fail("%r is not a boolean vector" % t)
        if single != (len(t) == 2):
            ln.fail("one boolean needs enlist, several must not have it")
        return list(t[:-1])
    toks = [ln.token()]
    while not single and ln.take(" "):
        toks.append(ln.token())
    if not single and len(toks) < 2:
        ln.fail("a vector of one value without enlist is an atom")
    if qtype in "IH":
        suf = qtype.lower()
        if not toks[-1].endswith(suf):
            ln.fail("%s vector without its %s suffix" % (qtype, suf))
        toks[-1] = toks[-1][:-1]
    try:
        return [check_item(t, qtype) for t in toks]
    except QError as e:
        ln.fail(str(e))


def parse_atom(ln, qtype):
    """A --flows atom; returns its value (None = null)."""
    if qtype == "S":
        ln.expect("`$")
        v = ln.qstring()
        return v if v != "" else None
    t = ln.token()
    if qtype == "I":
        if t == "0Ni":
            return None
        if not t.endswith("i"):
            ln.fail("int atom without its i suffix")
        t = t[:-1]
        if t == "0N":
            ln.fail("0N then i: write 0Ni")
    if qtype == "J" and t == "0N":
        return None
    try:
        return check_item(t, qtype)
    except QError as e:
        ln.fail(str(e))


# the definition line and the column check, as the packet reader has them
DEF_RE = qc.DEF_RE
check_line = qc.check_line


def parse_decl(lines, comment, table):
    """Lines 1-3: the comment, the table made unless it exists, the check
    that an existing one has the same columns."""
    if lines[0] != comment:
        raise QError("line 1: expected the comment %r, got %r" % (comment, lines[0]))
    if len(lines) < 3:
        raise QError("no table definition and check")
    m = DEF_RE.match(lines[1])
    if not m or m.group(1) != m.group(2):
        raise QError("line 2: not if[not `NAME in key `.;NAME:([] ...)]: %r" % lines[1][:80])
    if m.group(1) != table:
        raise QError("line 2: table %r, expected %r" % (m.group(1), table))
    cols = []
    for item in m.group(3).split(";"):
        c = COL_RE.match(item)
        if not c:
            raise QError("line 2: bad column declaration %r" % item)
        cols.append((c.group(1), TYPE_OF_DECL[c.group(2)]))
    if len({c for c, _ in cols}) != len(cols):
        raise QError("line 2: duplicate column names")
    want = check_line(table, [c for c, _ in cols])
    if lines[2] != want:
        raise QError("line 3: not the column check %r: %r" % (want, lines[2][:120]))
    return cols


def parse_script(text, table, flows=False):
    """A whole -f q output (latin-1 text); returns ([(col, qtype)], rows)."""
    if not text.endswith("\n"):
        raise QError("script does not end with a newline")
    lines = text[:-1].split("\n")
    cols = parse_decl(lines, FLOWS_COMMENT if flows else MSG_COMMENT, table)
    if flows and any(t not in "PSIJN" for _, t in cols):
        raise QError("line 2: --flows declares a type outside P S I J N")
    rows = []
    prefix = "`%s insert " % table
    for n, text_line in enumerate(lines[3:], start=4):
        ln = Line(text_line, n)
        ln.expect(prefix)
        if flows:
            ln.expect("(")
            row = []
            for k, (_, qtype) in enumerate(cols):
                if k:
                    ln.expect(";")
                row.append(parse_atom(ln, qtype))
            ln.expect(")")
            if not ln.at_end():
                ln.fail("trailing text")
            rows.append(tuple(row))
            continue
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
        if counts.pop() > 1000:
            raise QError("line %d: a batch of more than 1000 rows" % n)
        rows.extend(zip(*vectors))
    return cols, rows


# ---------------------------------------------------------------- CSV --

def parse_csv(text):
    """RFC 4180 as the writers emit it: LF line ends, one record per line
    (no CR, no LF inside a field: outside text is escaped, csv_text.py), a
    field quoted only when it holds , or ". Returns the records as lists of
    fields (still escaped)."""
    if "\r" in text:
        raise QError("CSV: a raw CR at byte %d" % text.index("\r"))
    recs, i, n = [], 0, len(text)
    if n and not text.endswith("\n"):
        raise QError("CSV does not end with a newline")
    while i < n:
        rec = []
        while True:
            if text.startswith('"', i):
                j, out = i + 1, []
                while True:
                    k = text.find('"', j)
                    if k < 0:
                        raise QError("CSV: unterminated quoted field at byte %d" % i)
                    out.append(text[j:k])
                    if text.startswith('""', k):
                        out.append('"')
                        j = k + 2
                        continue
                    j = k + 1
                    break
                f = "".join(out)
                if "\n" in f:
                    raise QError("CSV: a record across lines at byte %d" % i)
                if not re.search(r'[,"]', f):
                    raise QError("CSV: field %r quoted without need" % f)
                if j < n and text[j] not in ",\n":
                    raise QError("CSV: text after a closing quote at byte %d" % j)
                i = j
            else:
                m = re.compile(r'[^,"\r\n]*').match(text, i)
                f = m.group(0)
                i = m.end()
                if i < n and text[i] not in ",\n":
                    raise QError("CSV: raw %r in an unquoted field at byte %d" % (text[i], i))
            rec.append(f)
            if text[i] == "\n":
                i += 1
                break
            i += 1                  # ','
        recs.append(rec)
    return recs


def same_value(qtype, qv, cv):
    if qv is None:
        return cv == ""
    if qtype == "B":                # q has no boolean null: 0 for an empty field
        return qv == cv or (qv == "0" and cv == "")
    if qtype == "F":                # q needs the dot the CSV may leave out
        return qv == cv or (qv == cv + "." and "." not in cv)
    return qv == cv


# -------------------------------------------------------------- checks --

def run(binary, args):
    p = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT)
    return p.returncode, p.stdout.decode("latin-1"), p.stderr


@functools.lru_cache(maxsize=None)
def _schema(binary, args, table):
    return _schema_types(binary, list(args), *([table] if table else []))


def schema_types(binary, args, table=None):
    """--schema's types for args: one run per distinct args."""
    return _schema(binary, tuple(args), table)


def _schema_types(binary, args, table):
    rc, out, err = run(binary, args + ["--schema"])
    m = re.fullmatch(r'%s:\((enlist)?"([^"]*)";enlist","\) 0: `:out\.csv\n' % table, out)
    # enlisted exactly when it is one letter (a char atom in q otherwise)
    if rc != 0 or not m or (m.group(1) is not None) != (len(m.group(2)) == 1):
        raise QError("--schema %s: rc %d, output %r %s" % (" ".join(args), rc, out, err))
    return m.group(2)


def check_pair(binary, capture, args, table):
    flows = "--flows" in args
    try:
        types = schema_types(binary, args, table)
        rq, qtext, qerr = run(binary, ["-f", "q"] + args + [capture])
        # --table names -f q's table; CSV has none (refused there)
        csv_args = [a for i, a in enumerate(args)
                    if a != "--table" and (i == 0 or args[i - 1] != "--table")]
        rc, ctext, cerr = run(binary, ["-f", "csv"] + csv_args + [capture])
    except subprocess.TimeoutExpired:
        return ["timeout"], 0
    except QError as e:
        return [str(e)], 0
    probs = []
    if rq != rc or qerr != cerr:
        probs.append("exit/stderr differ: q rc %d %r, csv rc %d %r"
                     % (rq, qerr[:200], rc, cerr[:200]))
    if rq not in (0, 2):
        probs.append("exit code %d: %r" % (rq, qerr[:200]))
    try:
        cols, rows = parse_script(qtext, table, flows)
    except QError as e:
        return probs + ["invalid q: %s" % e], 0
    if "".join(t for _, t in cols) != types:
        probs.append("declared types %s, --schema says %s"
                     % ("".join(t for _, t in cols), types))
    try:
        recs = parse_csv(ctext)
    except QError as e:
        return probs + [str(e)], len(rows)
    if not recs or recs[0] != [c for c, _ in cols]:
        probs.append("q columns %s, CSV header %s"
                     % (",".join(c for c, _ in cols), recs[0] if recs else None))
    if len(rows) != len(recs) - 1:
        probs.append("q has %d rows, CSV %d" % (len(rows), len(recs) - 1))
    for k, (qrow, crec) in enumerate(zip(rows, recs[1:]), start=1):
        if len(crec) != len(cols):
            probs.append("CSV row %d has %d fields for %d columns" % (k, len(crec), len(cols)))
            continue
        for (col, qtype), qv, cv in zip(cols, qrow, crec):
            if qtype in "S*" and col != "sym":
                if re.search(r"[\x00-\x1f\x7f]", cv):
                    probs.append("row %d %s: a raw control byte in %r" % (k, col, cv))
                    continue
                try:
                    cv = csv_unescape(cv)   # outside text; the sym is the user's, raw
                except ValueError as e:
                    probs.append("row %d %s: %s" % (k, col, e))
                    continue
            if not same_value(qtype, qv, cv):
                probs.append("row %d %s: q %r csv %r" % (k, col, qv, cv))
        if len(probs) > 20:
            probs.append("...")
            break
    return probs, len(rows)


def column_list(binary, mode):
    rc, _, err = run(binary, [mode, "--columns", "no_such_column", "--schema"])
    m = re.search(r"valid columns: (\S+)", err.decode())
    if rc != 1 or not m:
        raise SystemExit("qscript_msg_check: no column list from %s %s (rc %d): %s"
                         % (binary, mode, rc, err.decode()))
    return [c for c in m.group(1).split(",") if c != "tagN"]   # tagN: --tags


# ----------------------------------------------------- generated captures --

WEIRD = ['q"uote', 'back\\slash', 'com,ma', 'new\nline', 'cr\rlf\r\n', '\\', '"', ',',
         'tab\tbell\x07del\x7f', 'caf\xe9 \u20ac', '\\"\\', '\\101', ' lead', 'x']


def fix_capture(path, msgs_per_conn, weird=False):
    """FIX orders and reports over one connection (gen_fixdata's builders)."""
    cap = gf.Capture("q")
    c = gf.Conn(cap, 40000)
    c.handshake()
    for k in range(msgs_per_conn):
        if weird:
            w = WEIRD[k % len(WEIRD)]
            f = gf.order(k + 1, w, qty=["100", ".5", "-.25", "12.", "-0", "1e5", "abc", "-",
                                        "007", "1.2.3"][k % 10],
                         price=str(k) + ".5" if k % 3 else str(k), sym=w[::-1],
                         sender=w, target=WEIRD[(k + 3) % len(WEIRD)])
            f[1] = (34, ["000042", "9" * 18, "9" * 19, "-1", "", "x1"][k % 6])
            if k % 5 == 2:
                f[4] = (52, "20260105-25:00:00")          # no SendingTime: 0Np
            f += [(37, w + w), (39, WEIRD[(k + 5) % len(WEIRD)]), (58, w)]
            if k % 4 == 1:
                f = [x for x in f if x[0] not in (11, 49, 55, 37)]
            m = fixmsg_raw(f)
        else:
            f = gf.order(k + 1, "C%d" % k) if k % 2 == 0 else gf.report(k + 1, "C%d" % (k - 1))
            m, _ = gf.fixmsg(f)
        c.seg(k % 2, m)
    with open(path, "wb") as fh:
        fh.write(cap.pcap())


def fixmsg_raw(fields):
    """gf.fixmsg with latin-1 values (any byte but SOH)."""
    body = b"".join(b"%d=%s\x01" % (t, v.encode("latin-1", "replace")
                                      if isinstance(v, str) else v) for t, v in fields)
    head = b"8=FIX.4.4\x019=%d\x01" % len(body)
    return head + body + b"10=%03d\x01" % (sum(head + body) % 256)


def kdb_capture(path):
    """kdb+ strings with quotes, backslashes, commas, newlines, non-ASCII bytes;
    a header with a bad compression flag (its reason holds a comma)."""
    cap = gk.Capture()
    c = gk.Conn(cap, 40010, 5010)
    c.hello('us"er\\,x', "pw")
    for w in WEIRD:
        c.send(0, gk.SYNC, gk.chars(w) if w.isascii() else
               b"\x0a\x00" + len(w.encode("utf-8")).to_bytes(4, "little") + w.encode("utf-8"),
               {})
        c.send(1, gk.RESPONSE, gk.error(w.replace("\x00", "")) if w.isascii() else
               b"\x80" + w.encode("utf-8") + b"\0", {})
        c.send(0, gk.ASYNC, gk.glist([gk.sym(w), gk.sym(w + w), gk.longs([1])])
               if w.isascii() else gk.glist([gk.chars("f"), gk.sym("t")]), {})
    bad = bytearray(gk.message(gk.ASYNC, gk.chars("abc")))
    bad[2] = 3                                   # compression flag 3
    good = b"".join(gk.message(gk.ASYNC, gk.glist([gk.sym(".u.upd"), gk.sym("t"),
                                                    gk.longs([k])])) for k in range(3))
    c.seg(0, bytes(bad) + good)
    with open(path, "wb") as fh:
        fh.write(cap.pcap())


def make_captures(d):
    caps = {}

    def p(name):
        caps[name] = os.path.join(d, name + ".pcap")
        return caps[name]
    qc.write_pcap(p("empty"), [])
    qc.write_pcap(p("nontcp"), [qc.udp_packet(b"8=FIX.4.4\x01")] * 3)
    fix_capture(p("fix_one"), 1)
    fix_capture(p("fix_two"), 2)
    fix_capture(p("fix_1001"), 1001)
    fix_capture(p("fix_weird"), 3 * len(WEIRD), weird=True)
    fix_capture(p("fix_weird1"), 1, weird=True)
    kdb_capture(p("kdb_weird"))
    return caps


# ---------------------------------------------------------------- main --

def run_cases(binary, cases, jobs):
    """Checks each (capture, args, table); returns (passed, failed)."""
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        futs = [(case, ex.submit(check_pair, binary, *case)) for case in cases]
        for (capture, args, table), fut in futs:
            probs, _nrows = fut.result()
            if probs:
                failed += 1
                label = os.path.relpath(capture, REPO) if capture.startswith(REPO) \
                    else os.path.basename(capture)
                print("FAIL %s %s" % (label, " ".join(repr(x) if re.search(r"[^\w,.-]", x)
                                                       else x for x in args)))
                for pr in probs[:10]:
                    print("  " + pr)
            else:
                passed += 1
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--jobs", type=int, default=2)
    part = ap.add_mutually_exclusive_group()
    part.add_argument("--no-corpus", action="store_true",
                      help="testdata, the generated cases and the reader's own checks")
    part.add_argument("--corpus-only", action="store_true",
                      help="only the corpus captures; exit 77 when the corpus is absent")
    ap.add_argument("--gen", metavar="DIR", help="write the generated captures to DIR, stop")
    a = ap.parse_args()
    if a.gen:
        os.makedirs(a.gen, exist_ok=True)
        for name, path in sorted(make_captures(a.gen).items()):
            print(path)
        return 0
    binary = os.path.abspath(a.bin)
    if not os.access(binary, os.X_OK):
        print("qscript_msg_check: %s not found (build first)" % binary)
        return 1

    fixcols = column_list(binary, "--fix")
    kdbcols = column_list(binary, "--kdb")
    fix_all = ["--fix", "--columns", ",".join(fixcols), "--tags", "37,39"]
    kdb_all = ["--kdb", "--columns", ",".join(kdbcols)]
    FIX = [["--fix"], fix_all]
    KDB = [["--kdb"], kdb_all]
    FLOWS = [["--flows"]]

    td = os.path.join(REPO, "testdata")
    tfiles = sorted(f for f in os.listdir(td) if f.endswith((".pcap", ".pcapng")))
    cases = []          # (capture, args, table)

    def add(capture, variants, table, extra=()):
        for v in variants:
            cases.append((capture, v + list(extra), table))
    for f in tfiles:
        path = os.path.join(td, f)
        if f.startswith("fix_"):
            add(path, FIX, "fix")
        elif f.startswith("kdb_"):
            add(path, KDB, "kdb")
        elif f.startswith(("analysis_", "flows_")):   # (no FIX or kdb+ messages:
            add(path, FLOWS, "flows")         # the generated "nontcp" case is that)
    corpus = os.path.normpath(a.corpus)
    if a.corpus_only:
        if not os.path.isdir(corpus):
            corpus_sample.skip(corpus)
        cases.clear()           # testdata and the generated cases: --no-corpus
    if a.no_corpus:
        pass
    elif os.path.isdir(corpus):
        names = sorted(os.listdir(corpus))
        for f in names:
            path = os.path.join(corpus, f)
            if re.fullmatch(r"fixsim-shared__.*\.pcap(ng)?", f):
                add(path, FIX, "fix")
                add(path, FLOWS, "flows")
            elif f == "kdbipc-shared__tick-any.pcap":
                add(path, KDB, "kdb")
                add(path, FLOWS, "flows")
        # a dozen diverse captures for --flows: the corpus captures with the
        # most TCP connections by tshark (tests/flows_conv_expected.tsv) --
        # TLS, HTTP, pcapng, raw IP, IP over InfiniBand, malformed RESP, BGP
        counts = {}
        with open(os.path.join(HERE, "flows_conv_expected.tsv")) as fh:
            for line in fh:
                if not line.startswith("#"):
                    f = line.split("\t", 1)[0]
                    counts[f] = counts.get(f, 0) + 1
        picked = [f for f in sorted(counts, key=lambda f: (-counts[f], f))
                  if not f.startswith(("fixsim", "kdbipc")) and f in names][:12]
        for f in picked:
            add(os.path.join(corpus, f), FLOWS, "flows")
    else:
        print("SKIP: corpus not found at %s (testdata and generated cases only)" % corpus)

    if a.corpus_only:
        corpus_sample.require(corpus, cases, "FIX or kdb+ captures")
        passed, failed = run_cases(binary, cases, a.jobs)
        print("%d passed, %d failed" % (passed, failed))
        return 1 if failed else 0

    tmp = tempfile.TemporaryDirectory(prefix="pcap2kdb-qmsg.")
    gen = make_captures(tmp.name)
    for g in ("empty", "nontcp", "fix_one", "fix_two", "fix_1001", "fix_weird", "fix_weird1"):
        add(gen[g], FIX, "fix")
        add(gen[g], FIX, "fix", ["--tags", "58"])
    for g in ("empty", "nontcp", "kdb_weird", "fix_two"):
        add(gen[g], KDB, "kdb")
    for g in ("empty", "nontcp", "fix_one", "fix_weird", "kdb_weird"):
        add(gen[g], FLOWS, "flows")
    typed = {}
    for c in fixcols:                       # each column alone: one-column tables
        for g in ("fix_two", "fix_weird"):
            add(gen[g], [["--fix", "--columns", c]], "fix")
        typed.setdefault(schema_types(binary, ["--fix", "--columns", c], "fix"), c)
    for c in typed.values():                # the one-row form, a column of each type
        add(gen["fix_one"], [["--fix", "--columns", c]], "fix")
    for c in kdbcols:
        add(gen["kdb_weird"], [["--kdb", "--columns", c]], "kdb")
    add(gen["fix_weird"], [["--fix", "--columns", "tag58"], ["--fix", "--columns",
                                                               "clordid,tag58,qty"]], "fix")
    for sym in ("a\\b", "end\\", "\\", "tab\there", "caf\xe9"):
        add(gen["fix_two"], FIX, "fix", ["--sym", sym])
        add(gen["fix_one"], [["--fix", "--columns", "sym"]], "fix", ["--sym", sym])
        add(gen["kdb_weird"], KDB, "kdb", ["--sym", sym])
        add(gen["fix_one"], FLOWS, "flows", ["--sym", sym])
    for v in (FIX, KDB, FLOWS):
        add(gen["fix_two"], v, "T_1", ["--table", "T_1"])

    passed, failed = run_cases(binary, cases, a.jobs)

    # Captures without messages still create the table, every column typed.
    for args, table in ((fix_all, "fix"), (kdb_all, "kdb"), (["--flows"], "flows")):
        rc, qtext, _ = run(binary, ["-f", "q"] + args + [gen["empty"]])
        try:
            cols, rows = parse_script(qtext, table, table == "flows")
            assert rows == [] and len(qtext.split("\n")) == 4, qtext
            assert "".join(t for _, t in cols) == schema_types(binary, args, table)
            passed += 1
        except (QError, AssertionError) as e:
            print("FAIL empty capture %s: only the typed definition expected: %s"
                  % (" ".join(args[:1]), e))
            failed += 1

    # The edge cases really are in the output (else the cases above prove little).
    _, qtext, _ = run(binary, ["-f", "q", "--tags", "58"] + fix_all + [gen["fix_weird"]])
    for lit in ('\\"', "\\\\", "\\012", "\\015", "\\011", "\\177", "\xe9", ",\"\\\\\"",
                ",\"\\\"\"", ",\",\"", "0n", "0N", "0Np", "0Nn"):
        if lit not in qtext:
            print("FAIL generated FIX capture: %r not in the q output" % lit)
            failed += 1
    _, ctext, _ = run(binary, ["--kdb", gen["kdb_weird"]])
    if ',bad,"compression flag not 0, 1 or 2"' not in ctext:
        print("FAIL generated kdb capture: no row with the bad compression flag")
        failed += 1

    # The reader itself rejects what is not in the grammar.
    good = (MSG_COMMENT + "\nif[not `fix in key `.;fix:([] t:`timestamp$(); s:`symbol$(); "
            "h:`short$(); i:`int$(); f:`float$(); b:`boolean$(); n:`timespan$(); q:())]\n"
            + check_line("fix", ["t", "s", "h", "i", "f", "b", "n", "q"]) + "\n"
            "`fix insert (2020.01.01D00:00:00.000000000 0Np;`$(\"a\\\"\\\\\\012\";,\"b\");"
            "-128 0Nh;1 0Ni;1.5 0n;10b;0D00:00:01.000000000 0Nn;(\"\";,\"\\\\\"))\n")
    bad = [good.replace("-128 0Nh", "-128 0N"),             # shorts without suffix
           good.replace("-128 0Nh", "-32768 0Nh"),          # 0Nh
           good.replace("-128 0Nh", "32767 0Nh"),           # 0Wh
           good.replace("1 0Ni", "2147483647 0Ni"),         # 0Wi
           good.replace("1.5 0n", "1 0n"),                  # float without a dot
           good.replace("1.5 0n", "1.5 0N"),                # long null in floats
           good.replace("1.5 0n", "1e5 0n"),
           good.replace("10b", "1 0b"),                     # booleans with a space
           good.replace("10b", "12b"),
           good.replace("0D00:00:01.000000000", "0D24:00:01.000000000"),
           good.replace("0D00:00:01.000000000 0Nn", "0D00:00:01.000000000 0Np"),
           good.replace("\\012", "\\n"),                    # escape not emitted
           good.replace("\\012", "\\400"),
           good.replace("\\012", "\n"),                     # raw LF
           good.replace("\\012", "\t"),                     # raw control byte
           good.replace(',\"b\"', '\"b\"'),                 # char atom
           good.replace('(\"\";,\"\\\\\")', '(\"\")'),      # one-item list
           good.replace("f:`float$()", "f:`real$()"),
           good.replace("`fix insert", "`pcap insert"),
           good.replace("`t`s`h`i`f`b`n`q", "`t`s`h`i`f`b`n"),   # check of other columns
           good.replace("in key `.;fix:", "in key `.;pcap:"),
           good[:-1]]
    try:
        parse_script(good, "fix")
        passed += 1
    except QError as e:
        print("FAIL reader rejects a valid script: %s" % e)
        failed += 1
    p, f = qc.rejections(lambda b: parse_script(b, "fix"), bad, "script")
    passed, failed = passed + p, failed + f
    fgood = (FLOWS_COMMENT + "\nif[not `flows in key `.;flows:([] a:`long$(); s:`symbol$(); "
             "i:`int$(); n:`timespan$())]\n" + check_line("flows", ["a", "s", "i", "n"]) +
             "\n`flows insert (0N;`$\"x\";0Ni;0Nn)\n")
    p, f = qc.rejections(lambda b: parse_script(b, "flows", True),
                         [fgood.replace("0Ni", "0N"), fgood.replace("0Ni", "5"),
                          fgood.replace('`$"x"', '`$,"x"'), fgood.replace("0Nn", "0Np"),
                          fgood.replace("--flows", "")], "flows script")
    passed, failed = passed + p, failed + f
    try:
        parse_script(fgood, "flows", True)
        parse_csv('a,"b,""c"""\n,x\\012y\n')
        passed += 1
    except QError as e:
        print("FAIL reader rejects a valid flows script or CSV: %s" % e)
        failed += 1
    # a record must be one line: a raw LF or CR inside quotes, or any raw
    # control byte, is refused (the CSV writers escape them)
    p, f = qc.rejections(parse_csv, ['a,"x\ny"\n', 'a,x\ry\n', 'a,"b"\n'], "CSV")
    passed, failed = passed + p, failed + f

    tmp.cleanup()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
