"""Golden fixtures for PoseKD.Data.Imaging: PNG/JPEG files written by other encoders plus expected pixels.

Run with Debian's /usr/bin/python3 (python3-opencv, python3-png, numpy):
    /usr/bin/python3 tools/golden/codecs.py
Writes tests/PoseKD.Data.Tests/Fixtures/codecs/*.png|*.jpg and expected.safetensors, where each key is
a file name and the tensor is the decoded image (H, W, C) in PoseKD's convention: RGB(A) channel
order, grey depth 1/2/4 scaled by 255/(2^d-1), palette expanded (alpha from tRNS), 16-bit kept.
"""
import os
import zlib

import cv2
import numpy as np
import png

import safetensors_io

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "PoseKD.Data.Tests", "Fixtures", "codecs")
rng = np.random.default_rng(5)
W, H = 23, 17
expected = {}


def pattern(channels, maxv, dtype):
    """Gradients, a block edge and noise, so libpng's adaptive filtering picks varied filters."""
    y, x = np.mgrid[0:H, 0:W]
    planes = []
    for c in range(channels):
        base = (x * (c + 3) * maxv // (3 * W) + y * (c + 1) * maxv // (2 * H)) % (maxv + 1)
        base = np.where((x > 9) & (y > 6), maxv - base, base)
        noise = rng.integers(0, max(2, maxv // 16), size=(H, W))
        planes.append(np.clip(base + noise, 0, maxv))
    return np.stack(planes, axis=2).astype(dtype)


def filter_types(path):
    """Filter byte of each row of a non-interlaced PNG (for the record of which filters a file uses)."""
    data = open(path, "rb").read()
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        t = data[pos + 4:pos + 8]
        if t == b"IHDR":
            ihdr = data[pos + 8:pos + 8 + n]
        if t == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(idat)
    w, h = int.from_bytes(ihdr[0:4], "big"), int.from_bytes(ihdr[4:8], "big")
    depth, ct = ihdr[8], ihdr[9]
    spp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ct]
    rb = (w * spp * depth + 7) // 8
    return sorted(set(raw[r * (rb + 1)] for r in range(h)))


def cv2_png(name, img_rgb):
    path = os.path.join(OUT, name)
    bgr = img_rgb
    if img_rgb.ndim == 3 and img_rgb.shape[2] == 3:
        bgr = cv2.cvtColor(img_rgb, cv2.COLOR_RGB2BGR)
    elif img_rgb.ndim == 3 and img_rgb.shape[2] == 4:
        bgr = cv2.cvtColor(img_rgb, cv2.COLOR_RGBA2BGRA)
    assert cv2.imwrite(path, bgr, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    expected[name] = img_rgb.reshape(H, W, -1)
    print(name, "filters", filter_types(path))


def pypng(name, rows3d, expected_pixels, **kw):
    h, w, c = rows3d.shape
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        png.Writer(w, h, **kw).write(f, rows3d.reshape(h, w * c).tolist())
    expected[name] = expected_pixels.reshape(h, w, -1)
    print(name, kw)


os.makedirs(OUT, exist_ok=True)
# libpng (OpenCV) writers: adaptive filters
cv2_png("rgb8.png", pattern(3, 255, np.uint8))
cv2_png("grey8.png", pattern(1, 255, np.uint8)[:, :, 0])
cv2_png("rgba8.png", pattern(4, 255, np.uint8))
cv2_png("grey16.png", pattern(1, 65535, np.uint16)[:, :, 0])
cv2_png("rgb16.png", pattern(3, 65535, np.uint16))

# pypng writers: low bit depths, grey+alpha, palette, tRNS, Adam7
for d in (1, 2, 4):
    g = pattern(1, (1 << d) - 1, np.uint8)
    pypng(f"grey{d}.png", g, (g.astype(np.int64) * 255 // ((1 << d) - 1)), greyscale=True, bitdepth=d)
ga = pattern(2, 255, np.uint8)
pypng("greyalpha8.png", ga, ga, greyscale=True, alpha=True, bitdepth=8)
ga16 = pattern(2, 65535, np.uint16)
pypng("greyalpha16.png", ga16, ga16, greyscale=True, alpha=True, bitdepth=16)
rgba16 = pattern(4, 65535, np.uint16)
pypng("rgba16.png", rgba16, rgba16, greyscale=False, alpha=True, bitdepth=16)

pal_rgb = rng.integers(0, 256, size=(16, 3))
pal_a = rng.integers(0, 256, size=(11,))  # tRNS shorter than the palette: later entries opaque
idx4 = pattern(1, 15, np.uint8)
pal_full = [tuple(int(v) for v in pal_rgb[i]) + ((int(pal_a[i]),) if i < 11 else (255,)) for i in range(16)]
pal_exp = np.array([pal_full[i] for i in idx4.reshape(-1)]).reshape(H, W, 4)
pypng("palette4_trns.png", idx4, pal_exp, palette=[p if i < 11 else p[:3] for i, p in enumerate(pal_full)], bitdepth=4)
idx8 = pattern(1, 15, np.uint8)
pal_rgb_only = [tuple(int(v) for v in pal_rgb[i]) for i in range(16)]
pypng("palette8.png", idx8, np.array([pal_rgb_only[i] for i in idx8.reshape(-1)]).reshape(H, W, 3), palette=pal_rgb_only, bitdepth=8)
idx2 = pattern(1, 3, np.uint8)
pypng("palette2.png", idx2, np.array([pal_rgb_only[i] for i in idx2.reshape(-1)]).reshape(H, W, 3), palette=pal_rgb_only[:4], bitdepth=2)
# grey tRNS colour key -> alpha channel
gk = pattern(1, 255, np.uint8)
key = int(gk[3, 4, 0])
pypng("grey8_key.png", gk, np.concatenate([gk, np.where(gk == key, 0, 255)], axis=2), greyscale=True, bitdepth=8, transparent=key)
rk = pattern(3, 255, np.uint8)
rkey = tuple(int(v) for v in rk[5, 6])
rmask = np.all(rk == np.array(rkey), axis=2, keepdims=True)
pypng("rgb8_key.png", rk, np.concatenate([rk, np.where(rmask, 0, 255)], axis=2), greyscale=False, bitdepth=8, transparent=rkey)
# Adam7 interlaced
ai = pattern(3, 255, np.uint8)
pypng("adam7_rgb8.png", ai, ai, greyscale=False, bitdepth=8, interlace=True)
a2 = pattern(1, 3, np.uint8)
pypng("adam7_grey2.png", a2, a2.astype(np.int64) * 85, greyscale=True, bitdepth=2, interlace=True)
a16 = pattern(2, 65535, np.uint16)
pypng("adam7_greyalpha16.png", a16, a16, greyscale=True, alpha=True, bitdepth=16, interlace=True)
ap = pattern(1, 15, np.uint8)
pypng("adam7_palette4.png", ap, np.array([pal_rgb_only[i] for i in ap.reshape(-1)]).reshape(H, W, 3), palette=pal_rgb_only, bitdepth=4, interlace=True)

# JPEG (OpenCV's libjpeg): expected pixels are what OpenCV decodes (RGB order)
for name, img in (("rgb.jpg", pattern(3, 255, np.uint8)), ("grey.jpg", pattern(1, 255, np.uint8)[:, :, 0])):
    path = os.path.join(OUT, name)
    src = cv2.cvtColor(img, cv2.COLOR_RGB2BGR) if img.ndim == 3 else img
    assert cv2.imwrite(path, src, [cv2.IMWRITE_JPEG_QUALITY, 90])
    dec = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if dec.ndim == 3:
        dec = cv2.cvtColor(dec, cv2.COLOR_BGR2RGB)
    expected[name] = dec.reshape(H, W, -1)
    print(name)
# progressive JPEG
path = os.path.join(OUT, "progressive.jpg")
prog = pattern(3, 255, np.uint8)
assert cv2.imwrite(path, cv2.cvtColor(prog, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85, cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
expected["progressive.jpg"] = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)

safetensors_io.write(os.path.join(OUT, "expected.safetensors"), {k: np.asarray(v, dtype=np.int64) for k, v in expected.items()})
print("wrote", len(expected), "fixtures to", os.path.normpath(OUT))
