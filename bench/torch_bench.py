#!/usr/bin/python3
"""PyTorch baseline for `backprop-cl bench`: the same workloads, data and timing, on the CPU.

Workloads (the recipes of backprop-cl's bench command):
  W1  784-16-16-10, sigmoid everywhere, quadratic cost 1/(2B) sum ||a - y||^2, N(0,1) weights and
      biases, SGD lr 3.0, batch 10
  W2  784-128-64-10, ReLU, softmax + cross-entropy (mean), He init (N(0, 2/in), zero biases),
      SGD lr 0.1, batch 100
  W3  784-1024-1024-10, as W2 with batch 256, lr 0.05 (only with --w3 or --workloads)
  W4  LeNet-5 on 1x28x28 images: conv:6x5x5:p2,relu,maxpool:2,conv:16x5x5,relu,maxpool:2,flatten,
      dense:120,relu,dense:84,relu,dense:10,softmax; softmax + cross-entropy, He init (conv
      fan_in = C*K*K, zero biases), SGD lr 0.05, batch 32 (only with --workloads)
  W5  conv:32x3x3:p1,batchnorm,relu,maxpool:2,conv:64x3x3:p1,batchnorm,relu,maxpool:2,flatten,
      dense:128,relu,dense:10,softmax on 1x28x28, as W4 with batch 64 (BatchNorm2d with PyTorch's
      gamma 1, beta 0, eps 1e-5, momentum 0.1; only with --workloads)

Data: the first --train-samples training images (default: 10,000 for W1-W3, 2,000 for W4 and W5, the
larger when both kinds run, as backprop-cl bench) of Fashion-MNIST (/usr/share/datasets/fashion-mnist)
when installed, else the mnist-10k bundled in the repository; pixels / 255 in float32, as the Java
IDX reader makes them; W4 and W5 see them as (N, 1, 28, 28).

Timing: an epoch is the training loop alone (permutation, batch slicing, forward, backward, SGD
step); no evaluation inside it, unless --with-test ends each epoch with the test set's evaluation
as `backprop-cl train` does. samples/s = training samples / the median epoch after the first.
GFLOP/s uses backprop-cl's formula (docs/benchmarks.md). Test accuracy after the timed epochs.

Threads: `single` sets OPENBLAS_NUM_THREADS=1 before torch loads and torch.set_num_threads(1),
PyTorch's faster setting on a small machine (its defaults oversubscribe: OpenMP threads plus
OpenBLAS threads); `default` leaves PyTorch's defaults; `both` runs each in its own process.

Output: one JSON object per line and workload on stdout, with the BLAS library torch loaded (on
Debian, libblas.so.3 may be OpenBLAS or the reference BLAS, which is many times slower: install
libopenblas0 for a fair baseline); progress on stderr.
Run with /usr/bin/python3 (Debian's python3-torch).
"""
import argparse
import gzip
import json
import os
import statistics
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
BUNDLED_DIR = os.path.join(HERE, "..", "src", "main", "resources", "datasets", "mnist-10k")

