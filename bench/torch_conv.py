#!/usr/bin/python3
"""Known answers from PyTorch for convolutional networks: nn.Conv2d, nn.MaxPool2d, nn.BatchNorm2d /
nn.BatchNorm1d and nn.Flatten, forward and backward, in float64, for a handful of small networks
given as our --layers specs on an input shape. Each network is the nn.Sequential whose module
indices are our layer indices k (tensor names layers.{k}.weight, as in the fixture). For each case:

  - the output of every module on the first batch in training mode, the loss, and the gradient of
    every parameter (named_parameters: no gradient for the running statistics);
  - three plain SGD steps (lr 0.1) in training mode on the batches starting at rows 0, B, 0 (file
    order), each step's loss, then the whole state_dict (parameters, running_mean,
    running_var, num_batches_tracked);
  - the network's output, each sample's cost and their mean over all samples in evaluation mode
    after the steps.

The costs are ours (backpropcl.model.Cost), batch means of: quadratic 0.5 ||a - y||^2; cross-entropy
with softmax -sum y ln a; cross-entropy with sigmoid -sum [y ln a + (1-y) ln(1-a)]; y one-hot.

Ties in max pooling are made on purpose: the cases marked "ties" use binary images and weights
that are multiples of 1/4, so every sum is exact in any order and equal window values are equal
bit for bit in any engine. The script checks that nn.MaxPool2d sends the gradient to the FIRST
maximum of each window (row-major) and that a last-maximum rule gives different gradients there,
so the fixture tells the two rules apart.

Parameters and inputs are float32 values widened to float64 (our Parameters and data sets are
float32). Writes src/test/resources/pytorch/conv.json (what PyTorchConvTest reads) and prints what
it wrote:

    /usr/bin/python3 bench/torch_conv.py
"""
import copy
import json
import os
import re
from fractions import Fraction
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
LR, STEPS = 0.1, 3
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "pytorch", "conv.json")

CASES = [
    # name, input shape, spec, cost, batch, ties
    ("conv-relu-pool-ties", "1x6x6", "conv:2x3x3,relu,maxpool:2,flatten,dense:3,softmax", "cross-entropy", 5, True),
    ("conv-relu-pool-ties-batch1", "1x6x6", "conv:2x3x3,relu,maxpool:2,flatten,dense:3,softmax", "cross-entropy", 1, True),
    ("stride-padding-batchnorm2d", "3x5x5", "conv:4x3x3:s2:p1,batchnorm,relu,flatten,dense:2,sigmoid", "quadratic", 5, False),
    ("two-conv-batchnorm1d", "1x7x7",
     "conv:3x5x5:p2,tanh,maxpool:3:s2,conv:2x1x1,flatten,dense:4,batchnorm,relu,dense:3,softmax", "cross-entropy", 3, False),
    ("one-by-one-output", "2x4x4", "conv:3x3x3,batchnorm,relu,maxpool:2,flatten,dense:2,sigmoid", "cross-entropy", 1, False),
    ("one-by-one-conv-batchnorm", "2x4x4", "conv:4x4x4,batchnorm,tanh,flatten,dense:3,softmax", "quadratic", 5, False),
]


def parse_shape(s):
    dims = [int(d) for d in s.split("x")]
    return tuple(dims) if len(dims) == 3 else (dims[0], 1, 1)


