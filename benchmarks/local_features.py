"""Local features + geometric verification (issue 13 item 3): ours (numpy) vs OpenCV ORB, per edit family.

Run from the repository root::

    nice -n 10 .venv/bin/python benchmarks/local_features.py            # both halves (~3-6 min)
    nice -n 10 .venv/bin/python benchmarks/local_features.py --half tuning

Real corpus frames (2 per source, ``../shared/corpus`` beside the checkout, or ``$PROVENANCE_CORPUS``), split into the
halves of ``benchmarks/copy_detection.py`` ``source_half()`` (the lists below), edited in numpy /
Pillow (never OpenCV): re-encode (JPEG q 30), rotation 3 deg (black corners) and 5 deg (zoom 1.1),
centre crops 0.85 / 0.7 and an off-centre 0.7 crop (resized back), the frame as an inset at 1/3
and 1/2 of the width over another source's frame of the same half, a cell of a 3 x 3 grid of
such frames, a phone filming a monitor (perspective tilt 15-25 deg, blur, noise, brightness),
mild blur, grayscale. Negatives: the frames of every other source of the same half, flat / black
/ text-only title cards, and (reported apart) two frames of one clip several seconds apart
(moving cameras may verify; fixed cameras will).

Ours: query at ``QUERY_FEATURE_SIDE`` with ``QUERY_MAX_FEATURES``, reference at ``FEATURE_SIDE``, :func:`verify_pair`.
Peer: ``cv2.ORB_create`` (as many keypoints as ours) on the same two resized grey pictures, ``BFMatcher(NORM_HAMMING)``
with the same ratio test, ``cv2.findHomography(RANSAC, RANSAC_TOLERANCE)``, verified at the same
``MIN_INLIERS``. Reporting half first; every constant was chosen on the tuning half.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from provenance.hashing.features import (  # noqa: E402
    FEATURE_SIDE,
    MAX_FEATURES,
    QUERY_FEATURE_SIDE,
    QUERY_MAX_FEATURES,
    local_features,
)
from provenance.matching.geometry import MIN_INLIERS, RANSAC_TOLERANCE, RATIO, verify_pair  # noqa: E402
from provenance.media.decode import iter_video_frames  # noqa: E402

CORPUS = Path(os.environ.get("PROVENANCE_CORPUS", Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"))
TUNING = ["footage/chair_orig-22_sd.mp4", "footage/pattern_hd.mp4", "footage/highway_overhead_640x360.avi",
          "footage/trafficcam_burned-in-timestamp_hq.avi", "footage/dashcam_highway_solidWhiteRight.mp4",
          "footage/parking-lot_overhead_cars.mp4", "footage/dashcam_highway_test_video_1.5s.mp4",
          "metadata/android601_with-gps.mp4", "metadata/apple_iphone6_with-gps.mov",
          "metadata/apple_iphone6s_livephoto_train.mov", "metadata/gopro_max_heromode.mp4",
          "metadata/matroska_mkvmerge_flashmob.mkv", "stills/lge_nexus5x_aarhus.jpg"]
REPORTING = ["footage/park_street_bus_1080p.mp4", "footage/nasa_artemis1_hotfire_vp9.mkv",
             "footage/bbb_matroska_test1.mkv", "footage/street_security-cam_cars.mp4",
             "footage/freeway_overhead_multilane.avi", "footage/factory_bottles_conveyor.mp4",
             "footage/doorknob_hd.mp4", "footage/highway_roadside.avi", "metadata/canon_MVI_4823.avi",
             "metadata/gopro_hero5_karma_drone.mp4", "metadata/apple_ipadmini_hevc.mov",
             "stills/nikon_coolpix-p6000_DSCN0010.jpg", "stills/sony_hdr-as300_DSC00001.jpg",
             "stills/apple_iphone13pro_TestImage.jpg", "stills/hmd_nokia-8.3-5g.jpg"]
#: Sources whose camera does not move (two frames of them show the same scene).
FIXED = {"footage/highway_overhead_640x360.avi", "footage/trafficcam_burned-in-timestamp_hq.avi",
         "footage/parking-lot_overhead_cars.mp4", "footage/street_security-cam_cars.mp4",
         "footage/freeway_overhead_multilane.avi", "footage/highway_roadside.avi"}
QUERY_SIDE = QUERY_FEATURE_SIDE  # --query-side
QUERY_FEATURES = QUERY_MAX_FEATURES  # --query-features
INPUT_SIDE = 0  # --input-side: pictures reach the features at most this side (the decoder's max_side); 0: full


def _decoded(a: np.ndarray) -> np.ndarray:
    """``a`` as a decoder with ``max_side=INPUT_SIDE`` would give it (area downscale)."""
    if not INPUT_SIDE or max(a.shape[:2]) <= INPUT_SIDE:
        return a
    s = INPUT_SIDE / max(a.shape[:2])
    return np.asarray(Image.fromarray(a).resize((max(1, round(a.shape[1] * s)), max(1, round(a.shape[0] * s))),
                                                Image.Resampling.BOX))
TIMES = (1.0, 6.0)  # frame times [s] (a short clip gives what it has)
LATER = 4.0  # the "same clip, later" negative: this much after the first frame [s]


def load_frames(rel: str) -> list[np.ndarray]:
    path = CORPUS / rel
    if rel.startswith("stills/"):
        with Image.open(path) as src:
            src.draft("RGB", (1920, 1920))
            im = src.convert("RGB")
        im.thumbnail((1920, 1920))
        return [np.asarray(im)]
    out = [f.image for f in iter_video_frames(path, times_s=[*TIMES, TIMES[0] + LATER], include_keyframes=False,
                                              max_side=1920, max_frames=3)]
    return out


# ---- edits (numpy / Pillow) ---------------------------------------------------------------------

def _pil(a: np.ndarray) -> Image.Image:
    return Image.fromarray(a)


def jpeg(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    import io
    buf = io.BytesIO()
    im = _pil(a)
    im = im.resize((640, max(2, round(640 * a.shape[0] / a.shape[1]))), Image.Resampling.BILINEAR)
    im.save(buf, "JPEG", quality=30)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def rotate(deg: float, zoom: float) -> Callable[[np.ndarray, np.random.Generator], np.ndarray]:
    def f(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        im = _pil(a).rotate(deg, resample=Image.Resampling.BILINEAR)
        if zoom != 1.0:
            w, h = im.size
            cw, ch = w / zoom, h / zoom
            im = im.crop((round((w - cw) / 2), round((h - ch) / 2), round((w + cw) / 2), round((h + ch) / 2)))
            im = im.resize((w, h), Image.Resampling.BILINEAR)
        return np.asarray(im)
    return f


def crop(share: float, centre: bool) -> Callable[[np.ndarray, np.random.Generator], np.ndarray]:
    def f(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        h, w = a.shape[:2]
        cw, ch = round(w * share), round(h * share)
        x0, y0 = ((w - cw) // 2, (h - ch) // 2) if centre else (w - cw, 0)
        return np.asarray(_pil(a[y0:y0 + ch, x0:x0 + cw]).resize((w, h), Image.Resampling.BILINEAR))
    return f


def _fit(a: np.ndarray, w: int, h: int) -> Image.Image:
    """``a`` scaled to fit a w x h box (aspect kept)."""
    s = min(w / a.shape[1], h / a.shape[0])
    return _pil(a).resize((max(2, round(a.shape[1] * s)), max(2, round(a.shape[0] * s))), Image.Resampling.BILINEAR)


def inset(share: float) -> Callable[[np.ndarray, np.random.Generator, list[np.ndarray]], np.ndarray]:
    def f(a: np.ndarray, rng: np.random.Generator, others: list[np.ndarray]) -> np.ndarray:
        bg = _pil(others[0]).resize((1280, 720), Image.Resampling.BILINEAR)
        small = _fit(a, round(1280 * share), round(720 * share) if a.shape[0] > a.shape[1] else 720)
        bg.paste(small, (1280 - small.size[0] - 24, 24))
        return np.asarray(bg)
    return f


def grid3(a: np.ndarray, rng: np.random.Generator, others: list[np.ndarray]) -> np.ndarray:
    canvas = Image.new("RGB", (1920, 1080))
    cell = int(rng.integers(0, 9))
    k = 0
    for i in range(9):
        src = a if i == cell else others[k % len(others)]
        if i != cell:
            k += 1
        tile = _pil(src).resize((640, 360), Image.Resampling.BILINEAR) if i != cell else _fit(src, 640, 360)
        canvas.paste(tile, ((i % 3) * 640, (i // 3) * 360))
    return np.asarray(canvas)


def _perspective_coeffs(dst: np.ndarray, src: np.ndarray) -> list[float]:
    """Pillow's PERSPECTIVE coefficients mapping output (dst) px to input (src) px."""
    a = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    return list(np.linalg.solve(np.array(a, float), src.reshape(8)))


