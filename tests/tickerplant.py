#!/usr/bin/env python3
"""A test tickerplant for pcap2kdb --publish, written from KX's public
kdb+ IPC documentation (code.kx.com/q/basics/ipc, q/kb/serialization) and
kdb-tick's tick.q, not from src/:
its own decoder and encoder.

It listens on 127.0.0.1 (port 0: the kernel picks; the port is written to
--port-file), does the handshake (refusing wrong credentials by closing,
as kdb+ does), decodes every message and emulates tick.q's .u.upd:

    upd:{[t;x] if[not -16=type first first x; a:"n"$.z.P;
                  x:$[0>type first x;a,x;(enlist(count first x)#a),x]]; ...}

i.e. a timespan column is prepended when the first column is not a
timespan, then the column count and every column's q type are checked
against the schema file that `pcap2kdb --schema --publish` prints (tick.q
itself would fail in `flip f!x` on a count mismatch and the RDB's insert on
a type mismatch, both silently: here they are recorded as errors).
Sync requests: "0!meta T" gets a real q table (type 98: c, t, f, a), ""
gets :: (or an error with --error-final). Rows and events go to --dump
(JSON) when the process ends (SIGTERM) and after every connection.

Fault modes: --die-after N (close connection and listener after N .u.upd
messages), --down S (come back on the same port after S s; -1 never),
--slow S (sleep per message), --user/--password (credentials required),
--mismatch (meta reports a wrong type for the 4th column), --meta
error|other|escape (answer meta with a q error / with :: / with an error
holding terminal escapes, CR and LF), --error-final, --sync close|stall
(close the connection on every "" sync request / never answer it).
--read-rate B (read at most B bytes a second, in pieces every 20 ms, with
a 16 KiB receive buffer: a slow receiver that keeps reading);
--handshake silent|cap0 (never answer the handshake / answer capability 0,
kdb+ 2.5's).
--order big: answers in big-endian messages (header byte 0 = 0, every
count and length big-endian), as legacy c.java writes.
--compress yes|corrupt: every answer compressed (header byte 2 = 1, c.java's
compress, kept even where it saves nothing) / the same with its first item
made a back-reference to a hash slot never set (corrupt).
--async-big: after the answer to 0!meta, one async message of 16 MiB + 1
byte.
--error-sync N: the Nth "" sync answered with the error 'type.
--stray ok|error, --stray-after N: once, a response to no request (:: or
'type), in one write with the answer to 0!meta (N = 0) or after reading
the Nth .u.upd.
--events FILE appends one line per .u.upd as it arrives (monotonic-free
wall time, rows): for the live-latency test.
"""
import argparse
import json
import re
import signal
import socket
import struct
import sys
import time

import gen_kdb  # tests/: the script's own folder

# q type letters (meta's t) <-> vector type numbers
LETTER_TYPE = {"b": 1, "h": 5, "i": 6, "j": 7, "f": 9, "s": 11, "p": 12, "n": 16}
CAST_LETTER = {"boolean": "b", "short": "h", "int": "i", "long": "j", "float": "f",
               "symbol": "s", "timestamp": "p", "timespan": "n"}
FIXED = {1: ("<B", 1), 4: ("<B", 1), 5: ("<h", 2), 6: ("<i", 4), 7: ("<q", 8), 8: ("<f", 4),
         9: ("<d", 8), 12: ("<q", 8), 13: ("<i", 4), 14: ("<i", 4), 15: ("<d", 8),
         16: ("<q", 8), 17: ("<i", 4), 18: ("<i", 4), 19: ("<i", 4)}


class QError(Exception):
    pass


def parse_schema(text):
    """name -> [(column, letter)] from q table definitions, one per line:
    NAME:([]a:`timespan$();b:`g#`symbol$();c:())"""
    tables = {}
    for line in text.splitlines():
        m = re.match(r"\s*(\w+):\(\[\](.*)\)\s*$", line)
        if not m:
            continue
        cols = []
        for part in m.group(2).split(";"):
            cm = re.match(r"\s*(\w+):(.*)$", part)
            if not cm:
                raise ValueError("schema column: " + part)
            spec = cm.group(2).strip()
            tm = re.search(r"`(\w+)\$\(\)$", spec)
            if tm:
                letter = CAST_LETTER[tm.group(1)]
            elif spec == "()":
                letter = "C"
            else:
                raise ValueError("schema type: " + spec)
            cols.append((cm.group(1), letter))
        tables[m.group(1)] = cols
    return tables