def build(shape, spec):
    """nn.Sequential of spec on inputs of shape (C, H, W), module k = layer k; and the shape after each module."""
    modules, shapes = [], []
    c, h, w = shape
    image = True   # the tensor is (N, C, H, W) until flatten
    for token in spec.split(","):
        kind, _, args = token.partition(":")
        if kind == "conv":
            m = re.fullmatch(r"(\d+)x(\d+)x(\d+)((?::[sp]\d+)*)", args)
            f, k = int(m.group(1)), int(m.group(2))
            opts = dict((o[0], int(o[1:])) for o in m.group(4).split(":") if o)
            s, p = opts.get("s", 1), opts.get("p", 0)
            modules.append(torch.nn.Conv2d(c, f, kernel_size=k, stride=s, padding=p))
            c, h, w = f, (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        elif kind == "maxpool":
            parts = args.split(":")
            k = int(parts[0])
            s = int(parts[1][1:]) if len(parts) > 1 else k
            modules.append(torch.nn.MaxPool2d(kernel_size=k, stride=s))
            h, w = (h - k) // s + 1, (w - k) // s + 1
        elif kind == "batchnorm":
            modules.append(torch.nn.BatchNorm2d(c) if image else torch.nn.BatchNorm1d(c))
        elif kind == "flatten":
            modules.append(torch.nn.Flatten())
            c, h, w, image = c * h * w, 1, 1, False
        elif kind == "dense":
            modules.append(torch.nn.Linear(c, int(args)))
            c = int(args)
        else:
            modules.append({"relu": torch.nn.ReLU(), "tanh": torch.nn.Tanh(), "sigmoid": torch.nn.Sigmoid(),
                            "softmax": torch.nn.Softmax(dim=1)}[kind])
        shapes.append((c, h, w))
    return torch.nn.Sequential(*modules), shapes


def shape_name(s):
    """As model.Shape writes it: 1x28x28, or 784 for a flat (n, 1, 1)."""
    return str(s[0]) if s[1:] == (1, 1) else "%dx%dx%d" % s


class Named(torch.nn.Module):
    """The nn.Sequential held as `layers`, as our files hold it: its tensors are named layers.{k}.weight and so on."""

    def __init__(self, layers):
        super().__init__()
        self.layers = layers


def f32(t):
    return t.float().double()


def initialise(net, ties, nbt):
    """Seeded float32-valued parameters; ties: multiples of 1/4 (exact sums). Batch norm gets non-default values to check every term."""
    with torch.no_grad():
        for m in net:
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                if ties:
                    m.weight.copy_(torch.randint(-2, 3, m.weight.shape) * 0.25)
                    m.bias.copy_(torch.randint(-1, 2, m.bias.shape) * 0.25)
                else:
                    m.weight.copy_(f32(torch.randn_like(m.weight) * 0.5))
                    m.bias.copy_(f32(torch.randn_like(m.bias) * 0.2))
            elif isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                m.weight.copy_(f32(1 + 0.3 * torch.randn_like(m.weight)))
                m.bias.copy_(f32(0.2 * torch.randn_like(m.bias)))
                m.running_mean.copy_(f32(0.1 * torch.randn_like(m.running_mean)))
                m.running_var.copy_(f32(0.5 + torch.rand_like(m.running_var)))
                m.num_batches_tracked.fill_(nbt)


def sample_costs(kind, last, out, logits, y):
    """Our cost of each sample from the network's output (and, for cross-entropy with sigmoid, its logits)."""
    if kind == "quadratic":
        return 0.5 * ((out - y) ** 2).sum(dim=1)
    if isinstance(last, torch.nn.Softmax):
        return -(y * torch.log(out)).sum(dim=1)
    return F.binary_cross_entropy_with_logits(logits, y, reduction="none").sum(dim=1)


def cost(kind, last, out, logits, y):
    """Our batch-mean cost."""
    return sample_costs(kind, last, out, logits, y).sum() / out.shape[0]


def forward(net, x):
    """Every module's output."""
    outs = []
    for m in net:
        x = m(x)
        outs.append(x)
    return outs


def loss_of(net, kind, x, y):
    outs = forward(net, x)
    return cost(kind, net[-1], outs[-1], outs[-2], y), outs


def flat(t):
    return t.detach().flatten().tolist()


def short32(v):
    """Float32 value v as the double of its shortest float32 decimal (half the digits in the file). Both ways Java reads it,
    Float.parseFloat and (float) Double.parseDouble, give v again: checked here exactly."""
    f = np.float32(v)
    text = str(f)
    d = float(text)
    assert np.float32(d) == f, text
    lo, hi = np.nextafter(f, np.float32(-np.inf)), np.nextafter(f, np.float32(np.inf))
    exact = Fraction(text)
    assert (Fraction(float(lo)) + Fraction(float(f))) / 2 < exact < (Fraction(float(hi)) + Fraction(float(f))) / 2, text
    return d


def flat32(t):
    """Float32-valued tensor t as Float32 numbers (asserting it holds only float32 values)."""
    assert torch.equal(t, f32(t)), "not float32 values"
    return [short32(v) for v in flat(t)]


def state32(named):
    """The state_dict of float32 values (and num_batches_tracked's integers)."""
    return {n: flat32(t) if t.is_floating_point() else flat(t) for n, t in named.state_dict().items()}


class TiePool(torch.nn.Module):
    """Max pooling that sends the gradient to the first or the last maximum of each window (row-major), by unfold and gather."""

    def __init__(self, pool, first):
        super().__init__()
        self.k, self.s, self.first = pool.kernel_size, pool.stride, first

    def forward(self, x):
        n, c, h, w = x.shape
        oh, ow = (h - self.k) // self.s + 1, (w - self.k) // self.s + 1
        cols = F.unfold(x, self.k, stride=self.s).view(n, c, self.k * self.k, oh * ow)
        hit = cols == cols.max(dim=2, keepdim=True).values
        order = torch.arange(self.k * self.k).view(1, 1, -1, 1)
        pick = torch.where(hit, order, -1 if not self.first else self.k * self.k)
        index = (pick.min(dim=2, keepdim=True) if self.first else pick.max(dim=2, keepdim=True)).values
        return cols.gather(2, index).view(n, c, oh, ow)


def gradients_with(net, kind, x, y, replace):
    """The parameter gradients of the net with its max-pool modules replaced by replace(pool)."""
    # A copy: a training forward moves batch norm's running statistics, and the steps start from the initial ones.
    other = torch.nn.Sequential(*[replace(m) if isinstance(m, torch.nn.MaxPool2d) else m for m in copy.deepcopy(net)])
    other.zero_grad()
    loss, _ = loss_of(other, kind, x, y)
    loss.backward()
    grads = [p.grad.clone() for p in other.parameters()]
    other.zero_grad()
    return grads


def tied_windows(net, outs):
    """Windows of every max pool whose maximum occurs more than once, in the forward pass outs."""
    count = 0
    for k, m in enumerate(net):
        if isinstance(m, torch.nn.MaxPool2d):
            x = outs[k - 1]
            cols = F.unfold(x, m.kernel_size, stride=m.stride).view(x.shape[0], x.shape[1], m.kernel_size ** 2, -1)
            count += int(((cols == cols.max(dim=2, keepdim=True).values).sum(dim=2) > 1).sum())
    return count


def check_first_maximum(net, kind, x, y, name):
    """nn.MaxPool2d's gradients are the first-maximum rule's; in a ties case the last-maximum rule's differ."""
    torch_grads = gradients_with(net, kind, x, y, lambda m: m)
    first = gradients_with(net, kind, x, y, lambda m: TiePool(m, True))
    last = gradients_with(net, kind, x, y, lambda m: TiePool(m, False))
    # Apart by more than rounding (unfold and gather add the overlapping windows' parts in another order).
    apart = lambda a, b: int(((a - b).abs() > 1e-12 * (1 + b.abs())).sum())
    assert all(apart(f, t) == 0 for t, f in zip(torch_grads, first)), f"{name}: nn.MaxPool2d is not the first-maximum rule"
    return sum(apart(l, t) for t, l in zip(torch_grads, last))


def run(index, name, shape_text, spec, kind, batch, ties):
    torch.manual_seed(1500 + index)
    shape = parse_shape(shape_text)
    net, shapes = build(shape, spec)
    nbt = 4 if index == 3 else 0   # one case starts with batches already tracked: += 1, not = steps
    initialise(net, ties, nbt)
    count = 2 * batch
    if ties:
        x = torch.randint(0, 2, (count,) + shape).double()
    else:
        x = f32(torch.rand((count,) + shape))
    outputs = shapes[-1][0]
    labels = torch.randint(0, outputs, (count,))
    y = F.one_hot(labels, outputs).double()
    named = Named(net)   # state_dict and named_parameters with our tensor names
    initial = state32(named)
    case = {
        "name": name, "input_shape": shape_text, "spec": spec, "cost": kind, "batch": batch, "count": count,
        "modules": [str(m) for m in net], "shapes": [shape_name(s) for s in shapes],
        "x": flat32(x), "labels": labels.tolist(), "initial": initial,
    }
    if any(isinstance(m, torch.nn.MaxPool2d) for m in net):
        probe = copy.deepcopy(net)   # as above: the net's running statistics stay the initial ones
        _, outs = loss_of(probe, kind, x[:batch], y[:batch])
        case["tied_windows"] = tied_windows(probe, outs)
        case["gradients_last_maximum_changes"] = check_first_maximum(net, kind, x[:batch], y[:batch], name)
        if ties:
            assert case["tied_windows"] > 0 and case["gradients_last_maximum_changes"] > 0, \
                f"{name}: the ties do not tell the first-maximum rule from the last: {case}"
    assert state32(named) == initial
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    steps = []
    net.train()
    for t in range(STEPS):
        start = (t % 2) * batch
        loss, outs = loss_of(net, kind, x[start:start + batch], y[start:start + batch])
        opt.zero_grad()
        loss.backward()
        step = {"start": start, "loss": loss.item()}
        if t == 0:   # the later steps' gradients show in the final state; only their losses are kept
            step["outputs"] = [flat(o) for o in outs]
            step["gradients"] = {n: flat(p.grad) for n, p in named.named_parameters()}
        steps.append(step)
        opt.step()
    case["steps"] = steps
    case["final"] = {n: flat(t) for n, t in named.state_dict().items()}
    net.eval()
    with torch.no_grad():
        outs = forward(net, x)
        costs = sample_costs(kind, net[-1], outs[-1], outs[-2], y)
    case["eval"] = {"outputs": flat(outs[-1]), "sample_costs": flat(costs), "cost": (costs.sum() / count).item(),
                    "correct": int((outs[-1].argmax(dim=1) == labels).sum())}
    return case


cases = [run(i, *c) for i, c in enumerate(CASES)]
# One case per line: the file stays small and a diff shows which case changed.
text = "{\"torch\": %s, \"lr\": %s, \"steps\": %d, \"cases\": [\n%s\n]}\n" % (
    json.dumps(torch.__version__), json.dumps(LR), STEPS, ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
with open(OUT, "w") as f:
    f.write(text)
print(f"wrote {os.path.relpath(OUT)} ({len(text)} bytes), torch {torch.__version__}, float64, SGD lr {LR}, {STEPS} steps")
for c in cases:
    ties = ""
    if "tied_windows" in c:
        ties = f", {c['tied_windows']} tied pool windows, last-maximum rule changes {c['gradients_last_maximum_changes']} gradients"
    print(f"  {c['name']}: {c['input_shape']} {c['spec']} ({c['cost']}, batch {c['batch']} of {c['count']}): "
          f"loss {c['steps'][0]['loss']:.6f} -> eval cost {c['eval']['cost']:.6f}{ties}")
