"""Local features in numpy: oriented corners with 256-bit binary descriptors (ORB-like).

The global perceptual hash compares whole pictures, so a copy rotated by a few degrees, shown as
a small inset or filmed off a screen at an angle no longer looks like its source. Local features
survive those edits: :func:`local_features` finds corners on a small image pyramid, gives each an
orientation and a rotation-steered binary descriptor, and :mod:`provenance.matching.geometry`
matches two sets and checks that the matches agree on one plane projective map.

Pipeline (all vectorised numpy, deterministic, no OpenCV):

1. grey, area-downscaled so the longer side is ``max_side`` (never upscaled);
2. a pyramid of :data:`_LEVELS` levels, each ``1 / sqrt(2)`` of the previous;
3. per level, the Shi-Tomasi corner strength (smaller eigenvalue of the box-averaged structure
   tensor), local maxima over 5 x 5 above :data:`_MIN_STRENGTH`, kept strongest-first with a quota
   per grid cell so corners spread over the picture;
4. orientation by the intensity centroid of a disc of radius 15 px (Rosin; as ORB), in 4 deg steps;
5. 256 comparisons of pixel pairs of a 5 x 5 box-smoothed level, the pair pattern (fixed seed,
   Gaussian, within radius 13 px) rotated by the keypoint's orientation ("steered BRIEF").
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgumentError
from ..media.imageops import resize_area, rgb_to_grey

__all__ = [
    "FEATURE_SIDE",
    "MAX_FEATURES",
    "MAX_FEATURE_BYTES",
    "QUERY_FEATURE_SIDE",
    "QUERY_MAX_FEATURES",
    "LocalFeatures",
    "local_features",
]

#: Longer side [px] a reference picture is analysed at.
FEATURE_SIDE = 480
#: Longer side [px] a query frame is analysed at: twice :data:`FEATURE_SIDE`, so an inset of 1/3 of
#: the query's width (or a 3 x 3 grid cell) still spans 320 px and holds enough keypoints. Chosen on
#: the tuning half (benchmarks/local_features.py): at 640 px, 3 x 3 grid cells verified 0.45 and
#: 1/3 insets 0.65-0.75; at 960 px 0.90 and 0.90, no full-frame family lost.
QUERY_FEATURE_SIDE = 960
#: Most keypoints kept per reference picture.
MAX_FEATURES = 500
#: Most keypoints to keep per query frame (pass as ``max_features``): the query holds more picture
#: than the copied reference when it is an inset or a grid, so it needs more keypoints.
QUERY_MAX_FEATURES = 1000
#: Most keypoints a serialised :class:`LocalFeatures` may hold (callers may ask for more than the default).
_MAX_STORED_FEATURES = 2048
_MAGIC = b"PVLF"
_VERSION = 1
_HEADER = struct.Struct("<4sBxxxIII")  # magic, version, pad, width, height, n
#: Largest serialised :class:`LocalFeatures` accepted by :meth:`LocalFeatures.from_bytes` [bytes].
MAX_FEATURE_BYTES = _HEADER.size + _MAX_STORED_FEATURES * (8 + 32)
_MAX_PICTURE_SIDE = 65535

#: Pyramid levels and the scale step between them (1 / sqrt(2): 5 levels span a factor of 4).
_LEVELS = 5
_LEVEL_STEP = 1.0 / math.sqrt(2.0)
#: Smallest level side [px] worth analysing (below it a level holds too few whole patches).
_MIN_LEVEL_SIDE = 48
#: Radius [px] of the orientation disc; keypoints stay this far (+1) from a level's edge.
_PATCH_RADIUS = 15
_MARGIN = _PATCH_RADIUS + 1
#: Radius [px] the BRIEF pair pattern is clipped to, so a rotated pair plus the 5 x 5 smoothing
#: stays inside the patch.
_PATTERN_RADIUS = 13
_SMOOTH = 5  # box side of the descriptor's smoothing [px]
_TENSOR_BOX = 5  # box side [px] the structure tensor is averaged over
_NMS = 5  # side [px] of the non-maximum suppression window
#: Smallest corner strength kept: the smaller eigenvalue of the structure tensor [(grey levels / px)^2].
#: 20 ~ a corner whose gradient is at least ~4.5 grey levels per px in both directions: below it
#: are compression noise and film grain on flat areas (a flat or black picture gives no keypoints).
_MIN_STRENGTH = 20.0
_GRID = 8  # cells per side of the spreading grid of each level


def _pattern() -> np.ndarray:
    """The 256 fixed point pairs (x1, y1, x2, y2) of the descriptor [px], float64 (256, 4)."""
    rng = np.random.default_rng(20261202)
    pts = np.empty((0, 2))
    while len(pts) < 512:
        cand = rng.normal(0.0, 31.0 / 5.0, size=(1024, 2))
        cand = cand[np.hypot(cand[:, 0], cand[:, 1]) <= _PATTERN_RADIUS]
        pts = np.concatenate([pts, cand])
    return pts[:512].reshape(256, 4)


_PAIRS = _pattern()
#: Orientation steps of the steered pattern (4 deg each; ORB uses 12). Tuning half: 30 steps verified
#: 3 x 3 grid cells 0.85, 90 steps 0.95, at the same cost.
_ANGLE_BINS = 90


def _steered() -> np.ndarray:
    """Integer (dx, dy) of the 512 sample points (pair k: points 2k, 2k+1) rotated to each angle bin,
    int (bins, 512, 2)."""
    pts = _PAIRS.reshape(512, 2)
    out = np.empty((_ANGLE_BINS, 512, 2), np.intp)
    for b in range(_ANGLE_BINS):
        t = 2 * math.pi * b / _ANGLE_BINS
        c, s = math.cos(t), math.sin(t)
        out[b, :, 0] = np.rint(c * pts[:, 0] - s * pts[:, 1])
        out[b, :, 1] = np.rint(s * pts[:, 0] + c * pts[:, 1])
    return out


_STEERED = _steered()
_dy, _dx = np.mgrid[-_PATCH_RADIUS:_PATCH_RADIUS + 1, -_PATCH_RADIUS:_PATCH_RADIUS + 1]
_DISC = _dx * _dx + _dy * _dy <= _PATCH_RADIUS * _PATCH_RADIUS
_DISC_DX = _dx[_DISC].astype(np.float32)
_DISC_DY = _dy[_DISC].astype(np.float32)
_DISC_OFF_X = _dx[_DISC].astype(np.intp)
_DISC_OFF_Y = _dy[_DISC].astype(np.intp)


@dataclass(frozen=True, eq=False)
class LocalFeatures:
    """Keypoints and binary descriptors of one analysed picture.

    Attributes
    ----------
    xy : numpy.ndarray of float32, shape (n, 2)
        Keypoint (x, y) [px] in the analysed picture (x right, y down, pixel centres at integers).
    desc : numpy.ndarray of uint8, shape (n, 32)
        256-bit binary descriptors, one row per keypoint.
    size : tuple of int
        (width, height) of the analysed picture [px].
    """

    xy: np.ndarray
    desc: np.ndarray
    size: tuple[int, int]

    def __post_init__(self) -> None:
        xy, desc = self.xy, self.desc
        if not isinstance(xy, np.ndarray) or xy.dtype != np.float32 or xy.ndim != 2 or xy.shape[1] != 2:
            raise InvalidArgumentError("LocalFeatures.xy must be a float32 array of shape (n, 2)")
        if not isinstance(desc, np.ndarray) or desc.dtype != np.uint8 or desc.shape != (len(xy), 32):
            raise InvalidArgumentError("LocalFeatures.desc must be a uint8 array of shape (n, 32) matching xy")
        w, h = self.size
        if not (1 <= int(w) <= _MAX_PICTURE_SIDE and 1 <= int(h) <= _MAX_PICTURE_SIDE):
            raise InvalidArgumentError(
                f"LocalFeatures.size must be 1..{_MAX_PICTURE_SIDE} px per side (got {self.size})")
        if len(xy) and (not np.isfinite(xy).all() or (xy < -0.5).any() or (xy[:, 0] > w - 0.5).any()
                        or (xy[:, 1] > h - 0.5).any()):
            raise InvalidArgumentError("LocalFeatures.xy holds non-finite or out-of-picture coordinates")

    def __len__(self) -> int:
        return int(self.xy.shape[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LocalFeatures):
            return NotImplemented
        return (tuple(self.size) == tuple(other.size) and np.array_equal(self.xy, other.xy)
                and np.array_equal(self.desc, other.desc))

    def __hash__(self) -> int:
        return hash((tuple(self.size), self.xy.tobytes(), self.desc.tobytes()))

    def to_bytes(self) -> bytes:
        """Compact serialisation: a 20-byte header (magic ``PVLF``, version, width, height, n), then
        ``n`` (x, y) float32 little-endian pairs, then ``n`` 32-byte descriptors."""
        n = len(self)
        if n > _MAX_STORED_FEATURES:
            raise InvalidArgumentError(f"at most {_MAX_STORED_FEATURES} keypoints can be serialised (got {n})")
        head = _HEADER.pack(_MAGIC, _VERSION, int(self.size[0]), int(self.size[1]), n)
        return head + self.xy.astype("<f4").tobytes() + self.desc.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> LocalFeatures:
        """Parse :meth:`to_bytes` output.

        Raises
        ------
        InvalidArgumentError
            For anything malformed: not bytes, wrong magic or version, truncated or trailing bytes,
            more than the allowed keypoints, more than :data:`MAX_FEATURE_BYTES`, a bad picture
            size, non-finite or out-of-picture coordinates.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidArgumentError(f"local features must be bytes (got {type(data).__name__})")
        data = bytes(data)
        if len(data) > MAX_FEATURE_BYTES:
            raise InvalidArgumentError(f"local features of {len(data)} bytes exceed {MAX_FEATURE_BYTES}")
        if len(data) < _HEADER.size:
            raise InvalidArgumentError("local features truncated (no header)")
        magic, version, w, h, n = _HEADER.unpack_from(data)
        if magic != _MAGIC:
            raise InvalidArgumentError("not serialised local features (bad magic)")
        if version != _VERSION:
            raise InvalidArgumentError(f"unsupported local features version {version}")
        if n > _MAX_STORED_FEATURES:
            raise InvalidArgumentError(f"local features claim {n} keypoints (at most {_MAX_STORED_FEATURES})")
        if len(data) != _HEADER.size + n * 40:
            raise InvalidArgumentError(f"local features of {n} keypoints need {_HEADER.size + n * 40} bytes "
                                       f"(got {len(data)})")
        off = _HEADER.size
        xy = np.frombuffer(data, "<f4", count=2 * n, offset=off).reshape(n, 2).astype(np.float32)
        desc = np.frombuffer(data, np.uint8, count=32 * n, offset=off + 8 * n).reshape(n, 32).copy()
        return cls(xy=xy, desc=desc, size=(int(w), int(h)))