# ---- decoding -------------------------------------------------------------

class Reader:
    def __init__(self, data):
        self.d = data
        self.i = 0

    def take(self, n):
        if self.i + n > len(self.d):
            raise QError("truncated object")
        b = self.d[self.i:self.i + n]
        self.i += n
        return b

    def cstr(self):
        j = self.d.index(b"\0", self.i)
        s = self.d[self.i:j]
        self.i = j + 1
        return s

    def obj(self):
        t = struct.unpack("<b", self.take(1))[0]
        if t == -128:
            return ("error", self.cstr().decode("latin-1"))
        if t < 0:
            if -t == 11:
                return ("atom", 11, self.cstr())
            fmt, size = FIXED[-t]
            return ("atom", -t, struct.unpack(fmt, self.take(size))[0])
        if 0 <= t < 20:
            self.take(1)  # attribute
            n = struct.unpack("<i", self.take(4))[0]
            if n < 0:
                raise QError("negative count")
            if t == 0:
                return ("list", [self.obj() for _ in range(n)])
            if t == 10:
                return ("vec", 10, self.take(n))
            if t == 11:
                return ("vec", 11, [self.cstr() for _ in range(n)])
            fmt, size = FIXED[t]
            raw = self.take(size * n)
            return ("vec", t, list(struct.unpack("<%d%s" % (n, fmt[1]), raw)))
        if t == 98:
            self.take(1)
            return ("table", self.obj())
        if t == 99:
            return ("dict", self.obj(), self.obj())
        if t == 101:
            return ("unary", self.take(1)[0])
        raise QError("type %d not handled" % t)


def qtype(o):
    if o[0] == "vec":
        return o[1]
    if o[0] == "list":
        return 0
    if o[0] == "atom":
        return -o[1]
    return None


# ---- encoding (answers) ---------------------------------------------------

# e: the byte order of the answer's message, "<" little-endian (header byte
# 0 = 1, what kdb+ on x86 writes) or ">" big-endian (0, legacy c.java)

def enc_symvec(names, e="<"):
    return struct.pack(e + "bbi", 11, 0, len(names)) + b"".join(n.encode() + b"\0" for n in names)


def enc_charvec(s, e="<"):
    return struct.pack(e + "bbi", 10, 0, len(s)) + s


def enc_meta(cols, tick, e="<"):
    """0!meta: a table with columns c (symbol), t (char), f, a (symbol)."""
    names = [c for c, _ in cols]
    types = "".join(" " if t == "C" else t for _, t in cols).encode()
    attrs = ["g" if (tick and c == "sym") else "" for c, _ in cols]
    values = (struct.pack(e + "bbi", 0, 0, 4) + enc_symvec(names, e) + enc_charvec(types, e) +
              enc_symvec([""] * len(cols), e) + enc_symvec(attrs, e))
    return b"\x62\x00\x63" + enc_symvec(["c", "t", "f", "a"], e) + values


def message(mtype, payload, e="<"):
    return struct.pack(e + "BBBBI", 1 if e == "<" else 0, mtype, 0, 0, 8 + len(payload)) + payload


def compress(msg, e="<"):
    """KX c.java's compress() (gen_kdb.py's port), kept whatever it saves:
    kdb+ compresses only messages over 2000 bytes, to a remote peer, when
    the result is under half; here every answer goes compressed, so the
    short answers a test gets exercise the receiving end."""
    return gen_kdb.compress(msg, e, always=True)


GENERIC_NULL = b"\x65\x00"  # ::


def error(text):
    return b"\x80" + text.encode() + b"\0"


# ---- the server -----------------------------------------------------------

