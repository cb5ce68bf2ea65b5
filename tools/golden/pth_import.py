"""Golden fixtures for PoseKD.Engine.Serialization.PthReader (run with Debian's /usr/bin/python3, torch 1.13).

Writes into tests/PoseKD.Engine.Tests/Fixtures/pth/:
  state_dict.pth   an OrderedDict state_dict (Conv2d + BatchNorm2d) plus extra tensors exercising the
                   reader: a transposed (non-contiguous) view, a view with a storage offset sharing a
                   storage with another entry, fp16, bf16, float64, int64, int32, bool and 0-d tensors
  ckpt.pth         {'model': <the state_dict>, 'epoch': 3}
  latest.pth       the reference's resume checkpoint layout {'steps', 'model', 'optim', 'sched'} with a real
                   AdamW + OneCycleLR state (its scheduler pickles a bound method: an inert record for PoseKD)
  legacy.pth       the pre-1.6 non-zip format (PoseKD rejects it with a clear message)
  expected.safetensors  every state_dict entry, contiguous (floats as F32, ints/bools as I64)
"""
import collections
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "PoseKD.Engine.Tests", "Fixtures", "pth")


def main():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, bias=True), torch.nn.BatchNorm2d(4))
    net.train()
    for _ in range(3):
        net(torch.randn(2, 3, 6, 6))
    sd = collections.OrderedDict((k, v.clone()) for k, v in net.state_dict().items())
    base = torch.arange(40, dtype=torch.float32).reshape(5, 8) / 7.0
    sd["extra.transposed"] = torch.randn(3, 5).t()            # non-contiguous, stride (1, 5)
    sd["extra.window"] = base[1:4, 2:7:2]                      # storage offset 10, stride (8, 2)
    sd["extra.base"] = base                                    # shares the storage of extra.window
    sd["extra.half"] = (torch.randn(2, 3) * 3).half()
    sd["extra.bf16"] = (torch.randn(4) * 3).bfloat16()
    sd["extra.double"] = torch.randn(2, 2, dtype=torch.float64)
    sd["extra.long"] = torch.tensor([[-5, 7], [1 << 40, 0]], dtype=torch.int64)
    sd["extra.int"] = torch.tensor([3, -2, 9], dtype=torch.int32)
    sd["extra.bool"] = torch.tensor([True, False, True])
    sd["extra.scalar"] = torch.tensor(2.5)
    os.makedirs(OUT, exist_ok=True)
    torch.save(sd, os.path.join(OUT, "state_dict.pth"))
    torch.save({"model": sd, "epoch": 3}, os.path.join(OUT, "ckpt.pth"))

    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-4, eps=1e-8)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 1e-3, 200, pct_start=0.05, cycle_momentum=False, anneal_strategy="linear")
    net(torch.randn(2, 3, 6, 6)).sum().backward()
    opt.step()
    sched.step()
    torch.save({"steps": 1, "model": net.state_dict(), "optim": opt.state_dict(), "sched": sched.state_dict()},
               os.path.join(OUT, "latest.pth"))
    torch.save(net.state_dict(), os.path.join(OUT, "legacy.pth"), _use_new_zipfile_serialization=False)

    expected = {k: (v.float() if v.is_floating_point() else v.long()).contiguous() for k, v in sd.items()}
    expected.update({"latest." + k: v.contiguous() for k, v in net.state_dict().items()})
    safetensors_io.write(os.path.join(OUT, "expected.safetensors"), expected)


if __name__ == "__main__":
    main()
