"""Golden fixtures for the engine's tensor ops (run with Debian's /usr/bin/python3, torch 1.13).

Writes tests/PoseKD.Engine.Tests/Fixtures/ops/engine_ops.safetensors. Every case NAME stores
  NAME.x0, NAME.x1, ...   float inputs (float32)
  NAME.out                forward output
  NAME.gout               a fixed random upstream gradient (standard normal, seeded)
  NAME.gx0, ...           the input gradients from out.backward(gout) (only for inputs that require grad)
  NAME.idx / NAME.mask    integer indices (I64) or 0/1 masks used by the case
  NAME.ind                integer results (topk indices, argmax, nonzero)
The operation and its parameters for each NAME are repeated in
tests/PoseKD.Engine.Tests/Functional/GoldenOpsTests.cs (the two lists must match).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "PoseKD.Engine.Tests",
                   "Fixtures", "ops", "engine_ops.safetensors")

store = {}
gen = torch.Generator().manual_seed(20231121)


def randn(*shape):
    return torch.randn(shape, generator=gen)


def uniform(lo, hi, *shape):
    return torch.rand(shape, generator=gen) * (hi - lo) + lo


def distinct(*shape, scale=0.1, offset=0.0):
    """A random permutation of a grid: no ties (for max/topk/minimum)."""
    n = 1
    for s in shape:
        n *= s
    return ((torch.randperm(n, generator=gen).float() - n / 2) * scale + offset).reshape(shape)


def case(name, fn, inputs, grad=None, **extra):
    grad = grad if grad is not None else [True] * len(inputs)
    xs = [t.detach().clone().float().requires_grad_(g) for t, g in zip(inputs, grad)]
    out = fn(*xs)
    for i, x in enumerate(xs):
        store[f"{name}.x{i}"] = x.detach()
    store[f"{name}.out"] = out.detach()
    for k, v in extra.items():
        store[f"{name}.{k}"] = v
    if out.requires_grad:
        gout = randn(*out.shape)
        out.backward(gout)
        store[f"{name}.gout"] = gout
        for i, x in enumerate(xs):
            if grad[i]:
                store[f"{name}.gx{i}"] = x.grad if x.grad is not None else torch.zeros_like(x)


def elementwise():
    case("add_bcast", torch.add, [randn(3, 1, 4), randn(2, 1)])
    case("add_same", torch.add, [randn(2, 3), randn(2, 3)])
    case("add_scalar_tensor", torch.add, [randn(2, 3), randn()])
    case("sub_bcast", torch.sub, [randn(2, 3, 4), randn(4)])
    case("mul_bcast", torch.mul, [randn(3, 1), randn(1, 4)])
    case("div_bcast", torch.div, [randn(2, 3), uniform(0.5, 2, 3) * torch.tensor([1.0, -1.0, 1.0])])
    x = randn(2, 3)
    case("add_s", lambda t: t + 1.5, [x])
    case("sub_s", lambda t: t - 0.7, [x])
    case("mul_s", lambda t: t * -2.5, [x])
    case("div_s", lambda t: t / 3.0, [x])
    case("rsub_s", lambda t: 2.0 - t, [x])
    case("rdiv_s", lambda t: 2.0 / t, [uniform(0.5, 2, 2, 3)])
    case("neg", torch.neg, [x])
    case("pow_2", lambda t: t.pow(2.0), [randn(2, 3)])
    case("pow_3", lambda t: t.pow(3.0), [randn(2, 3)])
    case("pow_2_5", lambda t: t.pow(2.5), [uniform(0.1, 3, 2, 3)])
    case("pow_neg1", lambda t: t.pow(-1.0), [uniform(0.5, 3, 2, 3)])
    case("pow_0", lambda t: t.pow(0.0), [randn(2, 3)])
    case("pow_0_5", lambda t: t.pow(0.5), [uniform(0.1, 3, 2, 3)])
    case("exp", torch.exp, [torch.tensor([-80.0, -10.0, -1.0, 0.0, 0.5, 1.0, 10.0, 80.0])])
    case("log", torch.log, [torch.tensor([1e-30, 1e-5, 0.5, 1.0, 2.0, 10.0, 1e10, 1e30])])
    case("sqrt", torch.sqrt, [torch.tensor([0.0, 1e-30, 0.25, 1.0, 4.0, 1e30])])
    case("abs", torch.abs, [torch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0])])
    case("sigmoid", torch.sigmoid, [torch.tensor([-80.0, -20.0, -1.0, 0.0, 1.0, 20.0, 80.0])])
    case("relu", torch.relu, [torch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0])])
    case("leaky_relu", lambda t: torch.nn.functional.leaky_relu(t, 0.1), [torch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0])])
    c = torch.tensor([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
    case("clamp", lambda t: t.clamp(-1.0, 1.0), [c])
    case("clamp_min", lambda t: t.clamp(min=-1.0), [c])
    case("clamp_max", lambda t: t.clamp(max=1.0), [c])
    a = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]])
    b = torch.tensor([1.0, 0.0, 5.0])  # ties at a[0,0] and b[0]
    case("minimum_ties", torch.minimum, [a, b])
    case("maximum_ties", torch.maximum, [a, b])
    case("maximum_bcast", torch.maximum, [distinct(3, 1, 4), distinct(2, 1, offset=0.05)])
    mask = torch.tensor([[True, False, True], [False, False, True]])
    case("where_bcast", lambda p, q: torch.where(mask, p, q), [randn(2, 3), randn(3)], mask=mask.long())


def reduce():
    x = randn(2, 3, 4)
    case("sum_all", lambda t: t.sum(), [x])
    case("sum_d1", lambda t: t.sum(1), [x])
    case("sum_d02_keep", lambda t: t.sum((0, 2), keepdim=True), [x])
    case("sum_dneg1", lambda t: t.sum(-1), [x])
    case("sum_empty", lambda t: t.sum(0), [torch.zeros(0, 3)])
    case("mean_d12", lambda t: t.mean((1, 2)), [x])
    case("mean_all", lambda t: t.mean(), [x])
    xd = distinct(2, 3, 4)
    case("amax_d1", lambda t: t.amax(1), [xd])
    case("amax_d02_keep", lambda t: t.amax((0, 2), keepdim=True), [xd])
    case("amax_all", lambda t: t.amax(), [xd])
    case("amax_ties", lambda t: t.amax(1), [torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 1.0]])])
    case("logsumexp_d1", lambda t: t.logsumexp(1), [x])
    case("logsumexp_d02_keep", lambda t: t.logsumexp((0, 2), keepdim=True), [x])
    case("logsumexp_big", lambda t: t.logsumexp(1),
         [torch.tensor([[-1000.0, -1000.0, -999.0], [80.0, -80.0, 0.0], [1e-30, 0.0, 1000.0], [88.0, 88.0, 88.0]])])


def shape():
    x = randn(2, 3, 4)
    case("reshape", lambda t: t.reshape(4, -1) * 1.0, [x])
    case("permute", lambda t: t.permute(2, 0, 1), [x])
    case("transpose", lambda t: t.transpose(0, 2), [x])
    case("narrow", lambda t: t.narrow(1, 1, 2).contiguous(), [x])
    case("concat", lambda p, q, r: torch.cat([p, q, r], 1), [randn(2, 1, 3), randn(2, 4, 3), randn(2, 2, 3)])
    case("concat_empty", lambda p, q, r: torch.cat([p, q, r], 0), [randn(3), torch.zeros(0), randn(2)])
    case("concat_zero_dim", lambda p, q: torch.cat([p, q], 1), [randn(2, 0, 3), randn(2, 2, 3)])
    case("stack", lambda p, q: torch.stack([p, q], 1), [randn(2, 3), randn(2, 3)])
    case("broadcast_to", lambda t: t.expand(2, 3, 4) * 1.0, [randn(3, 1)])


def index():
    x = randn(2, 3, 2)
    idx = torch.tensor([2, 0, 2, 1])
    case("index_select", lambda t: t.index_select(1, idx), [x], idx=idx)
    gidx = torch.tensor([[[0], [2], [2]], [[1], [1], [0]]])
    case("gather", lambda t: t.gather(1, gidx), [x], idx=gidx)
    sidx = torch.tensor([[0, 1, 0], [2, 0, 0]])
    case("scatter_add", lambda s, src: s.scatter_add(0, sidx, src), [randn(3, 3), randn(2, 3)], idx=sidx)
    m = torch.tensor([True, False, True])
    case("masked_select", lambda t: t.masked_select(m), [randn(2, 3)], mask=m.long())
    xt = distinct(2, 3, 4)
    v, i = xt.topk(2, dim=1)
    case("topk_d1", lambda t: t.topk(2, dim=1)[0], [xt], ind=i)
    v, i = xt.topk(3, dim=-1, largest=False)
    case("topk_smallest", lambda t: t.topk(3, dim=-1, largest=False)[0], [xt], ind=i)
    xa = torch.tensor([[1.0, 5.0, 5.0], [7.0, 2.0, 7.0]])
    store["argmax.x0"] = xa
    store["argmax.ind"] = xa.argmax(1)
    store["argmax_d0.ind"] = xa.argmax(0)
    xn = torch.tensor([[0.0, 1.0, 0.0], [2.0, 0.0, 3.0]])
    store["nonzero.x0"] = xn
    store["nonzero.ind"] = xn.nonzero()


def matmul():
    case("mm", torch.matmul, [randn(3, 4), randn(4, 5)])
    case("bmm", torch.matmul, [randn(2, 3, 4), randn(2, 4, 5)])
    case("matmul_bcast_a", torch.matmul, [randn(3, 4), randn(2, 4, 5)])
    case("matmul_bcast_4d", torch.matmul, [randn(2, 1, 3, 4), randn(3, 4, 2)])
    case("mm_k1", torch.matmul, [randn(5, 1), randn(1, 3)])
    case("mm_k0", torch.matmul, [torch.zeros(2, 0), torch.zeros(0, 3)])


def main():
    torch.set_default_dtype(torch.float32)
    elementwise()
    reduce()
    shape()
    index()
    matmul()
    safetensors_io.write(OUT, store, {"torch": torch.__version__, "script": "tools/golden/engine_ops.py"})
    print(f"wrote {len(store)} arrays to {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
