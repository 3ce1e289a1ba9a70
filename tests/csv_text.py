"""What pcap2kdb's CSV does to outside text (wire text of --fix/--kdb, the
file column): a control byte becomes \\ooo (three octal digits) and a
backslash \\\\, so that every record is one line (src/output/msgtab.c,
mt_csv_str); then RFC 4180 quotes when it holds ',' or '"'. csv_unescape
gives the bytes back (as latin-1 text); a backslash that starts neither
escape is an error."""

import re

_ESC = re.compile(r"\\(\\|[0-3][0-7][0-7])|\\")


def csv_unescape(text):
    def one(m):
        e = m.group(1)
        if e is None:
            raise ValueError("a backslash that starts no escape in %r" % text)
        if e == "\\":
            return "\\"
        c = int(e, 8)
        if not (c < 0x20 or c == 0x7F):
            raise ValueError("\\%s escapes a byte that needs none in %r" % (e, text))
        return chr(c)
    return _ESC.sub(one, text)