def _grey(image: np.ndarray) -> np.ndarray:
    """BT.601 luma in 8-bit fixed point, uint16 arithmetic: 3x faster than :func:`rgb_to_grey` on a
    4K frame and within 1 grey level of it (features need no bit-exact grey)."""
    if image.shape[0] * image.shape[1] <= 1 << 18:
        return rgb_to_grey(image)
    g = image[..., 0].astype(np.uint16) * np.uint16(77)
    g += image[..., 1].astype(np.uint16) * np.uint16(150)
    g += image[..., 2].astype(np.uint16) * np.uint16(29)
    g += np.uint16(128)
    g >>= np.uint16(8)
    return g.astype(np.uint8)


def _decimate(grey: np.ndarray, k: int) -> np.ndarray:
    """Mean of k x k blocks (the ragged last row/column of blocks dropped), by strided sums: a
    cheap first step of the area downscale of a large frame."""
    h, w = (grey.shape[0] // k) * k, (grey.shape[1] // k) * k
    acc = np.zeros((h // k, w // k), np.uint32)
    for i in range(k):
        for j in range(k):
            acc += grey[i:h:k, j:w:k]
    acc += np.uint32(k * k // 2)
    acc //= np.uint32(k * k)
    return acc.astype(np.uint8)


def _empty(size: tuple[int, int]) -> LocalFeatures:
    return LocalFeatures(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), size)


def _box_sum(a: np.ndarray, k: int) -> np.ndarray:
    """Sum over k x k windows (valid part only) of the first and last axes of ``a`` (H, ..., W),
    shape (H - k + 1, ..., W - k + 1), by shifted sums (cheaper than cumulative sums for k <= 5)."""
    n0 = a.shape[0] - k + 1
    r = a[:n0].astype(np.float32, copy=True)
    for i in range(1, k):
        r += a[i:i + n0]
    n1 = a.shape[-1] - k + 1
    out = r[..., :n1].copy()
    for i in range(1, k):
        out += r[..., i:i + n1]
    return out


def _max_filter(a: np.ndarray, k: int) -> np.ndarray:
    """Maximum over k x k windows (valid part only), separable."""
    n0 = a.shape[0] - k + 1
    m = a[:n0].copy()
    for i in range(1, k):
        np.maximum(m, a[i:i + n0], out=m)
    n1 = a.shape[1] - k + 1
    out = m[:, :n1].copy()
    for i in range(1, k):
        np.maximum(out, m[:, i:i + n1], out=out)
    return out


def _corners(level: np.ndarray, quota: int) -> tuple[np.ndarray, np.ndarray]:
    """Strongest spread corners of one level: integer (x, y) arrays, at least :data:`_MARGIN` from the edge."""
    f = level.astype(np.float32)
    gx = (f[1:-1, 2:] - f[1:-1, :-2]) * 0.5
    gy = (f[2:, 1:-1] - f[:-2, 1:-1]) * 0.5
    tensor = _box_sum(np.stack([gx * gx, gx * gy, gy * gy], axis=1), _TENSOR_BOX)
    tensor *= np.float32(1.0 / (_TENSOR_BOX * _TENSOR_BOX))
    a, b, c = tensor[:, 0], tensor[:, 1], tensor[:, 2]
    strength = (a + c) * 0.5 - np.sqrt(((a - c) * 0.5) ** 2 + b * b)
    off = 1 + _TENSOR_BOX // 2  # strength[i, j] belongs to pixel (i + off, j + off)
    peak = _max_filter(strength, _NMS)
    half = _NMS // 2
    core = strength[half:half + peak.shape[0], half:half + peak.shape[1]]
    ok = (core >= peak) & (core > _MIN_STRENGTH)
    ys, xs = np.nonzero(ok)
    resp = core[ys, xs]
    xs = xs + (half + off)
    ys = ys + (half + off)
    h, w = level.shape
    keep = (xs >= _MARGIN) & (xs < w - _MARGIN) & (ys >= _MARGIN) & (ys < h - _MARGIN)
    xs, ys, resp = xs[keep], ys[keep], resp[keep]
    if len(xs) == 0:
        return xs, ys
    # Spread: at most ~2x the even share per grid cell, strongest first, then the quota overall.
    cell = (ys * _GRID // h) * _GRID + (xs * _GRID // w)
    order = np.lexsort((-resp, cell))
    cs = cell[order]
    start = np.searchsorted(cs, cs, side="left")
    rank = np.arange(len(cs)) - start
    per_cell = max(2, (2 * quota) // (_GRID * _GRID))
    sel = order[rank < per_cell]
    sel = sel[np.argsort(-resp[sel], kind="stable")][:quota]
    return xs[sel], ys[sel]


def _describe(level: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Packed steered-BRIEF descriptors (n, 32) of keypoints on one level.

    The orientation (intensity centroid of the disc) is quantised to :data:`_ANGLE_BINS` steps (as
    ORB does), so each keypoint's 512 sample offsets come from a precomputed table."""
    h, w = level.shape
    flat = level.reshape(-1).astype(np.float32)
    base = ys.astype(np.intp) * w + xs.astype(np.intp)
    vals = flat[base[:, None] + (_DISC_OFF_Y * w + _DISC_OFF_X)[None, :]]
    angle = np.arctan2(vals @ _DISC_DY, vals @ _DISC_DX)
    bins = np.rint(angle * (_ANGLE_BINS / (2 * math.pi))).astype(np.intp) % _ANGLE_BINS
    # 5 x 5 box sums, padded back to the level's shape (edges are never sampled: margin).
    r = _SMOOTH // 2
    sm = np.zeros((h, w), np.float32)
    sm[r:-r, r:-r] = _box_sum(level, _SMOOTH)
    sflat = sm.reshape(-1)
    off = _STEERED[:, :, 1] * w + _STEERED[:, :, 0]  # (bins, 512) flat offsets for this width
    idx = base[:, None] + off[bins]
    v = sflat[idx]
    return np.packbits(v[:, 0::2] < v[:, 1::2], axis=1)


def local_features(image: np.ndarray, *, max_side: int = FEATURE_SIDE,
                   max_features: int = MAX_FEATURES) -> LocalFeatures:
    """Oriented corners and 256-bit descriptors of one picture.

    Parameters
    ----------
    image : numpy.ndarray of uint8, shape (H, W) or (H, W, 3)
        Grey or RGB pixels, any size a decoder gives.
    max_side : int
        Longer side [px] the picture is analysed at: it is area-downscaled to it, never upscaled.
        Use :data:`FEATURE_SIDE` for references and :data:`QUERY_FEATURE_SIDE` for query frames.
    max_features : int
        Most keypoints kept (the strongest, spread over the picture and the pyramid's levels).

    Returns
    -------
    LocalFeatures
        Keypoints in px of the analysed picture; empty (n = 0) for a flat or tiny picture.

    Raises
    ------
    InvalidArgumentError
        When ``image`` is not a uint8 grey or RGB array, or ``max_side`` / ``max_features`` are out of range.
    """
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise InvalidArgumentError("'image' must be a uint8 numpy array")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)) or min(image.shape[:2]) < 1:
        raise InvalidArgumentError(f"'image' must have shape (H, W) or (H, W, 3) (got {image.shape})")
    if isinstance(max_side, bool) or not isinstance(max_side, int) or not 32 <= max_side <= 4096:
        raise InvalidArgumentError(f"max_side must be an int in 32..4096 (got {max_side!r})")
    if (isinstance(max_features, bool) or not isinstance(max_features, int)
            or not 1 <= max_features <= _MAX_STORED_FEATURES):
        raise InvalidArgumentError(f"max_features must be an int in 1..{_MAX_STORED_FEATURES} (got {max_features!r})")
    grey = _grey(image) if image.ndim == 3 else image
    h, w = grey.shape
    s = min(1.0, max_side / max(h, w))
    if s < 1.0:
        size = (max(1, round(w * s)), max(1, round(h * s)))
        k = int(1.0 / s)
        if k >= 2:
            grey = _decimate(grey, k)
        if grey.shape != (size[1], size[0]):
            grey = resize_area(grey, size)
    h, w = grey.shape
    if min(h, w) < _MIN_LEVEL_SIDE:
        return _empty((w, h))
    levels: list[tuple[np.ndarray, float, float]] = [(grey, 1.0, 1.0)]
    for i in range(1, _LEVELS):
        lw, lh = round(w * _LEVEL_STEP ** i), round(h * _LEVEL_STEP ** i)
        if min(lw, lh) < _MIN_LEVEL_SIDE:
            break
        levels.append((resize_area(grey, (lw, lh)), w / lw, h / lh))
    # Quota per level proportional to its area (as ORB), the finest level first.
    areas = np.array([lv.shape[0] * lv.shape[1] for lv, _, _ in levels], np.float64)
    quotas = np.maximum(1, np.round(max_features * areas / areas.sum())).astype(int)
    xy_parts: list[np.ndarray] = []
    desc_parts: list[np.ndarray] = []
    for (lv, fx, fy), quota in zip(levels, quotas, strict=True):
        xs, ys = _corners(lv, int(quota))
        if len(xs) == 0:
            continue
        desc = _describe(lv, xs, ys)
        # Level pixel centres -> analysed picture px.
        px = (xs + 0.5) * fx - 0.5
        py = (ys + 0.5) * fy - 0.5
        xy_parts.append(np.stack([px, py], axis=1).astype(np.float32))
        desc_parts.append(desc)
    if not xy_parts:
        return _empty((w, h))
    xy = np.concatenate(xy_parts)[:max_features]
    desc = np.concatenate(desc_parts)[:max_features]
    return LocalFeatures(xy=np.ascontiguousarray(xy), desc=np.ascontiguousarray(desc), size=(w, h))