# name: (sizes, hidden activation, output, cost, init, batch, lr)
WORKLOADS = {
    "W1": ((784, 16, 16, 10), "sigmoid", "sigmoid", "quadratic", "normal", 10, 3.0),
    "W2": ((784, 128, 64, 10), "relu", "softmax", "cross-entropy", "he", 100, 0.1),
    "W3": ((784, 1024, 1024, 10), "relu", "softmax", "cross-entropy", "he", 256, 0.05),
}
# name: (--layers spec on 1x28x28, batch, lr); softmax + cross-entropy, He init
CONV_WORKLOADS = {
    "W4": ("conv:6x5x5:p2,relu,maxpool:2,conv:16x5x5,relu,maxpool:2,flatten,dense:120,relu,dense:84,relu,dense:10,softmax",
           32, 0.05),
    "W5": ("conv:32x3x3:p1,batchnorm,relu,maxpool:2,conv:64x3x3:p1,batchnorm,relu,maxpool:2,flatten,dense:128,relu,"
           "dense:10,softmax", 64, 0.05),
}
IMAGE_SHAPE = (1, 28, 28)
# Training samples per epoch when --train-samples is not given (backprop-cl's Workload.trainSamples).
TRAIN_SAMPLES = {"W1": 10000, "W2": 10000, "W3": 10000, "W4": 2000, "W5": 2000}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workloads", default="W1,W2", help="comma-separated workloads (default: W1,W2)")
    p.add_argument("--w3", action="store_true", help="also run W3")
    p.add_argument("--epochs", type=int, default=4, help="timed epochs, at least 2; the first is warm-up (default: 4)")
    p.add_argument("--train-samples", type=int, default=None,
                   help="training samples per epoch, the first N (default, as backprop-cl bench: 10000 for W1-W3, "
                        "2000 for W4 and W5, the larger when both kinds run)")
    p.add_argument("--test-samples", type=int, default=None, help="test samples for the accuracy (default: all)")
    p.add_argument("--data", default="auto",
                   help="auto (Fashion-MNIST when installed, else the bundled mnist-10k), or a directory of IDX .gz files")
    p.add_argument("--with-test", action="store_true",
                   help="end each timed epoch with the test-set evaluation, as backprop-cl train's epoch times do "
                        "(for the whole-process comparison on 60,000 images, docs/benchmarks.md)")
    p.add_argument("--threads", choices=["single", "default", "both"], default="single",
                   help="single: 1 thread and OPENBLAS_NUM_THREADS=1 (default); default: PyTorch's defaults; both")
    a = p.parse_args()
    names = [w.strip().upper() for w in a.workloads.split(",") if w.strip()]
    if a.w3 and "W3" not in names:
        names.append("W3")
    unknown = [w for w in names if w not in TRAIN_SAMPLES]
    if unknown or not names:
        p.error(f"unknown workload {','.join(unknown) or '(none)'} (expected {', '.join(TRAIN_SAMPLES)})")
    if a.train_samples is None:
        a.train_samples = max(TRAIN_SAMPLES[w] for w in names)
    if a.epochs < 2:
        p.error("--epochs must be at least 2: the first epoch is warm-up and not counted")
    if a.train_samples < 1 or (a.test_samples is not None and a.test_samples < 1):
        p.error("--train-samples and --test-samples must be at least 1")
    a.names = names
    return a


def run_both():
    """Each setting in its own process: OPENBLAS_NUM_THREADS only counts before the library loads."""
    argv = list(sys.argv[1:])
    if "--threads" in argv:
        i = argv.index("--threads")
        del argv[i:i + 2]
    argv = [x for x in argv if not x.startswith("--threads=")]
    code = 0
    for setting in ("single", "default"):
        r = subprocess.run([sys.executable, os.path.abspath(__file__), *argv, "--threads", setting])
        code = code or r.returncode
    return code


def flops_per_epoch(sizes, samples, batch):
    """backprop-cl's count: per sample 2mn forward + 2mn backward (not layer 0) + 2mn weight
    gradient; per batch 2(mn + n) for the update."""
    per_sample = sum(2 * m * n * (3 if l > 0 else 2) for l, (m, n) in enumerate(zip(sizes, sizes[1:])))
    per_update = sum(2 * (m * n + n) for m, n in zip(sizes, sizes[1:]))
    batches = (samples + batch - 1) // batch
    return samples * per_sample + batches * per_update


