"""Geometric verification of candidate footage with local features (pure logic, no I/O).

The frame hashes miss copies whose picture moved as a whole: turned a few degrees, shrunk into an
inset or a grid cell, filmed off a screen at an angle. Local features survive those edits. For a
few candidates the hashes leave below the threshold, :func:`verify_candidate` compares the local
features of a few query frames (:attr:`provenance.hashing.Fingerprint.detail_frames`) with the
features stored for the footage's frames (:meth:`provenance.index.FootageIndex.local_features`)
and accepts the footage only when

1. at least :data:`VERIFY_MIN_FRAMES` query frames are each mapped onto a stored frame by one
   plane projective map (:func:`provenance.matching.geometry.verify_pair`),
2. those pairs lie on one line in time: one offset within :data:`VERIFY_OFFSET_TOL_S`, in the
   same order, reaching at least two *different* stored frames (a later stretch of the same
   scene, whose frames all resemble the footage's last frame, reaches only one), and
3. each counted pair singles out its moment: the stored frame :data:`CONTRAST_S` or more away does
   not verify about as well (:data:`CONTRAST_RATIO`), and
4. the footage is not a fixed view: its own stored frames :data:`CONTRAST_S` apart do not map
   onto each other unmoved (:func:`is_fixed_view`). A fixed camera's frames all show the same scene;
   its geometry says *where*, never *when* (a later stretch of the same camera fits its frames as
   well as a copy does), so such footage is never verified on local features alone.

Whatever the outcome, the plane maps found are returned (:attr:`CandidateCheck.maps`): the query
frames mapped back onto the footage's picture (:func:`rectify`) are hashed like the footage's own
frames, and matching then asks the frame hashes *when* (:mod:`provenance.matching.match`, step 9):
the moving parts of a fixed camera's picture (traffic, people, a burned-in clock) agree with one
moment only in a copy.

The cost is bounded: :data:`VERIFY_MAX_PAIRS` picture pairs per candidate, and the caller verifies
at most :data:`VERIFY_MAX_ITEMS` candidates per query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgumentError
from ..hashing.features import QUERY_FEATURE_SIDE, QUERY_MAX_FEATURES, LocalFeatures, local_features
from ..hashing.phash import Fingerprint
from .geometry import Verification, verify_pair

__all__ = [
    "CONTRAST_RATIO",
    "CONTRAST_S",
    "VERIFY_MAX_ITEMS",
    "VERIFY_MAX_PAIRS",
    "VERIFY_MIN_FRAMES",
    "VERIFY_OFFSET_TOL_S",
    "FIXED_VIEW_PROBES",
    "CandidateCheck",
    "FrameMap",
    "FramePair",
    "ReferenceFeatures",
    "is_fixed_view",
    "query_features",
    "rectify",
    "verified_score",
    "verify_candidate",
]

#: Candidates verified per query (the best-supported ones the hashes left below the threshold).
VERIFY_MAX_ITEMS = 3
#: Most picture pairs compared per candidate (each :func:`verify_pair` costs a few ms): up to
#: :data:`_FIRST_PASS_PAIRS` to find pairs, the rest to contrast them with other moments.
VERIFY_MAX_PAIRS = 28
_FIRST_PASS_PAIRS = 16
#: Query frames that must verify on one line in time (one for a one-frame query, e.g. a still).
VERIFY_MIN_FRAMES = 2
#: Largest spread [s] of the verified pairs' offsets around their median: stored frames are
#: about 2 s apart (:data:`provenance.index.thumbnails.THUMBNAIL_EVERY_S`), so the stored frame
#: nearest a true moment is at most ~1 s off.
VERIFY_OFFSET_TOL_S = 1.5
#: Distance [s] of the stored frame that a verified pair is contrasted with (the farthest one when
#: the footage is shorter; none nearer than :data:`CONTRAST_MIN_S` counts).
CONTRAST_S = 6.0
CONTRAST_MIN_S = 4.0
#: A pair singles out its moment unless the contrasting frame reaches this share of its inliers.
CONTRAST_RATIO = 0.6
#: Pairs of the footage's own stored frames (each with its :data:`CONTRAST_S` partner) that
#: :func:`is_fixed_view` compares; half of those that verify mapping unmoved makes a fixed view.
FIXED_VIEW_PROBES = 8
#: "Unmoved": the picture's centre moves less than this share of its longer side, its size by
#: less than :data:`_UNMOVED_SCALE` and it turns less than :data:`_UNMOVED_DEG` (a fixed camera;
#: a slow pan or a hovering drone moves more, and its moments are told apart by rule 3).
_UNMOVED_SHIFT = 0.03
_UNMOVED_SCALE = 0.05
_UNMOVED_DEG = 1.5

#: Stored local features of one footage item: ``(time_s, features)`` in time order.
ReferenceFeatures = Sequence[tuple[float, LocalFeatures]]


@dataclass(frozen=True)
class FramePair:
    """One query frame verified against one stored frame of the footage.

    Attributes
    ----------
    query_time_s, ref_time_s : float
        Media times [s] of the two frames.
    inliers : int
        Matched keypoints consistent with the fitted plane projective map.
    rotation_deg : float
        Rotation of the footage's picture in the query [deg, positive clockwise on screen].
    scale : float
        Linear size of the footage's picture relative to the query's picture (1 for a full-frame
        copy, about 0.33 for an inset a third of the width).
    area_share : float
        Share of the query picture the footage's picture covers (0..1).
    """

    query_time_s: float
    ref_time_s: float
    inliers: int
    rotation_deg: float
    scale: float
    area_share: float


@dataclass(frozen=True)
class FrameMap:
    """The best plane projective map found from the footage's picture into one query frame.

    Attributes
    ----------
    query_index : int
        Index of the query frame (in the ``query`` rows given to :func:`verify_candidate`).
    ref_time_s : float
        Media time [s] of the stored frame the map was fitted on.
    verification : Verification
        The verified map (``homography``: footage px -> query px of the analysed pictures).
    """

    query_index: int
    ref_time_s: float
    verification: Verification


@dataclass(frozen=True)
class CandidateCheck:
    """The outcome of :func:`verify_candidate` for one footage item.

    Attributes
    ----------
    verified : bool
        The footage is confirmed geometrically (the three rules of this module).
    pairs : tuple of FramePair
        The verified pairs on the line, in query time order (those that single out their moment).
    scene_pairs : int
        Pairs that verified but did not single out their moment (the same scene at other times).
    mirrored : bool
        The pairs were found in the mirrored query.
    compared : int
        Picture pairs compared.
    fixed_view : bool
        The footage is a fixed view (:func:`is_fixed_view`): never verified here, its maps are
        only found.
    maps : tuple of FrameMap
        For each query frame that maps onto a stored frame, its best map, in query time order
        (also when nothing was verified: the caller may rectify those frames, :func:`rectify`).
    """

    verified: bool
    pairs: tuple[FramePair, ...]
    scene_pairs: int
    mirrored: bool
    compared: int
    fixed_view: bool = False
    maps: tuple[FrameMap, ...] = ()

    @property
    def speed(self) -> float:
        """Reference seconds per query second along the verified pairs (1.0 with fewer than two)."""
        if len(self.pairs) < 2:
            return 1.0
        dq = self.pairs[-1].query_time_s - self.pairs[0].query_time_s
        dr = self.pairs[-1].ref_time_s - self.pairs[0].ref_time_s
        return float(dr / dq) if dq > 0 and dr > 0 else 1.0


def query_features(query: Fingerprint, *, mirrored: bool = False) -> list[tuple[float, LocalFeatures]]:
    """Local features of the query's detail frames (empty when it has none).

    Parameters
    ----------
    query : Fingerprint
        With :attr:`~provenance.hashing.Fingerprint.detail_frames` (``fingerprint(path)``).
    mirrored : bool
        Describe the mirrored frames (a re-upload may flip the picture).
    """
    if query.detail_frames is None or query.detail_times_s is None:
        return []
    out = []
    for t, frame in zip(query.detail_times_s, query.detail_frames):
        im = frame[:, ::-1] if mirrored else frame
        out.append((float(t), local_features(np.ascontiguousarray(im), max_side=QUERY_FEATURE_SIDE,
                                             max_features=QUERY_MAX_FEATURES)))
    return out


def rectify(frame: np.ndarray, query: LocalFeatures, reference: LocalFeatures, homography: np.ndarray) -> np.ndarray:
    """A query frame mapped back onto the footage's picture: the inverse of a verified map.

    Parameters
    ----------
    frame : numpy.ndarray of uint8, shape (H, W)
        The query frame as decoded (greyscale), the picture ``query`` was computed on (mirrored
        already when ``query`` describes the mirrored frame).
    query, reference : LocalFeatures
        The features the map was fitted on (their ``size`` gives the analysed pictures' sizes).
    homography : numpy.ndarray of float64, shape (3, 3)
        :attr:`Verification.homography`: footage px -> query px of the analysed pictures.

    Returns
    -------
    numpy.ndarray of uint8, shape (h, w)
        The footage's picture at its analysed size ``reference.size``, each pixel sampled
        (bilinear) where the map puts it in ``frame``; pixels the map puts outside the frame
        repeat its nearest edge.

    Raises
    ------
    InvalidArgumentError
        ``frame`` is not a grey uint8 picture or ``homography`` not a finite 3 x 3 matrix.
    """
    img = np.asarray(frame)
    if img.dtype != np.uint8 or img.ndim != 2 or min(img.shape) < 2:
        raise InvalidArgumentError(f"frame must be a grey uint8 picture of at least 2 x 2 px (got {img.dtype} "
                                   f"{img.shape})")
    hm = np.asarray(homography, dtype=np.float64)
    if hm.shape != (3, 3) or not np.isfinite(hm).all():
        raise InvalidArgumentError("homography must be a finite 3 x 3 matrix")
    (rw, rh), (qw, qh) = reference.size, query.size
    ys, xs = np.mgrid[0:rh, 0:rw]
    p = hm @ np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)]).astype(np.float64)
    w = np.where(np.abs(p[2]) < 1e-9, 1e-9, p[2])
    # analysed px -> decoded px (the analysed picture is an area downscale of the frame)
    u = (p[0] / w + 0.5) * (img.shape[1] / qw) - 0.5
    v = (p[1] / w + 0.5) * (img.shape[0] / qh) - 0.5
    u = np.clip(np.nan_to_num(u), 0.0, img.shape[1] - 1.001)
    v = np.clip(np.nan_to_num(v), 0.0, img.shape[0] - 1.001)
    u0, v0 = u.astype(np.intp), v.astype(np.intp)
    fu, fv = u - u0, v - v0
    im = img.astype(np.float32)
    out = ((im[v0, u0] * (1 - fu) + im[v0, u0 + 1] * fu) * (1 - fv)
           + (im[v0 + 1, u0] * (1 - fu) + im[v0 + 1, u0 + 1] * fu) * fv)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8).reshape(rh, rw)


def verified_score(n_pairs: int) -> float:
    """Match score of a geometrically verified candidate: ``1 - 2**-n`` for n verified frames
    (0.75 for two, 0.875 for three), at least the calibrated threshold's worth of two frames."""
    return round(1.0 - 0.5 ** max(0, int(n_pairs)), 6)


def _feature_rows(rows: object, name: str) -> list[tuple[float, LocalFeatures]]:
    """``(time_s, LocalFeatures)`` rows in time order, or InvalidArgumentError naming ``name``."""
    try:
        out = [(float(t), f) for t, f in rows]  # type: ignore[attr-defined]
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"{name} must be a sequence of (time_s, LocalFeatures) pairs ({exc})") from exc
    for t, f in out:
        if not isinstance(f, LocalFeatures) or not np.isfinite(t):
            raise InvalidArgumentError(f"{name} must hold (finite time_s, LocalFeatures) pairs "
                                       f"(got ({t!r}, {type(f).__name__}))")
    if any(b[0] < a[0] for a, b in zip(out, out[1:])):
        raise InvalidArgumentError(f"{name} must be in time order")
    return out


