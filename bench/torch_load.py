#!/usr/bin/env python3
"""Loads a backprop-cl model file into PyTorch, strictly, with no renaming.

    /usr/bin/python3 bench/torch_load.py MODEL.safetensors [--check-inputs N | --check-images IDX.gz N] [--seed S]

Reads the file's __metadata__ (version 2: input_width, input_shape, layers, cost), builds the
nn.Sequential of its `layers` spec on its input shape (the module of each layer as
model.Network.torchModule writes it in Java: Linear, Conv2d, MaxPool2d, BatchNorm2d after conv
layers and BatchNorm1d after dense ones, Sigmoid, Tanh, ReLU, LeakyReLU(0.01), Softmax(dim=1),
Identity, Flatten, Dropout; a network without conv or maxpool layers reads its input flat), wraps
it as a module whose attribute `layers` holds it, and loads the file's parameter tensors
(`layers.{k}.weight` / `.bias`, batchnorm's running_mean / running_var / num_batches_tracked, the
last int64; a checkpoint's optimizer and best-epoch tensors are not parameters) with
load_state_dict(strict=True), as named in the file. It loads the bare nn.Sequential too, the
prefix `layers.` taken off.

--check-images IDX.gz N: for a model of images, runs the model in eval mode on the first N images
of the IDX file (pixels / 255 as float32, as backprop-cl reads them) and compares every output
with what `backprop-cl predict --json --top ALL idx:IDX.gz#i` prints, as --check-inputs does.

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
DTYPES = {"F32": (torch.float32, 4), "F64": (torch.float64, 8), "I64": (torch.int64, 8)}


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
            fail(2, "%s: tensor %s has dtype %s; expected F32, F64 or I64" % (path, name, entry["dtype"]))
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


def options(token, letters, defaults):
    """The sS / pP options of a conv or maxpool token after its first argument, over their defaults."""
    values = dict(defaults)
    for part in token.split(":")[2:]:
        part = part.strip().lower()
        if not part or part[0] not in letters:
            fail(2, "layer '%s': option '%s' is not one of %s" % (token, part, letters))
        values[part[0]] = int(part[1:])
    return values


def sequential(shape, spec):
    """The nn.Sequential of a --layers spec on samples of `shape` (C, H, W), or (N,) for flat rows."""
    modules = []
    tokens = [t.strip() for t in spec.split(",")]
    spatial = any(t.lower().startswith(("conv", "maxpool")) for t in tokens)
    image = spatial and len(shape) == 3   # else the rows are flat: a dense network reads images as rows
    c, h, w = shape if image else (1, 1, 1)
    width = 1
    for size in shape:
        width *= size
    for token in tokens:
        kind, _, arg = token.partition(":")
        kind = kind.lower()
        if kind in ("dense", "linear"):
            modules.append(nn.Linear(width, int(arg)))
            width = int(arg)
        elif kind == "conv":
            f, kh, kw = (int(v) for v in arg.split(":")[0].split("x"))
            o = options(token, "sp", {"s": 1, "p": 0})
            modules.append(nn.Conv2d(c, f, kernel_size=kh, stride=o["s"], padding=o["p"]))
            c, h, w = f, (h + 2 * o["p"] - kh) // o["s"] + 1, (w + 2 * o["p"] - kw) // o["s"] + 1
            width = c * h * w
        elif kind == "maxpool":
            k = int(arg.split(":")[0])
            o = options(token, "s", {"s": k})
            modules.append(nn.MaxPool2d(kernel_size=k, stride=o["s"]))
            h, w = (h - k) // o["s"] + 1, (w - k) // o["s"] + 1
            width = c * h * w
        elif kind == "batchnorm":
            modules.append(nn.BatchNorm2d(c) if image else nn.BatchNorm1d(width))
        elif kind == "dropout":
            modules.append(nn.Dropout(float(arg)))
        elif kind == "flatten":
            modules.append(nn.Flatten())
            image = False
        elif kind in ACTIVATIONS:
            modules.append(ACTIVATIONS[kind]())
        else:
            fail(2, "layer '%s' of '%s' is not a kind this script knows" % (token, spec))
    return nn.Sequential(*modules)


def input_shape(meta):
    """(C, H, W) from the metadata's input_shape ("1x28x28"), else (input_width,)."""
    text = meta.get("input_shape")
    if text and "x" in text:
        return tuple(int(v) for v in text.split("x"))
    return (int(meta["input_width"]),)


def idx_images(path, count):
    """The first `count` images of an IDX file (gzip or not) as float32 (count, 1, H, W), bytes / 255."""
    import gzip
    with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as f:
        data = f.read()
    n, rows, cols = struct.unpack(">III", data[4:16])
    count = min(count, n)
    pixels = torch.frombuffer(bytearray(data[16:16 + count * rows * cols]), dtype=torch.uint8)
    return pixels.reshape(count, 1, rows, cols).float() / 255


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


def predict_outputs(model_path, args, outputs):
    """What backprop-cl predict prints for its input arguments: one list of the output layer's values per input, by class."""
    here = os.path.dirname(os.path.abspath(__file__))
    launcher = os.environ.get("BACKPROP_CL", os.path.join(os.path.dirname(here), "backprop-cl")).split()
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
    parser.add_argument("--check-images", nargs=2, metavar=("IDX", "N"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    meta, tensors = read_safetensors(args.model)
    if meta.get("format") != "backprop-cl" or meta.get("version") != "2":
        fail(2, "%s: not a backprop-cl model file of version 2 (format %r, version %r)"
             % (args.model, meta.get("format"), meta.get("version")))
    inputs = int(meta["input_width"])
    shape = input_shape(meta)
    spec = meta["layers"]
    # A checkpoint keeps F64: as float32, the model's precision; counts stay int64.
    params = {k: v if v.dtype == torch.int64 else v.float() for k, v in tensors.items() if k.startswith("layers.")}

    model = Model(sequential(shape, spec))
    try:
        model.load_state_dict(params, strict=True)
        bare = sequential(shape, spec)
        bare.load_state_dict({k[len("layers."):]: v for k, v in params.items()}, strict=True)
    except RuntimeError as e:
        fail(1, "%s: strict load of %s failed: %s" % (args.model, spec, e))
    print("%s: loaded strictly into %s (%d tensors: %s), and into the bare nn.Sequential"
          % (args.model, "Model(layers=" + repr(model.layers).replace("\n", "").replace("  ", " ") + ")",
             len(params), ", ".join(params)))

    if args.check_images:
        images = idx_images(args.check_images[0], int(args.check_images[1]))
        names = ["idx:%s#%d" % (args.check_images[0], i) for i in range(images.shape[0])]
        return compare(args.model, model, bare, spec, images, names)
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
    # repr of a float32 value read back as a float: the exact value, so both sides see the same input.
    return compare(args.model, model, bare, spec, x, [",".join(repr(float(v)) for v in row) for row in raw.tolist()])


def compare(model_path, model, bare, spec, x, args):
    """Runs the model in eval mode on x and compares with predict's answers for the inputs args; the exit code."""
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
    theirs = torch.tensor(predict_outputs(model_path, args, outputs), dtype=torch.float64)
    diff = (theirs - shown).abs().max().item()
    same_argmax = bool((theirs.argmax(dim=1) == ours.argmax(dim=1)).all())
    print("%d inputs, %d outputs each: max |torch - predict| = %.3g (tolerance %g); argmax %s"
          % (x.shape[0], outputs, diff, TOLERANCE, "agrees on every row" if same_argmax else "DIFFERS"))
    return 0 if diff <= TOLERANCE and same_argmax else 1


if __name__ == "__main__":
    sys.exit(main())
