"""Match a query fingerprint against indexed footage: retrieval, temporal voting, localisation.

Pure logic over :class:`~provenance.hashing.Fingerprint` and the
:class:`~provenance.index.candidates.CandidateTable` interface; no storage, no I/O.

Algorithm
---------
1. **Candidate retrieval.** Every query frame hash, and each of its query-side variants
   (mirror, centre crop, split-view halves, uncropped), is looked up in the table: reference
   frames within :data:`MAX_FRAME_DISTANCE` bits.
2. **Temporal voting.** For each footage item and variant, each candidate pair
   ``(t_q, t_r)`` votes for the lines ``t_r = speed * t_q + offset`` it lies on, for speeds
   in :data:`SPEEDS` (0.5x to 2x) and offsets in 0.5 s bins (a Hough transform). A query
   frame votes at most once per bin, with a weight of 3 up to
   :data:`NEAR_IDENTICAL_DISTANCE` bits, 1 at :data:`FULL_WEIGHT_DISTANCE` bits and 0 at
   :data:`MAX_FRAME_DISTANCE` bits (piecewise linear).
3. **Localisation.** The best line is refined by weighted least squares over its inliers;
   the matched query segment is the span of the inlier query frames and the reference
   segment is its image on the line.
4. **Decision.** The evidence (sum of the inliers' weights) becomes a score in 0..1 by
   ``1 - exp(-evidence / EVIDENCE_SCALE)``; matches at or above the single global
   :data:`MATCH_THRESHOLD` are returned. The threshold was calibrated on distractors, not per
   transform (see :data:`MATCH_THRESHOLD`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..hashing import Fingerprint
from .candidates import CandidateTable

__all__ = [
    "EVIDENCE_SCALE",
    "FULL_WEIGHT_DISTANCE",
    "MATCH_THRESHOLD",
    "MAX_FRAME_DISTANCE",
    "SPEEDS",
    "Match",
    "match_fingerprint",
]

#: Largest per-frame Hamming distance [bits of 256] a candidate may have.
MAX_FRAME_DISTANCE = 88
#: Distance [bits] at or below which a frame pair counts fully.
FULL_WEIGHT_DISTANCE = 40
#: Distance [bits] at or below which a frame is a near-identical copy (weight
#: :data:`NEAR_IDENTICAL_WEIGHT`, so one copied frame, e.g. a still, can decide alone).
NEAR_IDENTICAL_DISTANCE = 16
NEAR_IDENTICAL_WEIGHT = 3.0
#: Nearest reference frames kept per query frame and variant.
MAX_PER_QUERY = 48
#: Playback speeds tried by the Hough vote (query seconds -> reference seconds).
SPEEDS = (1.0, 0.5, 0.6, 2 / 3, 0.75, 0.8, 0.9, 1.1, 1.2, 1.25, 4 / 3, 1.5, 1.75, 2.0)
#: Offset bin width of the Hough vote [s].
OFFSET_BIN_S = 0.5
#: Largest distance of an inlier from the fitted line [s of reference time].
INLIER_TOL_S = 0.6
#: Evidence that maps to a score of 1 - 1/e.
EVIDENCE_SCALE = 3.0
#: The one global decision threshold on ``Match.score``. Calibrated by
#: ``benchmarks/copy_detection.py --calibrate``: the largest score any distractor query
#: (non-indexed clips under every transform family, same-scene hard negatives included)
#: reached, times 1.15 for margin, rounded up.
MATCH_THRESHOLD = 0.5


@dataclass(frozen=True)
class Match:
    """A stretch of a query that re-uses known footage.

    Attributes
    ----------
    footage_id : str
        Indexed footage the query re-uses.
    score : float
        Confidence 0..1; comparable across queries and footage.
    query_start_s, query_end_s : float
        Matched span of the query [s, query media time].
    ref_start_s, ref_end_s : float
        The same span in the reference footage [s, reference media time].
    speed : float
        Reference seconds per query second (2.0: the query plays the footage at 2x).
    variant : str
        Which query variant matched: ``"original"``, ``"mirror"``, ``"crop80"``, ``"left"``,
        ``"right"``, ``"top"``, ``"bottom"`` or ``"nocrop"``.
    matched_frames : int
        Query frames on the fitted line.
    """

    footage_id: str
    score: float
    query_start_s: float
    query_end_s: float
    ref_start_s: float
    ref_end_s: float
    speed: float
    variant: str
    matched_frames: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return dict(self.__dict__)

    def __repr__(self) -> str:
        return (f"Match({self.footage_id!r} score={self.score:.3f} query {self.query_start_s:.2f}-"
                f"{self.query_end_s:.2f} s -> ref {self.ref_start_s:.2f}-{self.ref_end_s:.2f} s "
                f"speed={self.speed:.2f} variant={self.variant} frames={self.matched_frames})")


def _weights(distance: np.ndarray) -> np.ndarray:
    d = np.asarray(distance, dtype=np.float64)
    return np.interp(d, [0.0, NEAR_IDENTICAL_DISTANCE, FULL_WEIGHT_DISTANCE, MAX_FRAME_DISTANCE],
                     [NEAR_IDENTICAL_WEIGHT, NEAR_IDENTICAL_WEIGHT, 1.0, 0.0])


def _best_per_row(rows: np.ndarray, w: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Indices of the heaviest pair per (key, row)."""
    order = np.lexsort((-w, rows, keys))
    k, r = keys[order], rows[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = (k[1:] != k[:-1]) | (r[1:] != r[:-1])
    return order[first]


@dataclass(frozen=True)
class _Line:
    evidence: float
    speed: float
    offset: float
    inliers: np.ndarray  # indices into the pair arrays, one per query row


def _inliers(tq: np.ndarray, tr: np.ndarray, rows: np.ndarray, w: np.ndarray,
             speed: float, offset: float) -> np.ndarray:
    resid = np.abs(tr - (speed * tq + offset))
    ok = np.flatnonzero((resid <= INLIER_TOL_S) & (w > 0))
    if ok.size == 0:
        return ok
    # One pair per query row: the heaviest, ties to the smallest residual.
    order = np.lexsort((resid[ok], -w[ok], rows[ok]))
    sel = ok[order]
    first = np.ones(sel.size, dtype=bool)
    first[1:] = rows[sel][1:] != rows[sel][:-1]
    return sel[first]


def _vote(tq: np.ndarray, tr: np.ndarray, rows: np.ndarray, w: np.ndarray) -> _Line | None:
    best: tuple[float, float, float] | None = None
    for speed in SPEEDS:
        off = tr - speed * tq
        for phase in (0.0, 0.5):
            bins = np.floor(off / OFFSET_BIN_S + phase).astype(np.int64)
            sel = _best_per_row(rows, w, bins)
            sums = np.bincount(bins[sel] - bins.min(), weights=w[sel])
            b = int(np.argmax(sums))
            ev = float(sums[b])
            # Prefer 1x unless another speed clearly wins.
            if best is None or ev > best[0] * (1.0 + (0.15 if best[1] == 1.0 else 0.0)) + 1e-9:
                centre = (b + bins.min() - phase + 0.5) * OFFSET_BIN_S
                best = (ev, speed, centre)
    if best is None or best[0] <= 0:
        return None
    _, speed, offset = best
    inl = _inliers(tq, tr, rows, w, speed, offset)
    if inl.size == 0:
        return None
    # Offset from the weighted median residual, then a least-squares refinement of the
    # speed when the inliers span enough query time.
    offset = float(np.median(tr[inl] - speed * tq[inl]))
    inl = _inliers(tq, tr, rows, w, speed, offset)
    if inl.size >= 4 and np.ptp(tq[inl]) >= 3.0:
        ww = w[inl]
        a = np.vstack([tq[inl], np.ones(inl.size)]).T * ww[:, None]
        sol, *_ = np.linalg.lstsq(a, tr[inl] * ww, rcond=None)
        s_fit, o_fit = float(sol[0]), float(sol[1])
        if 0.45 <= s_fit <= 2.2:
            inl2 = _inliers(tq, tr, rows, w, s_fit, o_fit)
            if w[inl2].sum() >= w[inl].sum():
                speed, offset, inl = s_fit, o_fit, inl2
    return _Line(float(w[inl].sum()), speed, offset, inl)


def match_fingerprint(
    query: Fingerprint,
    table: CandidateTable,
    *,
    threshold: float | None = None,
    max_results: int = 10,
) -> list[Match]:
    """Find indexed footage that the query re-uses, with the matching segments.

    Parameters
    ----------
    query : Fingerprint
        Query fingerprint, ideally with variants (``fingerprint(path, variants=True)``).
    table : CandidateTable
        Frame hashes of the indexed footage (same hasher as the query).
    threshold : float, optional
        Decision threshold on the score (default :data:`MATCH_THRESHOLD`, the calibrated
        global one; lower it only to inspect near misses).
    max_results : int
        Most matches returned.

    Returns
    -------
    list of Match
        One per footage item at or above the threshold, best first.

    Raises
    ------
    InvalidArgumentError
        When the query's hash size differs from the table's or the threshold is outside 0..1.
    """
    if not isinstance(query, Fingerprint):
        raise InvalidArgumentError(f"query must be a Fingerprint (got {type(query).__name__})")
    thr = MATCH_THRESHOLD if threshold is None else float(threshold)
    if not 0.0 <= thr <= 1.0:
        raise InvalidArgumentError(f"threshold must be within 0..1 (got {threshold})")
    if len(query) == 0 or len(table) == 0:
        return []
    if query.nbytes != table.nbytes:
        raise InvalidArgumentError(
            f"query hashes have {query.nbytes} bytes but the index holds {table.nbytes}-byte hashes; "
            "fingerprint the query with the index's hasher"
        )
    variants: list[tuple[str, np.ndarray]] = [("original", query.hashes)]
    variants += [(k, np.asarray(v)) for k, v in query.variants.items()]
    best: dict[str, Match] = {}
    tq_all = query.times_s
    for vname, hashes in variants:
        cand = table.query(hashes, MAX_FRAME_DISTANCE, max_per_query=MAX_PER_QUERY)
        if len(cand) == 0:
            continue
        rows_all = np.asarray(cand.query_row, dtype=np.int64)
        ids = np.asarray(cand.footage_id, dtype=object)
        tr_all = np.asarray(cand.ref_time_s, dtype=np.float64)
        w_all = _weights(cand.distance)
        for fid in np.unique(ids):
            m = (ids == fid) & (w_all > 0)
            if not m.any():
                continue
            rows, tr, w = rows_all[m], tr_all[m], w_all[m]
            tq = tq_all[rows]
            line = _vote(tq, tr, rows, w)
            if line is None:
                continue
            score = 1.0 - math.exp(-line.evidence / EVIDENCE_SCALE)
            prev = best.get(str(fid))
            if prev is not None and prev.score >= score:
                continue
            qs, qe = float(tq[line.inliers].min()), float(tq[line.inliers].max())
            best[str(fid)] = Match(
                footage_id=str(fid), score=round(score, 6), query_start_s=qs, query_end_s=qe,
                ref_start_s=line.speed * qs + line.offset, ref_end_s=line.speed * qe + line.offset,
                speed=float(line.speed), variant=vname, matched_frames=int(line.inliers.size),
            )
    out = sorted((m for m in best.values() if m.score >= thr), key=lambda m: -m.score)
    return out[:max_results]
