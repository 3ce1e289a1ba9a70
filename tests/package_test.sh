#!/usr/bin/env bash
# Builds the Debian package with CPack, installs it with apt-get, checks the
# installed command, man page and bash completion, and removes it again.
# Its metadata: Maintainer, Recommends/Suggests, the copyright file and the
# changelog that Debian Policy asks for; lintian's verdict when lintian is
# installed (CI does not install it).
#
#   bash tests/package_test.sh            (as root, or with password-less sudo)
#
# CI runs it as root on a fresh Debian 12 machine: it installs what it needs
# (cmake, a compiler, dpkg-dev, man-db, file) when missing. The build happens
# in a temporary directory; the source tree is not touched. It refuses to run
# when a pcap2kdb package is already installed (it would remove it).
# Exit status: 0 all checks passed, 1 a check failed, 77 skipped (no root).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" = 0 ]; then
    sudo=()
elif command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
    sudo=(sudo -n)
else
    echo "SKIP: installing a package needs root or password-less sudo"
    exit 77
fi
command -v apt-get > /dev/null || { echo "SKIP: not a Debian system (no apt-get)"; exit 77; }

failed=0
check() { # description, then a command that must succeed
    local what=$1
    shift
    if "$@" > /dev/null 2>&1; then
        echo "ok   $what"
    else
        echo "FAIL $what"
        failed=$((failed + 1))
    fi
}