def _nearest(times: np.ndarray, t: float, k: int) -> list[int]:
    return [int(i) for i in np.argsort(np.abs(times - t), kind="stable")[:k]]


def _contrast_index(times: np.ndarray, i: int) -> int | None:
    """The stored frame a verified pair at stored frame ``i`` is contrasted with."""
    d = np.abs(times - times[i])
    far = np.flatnonzero(d >= CONTRAST_S)
    if far.size:
        return int(far[np.argmin(d[far])])
    j = int(np.argmax(d))
    return j if d[j] >= CONTRAST_MIN_S else None


def _unmoved(v: Verification, size: tuple[int, int]) -> bool:
    """The verified map leaves the picture where it was (a fixed camera's two moments)."""
    if not v.verified or v.homography is None:
        return False
    w, h = size
    c = v.homography @ np.array([w / 2.0, h / 2.0, 1.0])
    if abs(c[2]) < 1e-12:
        return False
    shift = float(np.hypot(c[0] / c[2] - w / 2.0, c[1] / c[2] - h / 2.0))
    return (shift <= _UNMOVED_SHIFT * max(w, h) and abs(v.scale - 1.0) <= _UNMOVED_SCALE
            and abs(v.rotation_deg) <= _UNMOVED_DEG)


def is_fixed_view(reference: ReferenceFeatures) -> bool:
    """Whether the footage is a fixed view: its stored frames :data:`CONTRAST_S` apart map onto
    each other unmoved.

    Up to :data:`FIXED_VIEW_PROBES` stored frames spread over the footage are each compared with
    their contrasting frame (:func:`_contrast_index`); when at least one pair verifies with the
    picture unmoved (:data:`_UNMOVED_SHIFT`) and half or more of the pairs that verify do, the
    footage is a fixed view (a fixed camera, a long static shot, a slide). A pair that does not
    verify says nothing either way: a plain, low-texture fixed camera (an overhead parking lot)
    finds too few keypoints in some of its frames, and a moving camera's frames 6 s apart show
    other things. Footage too short to contrast (under :data:`CONTRAST_MIN_S`) counts as a fixed
    view too: nothing could single out a moment.

    Raises
    ------
    InvalidArgumentError
        ``reference`` is not ``(time_s, LocalFeatures)`` pairs in time order.
    """
    reference = _feature_rows(reference, "reference")
    times = np.array([t for t, _ in reference], dtype=np.float64)
    if times.size == 0:
        return True
    probes = sorted({int(round(x)) for x in np.linspace(0, times.size - 1, min(FIXED_VIEW_PROBES, times.size))})
    tested = verified = same = 0
    for i in probes:
        j = _contrast_index(times, i)
        if j is None:
            continue
        tested += 1
        v = verify_pair(reference[i][1], reference[j][1])
        verified += v.verified
        same += _unmoved(v, reference[i][1].size)
    return tested == 0 or (same >= 1 and 2 * same >= verified)


