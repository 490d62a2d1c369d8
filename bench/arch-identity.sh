#!/usr/bin/env bash
# Trains a fixed set of small --arch runs on every engine and prints the SHA-256 of each saved
# model's tensors (the file minus its header's free text, see below), one line per run. Run it on
# two builds and diff the outputs: equal lines mean the two builds train bit-identically.
#
#   bench/arch-identity.sh [OUT_DIR]        (BACKPROP_CL: the launcher to run, default ./backprop-cl)
#
# The runs cover every activation, both costs, the five optimizers, weight decay, a partial last
# batch and the shuffled and file orders, on 2,000 mnist-10k digits for 2 epochs. The hash is
# taken of the tensor data only (the bytes after the safetensors header), so a change of tensor
# names or metadata between model file versions does not hide or fake a change of numbers.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
read -r -a launcher <<< "${BACKPROP_CL:-$(dirname "$here")/backprop-cl}"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
engines="${ENGINES:-reference cpu opencl}"
runs=(
  "lesson|--arch 784-16-16-10"
  "tanh-ce|--arch 784-32-10 --activation tanh --output softmax --cost cross-entropy --lr 0.3"
  "relu-adam|--arch 784-64-32-10 --activation relu --init he --output softmax --cost cross-entropy --optimizer adam --lr 0.001 --batch 32"
  "leaky-momentum|--arch 784-24-10 --activation leaky-relu --optimizer momentum --weight-decay 0.001 --batch 7"
  "nesterov-sig-ce|--arch 784-20-10 --cost cross-entropy --optimizer nesterov --no-shuffle --batch 33"
  "adamw-identity|--arch 784-16-10 --activation relu --output identity --optimizer adamw --weight-decay 0.01 --lr 0.001 --batch 64"
)
for engine in $engines; do
  for run in "${runs[@]}"; do
    name="${run%%|*}"
    args="${run#*|}"
    file="$out/$engine-$name.safetensors"
    # shellcheck disable=SC2086
    "${launcher[@]}" train $args --engine "$engine" --epochs 2 --train-samples 2000 --test-samples 500 \
        --no-progress --save "$file" > "$out/$engine-$name.log" 2>&1 || { echo "$engine $name FAILED (see $out/$engine-$name.log)"; continue; }
    hash="$(python3 - "$file" <<'PY'
import hashlib, json, struct, sys
data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
body = data[8 + n:]
# Tensors in order of their offsets, so a renaming that keeps the layout keeps the hash.
spans = sorted(v["data_offsets"] for k, v in header.items() if k != "__metadata__")
print(hashlib.sha256(b"".join(body[a:b] for a, b in spans)).hexdigest())
PY
)"
    echo "$engine $name $hash"
  done
done
