"""Match a query fingerprint against indexed footage: retrieval, temporal voting, localisation.

Pure logic over :class:`~provenance.hashing.Fingerprint` and the
:class:`~provenance.matching.candidates.CandidateTable` interface; no storage, no I/O.

Algorithm
---------
1. **Candidate retrieval.** Every query frame hash, and each of its query-side variants
   (mirror, crops and windows, split-view halves, caption fills, uncropped), is looked up in
   the table: reference frames within :data:`MAX_FRAME_DISTANCE` bits. Reference rows may carry a reference-side
   variant tag in their time (``zoom85``, ``zoom70``, ``full``, see
   :func:`provenance.hashing.fingerprinting.reference_rows`); it is decoded here, and the cropping
   query variants only count against the rows they frame
   (:data:`provenance.hashing.fingerprinting.VARIANT_TARGETS`); the ``full`` rows (uncropped
   frames of footage whose borders were cut) only against :data:`FULL_ROW_VARIANTS`.
2. **Distinctiveness.** Each pair's weight is scaled by how much closer its reference frame
   is than the same footage's frames more than :data:`DISTINCT_WINDOW_S` away (see
   :func:`_distinctiveness`): a later stretch of a fixed camera matches every reference
   moment equally (the background dominates the hash) and so carries no evidence, while a
   true copy matches its own moment clearly better.
3. **Temporal voting.** For each footage item and variant, each candidate pair
   ``(t_q, t_r)`` votes for the lines ``t_r = speed * t_q + offset`` it lies on, for speeds
   in :data:`SPEEDS` (0.5x to 2x) and offsets in 0.5 s bins (a Hough transform). A query
   frame votes at most once per bin, with a weight of 3 up to
   :data:`NEAR_IDENTICAL_DISTANCE` bits, 1 at :data:`FULL_WEIGHT_DISTANCE` bits and 0 at
   :data:`MAX_FRAME_DISTANCE` bits (piecewise linear).
4. **Localisation.** The best line is refined by weighted least squares over its inliers;
   the matched query segment is the span of the inlier query frames and the reference
   segment is its image on the line.
   A speed other than 1x is kept only when the query's frames move through the
   reference: if one constant reference moment explains the frames about as well
   (:data:`STATIC_SPEED_RATIO`; a static stretch), the line falls back to 1x.
5. **Still images.** A one-frame query is scored by :func:`_still_evidence` instead of the
   vote: its nearest reference frame must be within :data:`STILL_MAX_DISTANCE` bits and
   clearly closer than that footage's other moments and every other footage item.
6. **Crop fitting.** The :data:`FIT_MAX_ITEMS` footage items closest to matching get the crop
   of the query fitted against their ``zoom70`` rows (:mod:`provenance.matching.cropfit`); when
   it beats "no crop" by :data:`FIT_MIN_GAIN_BITS`, every query frame is hashed with the
   fitted window and voted as the ``fitted_crop`` variant.
7. **Fixed cameras.** For footage with near-identical query frames (in any query view compared with
   the reference rows it frames, the fitted crop included: :data:`MOMENT_MAX_VIEWS`), the whole
   line is tested against every other moment of the footage (:func:`_moment_check`, :data:`STATIC_MIN_NEAR`):
   a line that singles out the moment gives a time-resolved match, a static view whose moment
   nothing identifies gives a scene-only match (``Match.time_resolved`` False), and a regular
   match of such a view keeps only the evidence the line's moment contrast supports.
8. **Geometric verification.** When the footage's local features are at hand (an index's
   :meth:`~provenance.index.FootageIndex.search`), the :data:`~provenance.matching.verify.VERIFY_MAX_ITEMS`
   best-supported candidates still below the threshold are compared on local features
   (:mod:`provenance.matching.verify`): a rotated, inset, grid-cell or filmed copy whose pairs of
   frames fit plane projective maps on one line in time, each singling out its moment, becomes a
   match (``Match.verified_frames``); a fixed camera's other moments never do.
9. **Rectified frames.** A candidate step 8 did not confirm, a fixed camera's included, whose
   footage picture local features map into at least :data:`RECTIFIED_MIN_FRAMES` query frames:
   those frames are mapped back onto the footage's picture (:func:`~provenance.matching.verify.rectify`)
   and hashed like its own frames; along their best line, frames that single out their moment
   (:data:`RECTIFIED_MAX_BITS`, :data:`RECTIFIED_MARGIN_BITS`) make a match (variant
   ``"rectified"``). The geometry says where the footage is in the picture, the moving parts of
   the mapped-back picture say when: a fixed camera's other moments fit no line.
10. **Decision.** The evidence (sum of the inliers' weights) becomes a score in 0..1 by
   ``1 - exp(-evidence / EVIDENCE_SCALE)``; matches at or above the single global
   :data:`MATCH_THRESHOLD` are returned. The threshold was calibrated on distractors, not per
   transform (see :data:`MATCH_THRESHOLD`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..hashing import Fingerprint, window_hashes
from ..hashing.features import LocalFeatures
from ..hashing.fingerprinting import (
    REFERENCE_CROPS,
    REFERENCE_VARIANT_NAMES,
    VARIANT_TARGETS,
    split_reference_times,
)
from ..hashing.phash import hamming, phash256_batch, prepare_phash_input
from .candidates import DEFAULT_SEED_RADIUS, Candidates, CandidateTable
from .cropfit import FIT_FRAMES, fit_crop
from .cropfit import TARGET as FIT_TARGET
from .verify import (
    VERIFY_MAX_ITEMS,
    CandidateCheck,
    ReferenceFeatures,
    query_features,
    rectify,
    verified_score,
    verify_candidate,
)

__all__ = [
    "EVIDENCE_SCALE",
    "FULL_WEIGHT_DISTANCE",
    "MATCH_THRESHOLD",
    "MAX_FRAME_DISTANCE",
    "SEEDED_ABOVE_ROWS",
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
#: Above this many indexed rows an exhaustive 88-bit lookup costs seconds per query video, so
#: candidates come from the seeded two-stage lookup instead
#: (:meth:`~provenance.matching.candidates.CandidateTable.query_seeded_many`): only footage with a
#: frame within DEFAULT_SEED_RADIUS (24) bits of some query hash, or a farther one (up to the
#: reach, 80 bits) sharing a near-identical substring with it, is compared at MAX_FRAME_DISTANCE;
#: the price is that a copy none of whose hash sets comes that close can be missed in such large
#: indexes (docs/matching.md, Limits).
SEEDED_ABOVE_ROWS = 200_000
#: Playback speeds tried by the Hough vote (query seconds -> reference seconds).
SPEEDS = (1.0, 0.5, 0.6, 2 / 3, 0.75, 0.8, 0.9, 1.1, 1.2, 1.25, 4 / 3, 1.5, 1.75, 2.0)
#: A non-1x line is only kept when the best *constant* line (every query frame on one
#: reference moment) explains less than this fraction of its evidence (see :func:`_vote`).
STATIC_SPEED_RATIO = 0.8
#: Offset bin width of the Hough vote [s].
OFFSET_BIN_S = 0.5
#: Largest distance of an inlier from the fitted line [s of reference time].
INLIER_TOL_S = 0.6
#: Temporal distinctiveness (static cameras). A pair only counts in full when the reference
#: frame it matched is clearly closer to the query frame than every reference frame of the same
#: footage more than :data:`DISTINCT_WINDOW_S` away: a later stretch of a static camera matches
#: *all* reference frames about equally well (the background dominates the hash), a true copy
#: matches its own instant clearly better (the moving parts agree). The margin
#: ``d_elsewhere - d`` [bits] is mapped linearly from 0 at :data:`MARGIN_ZERO` to 1 at
#: :data:`MARGIN_FULL`. References with no other near frame are fully distinctive.
DISTINCT_WINDOW_S = 1.5
MARGIN_ZERO = 4.0
MARGIN_FULL = 16.0
#: Evidence that maps to a score of 1 - 1/e.
EVIDENCE_SCALE = 3.0
#: Still-image queries (a query of one frame: a photo, a screenshot, a one-frame clip) have no
#: time axis to vote on, so they get their own rule (:func:`_still_evidence`): the nearest
#: reference frame must be within :data:`STILL_MAX_DISTANCE` bits (full credit at or below
#: :data:`STILL_FULL_DISTANCE`), clearly closer than the same footage's frames more than
#: :data:`DISTINCT_WINDOW_S` away (margin ramp :data:`MARGIN_ZERO`..:data:`MARGIN_FULL`, so a
#: still of a static camera at another moment does not match), and clearly closer than every
#: other footage item (same ramp). The product of the three ramps times
#: :data:`STILL_EVIDENCE` is the evidence, scored like a video's, so the one global
#: :data:`MATCH_THRESHOLD` applies. Measured on the benchmark's still-frame queries (JPEG
#: frames of the references and of the non-indexed negative sources, ``--stills`` section):
#: true frames lie 0-20 bits from the nearest 4 fps reference frame, same-scene negatives of
#: static cameras 12-26 bits but with margins of at most 2-4 bits (hard_street) or at 24+ bits
#: (hard_parking); every negative still scores 0.
STILL_FULL_DISTANCE = 16
STILL_MAX_DISTANCE = 22
STILL_EVIDENCE = 9.0
#: Crop fitting (:mod:`provenance.matching.cropfit`): after the fixed variants, the
#: :data:`FIT_MAX_ITEMS` footage items that scored best but below :data:`FIT_BELOW_SCORE` get a
#: crop fitted against their :data:`provenance.matching.cropfit.TARGET` rows, using at most :data:`FIT_MAX_ROWS` rows
#: within :data:`FIT_NEAR_S` of where they had candidates. (Independent of the threshold, so a
#: lower ``threshold`` shows the same scores.)
FIT_MAX_ITEMS = 3
FIT_BELOW_SCORE = 0.95
#: A fitted crop is only voted with when it brings the frames at least this much closer
#: [bits per frame] than "no crop" does (see :func:`~provenance.matching.cropfit.fit_crop`).
#: Measured on the benchmark: true crops gain 30-105 bits; same-scene negatives (fixed
#: cameras at another time), whose best hypothesis is "no crop", gain 0.
FIT_MIN_GAIN_BITS = 16.0
#: The fitted window was chosen among some 400 hypotheses to suit this footage, so chance
#: alignments (a same-scene clip, a conveyor's repeating pattern shifted by a window) reach
#: 25-60 bits; its pairs get full weight only up to FIT_FULL_WEIGHT_DISTANCE and none from
#: FIT_MAX_FRAME_DISTANCE [bits] (true crops fit to 2-30 bits).
FIT_FULL_WEIGHT_DISTANCE = 24
FIT_MAX_FRAME_DISTANCE = 48
FIT_MAX_ROWS = 2000
FIT_NEAR_S = 5.0
#: Fixed cameras and static scenes (:func:`_moment_check`). A fixed camera's frames all look
#: alike (the background dominates the hash), so the per-pair distinctiveness above gives a true
#: copy no weight, and a few near-identical frames of an empty scene at another time can line up
#: by chance. For footage where at least :data:`STATIC_MIN_NEAR` query frames have a
#: near-identical frame (<= :data:`NEAR_IDENTICAL_DISTANCE` bits), the whole line is tested
#: instead of single pairs: along the best line ``t_r = speed * t_q + offset`` the query's frames
#: must be closer, frame by frame, than along every line more than :data:`MOMENT_SEPARATION_S`
#: away. Only the moving parts of the picture differ between moments, so this is a
#: motion-signature test in hash space: the gap [bits per frame] between the best and the best
#: other line ramps from :data:`MOMENT_GAP_ZERO` to :data:`MOMENT_GAP_FULL`, and the ratio of
#: their mean distances from :data:`MOMENT_RATIO_ZERO` to :data:`MOMENT_RATIO_FULL`; the product
#: is the line's *moment contrast* (0..1). Measured on real fixed cameras (9 sources: OpenCV's
#: vtest, a bridge, a crowd, an office wall, and the corpus's street, parking, traffic, freeway and
#: factory cameras; references their first half, hard negatives their second half, tuning half
#: of benchmarks/copy_detection.py): true copies gap 14-96 bits at ratio <= 0.47, other moments
#: gap 0-11 bits at ratio >= 0.82.
STATIC_MIN_NEAR = 2
MOMENT_SEPARATION_S = 2.0
MOMENT_GAP_ZERO = 6.0
MOMENT_GAP_FULL = 12.0
MOMENT_RATIO_ZERO = 0.7
MOMENT_RATIO_FULL = 0.5
#: A line position with no reference frame within this time [s] counts the frame at
#: :data:`MOMENT_OUTSIDE_BITS` (it is outside the footage); frames farther than
#: :data:`MOMENT_LOOKS_BITS` from every reference frame (unrelated footage around a sub-clip) are
#: left out of the test.
MOMENT_NEAREST_S = 0.3
MOMENT_OUTSIDE_BITS = 64.0
MOMENT_LOOKS_BITS = 44
#: Rectified frames (step 9): a query frame that local features map onto the footage's picture
#: (:attr:`provenance.matching.verify.CandidateCheck.maps`: a turned, inset, grid-cell or filmed
#: copy, a fixed camera's included) is mapped back (:func:`provenance.matching.verify.rectify`)
#: and hashed like the footage's own frames. Along the best line through those hashes, a frame
#: singles out its moment when it is within :data:`RECTIFIED_MAX_BITS` of the footage's frame on
#: the line and at least :data:`RECTIFIED_MARGIN_BITS` closer than to every frame more than
#: :data:`DISTINCT_WINDOW_S` away; :data:`RECTIFIED_MIN_FRAMES` such frames make a match.
RECTIFIED_MAX_BITS = 52
RECTIFIED_MARGIN_BITS = 10
RECTIFIED_MIN_FRAMES = 2
#: A scene-only match (``Match.time_resolved`` False) needs at least this share of the query's
#: frames near-identical to the footage and most of those frames non-distinctive (as close to
#: other moments of the footage, within :data:`MARGIN_FULL` bits): the same fixed camera view.
SCENE_NEAR_SHARE = 0.5
#: Reference rows compared per footage item in the moment test (rows near the candidates are kept).
MOMENT_MAX_ROWS = 20000
#: Query frames compared per footage item (evenly spread over those that look like it).
MOMENT_MAX_FRAMES = 240
#: Which views of the query the moment test compares, and with which reference rows: a copy
#: that covers part of the picture (a caption band, a ticker) or crops it is near-identical only
#: in the view that undoes the edit (a caption fill against the frames, a crop's windows against
#: the ``zoom70`` rows), so every query variant is a view, compared with the rows it is scored
#: against (:data:`provenance.hashing.fingerprinting.VARIANT_TARGETS`; the frames and the
#: centre crops for the others; never the ``full`` rows). The :data:`MOMENT_MAX_VIEWS` views
#: with the most near-identical frames are tested.
MOMENT_MAX_VIEWS = 3
#: A scene-only match of a query that holds the fixed camera only in part (a sub-clip between
#: other footage) counts its share among the frames that look like the footage (within
#: :data:`MOMENT_LOOKS_BITS`), and needs at least this many near-identical frames.
SCENE_MIN_NEAR = 4

#: Query views compared with a reference's ``full`` rows (its frames before border removal,
#: stored when borders were cut): the plain, mirrored and uncropped query frames. Index and query
#: judge borders on different frames, and a cut only one side makes (a title card's dark surround
#: taken for bars) must not lose the match; the partial views (halves, windows, fills) gain nothing
#: from uncropped rows but chances of a chance alignment.
FULL_ROW_VARIANTS = ("original", "mirror", "nocrop")

#: The one global decision threshold on ``Match.score``, calibrated on distractors, not per
#: transform: ``python benchmarks/copy_detection.py --calibrate`` (full run) splits the
#: non-indexed negative sources into two disjoint halves; the highest score any clip of the
#: calibration half reached under any transform family (0.514: a later stretch of a fixed
#: freeway camera, cropped and mirrored, through a fitted mirrored crop) times 1.25, rounded
#: up, gives 0.65. Recall and FPR are then measured on the other half (see docs/matching.md;
#: the test-split false positives are three clips of ``hard_parking``, a fixed camera's empty
#: lot at another time).
MATCH_THRESHOLD = 0.65


#: How :meth:`Match.describe` says where a region variant found the footage.
_REGION_WORDS = {"inset": "as an inset", "grid_cell": "as a grid cell", "split": "as one side of a split screen",
                 "screen": "as the picture of a screen recording", "quad": "as a filmed screen"}


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
        Which query variant matched: ``"original"`` or one of
        :data:`provenance.hashing.fingerprinting.VARIANT_NAMES` (``"mirror"``, ``"crop80"``, a split-view
        half, a caption-band fill, an anisotropic or off-centre window, ``"nocrop"``, a layout
        region such as ``"region0_inset"`` or ``"region2_grid_cell_mirror"``) or
        ``"fitted_crop"`` / ``"fitted_crop_mirror"`` (a crop of the query, or of the mirrored
        query, fitted to this footage), with ``"+zoom85"`` or ``"+zoom70"``
        appended when the reference's centre-crop rows carried the match (the query crops the
        footage).
    matched_frames : int
        Query frames on the fitted line.
    time_resolved : bool
        True when the query's moments are identified in the footage: the moving parts of the
        picture (traffic, people) agree along the fitted line clearly better than at any other
        moment of the footage. False for a *scene-only* match: the query shows the same fixed
        camera view as the footage (most of its frames are near-identical to the footage's) but
        nothing in it moves enough to say which moment; the reference segment is then only
        the best guess, and the match is evidence of the place, not of the filming time.
    kind : str
        ``"moments"`` (``time_resolved``) or ``"scene"`` (a scene-only match).
    verified_frames : int
        Query frames confirmed geometrically on local features (:mod:`provenance.matching.verify`);
        0 when the hashes alone carried the match. A verified match's variant is ``"verified"``
        (or ``"verified_mirror"``) when the hashes found no line, else the hashes' variant with
        ``"+verified"``; ``"rectified"`` (``"rectified_mirror"``) when the query frames, mapped back
        onto the footage's picture, singled out its moment on the frame hashes (step 9 of
        :mod:`provenance.matching.match`; fixed cameras are found this way), and then
        ``verified_frames`` counts those frames.
    rotation_deg : float or None
        Median rotation of the footage's picture in the query [deg, positive clockwise on screen],
        for a verified match (within about 2 deg: each frame's estimate comes from a few dozen
        matched keypoints).
    scale : float or None
        Median linear size of the footage's picture relative to the query's picture (1 for a
        full-frame copy, about 0.33 for an inset of a third of the width), for a verified match.
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
    time_resolved: bool = True
    kind: str = "moments"
    verified_frames: int = 0
    rotation_deg: float | None = None
    scale: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return dict(self.__dict__)

    def describe(self) -> str:
        """One plain-language sentence saying what the match shows (for report views).

        Examples
        --------
        >>> Match("cam-7", 0.9, 0.0, 8.0, 12.0, 20.0, 1.0, "original", 9).describe()
        'seconds 0.0-8.0 of this clip re-use seconds 12.0-20.0 of known footage cam-7'
        """
        if not self.time_resolved:
            return (f"the same fixed camera view as known footage {self.footage_id}; "
                    "which moment is not resolved")
        where = ""
        if self.variant.startswith("region"):  # region{i}_{kind}[_mirror][+zoom85], see REGION_VARIANT_NAMES
            kind = self.variant.split("+")[0].split("_", 1)[-1].removesuffix("_mirror")
            where = ", shown " + _REGION_WORDS.get(kind, "as a part of the picture") + " in this clip"
        if self.verified_frames:
            how = []
            if self.rotation_deg is not None and abs(self.rotation_deg) >= 1.0:
                how.append(f"turned about {abs(self.rotation_deg):.0f} deg")
            if self.scale is not None and not 0.9 <= self.scale <= 1.1:
                how.append(f"about {self.scale:.1f} the size of this clip's picture")
            said = (f", its moment identified on {self.verified_frames} frames mapped back onto the footage's picture"
                    if self.variant.startswith("rectified") else
                    f", confirmed on local features in {self.verified_frames} frames")
            where += said + (f" ({', '.join(how)})" if how else "")
        return (f"seconds {self.query_start_s:.1f}-{self.query_end_s:.1f} of this clip re-use seconds "
                f"{self.ref_start_s:.1f}-{self.ref_end_s:.1f} of known footage {self.footage_id}{where}")

    def __repr__(self) -> str:
        return (f"Match({self.footage_id!r} score={self.score:.3f} query {self.query_start_s:.2f}-"
                f"{self.query_end_s:.2f} s -> ref {self.ref_start_s:.2f}-{self.ref_end_s:.2f} s "
                f"speed={self.speed:.2f} variant={self.variant} frames={self.matched_frames}"
                f"{'' if self.time_resolved else ' scene-only'}"
                f"{f' verified={self.verified_frames}' if self.verified_frames else ''})")

    def _repr_html_(self) -> str | None:
        """Notebook view: escaped HTML with collapsible sections (None: the text repr is shown)."""
        from .._util import html_repr  # the renderer lives in report/, imported on first display

        return html_repr(self)


def _weights(distance: np.ndarray, *, fitted: bool = False) -> np.ndarray:
    """Weight of a frame pair by its distance [bits] (stricter for a fitted crop)."""
    d = np.asarray(distance, dtype=np.float64)
    if fitted:
        full, zero = FIT_FULL_WEIGHT_DISTANCE, FIT_MAX_FRAME_DISTANCE
    else:
        full, zero = FULL_WEIGHT_DISTANCE, MAX_FRAME_DISTANCE
    return np.interp(d, [0.0, NEAR_IDENTICAL_DISTANCE, full, zero],
                     [NEAR_IDENTICAL_WEIGHT, NEAR_IDENTICAL_WEIGHT, 1.0, 0.0])


def _distinctiveness(rows: np.ndarray, tr: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Per pair, 0..1: how much closer its reference frame is than the footage's other moments.

    ``rows``, ``tr``, ``d``: query row, reference time [s] and distance [bits] of the pairs of
    one footage item. For each pair, ``d_else`` is the smallest distance of the same query row
    to a reference frame more than :data:`DISTINCT_WINDOW_S` away (beyond the search radius
    when there is none); the result ramps ``d_else - d`` from :data:`MARGIN_ZERO` to
    :data:`MARGIN_FULL` bits.
    """
    n = rows.size
    if n == 0:
        return np.zeros(0)
    order = np.argsort(rows, kind="stable")
    r = rows[order]
    starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
    counts = np.diff(np.r_[starts, n])
    k = int(counts.max())
    grp = np.repeat(np.arange(starts.size), counts)
    pos = np.arange(n) - starts[grp]
    big = float(MAX_FRAME_DISTANCE + 1)
    tm = np.full((starts.size, k), np.nan)
    dm = np.full((starts.size, k), big)
    tm[grp, pos] = tr[order]
    dm[grp, pos] = d[order]
    far = np.abs(tm[:, :, None] - tm[:, None, :]) > DISTINCT_WINDOW_S
    d_else = np.where(far, dm[:, None, :], big).min(axis=2)
    margin = d_else[grp, pos] - dm[grp, pos]
    out = np.empty(n)
    out[order] = np.clip((margin - MARGIN_ZERO) / (MARGIN_FULL - MARGIN_ZERO), 0.0, 1.0)
    return out