def verify_candidate(
    query: Sequence[tuple[float, LocalFeatures]],
    reference: ReferenceFeatures,
    *,
    predict: Callable[[float], float] | None = None,
    hint_times_s: np.ndarray | None = None,
    mirrored: bool = False,
) -> CandidateCheck:
    """Verify one candidate footage item geometrically.

    Parameters
    ----------
    query : sequence of (float, LocalFeatures)
        The query's frames (:func:`query_features`), in time order.
    reference : sequence of (float, LocalFeatures)
        The footage's stored frames, in time order.
    predict : callable, optional
        Query time [s] -> reference time [s] of the hashes' best line for this footage (below
        the threshold); each query frame is then compared with the two stored frames nearest its
        predicted moment.
    hint_times_s : ndarray, optional
        Reference times [s] of the footage's hash candidates, used without a line: every query
        frame is compared with the stored frames nearest the most frequent of them.
    mirrored : bool
        Recorded in the result (``query`` holds the mirrored frames' features).

    Returns
    -------
    CandidateCheck

    Raises
    ------
    InvalidArgumentError
        ``query`` or ``reference`` is not ``(time_s, LocalFeatures)`` pairs in time order.
    """
    query = _feature_rows(query, "query")
    reference = _feature_rows(reference, "reference")
    if not query or not reference:
        return CandidateCheck(False, (), 0, mirrored, 0)
    fixed = is_fixed_view(reference)
    times = np.array([t for t, _ in reference], dtype=np.float64)
    feats = [f for _, f in reference]
    shared: list[int] = []
    if predict is None:
        hints = np.asarray(hint_times_s if hint_times_s is not None else times, dtype=np.float64)
        near = np.array([int(np.argmin(np.abs(times - h))) for h in hints]) if hints.size else np.arange(times.size)
        counts = np.bincount(near, minlength=times.size)
        shared = [int(i) for i in np.argsort(-counts, kind="stable")[:3] if counts[i] > 0]
    per_frame = max(1, _FIRST_PASS_PAIRS // len(query))
    compared = 0
    cache: dict[tuple[int, int], Verification] = {}

    def check(j: int, i: int) -> Verification:
        nonlocal compared
        key = (j, i)
        if key not in cache:
            cache[key] = verify_pair(query[j][1], feats[i])
            compared += 1
        return cache[key]

    found: list[tuple[int, int, Verification]] = []  # (query frame, stored frame, result)
    for j, (tq, qf) in enumerate(query):
        if len(qf) == 0:
            continue
        picks = _nearest(times, predict(tq), 2) if predict is not None else shared
        best: tuple[int, Verification] | None = None
        for i in picks[:per_frame]:
            v = check(j, i)
            if v.verified and (best is None or v.inliers > best[1].inliers):
                best = (i, v)
        if best is not None:
            found.append((j, best[0], best[1]))
    maps = tuple(FrameMap(j, float(times[i]), v) for j, i, v in found)
    if fixed:
        return CandidateCheck(False, (), 0, mirrored, compared, fixed_view=True, maps=maps)
    # one line in time: offsets around their median, in order, reaching >= 2 stored frames
    line: list[tuple[int, int, Verification]] = []
    if found:
        offsets = np.array([times[i] - query[j][0] for j, i, _ in found])
        centre = float(np.median(offsets))
        line = [p for p, o in zip(found, offsets) if abs(o - centre) <= VERIFY_OFFSET_TOL_S]
        ref_order = [times[i] for _, i, _ in line]
        if any(b < a for a, b in zip(ref_order, ref_order[1:])):
            line = []
    pairs: list[FramePair] = []
    scene = 0
    for j, i, v in line:
        c = _contrast_index(times, i)
        if c is None or compared >= VERIFY_MAX_PAIRS:
            scene += 1
            continue
        other = check(j, c)
        if other.verified and other.inliers >= CONTRAST_RATIO * v.inliers:
            scene += 1
            continue
        # the footage's picture against the query's, whatever size each was analysed at
        (qw, qh), (rw, rh) = query[j][1].size, feats[i].size
        size = float(v.scale) * float(np.sqrt((rw * rh) / max(1.0, qw * qh)))
        pairs.append(FramePair(query[j][0], float(times[i]), int(v.inliers), float(v.rotation_deg), size,
                               float(v.area_share)))
    need = 1 if len(query) == 1 else VERIFY_MIN_FRAMES
    distinct = len({p.ref_time_s for p in pairs})
    ok = len(pairs) >= need and (len(query) == 1 or distinct >= 2)
    return CandidateCheck(ok, tuple(pairs), scene, mirrored, compared, maps=maps)