def phone(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A monitor showing ``a`` filmed at a tilt of 15-25 deg: a dark bezel, a trapezoid, blur, noise, brightness."""
    w, h = 1280, 720
    tilt = math.radians(float(rng.uniform(15, 25)))
    screen = _fit(a, 900, 560)
    sw, sh = screen.size
    src = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], float)
    shrink = 0.5 * sh * (1 - math.cos(tilt)) * 1.6  # the far side is shorter
    x0, y0 = (w - sw * math.cos(tilt)) / 2, (h - sh) / 2
    x1 = x0 + sw * math.cos(tilt)
    dst = np.array([[x0, y0], [x1, y0 + shrink], [x1, y0 + sh - shrink], [x0, y0 + sh]])
    if rng.random() < 0.5:  # tilt to the other side
        dst = np.array([[x0, y0 + shrink], [x1, y0], [x1, y0 + sh], [x0, y0 + sh - shrink]])
    room = Image.new("RGB", (sw, sh))
    room.paste(screen)
    warped = room.transform((w, h), Image.Transform.PERSPECTIVE, _perspective_coeffs(dst, src),
                            Image.Resampling.BILINEAR, fillcolor=(18, 18, 22))
    out = np.asarray(warped.filter(ImageFilter.GaussianBlur(1.2))).astype(np.float64)
    out = out * float(rng.uniform(0.75, 1.15)) + float(rng.uniform(-15, 15)) + rng.normal(0, 4, out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def blur(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.asarray(_pil(a).filter(ImageFilter.GaussianBlur(1.5)))


def grey(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.asarray(_pil(a).convert("L").convert("RGB"))


SIMPLE: dict[str, Callable[[np.ndarray, np.random.Generator], np.ndarray]] = {
    "jpeg_q30": jpeg, "rotate_3": rotate(3.0, 1.0), "rotate_5_zoom": rotate(5.0, 1.1),
    "crop_0.85": crop(0.85, True), "crop_0.7": crop(0.7, True), "crop_0.7_off": crop(0.7, False),
    "phone_screen": phone, "blur": blur, "grayscale": grey,
}
LAYOUT: dict[str, Callable[[np.ndarray, np.random.Generator, list[np.ndarray]], np.ndarray]] = {
    "inset_1/3": inset(1 / 3), "inset_1/2": inset(0.5), "grid_3x3": grid3,
}


def title_cards() -> list[np.ndarray]:
    """Flat grey, black and text-only cards (white captions on black, two different texts)."""
    cards = [np.full((720, 1280, 3), 128, np.uint8), np.zeros((720, 1280, 3), np.uint8)]
    for text in ("THE END", "COMING SOON"):
        im = Image.new("RGB", (1280, 720))
        d = ImageDraw.Draw(im)
        for k in range(3):
            d.text((200 + 40 * k, 200 + 120 * k), text * 2, fill=(255, 255, 255), font_size=72)
        cards.append(np.asarray(im))
    return cards


# ---- the peer -------------------------------------------------------------------------------------

def _resized_grey(a: np.ndarray, side: int) -> np.ndarray:
    import cv2
    g = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)
    s = min(1.0, side / max(g.shape))
    if s < 1.0:
        g = cv2.resize(g, (round(g.shape[1] * s), round(g.shape[0] * s)), interpolation=cv2.INTER_AREA)
    return g


def orb_features(a: np.ndarray, side: int, n: int) -> tuple[object, np.ndarray | None]:
    import cv2
    orb = cv2.ORB_create(nfeatures=n)  # type: ignore[attr-defined]
    kp, des = orb.detectAndCompute(_resized_grey(a, side), None)
    return kp, des


def orb_verify(q: tuple[object, np.ndarray | None], r: tuple[object, np.ndarray | None]) -> int:
    import cv2
    (kq, dq), (kr, dr) = q, r
    if dq is None or dr is None or len(dq) < 2 or len(dr) < 2:
        return 0
    bf = cv2.BFMatcher(cv2.NORM_HAMMING)
    good = [m for m, n in (p for p in bf.knnMatch(dq, dr, k=2) if len(p) == 2) if m.distance < RATIO * n.distance]
    if len(good) < 4:
        return 0
    src = np.array([kr[m.trainIdx].pt for m in good], np.float32)  # type: ignore[index]
    dst = np.array([kq[m.queryIdx].pt for m in good], np.float32)  # type: ignore[index]
    h, mask = cv2.findHomography(src, dst, cv2.RANSAC, RANSAC_TOLERANCE)
    return 0 if h is None else int(mask.sum())


# ---- the run --------------------------------------------------------------------------------------

def run(half: str, sources: list[str], with_peer: bool) -> None:
    rng = np.random.default_rng(7)
    frames: dict[str, list[np.ndarray]] = {}
    for rel in sources:
        if (CORPUS / rel).exists():
            got = load_frames(rel)
            if got:
                frames[rel] = got
    refs = [(rel, fr[0]) for rel, fr in frames.items()] + [(rel, fr[1]) for rel, fr in frames.items() if len(fr) > 2]
    stats: dict[str, list[tuple[bool, int, int]]] = defaultdict(list)  # family -> (ours ok, ours inl, peer inl)
    misses: dict[str, list[str]] = defaultdict(list)  # source -> families it missed (ours)
    t_lf: list[float] = []
    t_vp: list[float] = []
    ref_feats = {}
    for i, (_rel, ref) in enumerate(refs):
        t0 = time.perf_counter()
        ref_feats[i] = local_features(_decoded(ref), max_side=FEATURE_SIDE)
        t_lf.append(time.perf_counter() - t0)

    def score(family: str, query: np.ndarray, i: int, ref: np.ndarray) -> None:
        query, ref = _decoded(query), _decoded(ref)
        t0 = time.perf_counter()
        qf = local_features(query, max_side=QUERY_SIDE, max_features=QUERY_FEATURES)
        t1 = time.perf_counter()
        v = verify_pair(qf, ref_feats[i])
        t2 = time.perf_counter()
        t_lf.append(t1 - t0)
        t_vp.append(t2 - t1)
        peer = orb_verify(orb_features(query, QUERY_SIDE, QUERY_FEATURES),
                                 orb_features(ref, FEATURE_SIDE, MAX_FEATURES)) if with_peer else -1
        stats[family].append((v.verified, v.inliers, peer))
        if v.verified == family.startswith("NEG"):
            misses[f"{refs[i][0] if i >= 0 else 'card'}#{i}"].append(family)

    for i, (rel, ref) in enumerate(refs):
        others = [fr[0] for r2, fr in frames.items() if r2 != rel]
        others = [others[(i + k) % len(others)] for k in range(len(others))]
        for fam, edit in SIMPLE.items():
            score(fam, edit(ref, rng), i, ref)
        for fam, ledit in LAYOUT.items():
            score(fam, ledit(ref, rng, others), i, ref)
        for o in others:  # unrelated real clips
            score("NEG unrelated clips", o, i, ref)
        for card in title_cards():
            score("NEG title/flat cards", card, i, ref)
    cards = title_cards()
    for a in range(len(cards)):  # cards against each other
        ref_feats[-1 - a] = local_features(_decoded(cards[a]), max_side=FEATURE_SIDE)
        for b in range(len(cards)):
            if a != b:
                score("NEG title/flat cards", cards[b], -1 - a, cards[a])
    for rel, fr in frames.items():
        if len(fr) > 2:
            i = next(k for k, (r2, im) in enumerate(refs) if r2 == rel)
            fam = "SCENE fixed camera, +4 s" if rel in FIXED else "SCENE moving camera, +4 s"
            score(fam, fr[2], i, refs[i][1])

    print(f"\n## {half} half: {len(frames)} sources, {len(refs)} reference frames"
          f"{' (in-sample: constants chosen here)' if half == 'tuning' else ''}")
    print(f"{'family':28s} {'pairs':>5s} | {'ours verified':>13s} {'med inl':>7s} {'max inl':>7s} | {'ORB verified':>12s} {'med inl':>7s}")
    for fam, rows in sorted(stats.items(), key=lambda kv: (kv[0].startswith(("NEG", "SCENE")), kv[0])):
        n = len(rows)
        ours = sum(r[0] for r in rows) / n
        peer = sum(r[2] >= MIN_INLIERS for r in rows) / n if with_peer else math.nan
        mi = statistics.median(r[1] for r in rows)
        mp = statistics.median(r[2] for r in rows) if with_peer else math.nan
        mx = max(r[1] for r in rows)
        print(f"{fam:28s} {n:5d} | {ours:13.2f} {mi:7.0f} {mx:7d} | {peer:12.2f} {mp:7.0f}")
    pos = [r for f, rows in stats.items() if not f.startswith(("NEG", "SCENE")) for r in rows]
    neg = [r for f, rows in stats.items() if f.startswith("NEG") for r in rows]
    print(f"{'POOLED positives':28s} {len(pos):5d} | {sum(r[0] for r in pos) / len(pos):13.2f} {'':15s} | "
          f"{sum(r[2] >= MIN_INLIERS for r in pos) / len(pos) if with_peer else math.nan:12.2f}")
    print(f"{'POOLED false-verify rate':28s} {len(neg):5d} | {sum(r[0] for r in neg) / len(neg):13.3f} {'':15s} | "
          f"{sum(r[2] >= MIN_INLIERS for r in neg) / len(neg) if with_peer else math.nan:12.3f}")
    for src, fams in sorted(misses.items()):
        print(f"  missed with {src} (ref keypoints {len(ref_feats[int(src.split('#')[1])])}): {', '.join(fams)}")
    print(f"time: local_features median {1000 * statistics.median(t_lf):.1f} ms (p90 "
          f"{1000 * float(np.percentile(t_lf, 90)):.1f}), verify_pair median {1000 * statistics.median(t_vp):.1f} ms "
          f"(p90 {1000 * float(np.percentile(t_vp, 90)):.1f})")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--half", choices=["both", "reporting", "tuning"], default="both")
    ap.add_argument("--no-peer", action="store_true", help="skip OpenCV ORB")
    ap.add_argument("--query-side", type=int, default=QUERY_FEATURE_SIDE, help="query analysis side [px]")
    ap.add_argument("--input-side", type=int, default=0,
                    help="downscale every picture to this longer side first, as a decoder's max_side would [px]")
    ap.add_argument("--query-features", type=int, default=QUERY_MAX_FEATURES, help="query keypoints")
    args = ap.parse_args(argv)
    global QUERY_SIDE, QUERY_FEATURES, INPUT_SIDE
    QUERY_SIDE, QUERY_FEATURES, INPUT_SIDE = args.query_side, args.query_features, args.input_side
    print(f"MIN_INLIERS={MIN_INLIERS} RATIO={RATIO} RANSAC_TOLERANCE={RANSAC_TOLERANCE} px "
          f"FEATURE_SIDE={FEATURE_SIDE} query side {args.query_side} px, {args.query_features} keypoints, input side {args.input_side or 'full'}")
    if args.half in ("both", "reporting"):
        run("reporting", REPORTING, not args.no_peer)
    if args.half in ("both", "tuning"):
        run("tuning", TUNING, not args.no_peer)


if __name__ == "__main__":
    main()
