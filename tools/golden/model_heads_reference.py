#!/usr/bin/python3
"""Golden fixtures for PoseKD.Model's targets, losses and post-processing, from the reference's own modules.

Run with Debian's python3 (torch 1.13, cv2 4.6) and a scratch export of GUOShuxuan/kd-6d-pose-adlp on the path:
    PYTHONPATH=/tmp/ref/kd-6d-pose-adlp /usr/bin/python3 tools/golden/model_heads_reference.py
Nothing of the reference is copied: its modules are imported; `.cuda()` becomes a no-op and the optional
packages it imports at module level but these paths never call (torchvision, trimesh, pyrender, matplotlib,
tqdm, transforms3d) are stubbed in sys.modules before the import; NumPy's removed `np.float` alias is restored.

Two synthetic batches (N_CLASS 4, so 3 foreground classes; 256 px crops; the four levels of the tiny backbones,
strides 8..64; one object per image, as the reference's DZI targets assume) with fixed random head outputs:
  loss.safetensors         head outputs, the targets (mask, class, R, t, bbox_trans, 3D keypoints, K), the labels
                           the reference's SSC sampling drew (torch seed 7), its regression targets at the
                           positives, loss_cls, loss_reg ('3D'), the image-space '2D' loss and the gradients of
                           each w.r.t. the head outputs.
  postprocess.safetensors  head outputs that encode the GT pose (+ noise and outliers) at chosen cells, the
                           correspondences the reference's PostProcessor passed to cv2.solvePnPRansac (in call
                           order), OpenCV's pose and inlier count, the final predictions, and the KD post-processor's
                           teacher knowledge (keypoints and √scores).
"""
import importlib.abc
import importlib.machinery
import os
import sys
import types

import cv2
import numpy as np

from rotations import random_rotation  # noqa: E402
import torch

import safetensors_io

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "PoseKD.Model.Tests", "Fixtures", "heads")

