"""Golden fixture for PoseKD.Model.Distillation's keypoint-distribution KD loss, from the reference's own code.

Needs the reference repository (GUOShuxuan/kd-6d-pose-adlp) and geomloss 0.2.4 on PYTHONPATH:

    PYTHONPATH=/path/to/kd-6d-pose-adlp:/path/to/geomloss-0.2.4 /usr/bin/python3 tools/golden/kd_loss_reference.py

It builds the reference's KDPoseLoss (losses/kd_loss.py) with the KD flags of arguments/argument_kd.py and calls its
KDObjectSpaceLoss on a synthetic batch, so the clamp of the student scores, the squared teacher scores, the division
by (640, 480), the per-keypoint SamplesLoss problems, the sum over keypoints and the mean over the images where both
sides have cells all come from the reference (losses/kd_loss.py + losses/loss_libs.kd_loss_2d). As in train_kd.py
the result is multiplied by kd_weight. Run-time shims, not changes to the reference: torchvision and matplotlib
(imported by modules this path does not use) are replaced by empty modules; the target coder is replaced by one whose
decode returns its input, so the student's decoded keypoints are the fixture's inputs; the visualisation step counter
is set past step 0.

Inputs are float32 values, evaluated in float64. Writes tests/PoseKD.Model.Tests/Fixtures/kd/kd_loss_reference.safetensors:
  student.kp [Ns, 8, 2] (pixels), student.logit [Ns], student.count [images]
  teacher.kp [Nt, 8, 2] (pixels), teacher.score [Nt] (sqrt-sigmoid scores), teacher.count [images]
  CASE.value [] (kd_weight x loss_kd), CASE.g_kp [Ns, 8, 2], CASE.g_logit [Ns]
with metadata CASE -> JSON of the flags.
"""
import json
import os
import sys
import types

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

for name in ("torchvision", "torchvision.ops", "matplotlib", "matplotlib.pyplot"):
    sys.modules.setdefault(name, types.ModuleType(name))
sys.modules["torchvision"].ops = sys.modules["torchvision.ops"]
sys.modules["matplotlib"].pyplot = sys.modules["matplotlib.pyplot"]

from losses.kd_loss import KDPoseLoss  # noqa: E402  (the reference, from PYTHONPATH)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "PoseKD.Model.Tests",
                   "Fixtures", "kd", "kd_loss_reference.safetensors")

gen = torch.Generator().manual_seed(20231202)
DTYPE = torch.float64


class IdentityCoder:
    """Stands in for the reference's TargetCoder: 'decoding' returns the 16 keypoint values given."""
    target_type = "3D"

    def decode(self, pred, anchors, bbox_trans):
        return pred


# ---- synthetic batch: 5 images; image 2 has no student cell, image 3 no teacher cell ----
student_counts = [9, 11, 0, 7, 10]
teacher_counts = [6, 8, 5, 0, 12]
corners = torch.rand(5, 8, 2, generator=gen) * torch.tensor([120.0, 90.0]) + torch.tensor([260.0, 200.0])


def cloud(counts, spread):
    rows = []
    for i, n in enumerate(counts):
        rows.append(corners[i].unsqueeze(0) + torch.randn(n, 8, 2, generator=gen) * spread)
    return torch.cat(rows, 0)


s_kp = cloud(student_counts, 6.0).float()
t_kp = cloud(teacher_counts, 3.0).float()
s_logit = (torch.randn(sum(student_counts), generator=gen) * 1.5).float()
s_logit[3] = -8.0   # sigmoid < 1e-3: clamped, no gradient
s_logit[12] = 8.0   # sigmoid > 1 - 1e-3: clamped, no gradient
t_score = (torch.rand(sum(teacher_counts), generator=gen) * 0.6 + 0.35).float()

store = {"student.kp": s_kp, "student.logit": s_logit, "student.count": torch.tensor(student_counts),
         "teacher.kp": t_kp, "teacher.score": t_score, "teacher.count": torch.tensor(teacher_counts)}
