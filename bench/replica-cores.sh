#!/usr/bin/env bash
# Per-core speed of W2 (784-128-64-10, batch 100) on single-threaded cpu replicas, in one sitting:
# the products (ReplicaProductsBench) and whole training steps (ReplicaEngineBench) on the Vector
# API kernels against the native sgemm with OpenBLAS on one thread, once on the OpenBLAS core it
# detects itself and once on Haswell (AVX2) kernels, then PyTorch single-threaded the same two ways.
# docs/cpu.md ("Single-threaded replicas on a native sgemm") shows one run and reads it.
#
#   bench/replica-cores.sh [THRESHOLD]      (the replica's sgemm threshold in FLOPs, default 32768)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
threshold="${1:-32768}"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
cp="target/classes:target/test-classes:$(cat "$cp_file")"
for core in detected Haswell; do
  if [ "$core" = detected ]; then set_core=(env -u OPENBLAS_CORETYPE); else set_core=(env OPENBLAS_CORETYPE="$core"); fi
  echo "== OpenBLAS core: $core ($("${set_core[@]}" OPENBLAS_VERBOSE=2 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -c 'import numpy' 2>&1 | head -1 || true)), load: $(cut -d' ' -f1-3 /proc/loadavg)"
  for main in ReplicaProductsBench "ReplicaEngineBench $threshold"; do
    # shellcheck disable=SC2086
    "${set_core[@]}" OPENBLAS_NUM_THREADS=1 java --add-modules jdk.incubator.vector -cp "$cp" backpropcl.engine.cpu.$main 2>&1 \
        | grep -v "WARNING: Using incubator modules"
  done
  "${set_core[@]}" /usr/bin/python3 bench/torch_bench.py --threads single --workloads W2 2>/dev/null \
      | /usr/bin/python3 -c 'import json, sys; d = json.loads(sys.stdin.read()); print("pytorch single-threaded W2: %.0f samples/s" % d["samples_per_second"])'
done
