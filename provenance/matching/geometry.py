"""Geometric verification of one pair of pictures with local features and a RANSAC homography.

:func:`verify_pair` matches the binary descriptors of a query picture and a reference picture
(:func:`provenance.hashing.features.local_features`), then looks for one plane projective map
(homography) that carries many matched reference keypoints onto their query keypoints. A copy
that is rotated, cropped, shown as an inset or filmed off a screen at an angle keeps such a map;
two unrelated pictures do not. Pure logic over arrays: deterministic (fixed seed) and bounded
(at most :data:`MAX_MATCHES` putative matches and :data:`RANSAC_HYPOTHESES` hypotheses).

Every decision constant below was chosen on the tuning half of the copy-detection sources only
(``benchmarks/local_features.py`` prints both halves).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..hashing.features import LocalFeatures

__all__ = [
    "MAX_HAMMING",
    "MAX_MATCHES",
    "MIN_INLIERS",
    "RANSAC_HYPOTHESES",
    "RANSAC_TOLERANCE",
    "RATIO",
    "Verification",
    "match_descriptors",
    "verify_pair",
]

#: Lowe's ratio test: a match's Hamming distance must be below this share of the second-best one's.
RATIO = 0.85
#: Largest Hamming distance [bits of 256] of a putative match.
MAX_HAMMING = 72
#: Most putative matches kept (the lowest distances), bounding RANSAC's cost.
MAX_MATCHES = 400
#: Homography hypotheses drawn (4 matches each), all scored at once.
RANSAC_HYPOTHESES = 600
#: Reprojection error [px of the query picture] under which a match is an inlier.
RANSAC_TOLERANCE = 4.0
#: Fewest inliers of the final homography for a verified pair. On the tuning half the unrelated
#: real pairs reached at most 7 inliers and title / flat cards 5; true pairs of small insets and
#: grid cells often have 10-20.
MIN_INLIERS = 10
#: Linear scale reference -> query accepted [ratio]: beyond it the map is degenerate.
SCALE_RANGE = (0.08, 12.0)
#: Largest ratio of the local map's singular values (shear / extreme foreshortening).
MAX_ANISOTROPY = 4.0
#: Smallest share of the projected reference picture's area that must lie inside the query
#: (a 0.7 crop keeps 0.49; below 0.3 the reference is projected mostly outside the query).
MIN_INSIDE_SHARE = 0.3
_SEED = 13


@dataclass(frozen=True)
class Verification:
    """Outcome of :func:`verify_pair`.

    Attributes
    ----------
    verified : bool
        True when the two pictures show the same content under one plane projective map.
    inliers : int
        RANSAC inliers of the final homography (0 when none was found).
    matches : int
        Putative descriptor matches.
    homography : numpy.ndarray of float64, shape (3, 3), or None
        Maps reference px -> query px (of the analysed pictures); None when none was found.
    rotation_deg : float
        Rotation [deg] of the reference picture in the query, positive clockwise on screen
        (x right, y down), of the map's local linear part at the reference picture's centre;
        nan when no homography.
    scale : float
        Linear scale reference -> query, ``sqrt(|det|)`` of that local linear part (equal to the
        affine part for an affine map); nan when no homography.
    area_share : float
        Share of the query picture covered by the projected reference picture, 0..1.
    """

    verified: bool
    inliers: int
    matches: int
    homography: np.ndarray | None
    rotation_deg: float
    scale: float
    area_share: float


def _none(matches: int, inliers: int = 0) -> Verification:
    return Verification(False, inliers, matches, None, math.nan, math.nan, 0.0)


def match_descriptors(query: LocalFeatures, reference: LocalFeatures) -> np.ndarray:
    """Putative matches: mutual nearest neighbours by Hamming distance that pass the ratio test.

    Returns
    -------
    numpy.ndarray of intp, shape (m, 2)
        (query index, reference index) rows, lowest distance first, at most :data:`MAX_MATCHES`.
    """
    if len(query) == 0 or len(reference) == 0:
        return np.zeros((0, 2), np.intp)
    q = np.ascontiguousarray(query.desc).view(np.uint64)
    r = np.ascontiguousarray(reference.desc).view(np.uint64)
    # Hamming distances word by word (a (nq, nr, 4) array and its reduction cost 3x more).
    dist = np.bitwise_count(q[:, 0, None] ^ r[None, :, 0]).astype(np.int16)
    for k in range(1, 4):
        dist += np.bitwise_count(q[:, k, None] ^ r[None, :, k])
    best = np.argmin(dist, axis=1)
    rows = np.arange(len(q))
    d1 = dist[rows, best].astype(np.int32)
    back = np.argmin(dist, axis=0)
    dist[rows, best] = 512  # the second-best distance is the smallest of the others
    d2 = dist.min(axis=1).astype(np.int32) if dist.shape[1] > 1 else np.full(len(q), 256, np.int32)
    ok = (d1 <= MAX_HAMMING) & (d1 < RATIO * d2) & (back[best] == rows)
    qi = rows[ok]
    ri = best[ok]
    order = np.argsort(d1[ok], kind="stable")[:MAX_MATCHES]
    return np.stack([qi[order], ri[order]], axis=1).astype(np.intp)


def _normaliser(p: np.ndarray) -> np.ndarray:
    """Hartley's similarity moving points to mean 0, mean distance sqrt(2)."""
    c = p.mean(axis=0)
    d = np.sqrt(((p - c) ** 2).sum(axis=1)).mean()
    s = math.sqrt(2.0) / d if d > 1e-9 else 1.0
    return np.array([[s, 0.0, -s * c[0]], [0.0, s, -s * c[1]], [0.0, 0.0, 1.0]])


