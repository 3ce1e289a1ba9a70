#!/usr/bin/env python3
"""layers_check.py: every #include "..." in src/ points down the layers.

The folders of src/ are layers (README "How the code is organised"); a file
may include headers of its own folder and of the folders its layer may use:

    util                                  -
    capture                               util
    decode                                util
    tcp                                   util decode
    output                                util decode
    modes                                 util decode tcp output
    modes/fix, modes/kdb, modes/flows     modes and what it may use
    app                                   every folder

The build enforces the same rule (each folder is a CMake library that sees
only these headers); this test names the offending line, and also fails on a
cycle between folders, a header found in two folders, or a folder missing
from the table. Exit 0 when clean, 1 with one line per violation.
Usage: layers_check.py [SRC_DIR]   (default: src/ beside tests/)
"""
import os
import re
import sys

BELOW = {
    "util": set(),
    "capture": {"util"},
    "decode": {"util"},
    "tcp": {"util", "decode"},
    "output": {"util", "decode"},
    "modes": {"util", "decode", "tcp", "output"},
    "app": None,  # the top: anything
}


def allowed(folder):
    """Folders whose headers FOLDER may include (itself included)."""
    if folder in BELOW:
        below = BELOW[folder]
        if below is None:
            return None
        return {folder} | below
    if folder.startswith("modes/"):
        return {folder} | {"modes"} | BELOW["modes"]
    return set()  # unknown folder: nothing allowed, reported below


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "src")
    src = os.path.normpath(src)
    home = {}  # header name -> folder
    files = []
    problems = []
    for dirpath, _, names in os.walk(src):
        folder = os.path.relpath(dirpath, src).replace(os.sep, "/")
        for n in sorted(names):
            if not n.endswith((".c", ".h")):
                continue
            if folder == ".":
                problems.append(f"src/{n}: source outside a layer folder")
                continue
            files.append((folder, os.path.join(dirpath, n)))
            if n.endswith(".h"):
                if n in home:
                    problems.append(f"{n}: in both src/{home[n]} and src/{folder}")
                home[n] = folder
    edges = {}
    inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
    for folder, path in sorted(files):
        if folder not in BELOW and not folder.startswith("modes/"):
            problems.append(f"src/{folder}: a folder the layer table does not know")
            continue
        ok = allowed(folder)
        with open(path, encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                m = inc.match(line)
                if not m:
                    continue
                name = os.path.basename(m.group(1))
                target = home.get(name)
                rel = os.path.relpath(path, os.path.dirname(src))
                if target is None:
                    problems.append(f"{rel}:{lineno}: includes \"{name}\", which no layer holds")
                    continue
                if target != folder:
                    edges.setdefault(folder, set()).add(target)
                if ok is not None and target not in ok:
                    problems.append(f"{rel}:{lineno}: {folder} includes \"{name}\" of {target}, "
                                    f"which it may not use (it may use: "
                                    f"{', '.join(sorted(ok - {folder})) or 'nothing'})")
    # A cycle between folders, whatever the table says.
    state = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cyc = stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt]
                problems.append("include cycle between folders: " + " -> ".join(cyc))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    for p in problems:
        print("layers_check: " + p)
    if problems:
        return 1
    print(f"layers_check: {len(files)} files, {sum(len(v) for v in edges.values())} "
          "folder dependencies, all downward")
    return 0


if __name__ == "__main__":
    sys.exit(main())
