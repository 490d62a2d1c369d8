#!/usr/bin/env python3
"""Loads a backprop-cl model file into PyTorch, strictly, with no renaming.

    /usr/bin/python3 bench/torch_load.py MODEL.safetensors [--check-inputs N] [--seed S]

Reads the file's __metadata__ (version 2: input_width, layers, cost), builds the nn.Sequential of
its `layers` spec (the module of each layer as model.Layer.torchModule writes it in Java:
Linear, Sigmoid, Tanh, ReLU, LeakyReLU(0.01), Softmax(dim=1), Identity, Flatten, Dropout), wraps
it as a module whose attribute `layers` holds it, and loads the file's parameter tensors
(`layers.{k}.weight` / `.bias`; a checkpoint's optimizer and best-epoch tensors are not
parameters) with load_state_dict(strict=True), as named in the file. It loads the bare
nn.Sequential too, the prefix `layers.` taken off.

--check-inputs N: runs the model in eval mode (dropout the identity) on N random rows and
compares every output with what `backprop-cl predict --json --top ALL` prints for the same rows:
its "probability" per class for a softmax output (the output layer's values), else its "score"
(the outputs shifted to be non-negative and divided by their sum, model.Inference.probabilities;
torch's outputs are shown so too before the comparison), and the argmax. Rows go through the
model's normalisation (metadata normalize_offset and normalize_scale) on both sides. Only for a
model trained on table rows (a CSV file), since predict reads typed rows only for those.
The launcher is $BACKPROP_CL, else ./backprop-cl beside this folder.

Exit codes: 0 loaded (and, with --check-inputs, every output within 1e-5), 1 a mismatch or a
strict load that fails, 2 torch missing or a file this script cannot read.
"""
import argparse
import json
import os
import struct
import subprocess
import sys

try:
    import torch
    from torch import nn
except ImportError:
    print("torch_load.py: torch is not installed for " + sys.executable + "; skipped", file=sys.stderr)
    sys.exit(2)

TOLERANCE = 1e-5
DTYPES = {"F32": (torch.float32, 4), "F64": (torch.float64, 8)}


def fail(code, message):
    print("torch_load.py: " + message, file=sys.stderr)
    sys.exit(code)


def read_safetensors(path):
    """The metadata and the tensors of a safetensors file (without the safetensors package)."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] not in DTYPES:
            fail(2, "%s: tensor %s has dtype %s; expected F32 or F64" % (path, name, entry["dtype"]))
        dtype, _ = DTYPES[entry["dtype"]]
        a, b = entry["data_offsets"]
        t = torch.frombuffer(bytearray(body[a:b]), dtype=dtype) if b > a else torch.zeros(0, dtype=dtype)
        tensors[name] = t.reshape(entry["shape"])
    return meta, tensors


ACTIVATIONS = {
    "sigmoid": lambda: nn.Sigmoid(),
    "tanh": lambda: nn.Tanh(),
    "relu": lambda: nn.ReLU(),
    "leaky-relu": lambda: nn.LeakyReLU(0.01),
    "softmax": lambda: nn.Softmax(dim=1),
    "identity": lambda: nn.Identity(),
}


def sequential(inputs, spec):
    """The nn.Sequential of a --layers spec after an input of `inputs` values."""
    modules = []
    width = inputs
    for token in spec.split(","):
        kind, _, arg = token.strip().partition(":")
        if kind == "dense":
            modules.append(nn.Linear(width, int(arg)))
            width = int(arg)
        elif kind == "dropout":
            modules.append(nn.Dropout(float(arg)))
        elif kind == "flatten":
            modules.append(nn.Flatten())
        elif kind in ACTIVATIONS:
            modules.append(ACTIVATIONS[kind]())
        else:
            fail(2, "layer '%s' of '%s' is not a kind this script knows" % (token, spec))
    return nn.Sequential(*modules)


class Model(nn.Module):
    """The nn.Sequential held as `layers`: its state_dict names are the model file's."""

    def __init__(self, layers):
        super().__init__()
        self.layers = layers

    def forward(self, x):
        return self.layers(x)