def _ramp(x: float, zero: float, full: float) -> float:
    return float(np.clip((x - zero) / (full - zero), 0.0, 1.0))


def _still_evidence(d: np.ndarray, tr: np.ndarray, d_other: float) -> tuple[float, int]:
    """Evidence of a one-frame query for one footage item, and the index of its best pair.

    ``d``, ``tr``: distances [bits] and reference times [s] of the query frame's candidates
    in that footage; ``d_other``: the smallest distance to any other footage item (beyond the
    search radius when there is none). See :data:`STILL_EVIDENCE`.
    """
    i = int(np.argmin(d))
    far = np.abs(tr - tr[i]) > DISTINCT_WINDOW_S
    d_else = float(d[far].min()) if far.any() else float(MAX_FRAME_DISTANCE + 1)
    di = float(d[i])
    f = (_ramp(di, STILL_MAX_DISTANCE, STILL_FULL_DISTANCE)
         * _ramp(d_else - di, MARGIN_ZERO, MARGIN_FULL)
         * _ramp(d_other - di, MARGIN_ZERO, MARGIN_FULL))
    return STILL_EVIDENCE * f, i


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


def _hough(tq: np.ndarray, tr: np.ndarray, rows: np.ndarray, w: np.ndarray,
           speed: float) -> tuple[float, float]:
    """(evidence, offset) of the best offset bin for one speed."""
    off = tr - speed * tq
    best = (-1.0, 0.0)
    for phase in (0.0, 0.5):
        bins = np.floor(off / OFFSET_BIN_S + phase).astype(np.int64)
        sel = _best_per_row(rows, w, bins)
        sums = np.bincount(bins[sel] - bins.min(), weights=w[sel])
        b = int(np.argmax(sums))
        if float(sums[b]) > best[0]:
            best = (float(sums[b]), (b + bins.min() - phase + 0.5) * OFFSET_BIN_S)
    return best


