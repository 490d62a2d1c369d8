#!/usr/bin/env bash
# Makes the bundle that needs no JDK: a jlink runtime holding only the modules backprop-cl uses, the
# shaded jar, the launcher and bench/gpu-check.sh, as one tar.gz. `mvn -Pdist package` runs it
# after the shaded jar is built (pom.xml, profile dist); by hand:
#
#   src/dist/make-bundle.sh BUILD_DIR VERSION JDK OUT.tar.gz
#
#   BUILD_DIR  the build folder holding backprop-cl.jar (target/)
#   JDK        the JDK whose jlink, jdeps and modules make the runtime (the one running Maven, or
#              -Ddist.jdk=DIR); the runtime is of that JDK's version and platform
#
# Layout: backprop-cl-VERSION/{bin/backprop-cl, lib/backprop-cl.jar, runtime/, bench/gpu-check.sh}.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: make-bundle.sh BUILD_DIR VERSION JDK OUT.tar.gz" >&2; exit 2; }
build="$1" version="$2" jdk="$3" out="$4"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="$build/backprop-cl.jar"
fail() {
    echo "make-bundle: $*" >&2
    exit 1
}
[ -f "$jar" ] || fail "no $jar: the shaded jar is built first (mvn package)"
for tool in jlink jdeps; do
    [ -x "$jdk/bin/$tool" ] || fail "$jdk has no bin/$tool: give a full JDK (-Ddist.jdk=DIR), not a JRE"
done
feature="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release")"
# Before JDK 24 (JEP 493: linking from the run-time image) jlink reads the modules from jmods/.
if [ ! -d "$jdk/jmods" ] && [ "$feature" -lt 24 ]; then
    fail "$jdk has no jmods/, which its jlink needs (install them: some distributions package them apart)"
fi
# The runtime's native code is the JDK's: the bundle is for the platform the file name says.
platform="$(sed -n 's/^OS_NAME="\(.*\)"/\1/p' "$jdk/release")-$(sed -n 's/^OS_ARCH="\(.*\)"/\1/p' "$jdk/release")"
case "$platform" in
    Linux-x86_64 | Linux-amd64) ;;
    *) fail "$jdk is a $platform JDK; the bundle is linux-x64 (build it with a Linux x86-64 JDK)" ;;
esac

# The modules, each for what needs it. jdeps finds the first five from the classes; jdk.crypto.ec
# has no static reference (TLS finds it as a security provider), and without it the HTTPS downloads
# of mnist and fashion-mnist fail their handshake.
modules=(
    java.base
    java.desktop          # ImageIO and Java2D: PNG/JPEG inputs of predict, every plot (XChart), visualize
    java.logging          # java.util.logging: the engines, JOCL, netlib and jline log through it
    jdk.unsupported       # sun.misc.Signal: Ctrl-C, SIGTERM and SIGHUP write a checkpoint
    jdk.incubator.vector  # the cpu engine's SIMD kernels (--add-modules in the launcher)
    jdk.crypto.ec         # elliptic-curve TLS cipher suites for the data set downloads
)
# What jdeps names that no code path loads: gson's java.sql type adapters (gson checks that java.sql
# is present before it touches them) and error_prone's annotations (javax.lang.model, never loaded).
unused=(java.sql java.compiler)

# A dependency that starts to need a module the list lacks fails the build here, not a user's run.
found="$("$jdk/bin/jdeps" --list-deps --ignore-missing-deps --multi-release "$feature" "$jar" | awk '{print $1}')"
for m in $found; do
    case " ${modules[*]} ${unused[*]} java.xml java.datatransfer java.prefs " in
        *" $m "*) ;;   # listed, unused, or required by java.desktop (jlink adds those)
        *) fail "jdeps finds module $m in $jar, which src/dist/make-bundle.sh neither bundles nor lists as unused" ;;
    esac
done

name="backprop-cl-$version"
stage="$build/dist"
rm -rf "$stage"
mkdir -p "$stage/$name/bin" "$stage/$name/lib" "$stage/$name/bench"
# --strip-debug: no line numbers in the JDK's own stack frames (backprop-cl's keep theirs). Not
# --compress: the image is smaller on disk but the tar.gz larger, and jlink slower (docs/gpu.md).
modules_csv="$(IFS=,; echo "${modules[*]}")"
"$jdk/bin/jlink" --add-modules "$modules_csv" --strip-debug --no-man-pages --no-header-files \
    --output "$stage/$name/runtime" | { grep -v -x 'WARNING: Using incubator modules: jdk.incubator.vector' || true; }
cp "$jar" "$stage/$name/lib/backprop-cl.jar"
cp "$repo/backprop-cl" "$stage/$name/bin/backprop-cl"
cp "$repo/bench/gpu-check.sh" "$stage/$name/bench/gpu-check.sh"
chmod 755 "$stage/$name/bin/backprop-cl" "$stage/$name/bench/gpu-check.sh"

mkdir -p "$(dirname "$out")"
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$stage" -czf "$out.tmp" "$name"
mv "$out.tmp" "$out"
echo "make-bundle: $out ($(du -sh "$stage/$name/runtime" | cut -f1) runtime of ${modules_csv}; $(du -h "$out" | cut -f1) packed)"