def floats(meta, key, width):
    if key not in meta:
        return None
    values = json.loads(meta[key])
    if len(values) != width:
        fail(2, "metadata %s has %d values for %d inputs" % (key, len(values), width))
    return torch.tensor(values, dtype=torch.float32)


def predict_outputs(model_path, rows, outputs):
    """What backprop-cl predict prints for the rows: one list of the output layer's values per row, by class."""
    here = os.path.dirname(os.path.abspath(__file__))
    launcher = os.environ.get("BACKPROP_CL", os.path.join(os.path.dirname(here), "backprop-cl")).split()
    # repr of a float32 value read back as a float: the exact value, so both sides see the same input.
    args = [",".join(repr(float(v)) for v in row) for row in rows.tolist()]
    run = subprocess.run(launcher + ["predict", "--model", model_path, "--json", "--top", str(outputs)] + args,
                         capture_output=True, text=True)
    if run.returncode != 0:
        fail(1, "backprop-cl predict exited %d: %s" % (run.returncode, run.stderr.strip()))
    result = []
    for answer in json.loads(run.stdout):
        by_class = [None] * outputs
        for entry in answer["top"]:
            by_class[entry["class"]] = entry["probability"] if "probability" in entry else entry["score"]
        result.append(by_class)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--check-inputs", type=int, default=0, metavar="N")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    meta, tensors = read_safetensors(args.model)
    if meta.get("format") != "backprop-cl" or meta.get("version") != "2":
        fail(2, "%s: not a backprop-cl model file of version 2 (format %r, version %r)"
             % (args.model, meta.get("format"), meta.get("version")))
    inputs = int(meta["input_width"])
    spec = meta["layers"]
    params = {k: v.float() for k, v in tensors.items() if k.startswith("layers.")}

    model = Model(sequential(inputs, spec))
    try:
        model.load_state_dict(params, strict=True)
        bare = sequential(inputs, spec)
        bare.load_state_dict({k[len("layers."):]: v for k, v in params.items()}, strict=True)
    except RuntimeError as e:
        fail(1, "%s: strict load of %s failed: %s" % (args.model, spec, e))
    print("%s: loaded strictly into %s (%d tensors: %s), and into the bare nn.Sequential"
          % (args.model, "Model(layers=" + repr(model.layers).replace("\n", "").replace("  ", " ") + ")",
             len(params), ", ".join(params)))

    if args.check_inputs <= 0:
        return 0
    if "csv_label_column" not in meta:
        fail(2, "%s: --check-inputs needs a model trained on a CSV file (predict reads typed rows only for those)" % args.model)
    gen = torch.Generator().manual_seed(args.seed)
    offset = floats(meta, "normalize_offset", inputs)
    scale = floats(meta, "normalize_scale", inputs)
    z = torch.randn(args.check_inputs, inputs, generator=gen, dtype=torch.float32)
    raw = z if offset is None else (offset + scale * z).float()
    x = raw if offset is None else (raw - offset) / scale   # float32, as data.Preprocessing scales
    model.eval()
    bare.eval()
    with torch.no_grad():
        ours = model(x)
        if not torch.equal(ours, bare(x)):
            fail(1, "the wrapped and the bare nn.Sequential disagree")
    outputs = ours.shape[1]
    shown = ours.double()
    if not spec.rstrip().endswith("softmax"):
        # As Inference.probabilities shows a non-softmax output: shifted to be non-negative, divided by the sum.
        shifted = shown - torch.clamp(shown.min(dim=1, keepdim=True).values, max=0)
        total = shifted.sum(dim=1, keepdim=True)
        shown = torch.where(total > 0, shifted / total, torch.full_like(shifted, 1.0 / outputs))
    theirs = torch.tensor(predict_outputs(args.model, raw, outputs), dtype=torch.float64)
    diff = (theirs - shown).abs().max().item()
    same_argmax = bool((theirs.argmax(dim=1) == ours.argmax(dim=1)).all())
    print("%d random rows, %d outputs each: max |torch - predict| = %.3g (tolerance %g); argmax %s"
          % (args.check_inputs, outputs, diff, TOLERANCE, "agrees on every row" if same_argmax else "DIFFERS"))
    return 0 if diff <= TOLERANCE and same_argmax else 1


if __name__ == "__main__":
    sys.exit(main())
