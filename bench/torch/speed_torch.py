"""PyTorch side of `./run bench speed`: the reference's own training step, network forward and test path on CPU.

The reference (GUOShuxuan/kd-6d-pose-adlp) is imported unchanged from PYTHONPATH; its CUDA assumptions and the
optional packages it imports but these paths never use are neutralised at run time by
tools/golden/model_reference.py (`neutralise()`), plus the few extra run-time shims listed below.

  PYTHONPATH=/tmp/ref/kd-6d-pose-adlp OMP_NUM_THREADS=2 /usr/bin/python3 bench/torch/speed_torch.py \\
      --mode train-step --backbone darknet_tiny_h --batch 16 --reps 3 --warmup 1 --threads 2 --data DATA/000001_x.yaml
  ... --mode infer --backbone darknet53 --batch 1 --reps 3 --warmup 1 --threads 2 [--data DATASET_YAML]
  ... --mode test-path --backbone darknet_tiny_h --data DATASET_YAML --images 20 --threads 2 [--weights W.pth]

Modes
  train-step  one step of train_kd.py's loop for the plain (non-KD) case, i.e. its body without the teacher and
              without the "loss_kd" branch: model.zero_grad(); model(images, targets) in train mode (PoseModuleDzi,
              the class PoseModuleKD derives from; its loss_evaluator PoseLossDzi computes the same focal cls and
              3D object-space reg terms KDPoseLoss does before its KD term); loss_cls·LOSS_WEIGHT_CLS and
              loss_reg·LOSS_WEIGHT_REG, .mean(), summed; backward; clip_grad_norm_(GRAD_CLIP: the YAML's, else the
              reference's custom_cfg default 1.0); optimizer.step(); scheduler.step(). Model, AdamW and OneCycleLR
              come from the reference's libs.train_libs.build_model (AdamW lr BASE_LR, wd 1e-4, eps 1e-8;
              OneCycleLR over MAX_ITER + 100 steps, pct_start 0.05, linear, no momentum cycling), with the YAML's
              BASE_LR and MAX_ITER (train_kd.py's CLI would override them with --base_lr / --max_iters; no effect
              on the cost of a step). Only the step is timed. The batch is built ONCE before timing from the
              reference's own data path: libs.train_libs.build_dataset(cfg) (BOP_Dataset with the full training
              transform of the YAML: Resize to the internal K, occlusion, background, shift/scale/rotate, HSV,
              sharpen, smooth, noise, grayscale, Normalize, ToTensor, then the DZI training crop to 256 px), items
              train_set[i mod len] for i < batch (so a batch larger than the training list repeats images with
              fresh augmentation), collated with the reference's collate_fn; then images.to / targets.to(device)
              once, and the same batch is reused every rep. Positive-cell sampling (torch.randperm in
              prepare_targets) is part of the loss and therefore re-drawn every rep, as in the reference.
  infer       eval mode under no_grad, backbone → FPN → head on a random [batch, 3, size, size] input, exactly as
              model_torch.py's infer. Without --data the network has the reference's configs/ape.yaml classes (15,
              as model_torch.py); with --data, the dataset YAML's N_CLASS.
  test-path   test.py's path per image at batch 1 (test.py itself batches 24): BOP_Dataset(TEST list,
              training=False, DZI=True)[i] (cv2.imread from disk, test.py's transform: Resize to the internal K,
              Grayscalize, Normalize, ToTensor; then dzi_test: the crop around the ground-truth box, padded 1.5×,
              warped to 256 px), collate_fn, then PoseModule's eval forward (models.model, as test.py), run as its
              own statements so that the network and the post-processing are timed apart: backbone → FPN → head
              ("network_ms"), then anchor_generator and post_processor (decoding, per-level keypoint selection,
              un-warping from the crop, cv2.solvePnPRansac with SOLVEPNP_EPNP, reprojectionError 5) and
              libs.evaluate.remap_predictions as libs.eval_libs.valid does ("post_ms"). "load_ms" is the
              read/transform/crop/collate part. The timed total per image is load + network + post. 2 warm-up
              images (the first two of the list) are run before timing; then images 0 … N−1 of the test list
              (wrapping around if N exceeds it).
              Confidence threshold: with --weights the YAML's TEST.CONFIDENCE_TH (0.1 in ape.yaml) is used. With
              random weights every sigmoid score sits near the head's prior 0.01, so nothing would pass 0.1 and
              PnP would never run; the post-processor's inference_th is then set to 0.0 (every cell is a
              candidate; the reference's own per-level top-nk selection still keeps about POSITIVE_NUM = 10 cells,
              so RANSAC-EPnP sees about 10 × 8 correspondences, as it would with a trained network). --conf-th
              overrides either. cv2.solvePnPRansac is wrapped (call count, point count and time only; the call
              itself is unchanged) so the JSON proves PnP ran on every image: "pnp_calls", "pnp_points_mean",
              "pnp_ms" (the mean per image, included in post_ms). With random weights the poses are garbage.

Run-time shims beyond model_reference.neutralise() (Tensor.cuda / Module.cuda no-ops, np.float, stub modules for
missing optional packages): tensorboardX is stubbed too (libs.train_libs imports SummaryWriter); when trimesh is
absent its stub's load() returns the path (BOP_Dataset loads the meshes into self.meshes, which neither the
training step nor the test path uses); libs.train_libs' backbone constructors are called with pretrained=False
(the reference downloads ImageNet weights for darknet_tiny / darknet53, which is not possible offline, and random
weights cost the same). The YAML's relative paths (relative to its own folder) are made absolute before the
reference reads them; a BBOX_FILE with integer corners (PoseKD's synthetic linemod_bbox.json writes -60 for
-60.0) is read from a temporary float copy, because the reference passes np.array(corners) straight to
cv2.solvePnP (libs.utils.remap_pose, from PoseAnnot.transform and remap_predictions), which rejects an int64
array (its own box files, written from trimesh bounds, hold floats); RUNTIME is filled in as get_args would,
with device cpu, one process, 0 loader workers and a working directory that does not exist (so build_model
finds no checkpoint to resume). --weights is loaded as test.py does (the state_dict's matching keys), but a
failed load is an error here (test.py would fall back to random weights). The reference's own prints go to
stderr; stdout gets exactly one JSON line.

JSON (one line on stdout):
  train-step / infer: {"median_ms", "min_ms", "max_ms", "reps", "threads", "torch", "peak_rss_mb"}
  test-path: {"median_ms_per_image", "mean_ms_per_image", "min_ms", "max_ms", "images", "threads", "torch",
              "load_ms", "network_ms", "post_ms", "pnp_ms", "pnp_calls", "pnp_points_mean", "conf_th",
              "poses_found", "peak_rss_mb"}  (load/network/post/pnp: means per image)
peak_rss_mb = getrusage(RUSAGE_SELF).ru_maxrss / 1024 at the end.
"""
import argparse
import atexit
import contextlib
import json
import os
import resource
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "golden"))
import model_reference as mr  # noqa: E402

