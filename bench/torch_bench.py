#!/usr/bin/python3
"""PyTorch baseline for `backprop-cl bench`: the same workloads, data and timing, on the CPU.

Workloads (the recipes of backprop-cl's bench command):
  W1  784-16-16-10, sigmoid everywhere, quadratic cost 1/(2B) sum ||a - y||^2, N(0,1) weights and
      biases, SGD lr 3.0, batch 10
  W2  784-128-64-10, ReLU, softmax + cross-entropy (mean), He init (N(0, 2/in), zero biases),
      SGD lr 0.1, batch 100
  W3  784-1024-1024-10, as W2 with batch 256, lr 0.05 (only with --w3 or --workloads)

Data: the first --train-samples training images of Fashion-MNIST (/usr/share/datasets/fashion-mnist)
when installed, else the mnist-10k bundled in the repository; pixels / 255 in float32, as the Java
IDX reader makes them.

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


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workloads", default="W1,W2", help="comma-separated workloads (default: W1,W2)")
    p.add_argument("--w3", action="store_true", help="also run W3")
    p.add_argument("--epochs", type=int, default=4, help="timed epochs, at least 2; the first is warm-up (default: 4)")
    p.add_argument("--train-samples", type=int, default=10000,
                   help="training samples per epoch, the first N (default: 10000, as backprop-cl bench)")
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
    unknown = [w for w in names if w not in WORKLOADS]
    if unknown or not names:
        p.error(f"unknown workload {','.join(unknown) or '(none)'} (expected W1, W2, W3)")
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

    for name in args.names:
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
                with torch.no_grad():
                    out = net(Xte)
                    (out.argmax(1) == Yte).double().mean().item()
            seconds.append(time.perf_counter() - t0)
            print(f"torch {name} {args.threads}: epoch {e}/{args.epochs} {seconds[-1]:.3f} s, {n / seconds[-1]:,.0f} samples/s"
                  + (" (warm-up, not counted)" if e == 1 else ""), file=sys.stderr, flush=True)
        median = statistics.median(seconds[1:])
        with torch.no_grad():
            accuracy = (net(Xte).argmax(1) == Yte).double().mean().item()
        print(json.dumps({
            "framework": "pytorch", "torch": torch.__version__, "workload": name,
            "network": "-".join(map(str, sizes)) + f" {hidden}/{output} {cost}, {init} init",
            "batch": batch, "lr": lr, "setting": args.threads, "torch_threads": torch.get_num_threads(),
            "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "blas": blas,
            "data": data_name, "train_samples": n, "test_samples": len(xte), "epochs": args.epochs,
            "epoch_seconds": seconds, "with_test": args.with_test, "samples_per_second": n / median,
            "gflops": flops_per_epoch(sizes, n, batch) / median / 1e9, "test_accuracy": accuracy,
        }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