def _vote(tq: np.ndarray, tr: np.ndarray, rows: np.ndarray, w: np.ndarray) -> _Line | None:
    best: tuple[float, float, float] | None = None
    at_1x: tuple[float, float, float] | None = None
    for speed in SPEEDS:
        ev, centre = _hough(tq, tr, rows, w, speed)
        if speed == 1.0:
            at_1x = (ev, speed, centre)
        # Prefer 1x unless another speed clearly wins.
        if best is None or ev > best[0] * (1.0 + (0.15 if best[1] == 1.0 else 0.0)) + 1e-9:
            best = (ev, speed, centre)
    if best is not None and at_1x is not None and best[1] != 1.0:
        # A speed change must be seen in the footage moving: when the query's frames all sit
        # on one reference moment (speed 0) about as well, the query is a static stretch
        # (e.g. a fixed camera's empty scene at another time) and its speed is unidentified;
        # a slope would only pack more static frames onto the reference. Keep 1x then.
        ev0, _ = _hough(tq, tr, rows, w, 0.0)
        if ev0 >= STATIC_SPEED_RATIO * best[0]:
            best = at_1x
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


def _row_kind(name: str) -> int:
    """Variant index of a reference row (:func:`split_reference_times`): 0 for ``""`` (the frame
    itself), k for the k-th name of :data:`REFERENCE_VARIANT_NAMES`."""
    return ("", *REFERENCE_VARIANT_NAMES).index(name)


