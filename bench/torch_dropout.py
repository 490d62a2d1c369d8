#!/usr/bin/python3
"""Known answers from PyTorch for dropout: the network

    dropout:0.2, dense:6, relu, dropout:0.4, dense:3, softmax    (5 inputs, cross-entropy)

as nn.Sequential(Dropout, Linear, ReLU, Dropout, Linear, Softmax), whose module indices are our
layer indices k (the masks' layer numbers, the tensor names layers.{k}.weight), in float64,
trained by plain SGD for 3 steps of batch 4 (file order). Each dropout is nn.Dropout's formula,
x * mask / (1-p), with OUR mask (backpropcl.model.DropoutMask): element e = r * width + j of the
(batch rows, width) block of dropout layer k's input on step t (1, 2, 3) is kept iff
Philox4x32-10's uniform(seed, t, k, e) >= float32(p). Philox is written here again in numpy uint32
arithmetic and checked against Random123's published known answers (the vectors of
Philox4x32Test) before it is used. Writes the JSON that PyTorchDropoutTest reads:

    /usr/bin/python3 bench/torch_dropout.py > src/test/resources/pytorch/dropout.json
"""
import json
import numpy as np
import torch

M0, M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
W0, W1 = np.uint32(0x9E3779B9), np.uint32(0xBB67AE85)
LOW = np.uint64(0xFFFFFFFF)


def philox4x32_10(ctr, key):
    """Philox4x32-10 of counters ctr (4, n) and key (2,) as uint32 arrays: 4 words per counter (Random123's v[0..3])."""
    x0, x1, x2, x3 = (np.asarray(c, dtype=np.uint32).copy() for c in ctr)
    k0, k1 = np.uint32(key[0]), np.uint32(key[1])
    with np.errstate(over="ignore"):
        for r in range(10):
            if r > 0:
                k0, k1 = np.uint32(k0 + W0), np.uint32(k1 + W1)
            p0 = M0 * x0.astype(np.uint64)
            p1 = M1 * x2.astype(np.uint64)
            hi0, lo0 = (p0 >> np.uint64(32)).astype(np.uint32), (p0 & LOW).astype(np.uint32)
            hi1, lo1 = (p1 >> np.uint64(32)).astype(np.uint32), (p1 & LOW).astype(np.uint32)
            x0, x1, x2, x3 = hi1 ^ x1 ^ k0, lo1, hi0 ^ x3 ^ k1, lo0
    return x0, x1, x2, x3


# Random123's tests/kat_vectors, philox4x32 10 rounds (the lines Philox4x32Test copies): counter, key, output.
KAT = [
    ("00000000 00000000 00000000 00000000", "00000000 00000000", "6627e8d5 e169c58d bc57ac4c 9b00dbd8"),
    ("ffffffff ffffffff ffffffff ffffffff", "ffffffff ffffffff", "408f276d 41c83b0e a20bc7c6 6d5451fd"),
    ("243f6a88 85a308d3 13198a2e 03707344", "a4093822 299f31d0", "d16cfe09 94fdcceb 5001e420 24126ea1"),
]
for c, k, want in KAT:
    words = lambda s: [int(w, 16) for w in s.split()]
    got = [int(w[0]) for w in philox4x32_10([[w] for w in words(c)], words(k))]
    assert got == words(want), f"philox of {c} / {k}: got {[hex(g) for g in got]}, want {want}"


def uniform(seed, step, layer, elements):
    """DropoutMask's uniform numbers of elements 0..elements-1: word 0's top 24 bits times 2^-24 (exact in float32 and here)."""
    e = np.arange(elements, dtype=np.uint32)
    ctr = [e, np.full_like(e, layer), np.full_like(e, step & 0xFFFFFFFF), np.full_like(e, step >> 32)]
    x0 = philox4x32_10(ctr, [seed & 0xFFFFFFFF, seed >> 32])[0]
    return (x0 >> np.uint32(8)).astype(np.float64) * 2.0 ** -24


def mask(seed, step, layer, rows, width, p):
    """1.0 where element (r, j) is kept, 0.0 where dropped: uniform >= float32(p)."""
    return torch.tensor(uniform(seed, step, layer, rows * width) >= float(np.float32(p)), dtype=torch.float64).reshape(rows, width)


class MaskedDropout(torch.nn.Module):
    """nn.Dropout(p) in training, x * mask / (1-p), with the mask set from outside for each step."""

    def __init__(self, p):
        super().__init__()
        self.p = p
        self.mask = None

    def forward(self, x):
        return x * self.mask / (1 - self.p)


torch.manual_seed(14)
torch.set_default_dtype(torch.float64)
SEED = 0x0123456789ABCDEF          # high and low words both matter (the key)
INPUTS, P_IN, HIDDEN, P_HIDDEN, OUTPUTS = 5, 0.2, 6, 0.4, 3
BATCH, LR = 4, 0.5
SPEC = f"dropout:{P_IN},dense:{HIDDEN},relu,dropout:{P_HIDDEN},dense:{OUTPUTS},softmax"
x = torch.rand(12, INPUTS).float().double()   # float32 values, as our data sets hold them
labels = torch.randint(0, OUTPUTS, (12,))
net = torch.nn.Sequential(MaskedDropout(P_IN), torch.nn.Linear(INPUTS, HIDDEN), torch.nn.ReLU(),
                          MaskedDropout(P_HIDDEN), torch.nn.Linear(HIDDEN, OUTPUTS), torch.nn.Softmax(dim=1))
with torch.no_grad():
    for k in (1, 4):   # our Parameters are float32: the initial values as float32 numbers, widened back
        net[k].weight.copy_(torch.randn_like(net[k].weight).mul(0.6).float().double())
        net[k].bias.copy_(torch.randn_like(net[k].bias).mul(0.3).float().double())
params = [net[1].weight, net[1].bias, net[4].weight, net[4].bias]
initial = [p.detach().flatten().tolist() for p in params]
opt = torch.optim.SGD(params, lr=LR)
steps = []
for t in (1, 2, 3):
    start = ((t - 1) % 3) * BATCH
    xb, yb = x[start:start + BATCH], labels[start:start + BATCH]
    net[0].mask = mask(SEED, t, 0, BATCH, INPUTS, P_IN)
    net[3].mask = mask(SEED, t, 3, BATCH, HIDDEN, P_HIDDEN)
    a = net(xb)
    # Our cross-entropy with a softmax output: the batch mean of -sum_j y_j ln a_j.
    loss = -(torch.nn.functional.one_hot(yb, OUTPUTS) * torch.log(a)).sum(dim=1).mean()
    opt.zero_grad()
    loss.backward()
    steps.append({
        "step": t,
        "start": start,
        "masks": {"0": net[0].mask.flatten().tolist(), "3": net[3].mask.flatten().tolist()},
        "loss": loss.item(),
        "gradients": [p.grad.flatten().tolist() for p in params],
    })
    opt.step()

print(json.dumps({
    "torch": torch.__version__,
    "spec": SPEC,
    "inputs": INPUTS,
    "seed": SEED,
    "batch": BATCH,
    "lr": LR,
    "x": x.flatten().tolist(),
    "labels": labels.tolist(),
    "initial": initial,
    "steps": steps,
    "final": [p.detach().flatten().tolist() for p in params],
}, indent=1))