STUBBED = ("torchvision", "trimesh", "pyrender", "matplotlib", "tqdm", "transforms3d")


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves the optional packages above (and their submodules) to empty modules."""

    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in STUBBED:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        m = types.ModuleType(spec.name)
        m.__path__ = []
        m.tqdm = lambda x, *a, **k: x
        return m

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, _StubFinder())
torch.Tensor.cuda = lambda self, *a, **k: self
if not hasattr(np, "float"):
    np.float = float  # the reference's anchor code uses the alias removed in NumPy 1.24

from libs.poses import PoseAnnot  # noqa: E402
from losses.loss import PoseLossDzi, concat_box_prediction_layers  # noqa: E402
from libs.boxlist import cat_boxlist  # noqa: E402
from models.model import TargetCoder, make_anchor_generator_atss  # noqa: E402
from postprocess.postprocess import PostProcessor  # noqa: E402
from postprocess.postprocess_kd import PostProcessorKD  # noqa: E402

INTERNAL_K = [572.4114, 0, 325.2611, 0, 573.57043, 242.04899, 0, 0, 1]
DIAMETERS = [104.26, 250.85, 167.49, 177.43, 204.83, 154.63, 129.85, 264.12, 110.83, 164.65, 178.35, 145.61, 279.04, 287.24, 213.25]
SIZES, STRIDES = [32, 64, 128, 256, 512], [8, 16, 32, 64, 128]
S, C, LEVELS = 256, 3, 4
GRIDS = [S // STRIDES[k] for k in range(LEVELS)]


def box_corners(half):
    """Corner index 4·bx + 2·by + bz, b = 1 the max coordinate."""
    return np.array([[half[0] if i & 4 else -half[0], half[1] if i & 2 else -half[1], half[2] if i & 1 else -half[2]] for i in range(8)])


def make_scene(rng, cls, kp3d, tilt_deg):
    """One object in the internal camera, a DZI-like crop around it (optionally rotated), and its crop mask."""
    K = np.array(INTERNAL_K).reshape(3, 3)
    R = random_rotation(rng)
    T = np.array([rng.uniform(-60, 60), rng.uniform(-40, 40), rng.uniform(450, 900)])
    cam = (R @ kp3d[cls].T).T + T
    px = (K @ cam.T).T
    px = px[:, :2] / px[:, 2:]
    x1, y1 = px.min(0)
    x2, y2 = px.max(0)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    side = 1.5 * max(x2 - x1, y2 - y1)
    s = S / side
    a = np.deg2rad(tilt_deg)
    M = s * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    t = np.array([S / 2, S / 2]) - M @ np.array([cx, cy])
    trans = np.concatenate([M, t[:, None]], axis=1)
    crop = (M @ px.T).T + t
    mask = np.zeros((S, S), np.uint8)
    hull = cv2.convexHull(np.round(crop).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 1)
    return R, T, trans, mask


def annot(kp3d, cls, R, T, trans, mask):
    return PoseAnnot(torch.tensor(kp3d, dtype=torch.float32), torch.tensor(INTERNAL_K, dtype=torch.float32).view(3, 3),
                     torch.tensor(mask.astype(np.int64)), torch.tensor([cls]), torch.tensor(R[None], dtype=torch.float32),
                     torch.tensor(T.reshape(1, 3, 1), dtype=torch.float32), S, S, bbox_trans=torch.tensor(trans, dtype=torch.float32))


class _Images:
    def __init__(self, n):
        self.sizes = [(S, S)] * n


def anchors_for(n):
    gen = make_anchor_generator_atss(SIZES, STRIDES)
    feats = [torch.zeros(1, 1, g, g) for g in GRIDS]
    return gen(_Images(n), feats)


def scenes(seed, classes, tilts):
    rng = np.random.default_rng(seed)
    kp3d = np.stack([box_corners(rng.uniform(25, 60, size=3)) for _ in range(C)])
    out = []
    for cls, tilt in zip(classes, tilts):
        out.append((cls,) + make_scene(rng, cls, kp3d, tilt))
    return kp3d, out


def common_record(rec, kp3d, items):
    rec["keypoints_3d"] = kp3d.astype(np.float32)
    rec["K"] = np.array(INTERNAL_K, np.float32)
    for b, (cls, R, T, trans, mask) in enumerate(items):
        rec[f"img{b}.class"] = np.array([cls])
        rec[f"img{b}.R"] = R.astype(np.float32)
        rec[f"img{b}.T"] = T.astype(np.float32)
        rec[f"img{b}.bbox_trans"] = trans.astype(np.float32)
        rec[f"img{b}.mask"] = mask.astype(np.float32)


def loss_fixture():
    kp3d, items = scenes(11, [1, 2], [0.0, 7.0])
    B = len(items)
    g = torch.Generator().manual_seed(3)
    cls = [(torch.randn(B, C, n, n, generator=g) * 2 - 3).requires_grad_() for n in GRIDS]
    reg = [(torch.randn(B, 16 * C, n, n, generator=g) * 0.3).requires_grad_() for n in GRIDS]
    targets = [annot(kp3d, *it) for it in items]
    anchors = anchors_for(B)
    coder = TargetCoder("POINT", SIZES, STRIDES, target_type="3D")
    loss = PoseLossDzi(2.0, 0.25, SIZES, STRIDES, "SSC", 10, 1.0, 9, INTERNAL_K, DIAMETERS, coder)

    torch.manual_seed(7)
    labels, reg_targets, _, cam3d, bbox = loss.prepare_targets(targets, anchors)
    torch.manual_seed(7)
    loss_cls, loss_reg = loss(cls, reg, targets, anchors)
    (loss_cls + loss_reg).backward()
    rec = {}
    common_record(rec, kp3d, items)
    labels_flat = torch.cat(labels)
    rec["labels"] = labels_flat
    pos = torch.nonzero(labels_flat > 0).squeeze(1)
    rec["positives"] = pos
    rec["reg_targets"] = torch.cat(reg_targets)[pos]
    rec["camera_keypoints"] = torch.cat(cam3d)[pos]
    rec["loss_cls"] = loss_cls.detach().reshape(1)
    rec["loss_reg_3d"] = loss_reg.detach().reshape(1)
    for k in range(LEVELS):
        rec[f"cls{k}"] = cls[k].detach()
        rec[f"reg{k}"] = reg[k].detach()
        rec[f"grad_cls{k}"] = cls[k].grad.clone()
        rec[f"grad_reg3d{k}"] = reg[k].grad.clone()
        reg[k].grad = None

    # The image-space variant: the reference's __call__ passes no bbox_trans to ImageSpaceLoss (a TypeError),
    # so it is called directly here on the same positives, with each positive's bbox_trans.
    _, reg_flat = concat_box_prediction_layers(cls, reg)
    anchors_flat = torch.cat([cat_boxlist(a).bbox for a in anchors], dim=0)
    bbox_flat = torch.cat(bbox, dim=0)
    loss_2d = loss.ImageSpaceLoss(reg_flat[pos], torch.cat(reg_targets)[pos], labels_flat[pos] - 1, anchors_flat[pos], bbox_flat[pos])
    loss_2d.backward()
    rec["loss_reg_2d"] = loss_2d.detach().reshape(1)
    for k in range(LEVELS):
        rec[f"grad_reg2d{k}"] = reg[k].grad.clone()
    safetensors_io.write(os.path.join(OUT, "loss.safetensors"), rec)
    print(f"loss: {len(pos)} positives, cls {loss_cls.item():.6f}, reg3d {loss_reg.item():.6f}, reg2d {loss_2d.item():.6f}")


def encode_all(kp3d, cls, R, T, trans):
    """Offsets of every cell of every level for the GT pose, [H·W, 16] per level (the reference's encoder)."""
    coder = TargetCoder("POINT", SIZES, STRIDES)
    anchors = anchors_for(1)[0]
    out = []
    for k in range(LEVELS):
        a = anchors[k].bbox
        n = a.shape[0]
        K = torch.tensor(INTERNAL_K, dtype=torch.float32).view(3, 3)
        out.append(coder.encode(K, torch.tensor(kp3d[cls], dtype=torch.float32).repeat(n, 1, 1),
                                torch.tensor(R, dtype=torch.float32).repeat(n, 1, 1),
                                torch.tensor(T.reshape(3, 1), dtype=torch.float32).repeat(n, 1, 1), a,
                                torch.tensor(trans, dtype=torch.float32).repeat(n, 1, 1)))
    return out


def postprocess_fixture():
    kp3d, items = scenes(23, [2, 0], [0.0, -5.0])
    B = len(items)
    rng = np.random.default_rng(5)
    cls = [np.full((B, C, n, n), -6.0, np.float32) + rng.normal(0, 0.5, size=(B, C, n, n)).astype(np.float32) for n in GRIDS]
    reg = [rng.normal(0, 0.3, size=(B, 16 * C, n, n)).astype(np.float32) for n in GRIDS]
    for b, (c, R, T, trans, mask) in enumerate(items):
        enc = encode_all(kp3d, c, R, T, trans)
        for k in range(LEVELS):
            n = GRIDS[k]
            e = enc[k].numpy().T.reshape(16, n, n)
            noise = rng.normal(0, 0.01, size=e.shape)
            outl = rng.random((n, n)) < 0.15
            noise[:, outl] += rng.normal(0, 0.4, size=(16, int(outl.sum())))
            reg[k][b, 16 * c:16 * c + 16] = e + noise
            ys, xs = np.mgrid[0:n, 0:n]
            cxs = np.clip(xs * STRIDES[k] + STRIDES[k] // 2, 0, S - 1)
            cys = np.clip(ys * STRIDES[k] + STRIDES[k] // 2, 0, S - 1)
            on = mask[cys, cxs] > 0
            cls[k][b, c][on] = rng.normal(1.0, 1.5, size=int(on.sum()))
        # a distractor class with a few weak candidates on level 1
        d = (c + 1) % C
        cls[1][b, d, 3:5, 4:6] = rng.normal(-1.0, 0.3, size=(2, 2))
    cls_t = [torch.tensor(x) for x in cls]
    reg_t = [torch.tensor(x) for x in reg]
    targets = [annot(kp3d, *it) for it in items]
    anchors = anchors_for(B)
    coder = TargetCoder("POINT", SIZES, STRIDES)

    calls = []
    original = cv2.solvePnPRansac

    def recording(obj, img, K, dist, **kw):
        res = original(obj, img, K, dist, **kw)
        calls.append((obj.copy(), img.copy(), K.copy(), res))
        return res

    cv2.solvePnPRansac = recording
    preds = PostProcessor(0.1, coder, 10, 1.0, {}).forward(cls_t, reg_t, targets, anchors)
    main_calls = list(calls)
    calls.clear()
    kd = PostProcessorKD(0.1, coder, 10, 1.0, {}).forward(cls_t, reg_t, targets, anchors)
    cv2.solvePnPRansac = original

    rec = {}
    common_record(rec, kp3d, items)
    for k in range(LEVELS):
        rec[f"cls{k}"] = cls_t[k]
        rec[f"reg{k}"] = reg_t[k]
    for i, (obj, img, K, (ok, rvec, tvec, inl)) in enumerate(main_calls):
        rec[f"call{i}.object"] = obj.astype(np.float32)
        rec[f"call{i}.image"] = img.astype(np.float32)
        rec[f"call{i}.R"] = cv2.Rodrigues(rvec)[0].astype(np.float32)
        rec[f"call{i}.T"] = tvec.reshape(3).astype(np.float32)
        rec[f"call{i}.inliers"] = np.array([0 if inl is None else len(inl)])
    for b, p in enumerate(preds):
        rec[f"pred{b}.count"] = np.array([len(p)])
        for j, (score, cid, R, T, xy2d) in enumerate(p):
            rec[f"pred{b}.{j}.score"] = np.array([score], np.float32)
            rec[f"pred{b}.{j}.class"] = np.array([cid])
            rec[f"pred{b}.{j}.R"] = np.asarray(R, np.float32)
            rec[f"pred{b}.{j}.T"] = np.asarray(T, np.float32).reshape(3)
    for b in range(B):
        rec[f"kd{b}.keypoints"] = kd[3][b].reshape(-1, 8, 2)
        rec[f"kd{b}.scores"] = kd[0][b].reshape(-1, 8)[:, 0] if kd[0][b].numel() else torch.zeros(0)
    safetensors_io.write(os.path.join(OUT, "postprocess.safetensors"), rec, {"calls": len(main_calls)})
    print(f"postprocess: {len(main_calls)} PnP calls, predictions per image {[len(p) for p in preds]}, "
          f"kd cells per image {[int(kd[3][b].shape[0]) for b in range(B)]}")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    loss_fixture()
    postprocess_fixture()