meta = {}


def run(name, gtype="sinkhorn", p=2.0, blur=0.001, scaling=0.5, reach=0.5, weighted=True, detach=False, kd_weight=5.0, dtype=DTYPE):
    cfg_kd = {"GTYPE": gtype, "GP": p, "GBLUR": blur, "SCALING": scaling, "REACH": reach,
              "WEIGHTED_OT": weighted, "DETACH": detach, "GLEVEL": "point", "GnD": 2}
    internal_K = torch.tensor([[572.4114, 0.0, 325.2611], [0.0, 573.57043, 242.04899], [0.0, 0.0, 1.0]], dtype=dtype)
    loss = KDPoseLoss(2.0, 0.25, [32, 64, 128, 256], [8, 16, 32, 64], "SSC", 10, 1.0, 10, internal_K, [104.26],
                      IdentityCoder(), cfg_kd)
    loss.step = 1
    loss.w, loss.h = 640, 480
    n = s_kp.shape[0]
    kp = s_kp.to(dtype).clone().requires_grad_(True)
    logit = s_logit.to(dtype).clone().requires_grad_(True)
    pred16 = torch.cat((kp[:, :, 0], kp[:, :, 1]), 1)              # x0..x7, y0..y7 per cell
    loss.pos_per_img = list(student_counts)
    # as KDPoseLoss.__call__ sets it: clamped sigmoid of the positives' class logits (one class)
    loss.pred_cls = torch.clamp(torch.sigmoid(logit.view(n, 1)), min=10e-4, max=1 - 10e-4)
    pred_t = {"post_kp_2d": t_kp.to(dtype).reshape(-1, 16).clone(),
              "post_kp_cls": t_score.to(dtype).view(-1, 1).repeat(1, 8),
              "post_pos_per_img": list(teacher_counts)}
    target_2d = torch.zeros(n, 16, dtype=dtype)
    target_3d = torch.rand(n, 8 * 3, generator=gen).to(dtype) * 100 + torch.tensor([0.0, 0.0, 800.0], dtype=dtype).repeat(8)
    cls_labels = torch.zeros(n, dtype=torch.long)
    _, loss_kd = loss.KDObjectSpaceLoss(pred16, target_2d, target_3d, cls_labels, None, pred_t, None)
    value = (loss_kd * kd_weight).mean()                           # train_kd.py: loss_dict['loss_kd'] * LOSS_WEIGHT_KD
    value.backward()
    return value.detach(), kp.grad, logit.grad if logit.grad is not None else torch.zeros_like(logit), cfg_kd, kd_weight


def case(name, **kw):
    value, g_kp, g_logit, cfg_kd, kd_weight = run(name, **kw)
    store[f"{name}.value"] = value
    store[f"{name}.g_kp"] = g_kp
    store[f"{name}.g_logit"] = g_logit
    meta[name] = json.dumps({"gtype": cfg_kd["GTYPE"], "p": cfg_kd["GP"], "blur": cfg_kd["GBLUR"], "scaling": cfg_kd["SCALING"],
                             "reach": cfg_kd["REACH"], "weightedOT": cfg_kd["WEIGHTED_OT"], "wot_detach": cfg_kd["DETACH"],
                             "kd_weight": kd_weight})
    v32 = run(name, dtype=torch.float32, **kw)[0]
    print(f"{name:22s} value={value.item(): .10e}  (reference in float32: {v32.item(): .10e}, rel {abs(v32.item() - value.item()) / abs(value.item()):.1e})")


case("sinkhorn_default")
case("sinkhorn_detach", detach=True)
case("sinkhorn_unweighted", weighted=False)
case("sinkhorn_blur05", blur=0.05, kd_weight=1.0)
case("gaussian", gtype="gaussian", blur=0.05)
case("laplacian", gtype="laplacian", blur=0.05)
case("energy", gtype="energy")

safetensors_io.write(OUT, store, metadata=meta)
print("wrote", os.path.normpath(OUT), len(store), "tensors")