def _lookup(table: CandidateTable, hashes: np.ndarray) -> Candidates:
    """Reference frames within MAX_FRAME_DISTANCE of each hash (seeded in large tables)."""
    if len(table) > SEEDED_ABOVE_ROWS:
        return table.query_seeded(hashes, seed_radius=DEFAULT_SEED_RADIUS, max_distance=MAX_FRAME_DISTANCE,
                                  max_per_query=MAX_PER_QUERY)
    return table.query(hashes, MAX_FRAME_DISTANCE, max_per_query=MAX_PER_QUERY)


def _reference_times(cand: Candidates) -> dict[str, np.ndarray]:
    """Media times [s] of each footage item's candidate frames."""
    ids = np.asarray(cand.footage_id, dtype=object)
    tr, _ = split_reference_times(cand.ref_time_s)
    return {str(fid): tr[ids == fid] for fid in np.unique(ids)}


def _score_variant(vname: str, cand: Candidates, tq_all: np.ndarray, *, still: bool,
                   only_rows: tuple[str, ...] | None = None, fitted: bool = False) -> list[Match]:
    """The best match per footage item that one query variant's candidates support.

    ``only_rows`` limits the reference rows that count (``""`` = the frames themselves,
    otherwise names of :data:`REFERENCE_VARIANT_NAMES`); by default
    :data:`VARIANT_TARGETS` decides. ``fitted``: the hashes come from a crop fitted to the
    footage, so pairs are weighted by the stricter fitted-crop distances.
    """
    rows_all = np.asarray(cand.query_row, dtype=np.int64)
    ids = np.asarray(cand.footage_id, dtype=object)
    tr_all, rvar_all = split_reference_times(cand.ref_time_s)
    w_all = _weights(cand.distance, fitted=fitted)
    d_all = np.asarray(cand.distance, dtype=np.float64)
    targets = only_rows if only_rows is not None else VARIANT_TARGETS.get(vname)
    if targets is not None:
        allowed = [_row_kind(t) for t in targets]
        w_all = np.where(np.isin(rvar_all, allowed), w_all, 0.0)
    elif vname not in FULL_ROW_VARIANTS:
        w_all = np.where(rvar_all == _row_kind("full"), 0.0, w_all)
    out: list[Match] = []
    for fid in np.unique(ids):
        m = (ids == fid) & (w_all > 0)
        if not m.any():
            continue
        if still:
            others = d_all[ids != fid]
            ev, i = _still_evidence(d_all[m], tr_all[m], float(others.min()) if others.size
                                    else float(MAX_FRAME_DISTANCE + 1))
            if ev <= 0:
                continue
            rk = int(rvar_all[m][i])
            t_r = float(tr_all[m][i])
            out.append(Match(
                footage_id=str(fid), score=round(1.0 - math.exp(-ev / EVIDENCE_SCALE), 6),
                query_start_s=float(tq_all[0]), query_end_s=float(tq_all[0]), ref_start_s=t_r, ref_end_s=t_r,
                speed=1.0, variant=vname if rk == 0 else f"{vname}+{REFERENCE_VARIANT_NAMES[rk - 1]}",
                matched_frames=1,
            ))
            continue
        rows, tr, w, rvar = rows_all[m], tr_all[m], w_all[m], rvar_all[m]
        w = w * _distinctiveness(rows, tr, d_all[m])
        keep = w > 0
        if not keep.any():
            continue
        rows, tr, w, rvar = rows[keep], tr[keep], w[keep], rvar[keep]
        tq = tq_all[rows]
        line = _vote(tq, tr, rows, w)
        if line is None:
            continue
        qs, qe = float(tq[line.inliers].min()), float(tq[line.inliers].max())
        # Reference-side variant that carried most of the evidence (e.g. "+zoom85").
        rk = int(np.argmax(np.bincount(rvar[line.inliers], weights=w[line.inliers])))
        out.append(Match(
            footage_id=str(fid), score=round(1.0 - math.exp(-line.evidence / EVIDENCE_SCALE), 6),
            query_start_s=qs, query_end_s=qe,
            ref_start_s=line.speed * qs + line.offset, ref_end_s=line.speed * qe + line.offset,
            speed=float(line.speed), variant=vname if rk == 0 else f"{vname}+{REFERENCE_VARIANT_NAMES[rk - 1]}",
            matched_frames=int(line.inliers.size),
        ))
    return out


