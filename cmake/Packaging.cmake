# Install rules and the Debian package.
#
#   cmake --install build [--prefix DIR]    bin/pcap2kdb, share/man/man1/pcap2kdb.1.gz,
#                                           share/bash-completion/completions/pcap2kdb,
#                                           share/doc/pcap2kdb/{README.md,copyright,changelog.gz}
#   (cd build && cpack -G DEB)              pcap2kdb_VERSION_ARCH.deb, installing in /usr
#
# tests/package_test.sh builds the package, installs it with apt-get, checks
# it and removes it (CI runs it).

include(GNUInstallDirs)

install(TARGETS pcap2kdb RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Debian installs man pages gzipped; man reads both.
find_program(GZIP_PROGRAM gzip)
if(GZIP_PROGRAM)
  add_custom_command(
    OUTPUT ${CMAKE_BINARY_DIR}/pcap2kdb.1.gz
    COMMAND ${GZIP_PROGRAM} -9 -n -c ${CMAKE_SOURCE_DIR}/man/pcap2kdb.1 > ${CMAKE_BINARY_DIR}/pcap2kdb.1.gz
    DEPENDS ${CMAKE_SOURCE_DIR}/man/pcap2kdb.1
    COMMENT "Compressing the man page")
  add_custom_target(manpage ALL DEPENDS ${CMAKE_BINARY_DIR}/pcap2kdb.1.gz)
  install(FILES ${CMAKE_BINARY_DIR}/pcap2kdb.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  install(FILES man/pcap2kdb.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

install(FILES completion/pcap2kdb.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME pcap2kdb)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Debian Policy 12.5 and 12.7: share/doc/pcap2kdb/copyright (DEP-5; no licence
# has been granted yet, it says so) and changelog.gz (a native package's,
# gzip -9n as dh_compress does). The changelog's first entry is this version.
file(STRINGS ${CMAKE_SOURCE_DIR}/packaging/changelog _pcap2kdb_changelog_top LIMIT_COUNT 1)
string(REPLACE "." "\\." _pcap2kdb_version_re "${PROJECT_VERSION}")
if(NOT _pcap2kdb_changelog_top MATCHES "^pcap2kdb \\(${_pcap2kdb_version_re}\\) ")
  message(WARNING "packaging/changelog: its first entry is not version ${PROJECT_VERSION} "
                  "(${_pcap2kdb_changelog_top}); add an entry for it")
endif()
install(FILES packaging/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
if(GZIP_PROGRAM)
  add_custom_command(
    OUTPUT ${CMAKE_BINARY_DIR}/changelog.gz
    COMMAND ${GZIP_PROGRAM} -9 -n -c ${CMAKE_SOURCE_DIR}/packaging/changelog > ${CMAKE_BINARY_DIR}/changelog.gz
    DEPENDS ${CMAKE_SOURCE_DIR}/packaging/changelog
    COMMENT "Compressing the changelog")
  add_custom_target(changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/changelog.gz)
  install(FILES ${CMAKE_BINARY_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})
else()
  install(FILES packaging/changelog DESTINATION ${CMAKE_INSTALL_DOCDIR})
endif()

# ---- CPack: Debian package
set(CPACK_PACKAGE_NAME pcap2kdb)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "pcap2kdb maintainers <maintainers@users.noreply.h-seed-0adffd92.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "convert pcap/pcapng captures into kdb+/q tables")
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "pcap2kdb turns a packet capture (pcap or pcapng, any mix of link types)\n"
  "into one row per packet (time, addresses, ports, protocol, TCP flags,\n"
  "sequence numbers, scaled window, timestamps, lengths) as CSV or a q\n"
  "script that kdb+/q loads in one line. It streams: constant memory, reads\n"
  "pipes and live tcpdump output.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)          # pcap2kdb_0.1.0_amd64.deb
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# compressed captures are read through zstd -dc and xz -dc (gzip is essential);
# without them pcap2kdb says what to install
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "zstd, xz-utils")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion, tcpdump")
find_program(DPKG_SHLIBDEPS_PROGRAM dpkg-shlibdeps)
if(DPKG_SHLIBDEPS_PROGRAM)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)         # libc6 (>= the version used)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6")
endif()
set(CPACK_GENERATOR DEB)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build.*/" "docs-everyday-section\\\\.md")
include(CPack)