class Tickerplant:
    def __init__(self, a):
        self.a = a
        self.tables = parse_schema(open(a.schema).read())
        self.tick = a.layout == "tick"
        self.e = ">" if a.order == "big" else "<"
        self.rows = {t: [] for t in self.tables}
        self.errors = []
        self.upd = 0
        self.syncs = []
        self.connections = 0
        self.refused = 0
        self.messages_bad = 0
        self.events = open(a.events, "a") if a.events else None

    def dump(self):
        if not self.a.dump:
            return
        out = {"tables": {t: {"columns": [c for c, _ in self.tables[t]], "rows": self.rows[t]}
                          for t in self.tables},
               "errors": self.errors, "upd": self.upd, "syncs": self.syncs,
               "connections": self.connections, "refused": self.refused}
        with open(self.a.dump, "w") as f:
            json.dump(out, f)

    def listen(self, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.a.read_rate:
            # set before listen: accepted sockets inherit it (and the
            # window scale it implies)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        s.bind(("127.0.0.1", port))
        s.listen(4)
        return s

    def serve(self):
        lst = self.listen(0)
        port = lst.getsockname()[1]
        with open(self.a.port_file + ".tmp", "w") as f:
            f.write(str(port))
        import os
        os.rename(self.a.port_file + ".tmp", self.a.port_file)
        died = False
        while True:
            conn, _ = lst.accept()
            self.connections += 1
            try:
                dead = self.session(conn, died)
            except ConnectionResetError:
                dead = False  # as kdb+ does: the client went, serve the next
            conn.close()
            self.dump()
            if dead:
                died = True
                lst.close()
                if self.a.down < 0:
                    return
                time.sleep(self.a.down)
                lst = self.listen(port)

    def recv_exact(self, c, n):
        b = b""
        piece = max(1, int(self.a.read_rate * 0.02)) if self.a.read_rate else 1 << 30
        while len(b) < n:
            if self.a.read_rate:
                time.sleep(0.02)
            self.maybe_async(c)
            x = c.recv(min(n - len(b), piece))
            if not x:
                return None
            b += x
        return b

    def maybe_async(self, c):
        """--async-every: a small async message of the receiver's own (a
        log line, say) that often, also while it reads a message."""
        if self.a.async_every and time.time() - getattr(self, "last_async", 0) >= self.a.async_every:
            c.sendall(message(0, enc_charvec(b"tick", self.e), self.e))
            self.last_async = time.time()

    def session(self, c, died):
        """Serves one connection; True when it closed it on purpose (--die-after)."""
        hello = b""
        while not hello.endswith(b"\0"):
            x = c.recv(1)
            if not x:
                return False
            hello += x
        cred = hello[:-2] if len(hello) >= 2 and hello[-2] <= 6 else hello[:-1]
        if self.a.user is not None and cred != ("%s:%s" % (self.a.user, self.a.password)).encode():
            self.refused += 1
            return False  # kdb+ closes without a word
        if self.a.handshake == "silent":
            while c.recv(4096):  # until the client gives up
                pass
            return False
        c.sendall(bytes([0 if self.a.handshake == "cap0" else min(hello[-2], 3)]))
        while True:
            h = self.recv_exact(c, 8)
            if h is None:
                return False
            if h[0] != 1:
                self.errors.append("big-endian message")
                return False
            n = struct.unpack("<I", h[4:])[0]
            body = self.recv_exact(c, n - 8)
            if body is None:
                return False
            if self.a.slow:
                time.sleep(self.a.slow)
            try:
                r = Reader(body)
                obj = r.obj()
                if r.i != len(body):
                    raise QError("trailing bytes")
            except (QError, ValueError, KeyError, struct.error) as e:
                self.errors.append("undecodable message: %s" % e)
                return False
            if h[1] == 1:
                if self.a.sync and obj[0] == "vec" and obj[1] == 10 and obj[2] == b"":
                    self.syncs.append("")
                    if self.a.sync == "close":
                        return False
                    continue  # stall: read on, never answer
                out = message(2, self.answer(obj), self.e)
                if self.a.compress:
                    out = compress(out, self.e)
                    if self.a.compress == "corrupt":  # the first item a back-reference
                        out = out[:12] + b"\x01" + out[13:]
                if self.a.stray and self.a.stray_after == 0 and self.syncs[-1:] != [""]:
                    out += self.stray_message()  # one write with the answer to 0!meta
                c.sendall(out)
                if self.a.async_big and self.syncs[-1:] != [""]:
                    # after the answer to 0!meta: an async message of
                    # (16 MiB + 1) bytes, a char vector kdb+ could send
                    body = enc_charvec(b"x" * ((16 << 20) + 1 - 14))
                    c.sendall(message(0, body))
                    self.a.async_big = False
                continue
            self.on_async(obj)
            if self.a.stray and self.a.stray_after > 0 and self.upd == self.a.stray_after:
                c.sendall(self.stray_message())
            if (not died and self.a.die_after and self.upd >= self.a.die_after):
                return True

    def stray_message(self):
        """A response to no request (--stray), once per process."""
        kind, self.a.stray = self.a.stray, None
        return message(2, GENERIC_NULL if kind == "ok" else error("type"), self.e)

    def answer(self, obj):
        if obj[0] != "vec" or obj[1] != 10:
            return error("type")
        q = obj[2].decode()
        self.syncs.append(q)
        if q == "":
            if self.a.error_sync and self.syncs.count("") == self.a.error_sync:
                return error("type")
            return error("final") if self.a.error_final else GENERIC_NULL
        m = re.match(r"0!meta (\w+)$", q)
        if not m:
            return error("nyi")
        if self.a.meta == "error":
            return error("access")
        if self.a.meta == "other":
            return GENERIC_NULL
        if self.a.meta == "escape":
            return error("\x1b[2J\x1b[31mowned\r\nfake: line")
        t = m.group(1)
        if t not in self.tables:
            return error(t)  # q: an undefined name is an error naming it
        cols = list(self.tables[t])
        if self.a.mismatch and len(cols) > 3:
            name, letter = cols[3]
            cols[3] = (name, "f" if letter != "f" else "j")
        return enc_meta(cols, self.tick, self.e)

    def on_async(self, obj):
        self.upd += 1
        try:
            if obj[0] != "list" or len(obj[1]) != 3:
                raise QError("not a (func;table;data) list")
            fn, tab, data = obj[1]
            fname = fn[2] if fn[0] == "vec" and fn[1] == 10 else fn[2] if fn[0] == "atom" else None
            if fname != b".u.upd":
                raise QError("function %r" % (fname,))
            if tab[0] != "atom" or tab[1] != 11:
                raise QError("table name is not a symbol")
            t = tab[2].decode()
            if t not in self.tables:
                raise QError("no table " + t)
            if data[0] != "list":
                raise QError("data is not a general list of columns")
            cols = data[1]
            if self.tick and (not cols or qtype(cols[0]) != 16):
                now = time.time()
                tod = int((now % 86400) * 1e9)
                n = len(cols[0][2]) if cols and cols[0][0] in ("vec", "list") else 1
                cols = [("vec", 16, [tod] * n)] + cols
            schema = self.tables[t]
            if len(cols) != len(schema):
                raise QError("length: %d columns for %d" % (len(cols), len(schema)))
            nrows = None
            values = []
            for (name, letter), col in zip(schema, cols):
                if letter == "C":
                    ok = col[0] == "list" and all(x[0] == "vec" and x[1] == 10 for x in col[1])
                    vals = [x[2].decode("latin-1") for x in col[1]] if ok else None
                else:
                    ok = col[0] == "vec" and col[1] == LETTER_TYPE[letter]
                    vals = col[2] if ok else None
                    if ok and letter == "s":
                        vals = [v.decode("latin-1") for v in vals]
                if not ok:
                    raise QError("type: column %s" % name)
                if nrows is None:
                    nrows = len(vals)
                elif len(vals) != nrows:
                    raise QError("length: column %s" % name)
                values.append(vals)
            rows = [list(r) for r in zip(*values)]
            self.rows[t].extend(rows)
            if self.events:
                self.events.write("%.6f %d\n" % (time.time(), len(rows)))
                self.events.flush()
        except QError as e:
            self.errors.append(str(e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--layout", choices=["tick", "plain"], default="tick")
    ap.add_argument("--dump")
    ap.add_argument("--events")
    ap.add_argument("--user")
    ap.add_argument("--password", default="")
    ap.add_argument("--die-after", type=int, default=0)
    ap.add_argument("--down", type=float, default=1.0)
    ap.add_argument("--slow", type=float, default=0.0)
    ap.add_argument("--read-rate", type=int, default=0)
    ap.add_argument("--handshake", choices=["silent", "cap0"])
    ap.add_argument("--mismatch", action="store_true")
    ap.add_argument("--meta", choices=["table", "error", "other", "escape"], default="table")
    ap.add_argument("--sync", choices=["close", "stall"])
    ap.add_argument("--error-final", action="store_true")
    ap.add_argument("--error-sync", type=int, default=0)
    ap.add_argument("--order", choices=["little", "big"], default="little")
    ap.add_argument("--compress", choices=["yes", "corrupt"])
    ap.add_argument("--async-big", action="store_true")
    ap.add_argument("--async-every", type=float, default=0.0)
    ap.add_argument("--stray", choices=["ok", "error"])
    ap.add_argument("--stray-after", type=int, default=0)
    a = ap.parse_args()
    tp = Tickerplant(a)

    def stop(*_):
        tp.dump()
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    try:
        tp.serve()
    finally:
        tp.dump()


if __name__ == "__main__":
    main()
