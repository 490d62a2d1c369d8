#!/usr/bin/env bash
# Runs `backprop-cl bench --json` and the PyTorch baseline (bench/torch_bench.py) one after the
# other on this machine, with the same workloads, data, sample count and epochs, then prints per
# workload our best engine's samples/s over PyTorch's faster thread setting, against the targets
# (W1 >= 5x, W2 >= 1.5x, W4 >= 2x, W5 >= 1x; W3 has none).
#
#   bench/compare.sh [--workloads W1,W2] [--epochs 4] [--train-samples N] [--engines LIST]
#                    [--replicas 1,2] [--devices 0,1] [--torch-threads single|default|both] [--save DIR]
#
# --train-samples goes to both; without it both take bench's default (10000 for W1-W3, 2000 for
# the conv workloads W4 and W5, the larger when both kinds run).
# --replicas and --devices go to bench as they are (rows of cpu replicas, OpenCL devices
# together); with either, every passing row's ratio to PyTorch's faster setting is printed too.
# --save DIR keeps both raw outputs there: bench.json (backprop-cl bench --json) and torch.jsonl.
# Environment: BACKPROP_CL, the command that runs backprop-cl (default: the repository's launcher);
# PYTHON, the interpreter with torch (default: /usr/bin/python3, Debian's python3-torch).
# Exit code: 0 when both ran and every correctness check passed (whether or not a target was met),
# 1 when a check failed, 2 for bad arguments or a run that broke.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
read -r -a backprop_cl <<< "${BACKPROP_CL:-$repo/backprop-cl}"
python="${PYTHON:-/usr/bin/python3}"

workloads=W1,W2
epochs=4
train_samples=()
torch_threads=both
engines=()
parallel=()
save=""
while [ $# -gt 0 ]; do
    case "$1" in
        --workloads) workloads="$2"; shift 2 ;;
        --epochs) epochs="$2"; shift 2 ;;
        --train-samples) train_samples=(--train-samples "$2"); shift 2 ;;
        --engines) engines=(--engines "$2"); shift 2 ;;
        --torch-threads) torch_threads="$2"; shift 2 ;;
        --save) save="$2"; shift 2 ;;
        --replicas) parallel+=(--replicas "$2"); shift 2 ;;
        --devices) parallel+=(--devices "$2"); shift 2 ;;
        -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

if [ -n "$save" ]; then
    mkdir -p "$save"
    tmp="$save"
else
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
fi

echo "== backprop-cl bench (progress on stderr)" >&2
bench_status=0
"${backprop_cl[@]}" bench --json --workloads "$workloads" --epochs "$epochs" ${train_samples[@]+"${train_samples[@]}"} \
    ${engines[@]+"${engines[@]}"} ${parallel[@]+"${parallel[@]}"} > "$tmp/bench.json" || bench_status=$?
if [ "$bench_status" -gt 1 ] || [ ! -s "$tmp/bench.json" ]; then
    echo "compare.sh: backprop-cl bench exited with $bench_status" >&2
    exit 2
fi

echo "== PyTorch (progress on stderr)" >&2
"$python" "$here/torch_bench.py" --workloads "$workloads" --epochs "$epochs" ${train_samples[@]+"${train_samples[@]}"} \
    --threads "$torch_threads" > "$tmp/torch.jsonl" || { echo "compare.sh: torch_bench.py failed" >&2; exit 2; }

"$python" - "$tmp/bench.json" "$tmp/torch.jsonl" "${#parallel[@]}" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))
torch = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
targets = {"W1": 5.0, "W2": 1.5, "W4": 2.0, "W5": 1.0}
reference_blas = sorted({b for t in torch for b in t.get("blas", []) if "/blas/libblas.so" in b})
if reference_blas:
    print(f"WARNING: PyTorch ran on the reference BLAS ({reference_blas[0]}), not OpenBLAS: its matrix products are many "
          "times slower than they should be and the ratios below flatter backprop-cl. Install libopenblas0-pthread "
          "(apt-get install libopenblas0-pthread) for a fair comparison.")
print(f"data {ours['data']}, {ours['train_samples']:,} training samples per epoch, {ours['epochs']} epochs, "
      "samples/s from the median epoch after the first")
print(f"{'workload':8} {'best backprop-cl engine':44} {'samples/s':>11}  {'PyTorch setting':34} {'samples/s':>11} "
      f"{'ratio':>7} {'target':>7}  result")
for w in ours["workloads"]:
    name = w["name"]
    passed = [r for r in ours["results"] if r["workload"] == name and r["status"] == "PASS"]
    theirs = [t for t in torch if t["workload"] == name]
    if not passed or not theirs:
        print(f"{name:8} {'(no passing engine)' if not passed else '':44} {'':>11}  "
              f"{'(no PyTorch run)' if not theirs else '':34}")
        if not passed:   # why: each row's status and note (an engine that does not compute conv layers says so)
            for r in ours["results"]:
                if r["workload"] == name:
                    print(f"{'':8}   {r['engine']}: {r['status']}{': ' + r['note'] if r['note'] else ''}")
        continue
    best = max(passed, key=lambda r: r["samples_per_second"])
    fast = max(theirs, key=lambda t: t["samples_per_second"])
    setting = f"{fast['setting']} ({fast['torch_threads']} thr, OPENBLAS={fast['openblas_num_threads'] or 'default'})"
    ratio = best["samples_per_second"] / fast["samples_per_second"]
    target = targets.get(name)
    verdict = "no target" if target is None else ("met" if ratio >= target else "NOT met")
    label = f"{best['engine']} ({best['device']})"[:44]
    print(f"{name:8} {label:44} {best['samples_per_second']:>11,.0f}  {setting:34} {fast['samples_per_second']:>11,.0f} "
          f"{ratio:>6.2f}x {'' if target is None else f'>= {target}x':>7}  {verdict}")
if int(sys.argv[3]) > 0:
    print("every passing row against PyTorch's faster setting of its workload:")
    print(f"{'workload':8} {'engine':12} {'replicas':>8} {'samples/s':>11} {'ratio':>7}")
    for r in ours["results"]:
        theirs = [t for t in torch if t["workload"] == r["workload"]]
        if r["status"] == "PASS" and theirs:
            fast = max(t["samples_per_second"] for t in theirs)
            print(f"{r['workload']:8} {r['engine']:12} {r.get('replicas', 1):>8} {r['samples_per_second']:>11,.0f} "
                  f"{r['samples_per_second'] / fast:>6.2f}x")
PY
exit "$bench_status"