def _fitted_crop_match(query: Fingerprint, table: CandidateTable, footage_id: str,
                       near_times_s: np.ndarray, views: list[tuple[str, np.ndarray, int]] | None = None
                       ) -> Match | None:
    """Fit a crop of the query against one footage item's ``zoom70`` rows, then vote with it.

    ``near_times_s``: reference times [s] where the footage had candidates; a long item is
    compared only around them (at most :data:`FIT_MAX_ROWS` rows). Crops of the query and of
    the mirrored query are both fitted (re-uploaders flip and crop together); the one that
    gains more is voted. ``views``, when given, receives the fitted view for the moment test
    (name, hashes, query frames near-identical to this footage's ``zoom70`` rows).
    """
    times, hashes = table.frames(footage_id)
    tr, k = split_reference_times(times)
    sel = k == _row_kind(FIT_TARGET)
    if sel.sum() > FIT_MAX_ROWS and near_times_s.size:
        near = np.sort(near_times_s)
        pos = np.searchsorted(near, tr)
        left, right = near[np.clip(pos - 1, 0, near.size - 1)], near[np.clip(pos, 0, near.size - 1)]
        sel &= np.minimum(np.abs(tr - left), np.abs(tr - right)) <= FIT_NEAR_S
    idx = np.flatnonzero(sel)[:FIT_MAX_ROWS]
    if idx.size == 0:
        return None
    subset = np.unique(np.linspace(0, len(query) - 1, min(FIT_FRAMES, len(query))).round().astype(int))
    fits = []
    for name, small in (("fitted_crop", np.asarray(query.small_frames)),
                        ("fitted_crop_mirror", np.asarray(query.small_frames)[:, :, ::-1])):
        window, gain = fit_crop(small[subset], hashes[idx])
        fits.append((gain, name, small, window))
    gain, name, small, window = max(fits, key=lambda f: f[0])
    if gain < FIT_MIN_GAIN_BITS:
        return None  # "no crop" explains the frames about as well: nothing a fitted crop adds
    fitted = window_hashes(small, window[None])[:, 0]
    cand = _lookup(table, fitted)
    if views is not None:
        close = ((np.asarray(cand.distance) <= NEAR_IDENTICAL_DISTANCE)
                 & (np.asarray(cand.footage_id, dtype=object) == footage_id)
                 & (split_reference_times(cand.ref_time_s)[1] == _row_kind(FIT_TARGET)))
        views.append((name, fitted, int(np.unique(np.asarray(cand.query_row)[close]).size)))
    ms = [m for m in _score_variant(name, cand, query.times_s, still=False, only_rows=(FIT_TARGET,), fitted=True)
          if m.footage_id == footage_id]
    return ms[0] if ms else None


@dataclass(frozen=True)
class _MomentCheck:
    variant: str
    near: int            # query frames with a near-identical reference frame
    looks: int           # query frames within MOMENT_LOOKS_BITS of the footage
    static: float        # share of those whose nearest frame is not distinctive (margin < MARGIN_FULL)
    contrast: float      # 0..1, see STATIC_MIN_NEAR
    gap: float           # [bits per frame] best other line minus best line
    ratio: float         # mean distance on the best line / on the best other line
    speed: float
    offset: float
    frames: np.ndarray   # query rows tested (they look like the footage)
    d_line: np.ndarray   # their distance [bits] on the best line


