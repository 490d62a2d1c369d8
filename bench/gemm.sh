#!/usr/bin/env bash
# The GEMM microbenchmark: our forward matrix-product kernel against CLBlast's SGEMM on one
# OpenCL device, at the W2 and W3 shapes (src/test/java/.../GemmBenchmark.java).
# Usage: bench/gemm.sh [DEVICE]   (device index as in './backprop-cl devices'; default 0)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$here/target}"
cd "$here"
mvn -B -q -DbuildDir="$build" -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile="$build/test-classpath.txt" -Dmdep.includeScope=test > "$build/gemm-build.log" 2>&1 \
    || { cat "$build/gemm-build.log" >&2; echo "bench/gemm.sh: the build failed" >&2; exit 2; }
exec java --add-modules jdk.incubator.vector \
    -cp "$build/test-classes:$build/classes:$(cat "$build/test-classpath.txt")" \
    backpropcl.engine.opencl.GemmBenchmark "${1:-0}" 2> >(grep -v 'incubator' >&2)
