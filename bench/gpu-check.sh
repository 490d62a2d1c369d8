#!/usr/bin/env bash
# Checks backprop-cl on this machine's OpenCL GPU(s) and writes everything to one results file:
# the machine (OS, Java, Maven, OpenCL platforms from clinfo), `mvn -B verify` (the whole test
# suite), then for each OpenCL GPU `backprop-cl selftest` (every kernel against the reference
# engine) and `backprop-cl bench` (the benchmark). For a fresh clone on a GPU workstation, or
# from the unpacked bundle (mvn -Pdist package), which needs neither Java nor Maven (docs/gpu.md).
#
#   bench/gpu-check.sh [--out FILE] [--skip-verify] [--allow-cpu] [--bench-args "ARGS"]
#
#   --out FILE      the results file (default: bench/results/gpu-check-<host>-<date>.txt)
#   --skip-verify   do not run `mvn -B verify` (the jar is still built when missing or stale)
#   --allow-cpu     with no OpenCL GPU, check every OpenCL device instead of stopping
#   --bench-args    extra arguments for every `backprop-cl bench --device N` run
#
# Needs: java 17+ and mvn (not from the bundle), clinfo, and an OpenCL driver for the GPU (NVIDIA:
# the driver's OpenCL ICD, e.g. Debian/Ubuntu package nvidia-opencl-icd; AMD: ROCm's or
# mesa-opencl-icd; Intel: intel-opencl-icd), registered in /etc/OpenCL/vendors, plus the loader
# (ocl-icd-libopencl1).
# Environment: BACKPROP_CL, the command that runs backprop-cl (default: the repository's launcher,
# which builds target/backprop-cl.jar when it is missing or stale; in the bundle, its bin/backprop-cl).
# Exit code: 0 when every step passed, 1 when a step failed (the file says which), 2 when a
# prerequisite is missing or no OpenCL GPU was found.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cd "$repo"
# The bundle: bin/, lib/ and runtime/ beside bench/; its own Java, no sources to verify.
bundle=no
if [ -x "$repo/runtime/bin/java" ] && [ -f "$repo/lib/backprop-cl.jar" ]; then
    bundle=yes
    read -r -a backprop_cl <<<"${BACKPROP_CL:-$repo/bin/backprop-cl}"
else
    read -r -a backprop_cl <<<"${BACKPROP_CL:-$repo/backprop-cl}"
fi

out=""
verify=yes
allow_cpu=no
bench_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --skip-verify) verify=no; shift ;;
        --allow-cpu) allow_cpu=yes; shift ;;
        --bench-args) read -r -a bench_args <<<"$2"; shift 2 ;;
        -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "gpu-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

# Prerequisites: say everything that is missing at once, with what to install.
missing=()
if [ "$bundle" = yes ]; then
    verify=no   # a bundle holds no sources; selftest below checks every kernel on the device
elif ! command -v java >/dev/null; then
    missing+=("java 17 or newer (apt-get install openjdk-17-jdk)")