# ---- what the test needs
need=()
command -v cmake > /dev/null || need+=(cmake)
command -v cc > /dev/null || need+=(build-essential)
command -v dpkg-shlibdeps > /dev/null || need+=(dpkg-dev)
command -v man > /dev/null || need+=(man-db)
command -v file > /dev/null || need+=(file)
command -v gzip > /dev/null || need+=(gzip)
if [ ${#need[@]} -gt 0 ]; then
    echo "== installing ${need[*]}"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
fi

if dpkg-query -W -f '${Status}' pcap2kdb 2> /dev/null | grep -q "ok installed"; then
    echo "FAIL: a pcap2kdb package is installed already; remove it first (apt-get remove pcap2kdb)"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap2kdb-pkg.XXXXXX")
installed=0
cleanup() {
    if [ "$installed" = 1 ]; then
        "${sudo[@]}" apt-get remove -y -qq --purge pcap2kdb > /dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- build the package
echo "== building the package"
cmake -S "$root" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DPCAP2KDB_TESTS=OFF > /dev/null
cmake --build "$tmp/build" -j"$(nproc 2> /dev/null || echo 2)" > /dev/null
(cd "$tmp/build" && cpack -G DEB > "$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; exit 1; }
debs=("$tmp"/build/pcap2kdb_*.deb)
[ -f "${debs[0]}" ] || { echo "FAIL: cpack made no pcap2kdb_*.deb"; exit 1; }
deb=${debs[0]}
echo "   $(basename "$deb")"
version=$(dpkg-deb -f "$deb" Version)
contents=$(dpkg-deb -c "$deb")
check "package holds /usr/bin/pcap2kdb" grep -q ' \./usr/bin/pcap2kdb$' <<< "$contents"
check "package holds the man page" grep -q ' \./usr/share/man/man1/pcap2kdb\.1\.gz$' <<< "$contents"
check "package holds the bash completion" \
    grep -q ' \./usr/share/bash-completion/completions/pcap2kdb$' <<< "$contents"
check "package depends on libc6 only" \
    bash -c '[[ "$(dpkg-deb -f "$1" Depends)" =~ ^libc6(\ \(.*\))?$ ]]' _ "$deb"
check "package recommends or suggests zstd and xz-utils (compressed captures)" \
    bash -c 'r=$(dpkg-deb -f "$1" Recommends Suggests | tr , "\n" | sed -E "s/^[^:]*: *//; s/^ +//; s/ .*//")
             grep -qx zstd <<< "$r" && grep -qx xz-utils <<< "$r"' _ "$deb"
check "package Maintainer has a real-looking address, not @localhost" \
    bash -c 'm=$(dpkg-deb -f "$1" Maintainer)
             [[ $m =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\.[a-z]+\>$ && $m != *@localhost* ]]' _ "$deb"
# Debian Policy 12.5 and 12.7: the copyright file (DEP-5) and the changelog
doc() { dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/share/doc/pcap2kdb/$1" 2> /dev/null || true; }
check "package holds /usr/share/doc/pcap2kdb/copyright" \
    grep -q ' \./usr/share/doc/pcap2kdb/copyright$' <<< "$contents"
check "the copyright file is DEP-5 and names the holder" bash -c \
    'head -1 <<< "$1" | grep -qx "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" &&
     grep -q "^Copyright: .*pcap2kdb maintainers" <<< "$1" && grep -q "^License: " <<< "$1"' _ "$(doc copyright)"
check "package holds /usr/share/doc/pcap2kdb/changelog.gz" \
    grep -q ' \./usr/share/doc/pcap2kdb/changelog\.gz$' <<< "$contents"
check "changelog.gz is gzip -9n, its first entry version $version" bash -c \
    'doc() { dpkg-deb --fsys-tarfile "$1" | tar -xO ./usr/share/doc/pcap2kdb/changelog.gz; }
     doc "$1" | gzip -t && [ "$(doc "$1" | od -An -tx1 -j4 -N5 | tr -d " ")" = 0000000002 ] &&
     [ "$(doc "$1" | zcat | head -1)" = "pcap2kdb ($2) unstable; urgency=medium" ]' _ "$deb" "$version"
if command -v lintian > /dev/null; then
    lintian "$deb" > "$tmp/lintian.log" 2>&1 || true   # its status: errors found
    check "lintian: no errors or warnings" bash -c '! grep -E "^[EW]: " "$1"' _ "$tmp/lintian.log"
    grep -E '^[EW]: ' "$tmp/lintian.log" || true
else
    echo "SKIP lintian: not installed"
fi

# ---- install it the way a user would
# Docker's Debian images exclude /usr/share/man from packages; let ours in.
dpkg_opts=()
if grep -qsE '^path-exclude[= ]+/usr/share/man' /etc/dpkg/dpkg.cfg.d/* 2> /dev/null; then
    dpkg_opts=(-o "Dpkg::Options::=--path-include=/usr/share/man/man1/pcap2kdb.1.gz")
fi
echo "== apt-get install ./$(basename "$deb")"
cp "$deb" "$tmp/"
(cd "$tmp" && "${sudo[@]}" apt-get install -y -qq "${dpkg_opts[@]}" "./$(basename "$deb")" > "$tmp/apt.log" 2>&1) ||
    { cat "$tmp/apt.log"; echo "FAIL: apt-get install"; exit 1; }
installed=1

check "pcap2kdb is /usr/bin/pcap2kdb" test "$(command -v pcap2kdb)" = /usr/bin/pcap2kdb
check "pcap2kdb --version says $version" test "$(pcap2kdb --version)" = "pcap2kdb $version"
check "man -w pcap2kdb finds the page" \
    bash -c '[ "$(man -w pcap2kdb)" = /usr/share/man/man1/pcap2kdb.1.gz ]'
check "the man page renders" bash -c 'MANWIDTH=80 man pcap2kdb 2>/dev/null | grep -q pcap2kdb'
check "the binary is a stripped ELF executable" \
    bash -c 'file -L /usr/bin/pcap2kdb | grep -q "ELF.*stripped" && ! file -L /usr/bin/pcap2kdb | grep -q "not stripped"'
check "the installed binary converts a capture as the golden file says" \
    bash -c 'cd "$1" && pcap2kdb testdata/tcp_wscale.pcap | cmp -s - testdata/tcp_wscale.out' _ "$root"
check "the bash completion loads" \
    bash -c 'source /usr/share/bash-completion/completions/pcap2kdb && complete -p pcap2kdb'

# ---- and remove it
echo "== apt-get remove --purge pcap2kdb"
"${sudo[@]}" apt-get remove -y -qq --purge pcap2kdb > "$tmp/apt.log" 2>&1 ||
    { cat "$tmp/apt.log"; echo "FAIL: apt-get remove"; exit 1; }
installed=0
check "package gone" bash -c '! dpkg-query -W -f "\${Status}" pcap2kdb 2>/dev/null | grep -q "ok installed"'
check "binary, man page and completion gone" bash -c \
    '! [ -e /usr/bin/pcap2kdb ] && ! [ -e /usr/share/man/man1/pcap2kdb.1.gz ] && ! [ -e /usr/share/bash-completion/completions/pcap2kdb ]'

if [ "$failed" -ne 0 ]; then
    echo "$failed check(s) failed"
    exit 1
fi
echo "package test passed"
