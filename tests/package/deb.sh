#!/usr/bin/env bash
# The .deb as a user gets it: cpack builds it, lintian reviews it, dpkg -x unpacks it into a
# scratch root, and the embedding example is built against that root twice, with pkg-config and
# with find_package (with a host of triage::graph), and decides the example's mentions. triage.pc
# must name a pkg-config module for every library the static library links (read from the
# installed CMake package), or this fails.
# Usage: deb.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$work/package" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/package/triage_*.deb)
# Every lintian error and warning fails, but two left on purpose: bogus-mail-host (the project has
# no mail address yet: triage@invalid, see CPACK_PACKAGE_CONTACT) and no-changelog (a package for no
# Debian archive; its changelog is docs/changelog.md in the doc folder, not a Debian-format one).
command -v lintian >/dev/null || fail "lintian is not installed (.ci/deps installs it)"
lintian --fail-on error,warning --suppress-tags bogus-mail-host,no-changelog "$deb" >"$work/lintian.log" 2>&1 ||
  { cat "$work/lintian.log"; fail "lintian"; }
[ "$(dpkg-deb -f "$deb" Package)" = triage ] || fail "package name"
# Depends, from dpkg-shlibdeps (dpkg-dev) where it is installed: the CLI's runtime libraries.
if command -v dpkg-shlibdeps >/dev/null; then
  [[ $(dpkg-deb -f "$deb" Depends) == *libre2* ]] || fail "Depends does not name libre2: $(dpkg-deb -f "$deb" Depends)"
fi
# The machine's architecture, and its multiarch directory (lib/x86_64-linux-gnu on amd64) that
# holds the library, triage.pc and the CMake package, as in Debian's own -dev packages.
arch=$(dpkg --print-architecture)
[ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] || fail "Architecture is $(dpkg-deb -f "$deb" Architecture), not $arch"
libdir=usr/lib/$(g++ -print-multiarch)
[ "$libdir" != usr/lib/ ] || fail "g++ -print-multiarch names no multiarch directory"
root=$work/root
dpkg-deb -x "$deb" "$root"

for file in usr/bin/triage usr/include/triage/triage.hpp usr/include/triage/version.hpp $libdir/libtriage.a \
            $libdir/cmake/triage/triageConfig.cmake $libdir/pkgconfig/triage.pc \
            usr/share/man/man1/triage.1.gz usr/share/man/man1/triage-check.1.gz \
            usr/share/bash-completion/completions/triage usr/share/zsh/vendor-completions/_triage \
            usr/share/doc/triage/copyright usr/share/doc/triage/README.md usr/share/doc/triage/docs/cli.md; do
  [ -f "$root/$file" ] || fail "the package has no /$file"
done
[ ! -d "$root/usr/lib/pkgconfig" ] && [ ! -f "$root/usr/lib/libtriage.a" ] || fail "files in /usr/lib, not /$libdir"
# Man pages gzipped (Debian policy), every one of them, and each a page of its command.
uncompressed=$(find "$root/usr/share/man" -type f -not -name '*.gz')
[ -z "$uncompressed" ] || fail "man pages not gzipped: $uncompressed"
# Its .TH line dated (YYYY-MM-DD, from the sources: cmake/man_pages.cmake).
th=$(gzip -dc "$root/usr/share/man/man1/triage-check.1.gz" | head -1)
[[ $th =~ ^\.TH\ TRIAGE-CHECK\ 1\ \"[0-9]{4}-[0-9]{2}-[0-9]{2}\"\ \"triage\  ]] ||
  fail "triage-check.1.gz: not the dated man page of triage check: $th"
"$root/usr/bin/triage" check "$source_dir/examples/airforce.flow" >/dev/null || fail "the installed triage"

# triage.pc in step with the library: each library the installed triage::triage links, by the
# pkg-config module that provides it ("" for headers only).
declare -A module_of=([Boost::headers]="" [fmt::fmt]=fmt [PkgConfig::RE2]=re2 [PkgConfig::UTF8PROC]=libutf8proc
                      [simdjson::simdjson]=simdjson [PkgConfig::Z3]=z3)
pc=$root/$libdir/pkgconfig/triage.pc
requires=" $(sed -n 's/^Requires.private: *//p' "$pc") "
linked=$(grep -o 'LINK_ONLY:[^>]*>' "$root/$libdir/cmake/triage/triageTargets.cmake" | sed 's/LINK_ONLY:\(.*\)>/\1/' | sort -u)
[ -n "$linked" ] || fail "no linked library found in triageTargets.cmake"
for target in $linked; do
  [ -v "module_of[$target]" ] ||
    fail "the library links $target: add its module to TRIAGE_PC_REQUIRES_PRIVATE (CMakeLists.txt) and here"
  module=${module_of[$target]}
  [ -z "$module" ] || [[ $requires == *" $module "* ]] || fail "triage.pc's Requires.private lacks $module ($target)"
done
for module in $requires; do
  found=no
  for target in $linked; do [ "${module_of[$target]}" = "$module" ] && found=yes; done
  [ $found = yes ] || fail "triage.pc requires $module, which the library does not link"
done

expect="m-3: Monitor only"
export PKG_CONFIG_PATH=$root/$libdir/pkgconfig
# shellcheck disable=SC2046 # pkg-config's flags are separate words
g++ -std=c++20 -o "$work/embed_pkg_config" "$source_dir/examples/embed/main.cpp" $(pkg-config --static --cflags --libs triage) ||
  fail "building with pkg-config"
out=$("$work/embed_pkg_config" "$source_dir/examples/airforce.flow") && [[ $out == *"$expect"* ]] ||
  fail "the pkg-config build"

cmake -S "$source_dir/tests/package/embed" -B "$work/embed" -G Ninja -DCMAKE_PREFIX_PATH="$root/usr" \
      -DTRIAGE_SOURCE_DIR="$source_dir" >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "find_package"; }
cmake --build "$work/embed" -j 2 >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "building with find_package"; }
out=$("$work/embed/embed" "$source_dir/examples/airforce.flow") && [[ $out == *"$expect"* ]] ||
  fail "the find_package build"
out=$("$work/embed/graph_consumer") && [[ $out == "ok triage $(dpkg-deb -f "$deb" Version), 1 vertex" ]] ||
  fail "the triage::graph host: $out"
echo "ok: $(basename "$deb"): lintian clean, $(echo $linked | wc -w) linked libraries in triage.pc, embed example built with pkg-config and find_package, triage::graph host built"