def _apply(h: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Project points p (m, 2) by one (3, 3) or many (k, 3, 3) homographies -> (m, 2) or (k, m, 2)."""
    ph = np.concatenate([p, np.ones((len(p), 1))], axis=1)
    out = ph @ np.swapaxes(h, -1, -2)
    w = out[..., 2:3]
    w = np.where(np.abs(w) < 1e-12, 1e-12, w)
    return out[..., :2] / w


def _dlt(src: np.ndarray, dst: np.ndarray) -> np.ndarray | None:
    """Least-squares homography src -> dst (both (m, 2), m >= 4) by the normalised DLT."""
    ts, td = _normaliser(src), _normaliser(dst)
    s = _apply(ts, src)
    d = _apply(td, dst)
    m = len(s)
    a = np.zeros((2 * m, 9))
    a[0::2, 0:2] = s
    a[0::2, 2] = 1.0
    a[0::2, 6:8] = -d[:, :1] * s
    a[0::2, 8] = -d[:, 0]
    a[1::2, 3:5] = s
    a[1::2, 5] = 1.0
    a[1::2, 6:8] = -d[:, 1:2] * s
    a[1::2, 8] = -d[:, 1]
    try:
        _, sv, vt = np.linalg.svd(a, full_matrices=False)
    except np.linalg.LinAlgError:
        return None
    if sv[-2] < 1e-9 * max(sv[0], 1e-12):
        return None
    hn = vt[-1].reshape(3, 3)
    h = np.linalg.inv(td) @ hn @ ts
    if not np.isfinite(h).all() or abs(h[2, 2]) < 1e-12:
        return None
    return h / h[2, 2]


def _hypotheses(src: np.ndarray, dst: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Homographies (k, 3, 3) from random 4-match samples (exact solves; degenerate samples dropped)."""
    m = len(src)
    idx = np.argsort(rng.random((RANSAC_HYPOTHESES, m)), axis=1)[:, :4] if m <= 64 else \
        rng.integers(0, m, size=(RANSAC_HYPOTHESES, 4))
    distinct = np.ones(len(idx), bool)
    for i in range(4):
        for j in range(i + 1, 4):
            distinct &= idx[:, i] != idx[:, j]
    idx = idx[distinct]
    s, d = src[idx], dst[idx]  # (k, 4, 2)
    k = len(idx)
    a = np.zeros((k, 8, 8))
    b = np.zeros((k, 8))
    x, y, u, v = s[..., 0], s[..., 1], d[..., 0], d[..., 1]
    a[:, 0::2, 0] = x
    a[:, 0::2, 1] = y
    a[:, 0::2, 2] = 1.0
    a[:, 0::2, 6] = -u * x
    a[:, 0::2, 7] = -u * y
    a[:, 1::2, 3] = x
    a[:, 1::2, 4] = y
    a[:, 1::2, 5] = 1.0
    a[:, 1::2, 6] = -v * x
    a[:, 1::2, 7] = -v * y
    b[:, 0::2] = u
    b[:, 1::2] = v
    det = np.linalg.det(a)
    good = np.isfinite(det) & (np.abs(det) > 1e-9)
    if not good.any():
        return np.zeros((0, 3, 3))
    sol = np.linalg.solve(a[good], b[good][..., None])[..., 0]
    h = np.concatenate([sol, np.ones((len(sol), 1))], axis=1).reshape(-1, 3, 3)
    return h[np.isfinite(h).all(axis=(1, 2))]


def _inliers(h: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    err = ((_apply(h, src) - dst) ** 2).sum(axis=-1)
    return err < RANSAC_TOLERANCE * RANSAC_TOLERANCE


def _polygon_area(p: np.ndarray) -> float:
    x, y = p[:, 0], p[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _clip(poly: list[tuple[float, float]], w: float, h: float) -> list[tuple[float, float]]:
    """Sutherland-Hodgman clip of a polygon to the rectangle [0, w] x [0, h]."""
    # Each edge of the rectangle: (axis, bound, keep the side >= bound?).
    for axis, bound, above in ((0, 0.0, True), (0, w, False), (1, 0.0, True), (1, h, False)):
        out: list[tuple[float, float]] = []
        for i, cur in enumerate(poly):
            prev = poly[i - 1]
            ci = (cur[axis] >= bound) if above else (cur[axis] <= bound)
            pi = (prev[axis] >= bound) if above else (prev[axis] <= bound)
            if ci != pi:  # the edge crosses the bound: add the crossing point
                t = (bound - prev[axis]) / (cur[axis] - prev[axis])
                cross = (prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1]))
                out.append((bound, cross[1]) if axis == 0 else (cross[0], bound))
            if ci:
                out.append(cur)
        poly = out
        if not poly:
            break
    return poly


def _geometry(h: np.ndarray, reference: LocalFeatures, query: LocalFeatures) -> tuple[bool, float, float, float]:
    """(sane, rotation [deg], scale, area share of the query) of homography h reference -> query."""
    rw, rh = reference.size
    qw, qh = query.size
    corners = np.array([[0.0, 0.0], [rw, 0.0], [rw, rh], [0.0, rh]])
    wz = np.concatenate([corners, np.ones((4, 1))], axis=1) @ h[2]
    centre = np.array([rw / 2.0, rh / 2.0])
    wc = float(h[2, 0] * centre[0] + h[2, 1] * centre[1] + h[2, 2])
    if not np.isfinite(h).all() or abs(wc) < 1e-9:  # the centre maps to infinity
        return False, math.nan, math.nan, 0.0
    # Local linear part (Jacobian) at the reference centre.
    pc = _apply(h, centre[None, :])[0]
    jac = (h[:2, :2] - np.outer(pc, h[2, :2])) / wc
    if not np.isfinite(jac).all():
        return False, math.nan, math.nan, 0.0
    det = float(np.linalg.det(jac))
    rot = math.degrees(math.atan2(jac[1, 0] - jac[0, 1], jac[0, 0] + jac[1, 1]))
    scale = math.sqrt(abs(det))
    sane = bool((wz > 0).all() and wc > 0 and det > 0)
    quad = _apply(h, corners)
    # Convex, consistently oriented (no fold): every turn has the same, positive sign (y down).
    e = np.roll(quad, -1, axis=0) - quad
    turns = e[:, 0] * np.roll(e, -1, axis=0)[:, 1] - e[:, 1] * np.roll(e, -1, axis=0)[:, 0]
    sane = sane and bool((turns > 0).all())
    sv = np.linalg.svd(jac, compute_uv=False)
    sane = sane and SCALE_RANGE[0] <= scale <= SCALE_RANGE[1] and float(sv[0]) <= MAX_ANISOTROPY * float(sv[1])
    area = _polygon_area(quad) if np.isfinite(quad).all() and (wz > 0).all() else 0.0
    inside = 0.0
    if area > 0:
        clipped = _clip([(float(x), float(y)) for x, y in quad.tolist()], float(qw), float(qh))
        inside = max(0.0, _polygon_area(np.array(clipped))) if len(clipped) >= 3 else 0.0
    share = max(0.0, min(1.0, inside / (qw * qh)))
    sane = sane and area > 0 and inside >= MIN_INSIDE_SHARE * area
    return sane, rot, scale, share


def verify_pair(query: LocalFeatures, reference: LocalFeatures) -> Verification:
    """Do ``query`` and ``reference`` show the same content under one plane projective map?

    Parameters
    ----------
    query, reference : LocalFeatures
        Features of the query picture (e.g. at ``QUERY_FEATURE_SIDE``) and of the reference picture
        (e.g. at ``FEATURE_SIDE``).

    Returns
    -------
    Verification
        ``verified`` needs at least :data:`MIN_INLIERS` inliers of a sane homography: not folded or
        mirrored, not crossing the line at infinity over the reference picture, scale within
        :data:`SCALE_RANGE`, anisotropy at most :data:`MAX_ANISOTROPY`, and at least
        :data:`MIN_INSIDE_SHARE` of the projected reference picture inside the query.
        Deterministic; bounded by :data:`MAX_MATCHES` and :data:`RANSAC_HYPOTHESES`.
    """
    pairs = match_descriptors(query, reference)
    m = len(pairs)
    if m < 4:
        return _none(m)
    src = reference.xy[pairs[:, 1]].astype(np.float64)
    dst = query.xy[pairs[:, 0]].astype(np.float64)
    rng = np.random.default_rng(_SEED)
    hyps = _hypotheses(src, dst, rng)
    if len(hyps) == 0:
        return _none(m)
    counts = _inliers(hyps, src, dst).sum(axis=1)
    best = hyps[int(np.argmax(counts))]
    inl = _inliers(best, src, dst)
    h: np.ndarray | None = best
    # Least-squares refits on the inliers (twice: the set grows as the map sharpens).
    for _ in range(2):
        if inl.sum() < 4:
            break
        refit = _dlt(src[inl], dst[inl])
        if refit is None:
            break
        new = _inliers(refit, src, dst)
        if new.sum() < inl.sum():
            break
        h, inl = refit, new
    n_in = int(inl.sum())
    if h is None or n_in < 4:
        return _none(m, n_in)
    sane, rot, scale, share = _geometry(h, reference, query)
    return Verification(bool(sane and n_in >= MIN_INLIERS), n_in, m, h, rot, scale, share)