else
    major=$(java -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
    if [ -z "$major" ] || [ "$major" -lt 17 ]; then
        missing+=("java 17 or newer; found: $(java -version 2>&1 | head -1) (apt-get install openjdk-17-jdk)")
    fi
fi
[ "$bundle" = yes ] || command -v mvn >/dev/null || missing+=("Maven, mvn (apt-get install maven)")
command -v clinfo >/dev/null || missing+=("clinfo, to record the OpenCL platforms (apt-get install clinfo)")
# JOCL opens the ICD loader by the name libOpenCL.so, which ocl-icd-libopencl1 alone does not provide
# (its libOpenCL.so.1 only); clinfo links libOpenCL.so.1 and would list the devices all the same.
ldconfig="$(command -v ldconfig || echo /sbin/ldconfig)"
if [ -x "$ldconfig" ] && ! "$ldconfig" -p 2>/dev/null | grep -q 'libOpenCL\.so '; then
    if "$ldconfig" -p 2>/dev/null | grep -q 'libOpenCL\.so\.1 '; then
        lib_dir="$(dirname "$("$ldconfig" -p | sed -n 's/.*libOpenCL\.so\.1 .*=> //p' | head -1)")"
        missing+=("libOpenCL.so, the name JOCL opens the OpenCL loader by (apt-get install ocl-icd-opencl-dev, or link it: ln -s libOpenCL.so.1 $lib_dir/libOpenCL.so)")
    else
        missing+=("the OpenCL loader, libOpenCL.so (apt-get install ocl-icd-opencl-dev)")
    fi
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "gpu-check: missing prerequisites:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 2
fi

host=$(hostname -s 2>/dev/null || hostname)
[ -n "$out" ] || out="$here/results/gpu-check-$host-$(date +%Y%m%d-%H%M%S).txt"
mkdir -p "$(dirname "$out")"
: >"$out"

say() {
    echo "$*" | tee -a "$out"
}
section() {
    say ""
    say "=== $* ==="
}
# record CMD...: runs a command with its output in the results file only; returns its exit code.
record() {
    echo "\$ $*" >>"$out"
    local rc=0
    "$@" >>"$out" 2>&1 || rc=$?
    echo "[exit $rc]" >>"$out"
    return $rc
}
# show CMD...: as record, and the output on the terminal too.
show() {
    echo "\$ $*" >>"$out"
    local rc=0
    "$@" 2>&1 | tee -a "$out" || rc=${PIPESTATUS[0]}
    echo "[exit $rc]" >>"$out"
    return $rc
}

say "backprop-cl GPU check, $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $host; results in $out"
section "machine"
record uname -a || true
if [ "$bundle" = yes ]; then
    say "bundle $(basename "$repo"): its own Java runtime, no sources (mvn -B verify skipped)"
    record "$repo/runtime/bin/java" -version || true
    record cat "$repo/runtime/release" || true
else
    record git -C "$repo" log -1 --format='commit %H %s' || true
    record git -C "$repo" status --short || true
    record java -version || true
    record mvn -v || true
fi
record sh -c 'ls -l /etc/OpenCL/vendors/ && head -n 5 /etc/OpenCL/vendors/*.icd' || true
if command -v nvidia-smi >/dev/null; then
    record nvidia-smi || true
fi
record clinfo --list || true
record clinfo || true

failures=()
if [ "$verify" = yes ]; then
    section "mvn -B verify (the test suite; full log below)"
    say "running mvn -B verify; this takes a few minutes ..."
    if record mvn -B verify; then
        say "mvn -B verify: PASS"
    else
        say "mvn -B verify: FAIL (see the Maven log in $out)"
        failures+=("mvn -B verify")
    fi
fi

# The launcher builds the jar here when verify did not (it was skipped, or failed before packaging).
section "devices"
if ! show "${backprop_cl[@]}" devices; then
    say "gpu-check: 'backprop-cl devices' failed"
    exit 1
fi
mapfile -t all < <("${backprop_cl[@]}" devices 2>/dev/null | sed -n 's/^\([0-9][0-9]*\): .*\[\([A-Z]*\), .*/\1 \2/p')
gpus=()
others=()
for entry in "${all[@]}"; do
    set -- $entry
    if [ "$2" = GPU ]; then gpus+=("$1"); else others+=("$1"); fi
done
checked=("${gpus[@]}")
if [ ${#gpus[@]} -eq 0 ]; then
    if [ "$allow_cpu" = yes ] && [ ${#others[@]} -gt 0 ]; then
        say "no OpenCL GPU; --allow-cpu: checking every OpenCL device (${others[*]})"
        checked=("${others[@]}")
    else
        say "gpu-check: no OpenCL GPU found. Install your GPU vendor's OpenCL driver (NVIDIA: nvidia-opencl-icd or the"
        say "  driver's own ICD; AMD: ROCm or mesa-opencl-icd; Intel: intel-opencl-icd) so that it appears in"
        say "  /etc/OpenCL/vendors and in 'clinfo --list'; or pass --allow-cpu to check the CPU devices above."
        exit 2
    fi
fi

has_bench=yes
if ! "${backprop_cl[@]}" bench --help >/dev/null 2>&1; then
    has_bench=no
fi

for d in "${checked[@]}"; do
    section "selftest --device $d"
    if show "${backprop_cl[@]}" selftest --device "$d"; then
        say "selftest on device $d: PASS"
    else
        say "selftest on device $d: FAIL"
        failures+=("selftest --device $d")
    fi
    section "bench --device $d"
    if [ "$has_bench" = no ]; then
        say "skipped: this build has no 'bench' command ('backprop-cl bench --help' failed); update the clone to get it"
        continue
    fi
    say "running backprop-cl bench --device $d ${bench_args[*]:-} ..."
    if show "${backprop_cl[@]}" bench --device "$d" ${bench_args[@]+"${bench_args[@]}"}; then
        say "bench on device $d: done"
    else
        say "bench on device $d: FAIL"
        failures+=("bench --device $d")
    fi
done

section "summary"
if [ ${#failures[@]} -gt 0 ]; then
    say "gpu-check: FAIL: ${failures[*]}"
    say "results: $out"
    exit 1
fi
say "gpu-check: PASS (devices ${checked[*]}); results: $out"
