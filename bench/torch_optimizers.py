#!/usr/bin/python3
"""Known answers from PyTorch for the optimizers: a 4-5-3 network (tanh, softmax output with
cross-entropy) trained for 6 steps of batch 4 (file order, 12 samples, twice through) by every
rule of backpropcl.model.Optimizer, in float64. Weight decay goes to the weights only (a parameter
group of its own), as backprop-cl does it. Writes the JSON that PyTorchOptimizersTest reads:

    /usr/bin/python3 bench/torch_optimizers.py > src/test/resources/pytorch/optimizers.json
"""
import json
import torch

torch.manual_seed(7)
torch.set_default_dtype(torch.float64)
x = torch.rand(12, 4).float().double()   # float32 values, as our data sets hold them
labels = torch.randint(0, 3, (12,))
w0, b0 = torch.randn(5, 4) * 0.5, torch.randn(5) * 0.1
w1, b1 = torch.randn(3, 5) * 0.5, torch.randn(3) * 0.1
# The initial values as float32 numbers (our Parameters are float32), then widened back.
init = [t.float().double() for t in (w0, b0, w1, b1)]

CASES = [
    ("sgd", dict(lr=0.5, momentum=0.0, weight_decay=0.0)),
    ("sgd", dict(lr=0.5, momentum=0.0, weight_decay=0.05)),
    ("momentum", dict(lr=0.3, momentum=0.8, weight_decay=0.01)),
    ("nesterov", dict(lr=0.3, momentum=0.8, weight_decay=0.01)),
    ("adam", dict(lr=0.05, betas=(0.85, 0.99), eps=1e-6, weight_decay=0.02)),
    ("adamw", dict(lr=0.05, betas=(0.85, 0.99), eps=1e-6, weight_decay=0.5)),
]


def run(kind, h):
    params = [t.clone().requires_grad_(True) for t in init]
    weights, biases = [params[0], params[2]], [params[1], params[3]]
    decay = h["weight_decay"]
    groups = [dict(params=weights, weight_decay=decay), dict(params=biases, weight_decay=0.0)]
    if kind in ("sgd", "momentum", "nesterov"):
        opt = torch.optim.SGD(groups, lr=h["lr"], momentum=h["momentum"], nesterov=(kind == "nesterov"))
    elif kind == "adam":
        opt = torch.optim.Adam(groups, lr=h["lr"], betas=h["betas"], eps=h["eps"])
    else:
        opt = torch.optim.AdamW(groups, lr=h["lr"], betas=h["betas"], eps=h["eps"])
    for step in range(6):
        start = (step % 3) * 4
        xb, yb = x[start:start + 4], labels[start:start + 4]
        z = torch.tanh(xb @ params[0].T + params[1]) @ params[2].T + params[3]
        loss = torch.nn.functional.cross_entropy(z, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return [p.detach().flatten().tolist() for p in params]


out = {
    "torch": torch.__version__,
    "x": x.flatten().tolist(),
    "labels": labels.tolist(),
    "initial": [t.flatten().tolist() for t in init],
    "cases": [],
}
for kind, h in CASES:
    out["cases"].append({
        "optimizer": kind,
        "lr": h["lr"],
        "momentum": h.get("momentum", 0.9) or 0.9,
        "beta1": h.get("betas", (0.9, 0.999))[0],
        "beta2": h.get("betas", (0.9, 0.999))[1],
        "epsilon": h.get("eps", 1e-8),
        "weight_decay": h["weight_decay"],
        "final": run(kind, h),
    })
print(json.dumps(out, indent=1))
