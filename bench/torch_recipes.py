#!/usr/bin/python3
"""A backprop-cl training recipe run in PyTorch (float32), to search recipes cheaply and to check
that our trainer reaches what PyTorch reaches with the same recipe. Only what `backprop-cl train`
can express: its --layers grammar (conv, maxpool, batchnorm, the activations, dropout, flatten,
dense, softmax as the output of cross-entropy), its optimizers and schedules, and its one
augmentation, --expand (Nielsen's one-pixel shifts).

    /usr/bin/python3 bench/torch_recipes.py --data mnist-10k --epochs 20 --batch 32 \\
        --layers conv:6x5x5:p2,relu,maxpool:2,conv:16x5x5,relu,maxpool:2,flatten,dense:120,relu,dense:84,relu,dense:10,softmax \\
        --optimizer momentum --lr 0.05 --weight-decay 5e-4 --lr-schedule cosine

The options mean what `backprop-cl train`'s do (backpropcl.train.LearningRateSchedule,
backpropcl.model.Optimizer, backpropcl.model.Init):
- the rate is set before every step: cosine and warm-up per step over the whole run, step per epoch;
- weight decay on the weights of conv and dense layers only (not biases, not batchnorm's gamma/beta);
- --init he: weights N(0, 2/fan_in), xavier: N(0, 2/(fan_in+fan_out)), biases 0 (fan_in = C*K*K
  for a conv layer); --init torch keeps PyTorch's own initialisation;
- every epoch a fresh permutation, the last partial batch trained too; the test set evaluated with
  running statistics and dropout off after each epoch.
Dropout masks and the permutations are PyTorch's own, so a run is the same recipe, not the same
numbers. Prints one line per epoch: test cost and accuracy, seconds.
"""
import argparse, gzip, math, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = {'mnist-10k': 'src/main/resources/datasets/mnist-10k', 'fashion-mnist': '/usr/share/datasets/fashion-mnist'}


def load(d, prefix):
    f = lambda stem: next(os.path.join(d, n) for n in sorted(os.listdir(d)) if n.startswith(stem))
    op = lambda p: gzip.open(p) if p.endswith('.gz') else open(p, 'rb')
    x = np.frombuffer(op(f(prefix + '-images')).read()[16:], np.uint8).reshape(-1, 1, 28, 28) / np.float32(255)
    y = np.frombuffer(op(f(prefix + '-labels')).read()[8:], np.uint8)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.long)


def expand(x, y):
    """backpropcl.data.Expansion (--expand): each image, then its copies shifted one pixel up, down, left, right, 0-filled."""
    pad = F.pad(x, (1, 1, 1, 1))
    h, w = x.shape[2], x.shape[3]
    shifted = [x] + [pad[:, :, 1 - dr:1 - dr + h, 1 - dc:1 - dc + w] for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1))]
    return torch.stack(shifted, 1).reshape(-1, *x.shape[1:]), y.repeat_interleave(5)


def build(spec, shape):
    """nn.Sequential of our --layers spec on input shape (C, H, W); a final softmax is left to F.cross_entropy."""
    mods, (c, h, w), flat = [], shape, False
    names = spec.split(',')
    for i, s in enumerate(names):
        parts = s.split(':')
        kind = parts[0]
        if kind == 'conv':
            f, k, _ = (int(v) for v in parts[1].split('x'))
            st, pad = 1, 0
            for o in parts[2:]:
                if o[0] == 's': st = int(o[1:])
                if o[0] == 'p': pad = int(o[1:])
            mods.append(nn.Conv2d(c, f, k, stride=st, padding=pad))
            c, h, w = f, (h + 2 * pad - k) // st + 1, (w + 2 * pad - k) // st + 1
        elif kind == 'maxpool':
            k = int(parts[1]); st = int(parts[2][1:]) if len(parts) > 2 else k
            mods.append(nn.MaxPool2d(k, st))
            h, w = (h - k) // st + 1, (w - k) // st + 1
        elif kind == 'batchnorm':
            mods.append(nn.BatchNorm1d(c) if flat else nn.BatchNorm2d(c))
        elif kind == 'flatten':
            mods.append(nn.Flatten()); c, h, w = c * h * w, 1, 1
        elif kind == 'dense':
            mods.append(nn.Linear(c * h * w, int(parts[1]))); c, h, w = int(parts[1]), 1, 1
        elif kind == 'dropout':
            mods.append(nn.Dropout(float(parts[1])))
        elif kind == 'relu': mods.append(nn.ReLU())
        elif kind == 'leaky-relu': mods.append(nn.LeakyReLU(0.01))
        elif kind == 'tanh': mods.append(nn.Tanh())
        elif kind == 'sigmoid': mods.append(nn.Sigmoid())
        elif kind == 'identity': mods.append(nn.Identity())
        elif kind == 'softmax':
            assert i == len(names) - 1, 'softmax is the output only'
            mods.append(nn.Identity())  # F.cross_entropy applies it; keeps module indices = our layer indices
        else:
            sys.exit(f'unknown layer {s}')
        flat = flat or kind in ('flatten', 'dense')
    return nn.Sequential(*mods)