def conv_layers(spec, shape):
    """The --layers spec as (kind, args, input shape, output shape) per layer, with backprop-cl's
    shape rules: conv H' = (H + 2P - K) / S + 1, maxpool H' = (H - K) / S + 1, flatten to C*H*W."""
    out = []
    for token in spec.split(","):
        kind, _, rest = token.partition(":")
        c, h, w = shape
        if kind == "conv":
            parts = rest.split(":")
            f, k, _ = map(int, parts[0].split("x"))
            stride = next((int(x[1:]) for x in parts[1:] if x.startswith("s")), 1)
            pad = next((int(x[1:]) for x in parts[1:] if x.startswith("p")), 0)
            args = (c, f, k, stride, pad)
            shape = (f, (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1)
        elif kind == "maxpool":
            parts = rest.split(":")
            k = int(parts[0])
            stride = next((int(x[1:]) for x in parts[1:] if x.startswith("s")), k)
            args = (k, stride)
            shape = (c, (h - k) // stride + 1, (w - k) // stride + 1)
        elif kind == "flatten":
            args = ()
            shape = (c * h * w, 1, 1)
        elif kind == "dense":
            args = (c * h * w, int(rest))
            shape = (int(rest), 1, 1)
        else:   # batchnorm and activations keep the shape
            args = (c,)
        out.append((kind, args, (c, h, w), shape))
    return out


def conv_flops_per_epoch(layers, samples, batch):
    """backprop-cl's count (bench.FlopCount): per sample, for each dense layer (mn products) and
    conv layer (F*C*K*K*H'*W' products) 2x forward, 2x backward (only after an earlier layer with
    parameters) and 2x weight gradient; pooling and batchnorm are elementwise and not counted; per
    batch 2 per trainable value (weights, biases, gamma, beta) for the update."""
    per_sample, params, trainable_before = 0, 0, False
    for kind, args, _, (_, oh, ow) in layers:
        if kind == "dense":
            m, n = args
            products, params = m * n, params + m * n + n
        elif kind == "conv":
            c, f, k, _, _ = args
            products, params = f * c * k * k * oh * ow, params + f * c * k * k + f
        else:
            params += 2 * args[0] if kind == "batchnorm" else 0
            continue
        per_sample += 2 * products * (3 if trainable_before else 2)
        trainable_before = True
    batches = (samples + batch - 1) // batch
    return samples * per_sample + batches * 2 * params


def blas_libraries():
    """The BLAS shared objects this process has loaded, symlinks resolved: Debian's libblas.so.3
    is an alternative that may be OpenBLAS or the slow reference BLAS (.../blas/libblas.so.3)."""
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "blas" in os.path.basename(path).lower() and os.path.exists(path):
                found.add(os.path.realpath(path))
    return sorted(found)


def main():
    args = parse_args()
    if args.threads == "both":
        return run_both()
    if args.threads == "single":
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
        os.environ["OMP_NUM_THREADS"] = "1"
    else:
        os.environ.pop("OPENBLAS_NUM_THREADS", None)
        os.environ.pop("OMP_NUM_THREADS", None)
    import numpy as np  # after the environment is set: OpenBLAS reads it when it loads
    import torch
    import torch.nn as nn
    if args.threads == "single":
        torch.set_num_threads(1)

    def images(path):
        with gzip.open(path, "rb") as f:
            magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
            if magic != 2051:
                sys.exit(f"{path}: not an IDX image file (magic {magic})")
            return np.frombuffer(f.read(), dtype=np.uint8).reshape(n, rows * cols).astype(np.float32) / np.float32(255)

    def labels(path):
        with gzip.open(path, "rb") as f:
            magic, n = struct.unpack(">II", f.read(8))
            if magic != 2049:
                sys.exit(f"{path}: not an IDX label file (magic {magic})")
            return np.frombuffer(f.read(), dtype=np.uint8).astype(np.int64)

    if args.data == "auto":
        data_dir, data_name = (FASHION_DIR, "fashion-mnist") if os.path.isdir(FASHION_DIR) else (BUNDLED_DIR, "mnist-10k")
    else:
        data_dir, data_name = args.data, os.path.basename(os.path.normpath(args.data))
    xtr = images(os.path.join(data_dir, "train-images-idx3-ubyte.gz"))[:args.train_samples]
    ytr = labels(os.path.join(data_dir, "train-labels-idx1-ubyte.gz"))[:args.train_samples]
    xte = images(os.path.join(data_dir, "t10k-images-idx3-ubyte.gz"))[:args.test_samples]
    yte = labels(os.path.join(data_dir, "t10k-labels-idx1-ubyte.gz"))[:args.test_samples]
    Xtr, Ytr, Xte, Yte = map(torch.from_numpy, (xtr, ytr, xte, yte))
    n = len(xtr)
    torch.ones(8, 8) @ torch.ones(8, 8)  # makes torch load its BLAS, so the maps below show it
    blas = blas_libraries()

    def he_(module, fan_in):   # He: N(0, 2/fan_in), zero biases
        nn.init.normal_(module.weight, std=(2.0 / fan_in) ** 0.5)
        nn.init.zeros_(module.bias)

    def conv_net(layers):
        modules = []
        for kind, args, (c, _, _), _ in layers:
            if kind == "conv":
                c, f, k, stride, pad = args
                conv = nn.Conv2d(c, f, kernel_size=k, stride=stride, padding=pad)
                he_(conv, c * k * k)
                modules.append(conv)
            elif kind == "maxpool":
                modules.append(nn.MaxPool2d(kernel_size=args[0], stride=args[1]))
            elif kind == "batchnorm":
                modules.append(nn.BatchNorm2d(c))
            elif kind == "flatten":
                modules.append(nn.Flatten())
            elif kind == "dense":
                lin = nn.Linear(*args)
                he_(lin, args[0])
                modules.append(lin)
            elif kind == "relu":
                modules.append(nn.ReLU())
            elif kind != "softmax":   # softmax: folded into cross_entropy (log-softmax + NLL), so the net outputs z
                sys.exit(f"torch_bench.py: layer {kind} is not in W4/W5's recipes")
        return nn.Sequential(*modules)

    def accuracy_of(net, Xte):
        """Test accuracy in evaluation mode (batchnorm on its running statistics, as backprop-cl evaluates),
        in chunks of 1,000 so that a conv network's activations of 10,000 images need not fit at once."""
        net.eval()
        with torch.no_grad():
            right = sum((net(Xte[i:i + 1000]).argmax(1) == Yte[i:i + 1000]).sum().item() for i in range(0, len(Xte), 1000))
        net.train()
        return right / len(Xte)

    def time_epochs(name, net, Xtr, Xte, loss_of, batch, lr, network, flops):
        """Trains and times the epochs of one workload (the same loop for every network) and prints its JSON line.
        Xtr and Xte are the images as the network takes them: (N, 784) rows or (N, 1, 28, 28)."""
        opt = torch.optim.SGD(net.parameters(), lr=lr)
        seconds = []
        for e in range(1, args.epochs + 1):
            t0 = time.perf_counter()
            perm = torch.randperm(n)
            for i in range(0, n, batch):
                idx = perm[i:i + batch]
                loss = loss_of(net(Xtr[idx]), idx)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            if args.with_test:   # train's epoch: the batches, then the test set's cost and accuracy
                accuracy_of(net, Xte)
            seconds.append(time.perf_counter() - t0)
            print(f"torch {name} {args.threads}: epoch {e}/{args.epochs} {seconds[-1]:.3f} s, {n / seconds[-1]:,.0f} samples/s"
                  + (" (warm-up, not counted)" if e == 1 else ""), file=sys.stderr, flush=True)
        median = statistics.median(seconds[1:])
        accuracy = accuracy_of(net, Xte)
        print(json.dumps({
            "framework": "pytorch", "torch": torch.__version__, "workload": name,
            "network": network,
            "batch": batch, "lr": lr, "setting": args.threads, "torch_threads": torch.get_num_threads(),
            "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "blas": blas,
            "data": data_name, "train_samples": n, "test_samples": len(xte), "epochs": args.epochs,
            "epoch_seconds": seconds, "with_test": args.with_test, "samples_per_second": n / median,
            "gflops": flops(n) / median / 1e9, "test_accuracy": accuracy,
        }), flush=True)

    for name in args.names:
        if name in CONV_WORKLOADS:
            spec, batch, lr = CONV_WORKLOADS[name]
            torch.manual_seed(1)
            layers = conv_layers(spec, IMAGE_SHAPE)
            net = conv_net(layers)
            xs, xt = Xtr.reshape(-1, *IMAGE_SHAPE), Xte.reshape(-1, *IMAGE_SHAPE)
            loss_of = lambda out, idx: nn.functional.cross_entropy(out, Ytr[idx])
            network = "x".join(map(str, IMAGE_SHAPE)) + " -> " + spec + " cross-entropy, he init"
            flops = lambda samples: conv_flops_per_epoch(layers, samples, batch)
            time_epochs(name, net, xs, xt, loss_of, batch, lr, network, flops)
            continue
        sizes, hidden, output, cost, init, batch, lr = WORKLOADS[name]
        torch.manual_seed(1)
        layers = []
        for l, (m, k) in enumerate(zip(sizes, sizes[1:])):
            lin = nn.Linear(m, k)
            if init == "normal":   # the lesson setting: N(0,1) weights and biases
                nn.init.normal_(lin.weight)
                nn.init.normal_(lin.bias)
            else:                  # He: N(0, 2/in), zero biases
                nn.init.normal_(lin.weight, std=(2.0 / m) ** 0.5)
                nn.init.zeros_(lin.bias)
            layers.append(lin)
            last = l == len(sizes) - 2
            act = output if last else hidden
            if act == "sigmoid":
                layers.append(nn.Sigmoid())
            elif act == "relu":
                layers.append(nn.ReLU())
            # softmax: folded into cross_entropy (log-softmax + NLL), so the net outputs z
        net = nn.Sequential(*layers)
        if cost == "quadratic":
            targets = torch.nn.functional.one_hot(Ytr, sizes[-1]).float()
            loss_of = lambda out, idx: 0.5 * ((out - targets[idx]) ** 2).sum() / out.shape[0]
        else:
            loss_of = lambda out, idx: nn.functional.cross_entropy(out, Ytr[idx])
        network = "-".join(map(str, sizes)) + f" {hidden}/{output} {cost}, {init} init"
        time_epochs(name, net, Xtr, Xte, loss_of, batch, lr, network, lambda samples: flops_per_epoch(sizes, samples, batch))
    return 0



if __name__ == "__main__":
    sys.exit(main())