BACKBONES = ("darknet_tiny_h", "darknet_tiny", "darknet53")


def setup():
    """model_reference's neutralisation plus the shims the data, loss and optimizer code needs (module doc)."""
    mr.STUBS.add("tensorboardX")
    mr.neutralise()
    import trimesh
    if isinstance(trimesh, mr._StubModule):
        trimesh.load = lambda path, *a, **k: path


def no_pretrained(ctor):
    return lambda pretrained=False, **kw: ctor(pretrained=False, **kw)


def stats(ms):
    ms = sorted(ms)
    n = len(ms)
    median = ms[n // 2] if n % 2 else 0.5 * (ms[n // 2 - 1] + ms[n // 2])
    return median, ms[0], ms[-1], n


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_cfg(yaml_path, backbone, device="cpu"):
    """The dataset YAML as the reference's get_args would return it (paths made absolute, CPU, one process)."""
    import yaml
    from arguments.argument import custom_cfg
    yaml_path = os.path.abspath(yaml_path)
    root = os.path.dirname(yaml_path)
    with open(yaml_path) as f:
        cfg = yaml.load(f, Loader=yaml.FullLoader)

    def absolute(p):
        return p if os.path.isabs(p) else os.path.normpath(os.path.join(root, p))

    ds = cfg["DATASETS"]
    for key in ("TRAIN", "VALID", "TEST", "BBOX_FILE"):
        if key in ds and isinstance(ds[key], str):
            ds[key] = absolute(ds[key])
    ds["BBOX_FILE"] = float_bbox_file(ds["BBOX_FILE"])
    ds["MESH_DIR"] = absolute(ds["MESH_DIR"]).rstrip("/") + "/"  # the reference concatenates MESH_DIR + file
    bg = cfg.get("SOLVER", {}).get("AUGMENTATION_BACKGROUND_DIR")
    if isinstance(bg, str) and bg:
        cfg["SOLVER"]["AUGMENTATION_BACKGROUND_DIR"] = absolute(bg)
    no_resume = os.path.join(tempfile.gettempdir(), f"speed_torch_no_resume_{os.getpid()}") + "/"
    cfg["RUNTIME"] = {"LOCAL_RANK": 0, "CONFIG_FILE": yaml_path, "NUM_WORKERS": 0, "WEIGHT_FILE": "",
                      "WORKING_DIR": no_resume, "RUNNING_DEVICE": device, "N_GPU": 1, "DISTRIBUTED": False}
    cfg["MODEL"]["BACKBONE"] = backbone
    return custom_cfg(cfg)


def float_bbox_file(path):
    """The 3D box corners as JSON floats. The reference hands np.array(corners) to cv2.solvePnP (libs.utils.remap_pose,
    from PoseAnnot.transform and remap_predictions), which rejects an integer array; its own box files hold floats.
    A file with integer corners (e.g. -60 for -60.0) is rewritten as floats into a temporary copy."""
    with open(path) as f:
        boxes = json.load(f)
    if not any(isinstance(v, int) for box in boxes for corner in box for v in corner):
        return path
    fd, copy = tempfile.mkstemp(prefix="speed_torch_bbox_", suffix=".json")
    atexit.register(os.remove, copy)
    with os.fdopen(fd, "w") as f:
        json.dump([[[float(v) for v in corner] for corner in box] for box in boxes], f)
    print(f"note: {path} has integer corners; the reference reads a float copy, {copy}", file=sys.stderr)
    return copy


def time_reps(step, reps, warmup):
    for _ in range(warmup):
        step()
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        ms.append((time.perf_counter() - t0) * 1000.0)
    return ms


def train_step(a):
    import libs.dzi_libs as dzi
    import libs.train_libs as tl
    import backbone as bb
    from models.model_dzi import PoseModuleDzi
    torch.manual_seed(0)  # train_kd.py's seeds
    np.random.seed(0)
    import random
    random.seed(0)
    dzi._INPUT_RES = a.size  # the reference's DZI crop size (256)
    for name in BACKBONES:
        setattr(tl, name, no_pretrained(getattr(bb, name)))
    cfg = load_cfg(a.data, a.backbone)
    device = cfg["RUNTIME"]["RUNNING_DEVICE"]
    with contextlib.redirect_stdout(sys.stderr):
        train_loader, _ = tl.build_dataset(cfg)
        model, optimizer, scheduler, _ = tl.build_model(cfg, PoseModuleDzi, device)
    train_set, collate = train_loader.dataset, train_loader.collate_fn
    images, targets, _ = collate([train_set[i % len(train_set)] for i in range(a.batch)])
    images = images.to(device)
    targets = [t.to(device) for t in targets]
    w_cls, w_reg, clip = cfg["SOLVER"]["LOSS_WEIGHT_CLS"], cfg["SOLVER"]["LOSS_WEIGHT_REG"], cfg["SOLVER"]["GRAD_CLIP"]
    model.train()

    def step():
        model.zero_grad()
        _, loss_dict = model(images, targets=targets)
        loss = (loss_dict["loss_cls"] * w_cls).mean() + (loss_dict["loss_reg"] * w_reg).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        scheduler.step()

    return time_reps(step, a.reps, a.warmup)


def infer(a):
    torch.manual_seed(0)
    if a.data:
        import backbone as bb
        from models.model import PoseModule
        with contextlib.redirect_stdout(sys.stderr):
            model = PoseModule(load_cfg(a.data, a.backbone), getattr(bb, a.backbone)(pretrained=False))
    else:
        model, _ = mr.build(a.backbone)
    model.eval()
    x = torch.randn(a.batch, 3, a.size, a.size)

    def step():
        with torch.no_grad():
            mr.forward(model, x)

    return time_reps(step, a.reps, a.warmup)


class PnPCounter:
    """Wraps cv2.solvePnPRansac (the reference calls it as cv2.solvePnPRansac): counts, points, seconds."""

    def __init__(self, cv2):
        self.cv2, self.inner = cv2, cv2.solvePnPRansac
        self.calls, self.points, self.seconds = 0, 0, 0.0
        cv2.solvePnPRansac = self

    def __call__(self, obj, img, *args, **kw):
        t0 = time.perf_counter()
        try:
            return self.inner(obj, img, *args, **kw)
        finally:
            self.seconds += time.perf_counter() - t0
            self.calls += 1
            self.points += int(np.asarray(obj).reshape(-1, 3).shape[0])

    def reset(self):
        self.calls, self.points, self.seconds = 0, 0, 0.0


def test_path(a):
    import cv2
    import backbone as bb
    import libs.dzi_libs as dzi
    import libs.transform as transform
    from libs.dataset import BOP_Dataset, collate_fn
    from libs.evaluate import remap_predictions
    from libs.utils import load_bbox_3d
    from models.model import PoseModule
    torch.manual_seed(0)  # test.py's seeds
    np.random.seed(0)
    dzi._INPUT_RES = a.size
    cfg = load_cfg(a.data, a.backbone)
    device = cfg["RUNTIME"]["RUNNING_DEVICE"]
    internal_k = np.array(cfg["INPUT"]["INTERNAL_K"]).reshape(3, 3)
    valid_trans = transform.Compose([
        transform.Resize(cfg["INPUT"]["INTERNAL_WIDTH"], cfg["INPUT"]["INTERNAL_HEIGHT"], internal_k),
        transform.Grayscalize(cfg["SOLVER"]["AUGMENTATION_Grayscalize"]),
        transform.Normalize(cfg["INPUT"]["PIXEL_MEAN"], cfg["INPUT"]["PIXEL_STD"]),
        transform.ToTensor(),
    ])
    with contextlib.redirect_stdout(sys.stderr):
        valid_set = BOP_Dataset(cfg["DATASETS"]["TEST"], cfg["DATASETS"]["MESH_DIR"], cfg["DATASETS"]["BBOX_FILE"],
                                valid_trans, training=False, DZI=True)
        model = PoseModule(cfg, getattr(bb, a.backbone)(pretrained=False))
    if a.weights:  # test.py's loose loading; test.py falls back to random weights on failure, this raises
        chkpt = torch.load(a.weights, map_location="cpu")
        if "model" in chkpt:
            chkpt = chkpt["model"]
        sd = model.state_dict()
        sd.update({k: v for k, v in chkpt.items() if k in sd})
        model.load_state_dict(sd)
    model = model.to(device)
    model.eval()
    conf_th = a.conf_th if a.conf_th is not None else (cfg["TEST"]["CONFIDENCE_TH"] if a.weights else 0.0)
    model.post_processor.inference_th = conf_th
    collate = collate_fn(cfg["INPUT"]["SIZE_DIVISIBLE"])
    bboxes_3d = load_bbox_3d(cfg["DATASETS"]["BBOX_FILE"])
    pnp = PnPCounter(cv2)
    n_list = len(valid_set)

    @torch.no_grad()
    def one(index):
        t0 = time.perf_counter()
        images, targets, metas = collate([valid_set[index % n_list]])
        images = images.to(device)
        targets = [t.to(device) for t in targets]
        t1 = time.perf_counter()
        feats = model.fpn(model.backbone(images.tensors))
        pred_cls, pred_reg = model.head(feats)
        t2 = time.perf_counter()
        anchors = model.anchor_generator(images, feats)
        pred = model.post_processor(pred_cls, pred_reg, targets, anchors)
        found = 0
        for m, p in zip(metas, pred):
            new_p = remap_predictions(cfg["INPUT"]["INTERNAL_K"], cfg["INPUT"]["INTERNAL_WIDTH"],
                                      cfg["INPUT"]["INTERNAL_HEIGHT"], bboxes_3d, m, p)
            found += len(new_p)
        t3 = time.perf_counter()
        return (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, found

    for i in range(2):
        one(i)
    pnp.reset()
    rows = [one(i) for i in range(a.images)]
    totals = [l + n + p for l, n, p, _ in rows]
    if pnp.calls < a.images:
        print(f"warning: RANSAC-EPnP ran {pnp.calls} times on {a.images} images (conf_th {conf_th})", file=sys.stderr)
    median, lo, hi, n = stats(totals)
    mean = lambda xs: float(sum(xs) / len(xs))
    return {"median_ms_per_image": median, "mean_ms_per_image": mean(totals), "min_ms": lo, "max_ms": hi,
            "images": n, "threads": torch.get_num_threads(), "torch": torch.__version__,
            "load_ms": mean([r[0] for r in rows]), "network_ms": mean([r[1] for r in rows]),
            "post_ms": mean([r[2] for r in rows]), "pnp_ms": pnp.seconds * 1e3 / n, "pnp_calls": pnp.calls,
            "pnp_points_mean": pnp.points / max(pnp.calls, 1), "conf_th": conf_th,
            "poses_found": int(sum(r[3] for r in rows)), "peak_rss_mb": peak_rss_mb()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=["train-step", "infer", "test-path"], required=True)
    ap.add_argument("--backbone", choices=BACKBONES, default="darknet_tiny_h")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", help="dataset YAML in the reference's configs/ape.yaml format")
    ap.add_argument("--images", type=int, default=20, help="test-path: images timed")
    ap.add_argument("--weights", help="test-path: a PoseModule state_dict (.pth); random weights without it")
    ap.add_argument("--conf-th", type=float, default=None,
                    help="test-path: confidence threshold (default: the YAML's with --weights, else 0.0)")
    a = ap.parse_args()
    if a.mode in ("train-step", "test-path") and not a.data:
        ap.error(f"--mode {a.mode} needs --data DATASET_YAML")
    torch.set_num_threads(a.threads)
    setup()
    if a.mode == "test-path":
        out = test_path(a)
    else:
        median, lo, hi, n = stats(train_step(a) if a.mode == "train-step" else infer(a))
        out = {"median_ms": median, "min_ms": lo, "max_ms": hi, "reps": n, "threads": torch.get_num_threads(),
               "torch": torch.__version__, "peak_rss_mb": peak_rss_mb()}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