def _distance_matrix(qh: np.ndarray, rh: np.ndarray) -> np.ndarray:
    """Hamming distances [bits] (n, m) between two sets of packed hashes, in row chunks."""
    out = np.empty((qh.shape[0], rh.shape[0]), dtype=np.int16)
    step = max(1, 2_000_000 // max(1, rh.shape[0] * rh.shape[1]))
    for a in range(0, qh.shape[0], step):
        out[a:a + step] = hamming(qh[a:a + step, None, :], rh[None, :, :])
    return out


def _line_distances(dr: np.ndarray, tq: np.ndarray, tr: np.ndarray, speed: float,
                    offsets: np.ndarray) -> np.ndarray:
    """(K, L) distances [bits] of L query frames (rows of ``dr``, at query times ``tq`` [s]) to the
    reference frame nearest ``speed * tq + offset`` for each of K offsets [s]; a line position with
    no reference frame within :data:`MOMENT_NEAREST_S` counts :data:`MOMENT_OUTSIDE_BITS`."""
    target = speed * tq[None, :] + offsets[:, None]
    if tr.size > 1:
        j = np.clip(np.searchsorted(tr, target), 1, tr.size - 1)
        j = np.where(np.abs(tr[j - 1] - target) <= np.abs(tr[j] - target), j - 1, j)
    else:
        j = np.zeros(target.shape, dtype=np.int64)
    return np.where(np.abs(tr[j] - target) <= MOMENT_NEAREST_S, dr[np.arange(tq.size)[None, :], j],
                    MOMENT_OUTSIDE_BITS)


def _moment_view_kinds(vname: str) -> tuple[int, ...]:
    """Reference row kinds (:func:`_row_kind`) a query view is compared with in the moment test
    (see :data:`MOMENT_MAX_VIEWS`)."""
    if vname.startswith("fitted"):
        return (_row_kind(FIT_TARGET),)
    targets = VARIANT_TARGETS.get(vname)
    if targets is not None:
        return tuple(_row_kind(t) for t in targets)
    return tuple(_row_kind(t) for t in ("", *REFERENCE_CROPS))


def _moment_check(query: Fingerprint, table: CandidateTable, footage_id: str, speeds: tuple[float, ...],
                  near_times_s: np.ndarray,
                  views: list[tuple[str, np.ndarray, int]] | None = None) -> _MomentCheck | None:
    """Test whether the query's moments are identified in one footage item (fixed cameras).

    ``views``: (name, hashes, reference row kind) of the query views to test (default: the frames
    as they are and mirrored, against the reference frames); the one with the most near-identical
    frames decides. Returns None when fewer than :data:`STATIC_MIN_NEAR` frames of every view are
    near-identical. See :data:`STATIC_MIN_NEAR` for the test.
    """
    if views is None:
        views = [(v, np.asarray(h), 0) for v, h in (("original", query.hashes),
                                                    ("mirror", query.variants.get("mirror"))) if h is not None]
    times, hashes = table.frames(footage_id)
    tr_all, k = split_reference_times(times)
    tq = query.times_s
    best: _MomentCheck | None = None
    rows_of: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for vname, qh, kind in views:
        if kind not in rows_of:
            sel = k == kind
            if sel.sum() > MOMENT_MAX_ROWS and near_times_s.size:
                near = np.sort(near_times_s)
                pos = np.searchsorted(near, tr_all)
                left, right = near[np.clip(pos - 1, 0, near.size - 1)], near[np.clip(pos, 0, near.size - 1)]
                sel &= np.minimum(np.abs(tr_all - left), np.abs(tr_all - right)) <= 60.0
            idx = np.flatnonzero(sel)[:MOMENT_MAX_ROWS]
            order = idx[np.argsort(tr_all[idx], kind="stable")]
            rows_of[kind] = (tr_all[order], hashes[order])
        tr, rh = rows_of[kind]
        if tr.size == 0:
            continue
        d = _distance_matrix(np.asarray(qh), rh)
        dmin = d.min(axis=1)
        near_rows = np.flatnonzero(dmin <= NEAR_IDENTICAL_DISTANCE)
        if near_rows.size < STATIC_MIN_NEAR:
            continue
        # static share: near-identical frames that other moments match about as well
        jb = d[near_rows].argmin(axis=1)
        far = np.abs(tr[None, :] - tr[jb][:, None]) > DISTINCT_WINDOW_S
        d_else = np.where(far, d[near_rows], MAX_FRAME_DISTANCE + 1).min(axis=1)
        static = float(np.mean(d_else - dmin[near_rows] < MARGIN_FULL))
        rows = np.flatnonzero(dmin <= MOMENT_LOOKS_BITS)
        looks = int(rows.size)
        if rows.size > MOMENT_MAX_FRAMES:  # evenly spread frames say as much, at a bounded cost
            rows = rows[np.linspace(0, rows.size - 1, MOMENT_MAX_FRAMES).round().astype(int)]
        dr = d[rows].astype(np.float64)
        top: tuple[float, float, float, float, np.ndarray, float, float] | None = None
        for speed in speeds:
            lo, hi = tr[0] - speed * tq[rows].max(), tr[-1] - speed * tq[rows].min()
            offsets = np.arange(lo, hi + 0.125, 0.25)
            step = max(1, 2_000_000 // rows.size)
            cost = np.concatenate([_line_distances(dr, tq[rows], tr, speed, offsets[a:a + step]).mean(axis=1)
                                   for a in range(0, offsets.size, step)])
            b = int(np.argmin(cost))
            others = np.abs(offsets - offsets[b]) > MOMENT_SEPARATION_S
            d_best = _line_distances(dr, tq[rows], tr, speed, offsets[b:b + 1])[0]
            if others.any():
                o = int(np.flatnonzero(others)[np.argmin(cost[others])])
                gap = float(np.mean(_line_distances(dr, tq[rows], tr, speed, offsets[o:o + 1])[0] - d_best))
                ratio = float(cost[b] / max(cost[o], 1.0))
                contrast = (_ramp(gap, MOMENT_GAP_ZERO, MOMENT_GAP_FULL)
                            * _ramp(ratio, MOMENT_RATIO_ZERO, MOMENT_RATIO_FULL))
            else:  # footage too short to hold another moment
                contrast, gap, ratio = 1.0, float("inf"), 0.0
            if top is None or (contrast, -cost[b]) > (top[0], -top[1]):
                top = (contrast, float(cost[b]), speed, float(offsets[b]), d_best, gap, ratio)
        if top is None:
            continue
        name = vname if kind == 0 else f"{vname}+{REFERENCE_VARIANT_NAMES[kind - 1]}"
        chk = _MomentCheck(name, int(near_rows.size), looks, static, top[0], top[5], top[6], top[2], top[3], rows,
                           top[4])
        if best is None or (chk.near, chk.contrast) > (best.near, best.contrast):
            best = chk
    return best


def _moment_match(footage_id: str, chk: _MomentCheck, tq_all: np.ndarray, n_query: int) -> Match | None:
    """The match a moment check supports: time-resolved, scene-only, or None."""
    on = chk.d_line <= MAX_FRAME_DISTANCE
    if not on.any():
        return None
    tq = tq_all[chk.frames[on]]
    qs, qe = float(tq.min()), float(tq.max())

    def match(ev: float, resolved: bool) -> Match:
        return Match(footage_id=footage_id, score=round(1.0 - math.exp(-ev / EVIDENCE_SCALE), 6),
                     query_start_s=qs, query_end_s=qe, ref_start_s=chk.speed * qs + chk.offset,
                     ref_end_s=chk.speed * qe + chk.offset, speed=float(chk.speed), variant=chk.variant,
                     matched_frames=int(on.sum()), time_resolved=resolved, kind="moments" if resolved else "scene")

    if chk.contrast > 0:
        return match(float(_weights(chk.d_line[on]).sum()) * chk.contrast, True)
    if chk.near >= min(SCENE_NEAR_SHARE * n_query, max(SCENE_MIN_NEAR, SCENE_NEAR_SHARE * chk.looks)) \
            and chk.static >= 0.5:
        return match(NEAR_IDENTICAL_WEIGHT * chk.near * chk.static, False)
    return None


def _verified_match(fid: str, chk: CandidateCheck, prev: Match | None, on_line: bool) -> Match:
    """The match a geometric verification supports (on the hashes' line when it was predicted)."""
    pairs = chk.pairs
    rot = float(np.median([p.rotation_deg for p in pairs]))
    scale = float(np.median([p.scale for p in pairs]))
    score = max(verified_score(len(pairs)), prev.score if prev is not None else 0.0)
    if on_line and prev is not None:
        return replace(prev, score=score, variant=prev.variant + "+verified", verified_frames=len(pairs),
                       rotation_deg=rot, scale=scale)
    return Match(footage_id=fid, score=score, query_start_s=pairs[0].query_time_s, query_end_s=pairs[-1].query_time_s,
                 ref_start_s=pairs[0].ref_time_s, ref_end_s=pairs[-1].ref_time_s, speed=chk.speed,
                 variant="verified_mirror" if chk.mirrored else "verified", matched_frames=len(pairs),
                 verified_frames=len(pairs), rotation_deg=rot, scale=scale)


def _rectified_match(fid: str, chk: CandidateCheck, query: Fingerprint, qfeats: list[tuple[float, LocalFeatures]],
                     ref: ReferenceFeatures, table: CandidateTable, speeds: tuple[float, ...]) -> Match | None:
    """Step 9 (module docstring): the match the query frames mapped back onto the footage's
    picture support on its frame hashes, or None (see :data:`RECTIFIED_MAX_BITS`)."""
    if len(chk.maps) < RECTIFIED_MIN_FRAMES or query.detail_frames is None:
        return None
    at = {float(t): f for t, f in ref}
    pics, tq, rots, sizes = [], [], [], []
    for fm in chk.maps:
        frame = query.detail_frames[fm.query_index]
        frame = np.ascontiguousarray(frame[:, ::-1] if chk.mirrored else frame)
        qf, rf, v = qfeats[fm.query_index][1], at.get(fm.ref_time_s), fm.verification
        if rf is None or v.homography is None:  # maps come from these rows: not expected
            continue
        pics.append(prepare_phash_input(rectify(frame, qf, rf, v.homography)))
        tq.append(qfeats[fm.query_index][0])
        rots.append(v.rotation_deg)
        (qw, qh), (rw, rh) = qf.size, rf.size
        sizes.append(float(v.scale) * math.sqrt(rw * rh / max(1.0, qw * qh)))
    if len(pics) < RECTIFIED_MIN_FRAMES:
        return None
    hq, tq_a = phash256_batch(np.stack(pics)), np.asarray(tq, dtype=np.float64)
    times, hashes = table.frames(fid)
    tr_all, kinds = split_reference_times(times)
    # the maps reach the whole decoded picture: the uncropped rows where the footage's borders were cut
    full = _row_kind("full")
    sel = kinds == (full if (kinds == full).any() else 0)
    order = np.flatnonzero(sel)[np.argsort(tr_all[sel], kind="stable")]
    tr, rh_ = tr_all[order], hashes[order]
    if tr.size == 0:
        return None
    d = _distance_matrix(hq, rh_).astype(np.float64)
    top: tuple[int, float, float, float, np.ndarray] | None = None  # (frames, -cost, speed, offset, singled)
    for speed in speeds:
        offsets = np.arange(tr[0] - speed * tq_a.max(), tr[-1] - speed * tq_a.min() + 0.125, 0.25)
        cost = _line_distances(d, tq_a, tr, speed, offsets).mean(axis=1)
        b = int(np.argmin(cost))
        d_on = _line_distances(d, tq_a, tr, speed, offsets[b:b + 1])[0]
        far = np.abs(tr[None, :] - (speed * tq_a + offsets[b])[:, None]) > DISTINCT_WINDOW_S
        d_off = np.where(far, d, np.inf).min(axis=1)  # inf: no other moment to tell it from
        singled = (d_on <= RECTIFIED_MAX_BITS) & np.isfinite(d_off) & (d_off - d_on >= RECTIFIED_MARGIN_BITS)
        cand = (int(singled.sum()), -float(cost[b]), speed, float(offsets[b]), singled)
        if top is None or cand[:2] > top[:2]:
            top = cand
    assert top is not None
    n, _, speed, offset, singled = top
    if n < RECTIFIED_MIN_FRAMES:
        return None
    qs, qe = float(tq_a[singled].min()), float(tq_a[singled].max())
    return Match(footage_id=fid, score=verified_score(n), query_start_s=qs, query_end_s=qe,
                 ref_start_s=speed * qs + offset, ref_end_s=speed * qe + offset, speed=speed,
                 variant="rectified_mirror" if chk.mirrored else "rectified", matched_frames=n, verified_frames=n,
                 rotation_deg=float(np.median(np.asarray(rots)[singled])),
                 scale=float(np.median(np.asarray(sizes)[singled])))


def _verify(query: Fingerprint, table: CandidateTable, best: dict[str, Match], seen: dict[str, list[np.ndarray]],
            thr: float, reference_features: Callable[[str], ReferenceFeatures]) -> None:
    """Step 8 (module docstring): verify the best-supported candidates below the threshold on local
    features, replacing their entries in ``best`` by the matches they support."""
    ranked = sorted(seen, key=lambda f: (-(best[f].score if f in best else 0.0), -sum(len(t) for t in seen[f]), f))
    todo = [f for f in ranked if f not in best or (best[f].score < thr and best[f].time_resolved)]
    views: dict[bool, list[tuple[float, LocalFeatures]]] = {}
    tried = 0
    for fid in todo[:4 * VERIFY_MAX_ITEMS]:  # items without stored features do not use up a turn
        if tried >= VERIFY_MAX_ITEMS:
            break
        ref = reference_features(fid)
        if not ref:
            continue
        tried += 1
        prev = best.get(fid)
        predict = None
        if prev is not None and prev.matched_frames >= 2:
            def predict(tq: float, m: Match = prev) -> float:
                return m.ref_start_s + (tq - m.query_start_s) * m.speed
        # the mirrored query only where the hashes saw the footage through a mirrored view
        for mirrored in (False, True) if prev is not None and "mirror" in prev.variant else (False,):
            if mirrored not in views:
                views[mirrored] = query_features(query, mirrored=mirrored)
            chk = verify_candidate(views[mirrored], ref, predict=predict, hint_times_s=np.concatenate(seen[fid]),
                                   mirrored=mirrored)
            if chk.verified:
                best[fid] = _verified_match(fid, chk, prev, predict is not None)
                break
            speeds = (1.0,) if prev is None or prev.speed == 1.0 else (1.0, prev.speed)
            rm = _rectified_match(fid, chk, query, views[mirrored], ref, table, speeds)
            if rm is not None and (prev is None or rm.score > prev.score):
                best[fid] = rm
                break


def match_fingerprint(
    query: Fingerprint,
    table: CandidateTable,
    *,
    threshold: float | None = None,
    max_results: int = 10,
    reference_features: Callable[[str], ReferenceFeatures] | None = None,
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
    reference_features : callable, optional
        footage_id -> its stored local features (``(time_s, LocalFeatures)`` in time order, e.g.
        :meth:`provenance.index.FootageIndex.local_features`): enables the geometric verification
        (step 8) of candidates below the decision threshold (the higher of ``threshold`` and
        :data:`MATCH_THRESHOLD`, so a lowered threshold that lists near misses does not change
        which candidates are verified). None: hashes only.

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
    if reference_features is not None and not callable(reference_features):
        raise InvalidArgumentError("reference_features must be a callable: footage_id -> its (time_s, LocalFeatures) "
                                   f"rows (got {type(reference_features).__name__})")
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
    seen: dict[str, list[np.ndarray]] = {}  # footage -> reference times of its candidates
    near_count: dict[str, int] = {}  # footage -> query frames with a near-identical candidate (best view)
    near_views: dict[str, dict[tuple[str, int], int]] = {}  # footage -> (view, row kind) -> such frames
    fitted_views: dict[str, tuple[str, np.ndarray]] = {}  # footage -> its fitted crop (name, hashes)
    # large tables: one seed stage for all hash sets (CandidateTable.query_seeded_many), else one lookup each
    looked_up = (table.query_seeded_many([h for _, h in variants], seed_radius=DEFAULT_SEED_RADIUS,
                                         max_distance=MAX_FRAME_DISTANCE, max_per_query=MAX_PER_QUERY)
                 if len(table) > SEEDED_ABOVE_ROWS else [_lookup(table, h) for _, h in variants])
    for (vname, _hashes), cand in zip(variants, looked_up):
        if len(cand) == 0:
            continue
        for fid, tr in _reference_times(cand).items():
            seen.setdefault(fid, []).append(tr)
        # near-identical frames per view and row kind: where the moment test may look (MOMENT_MAX_VIEWS)
        ids = np.asarray(cand.footage_id, dtype=object)
        near_d = np.asarray(cand.distance) <= NEAR_IDENTICAL_DISTANCE
        if near_d.any():
            kinds = split_reference_times(cand.ref_time_s)[1]
            for kind in _moment_view_kinds(vname):
                close = near_d & (kinds == kind)
                for fid in np.unique(ids[close]):
                    n_rows = int(np.unique(np.asarray(cand.query_row)[close & (ids == fid)]).size)
                    near_views.setdefault(str(fid), {})[(vname, kind)] = n_rows
                    near_count[str(fid)] = max(near_count.get(str(fid), 0), n_rows)
        for m in _score_variant(vname, cand, query.times_s, still=len(query) == 1):
            prev = best.get(m.footage_id)
            if prev is None or m.score > prev.score:
                best[m.footage_id] = m
    if query.small_frames is not None and len(query) > 1:
        # Crops no fixed variant foresees: fit one for the footage closest to matching.
        ranked = sorted(seen, key=lambda f: (-(best[f].score if f in best else 0.0),
                                             -sum(len(t) for t in seen[f]), f))
        for fid in [f for f in ranked if f not in best or best[f].score < FIT_BELOW_SCORE][:FIT_MAX_ITEMS]:
            fv: list[tuple[str, np.ndarray, int]] = []
            fm = _fitted_crop_match(query, table, fid, np.concatenate(seen[fid]), fv)
            for name, fitted, n_near in fv:  # the fitted crop is one more view for the moment test
                fitted_views[fid] = (name, fitted)
                near_views.setdefault(fid, {})[(name, _row_kind(FIT_TARGET))] = n_near
                near_count[fid] = max(near_count.get(fid, 0), n_near)
            if fm is not None and (fid not in best or fm.score > best[fid].score):
                best[fid] = fm
    if len(query) > 1:
        # Fixed cameras: where frames are near-identical, the whole line must single out the
        # moment (see STATIC_MIN_NEAR); a match it does not support is capped or becomes scene-only.
        for fid in [f for f, n in sorted(near_count.items(), key=lambda x: (-x[1], x[0])) if n >= STATIC_MIN_NEAR][
                :FIT_MAX_ITEMS]:
            prev = best.get(fid)
            speeds = (1.0,) if prev is None or prev.speed == 1.0 else (1.0, prev.speed)
            hashes = dict(variants)
            if fid in fitted_views:
                hashes[fitted_views[fid][0]] = fitted_views[fid][1]
            views = [(v, hashes[v], kind) for (v, kind), n in sorted(near_views[fid].items(), key=lambda x: -x[1])
                     if n >= STATIC_MIN_NEAR][:MOMENT_MAX_VIEWS]
            chk = _moment_check(query, table, fid, speeds, np.concatenate(seen[fid]), views)
            if chk is None:
                continue
            mm = _moment_match(fid, chk, query.times_s, len(query))
            if prev is not None and chk.static >= 0.5 and chk.contrast < 1.0 and not prev.variant.startswith("fitted"):
                # static symptoms and a line that does not single out the moment: the regular
                # vote's evidence only counts as far as the moment contrast carries it
                ev = -math.log(max(1e-12, 1.0 - prev.score)) * EVIDENCE_SCALE * chk.contrast
                prev = replace(prev, score=round(1.0 - math.exp(-ev / EVIDENCE_SCALE), 6))
                best[fid] = prev
            if mm is not None and (prev is None or mm.score > prev.score):
                best[fid] = mm
    if reference_features is not None and query.detail_frames is not None:
        # candidates below the decision threshold, also when a lower one only lists near misses
        _verify(query, table, best, seen, max(thr, MATCH_THRESHOLD), reference_features)
    out = sorted((m for m in best.values() if m.score >= thr), key=lambda m: -m.score)
    return out[:max_results]