def initialise(net, how):
    if how == 'torch':
        return
    for m in net:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            fan_in = m.weight[0].numel(); fan_out = m.weight.shape[0] * m.weight[0, 0].numel()
            std = math.sqrt(2.0 / fan_in) if how == 'he' else math.sqrt(2.0 / (fan_in + fan_out))
            with torch.no_grad():
                m.weight.normal_(0, std); m.bias.zero_()


def rate(a, epoch, batch, batches):
    """LearningRateSchedule.rate: the same formula."""
    step = epoch * batches + batch; warm = a.warmup_epochs * batches
    if step < warm:
        return a.lr * (step + 1) / warm
    if a.lr_schedule == 'step':
        return a.lr * a.lr_gamma ** (epoch // a.lr_step_epochs)
    if a.lr_schedule == 'cosine':
        total = max(1, a.epochs * batches - warm); t = min(step - warm, total)
        return a.min_lr + (a.lr - a.min_lr) * (1 + math.cos(math.pi * t / total)) / 2
    return a.lr


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', default='mnist-10k'); p.add_argument('--layers', required=True)
    p.add_argument('--optimizer', default='momentum'); p.add_argument('--lr', type=float, default=0.05)
    p.add_argument('--momentum', type=float, default=0.9); p.add_argument('--weight-decay', type=float, default=0)
    p.add_argument('--lr-schedule', default='constant'); p.add_argument('--min-lr', type=float, default=0)
    p.add_argument('--lr-step-epochs', type=int, default=10); p.add_argument('--lr-gamma', type=float, default=0.1)
    p.add_argument('--warmup-epochs', type=int, default=0)
    p.add_argument('--batch', type=int, default=32); p.add_argument('--epochs', type=int, default=10)
    p.add_argument('--init', default='he'); p.add_argument('--seed', type=int, default=1)
    p.add_argument('--threads', type=int, default=1); p.add_argument('--train-samples', type=int)
    p.add_argument('--expand', action='store_true')
    a = p.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
    d = DATA.get(a.data, a.data)
    xtr, ytr = load(d, 'train'); xte, yte = load(d, 't10k')
    if a.train_samples:
        xtr, ytr = xtr[:a.train_samples], ytr[:a.train_samples]
    if a.expand:
        xtr, ytr = expand(xtr, ytr)
    net = build(a.layers, (1, 28, 28)); initialise(net, a.init)
    decay = [m.weight for m in net if isinstance(m, (nn.Conv2d, nn.Linear))]
    ids = {id(t) for t in decay}
    rest = [t for t in net.parameters() if id(t) not in ids]
    groups = [{'params': decay, 'weight_decay': a.weight_decay}, {'params': rest, 'weight_decay': 0.0}]
    if a.optimizer in ('sgd', 'momentum', 'nesterov'):
        opt = torch.optim.SGD(groups, lr=a.lr, momentum=0 if a.optimizer == 'sgd' else a.momentum,
                              nesterov=a.optimizer == 'nesterov')
    elif a.optimizer == 'adam':
        opt = torch.optim.Adam(groups, lr=a.lr)
    else:
        opt = torch.optim.AdamW(groups, lr=a.lr)
    n = len(xtr); batches = (n + a.batch - 1) // a.batch
    print(f'# {a.data} {n} train / {len(xte)} test; {a.layers}; {a.optimizer} lr {a.lr} wd {a.weight_decay} '
          f'{a.lr_schedule} warmup {a.warmup_epochs}{" expand" if a.expand else ""} batch {a.batch} init {a.init} seed {a.seed}', flush=True)
    best, t_all = 0.0, time.perf_counter()
    for e in range(a.epochs):
        net.train(); perm = torch.randperm(n); t0 = time.perf_counter()
        for b in range(batches):
            for g in opt.param_groups:
                g['lr'] = rate(a, e, b, batches)
            i = perm[b * a.batch:(b + 1) * a.batch]
            opt.zero_grad(); F.cross_entropy(net(xtr[i]), ytr[i]).backward(); opt.step()
        dt = time.perf_counter() - t0
        net.eval()
        with torch.no_grad():
            out = torch.cat([net(xte[k:k + 1000]) for k in range(0, len(xte), 1000)])
            cost = F.cross_entropy(out, yte).item(); acc = (out.argmax(1) == yte).float().mean().item()
        best = max(best, acc)
        print(f'epoch {e + 1:3d}  test cost {cost:.4f}  accuracy {acc:.4f}  {dt:6.1f} s', flush=True)
    print(f'final test accuracy {acc:.4f} (best {best:.4f}) in {time.perf_counter() - t_all:.0f} s')


if __name__ == '__main__':
    main()
