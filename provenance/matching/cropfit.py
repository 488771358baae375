"""Fit the crop of a query that crops known footage in a way no fixed variant foresees.

A re-upload that cuts 10% off the bottom of the picture (to drop a caption or a logo), or 15%
off one side and 5% off the other, keeps no pixel of what was cut, and its frames are stretched
and shifted against the footage by more than the 256-bit pHash tolerates (~2% shift, ~4%
scale). No query variant can restore the missing picture, but every crop that keeps at least
the band 0.15..0.85 of each axis still contains the footage's centre 70%, which the index holds
as ``zoom70`` rows (:data:`provenance.hashing.fingerprinting.REFERENCE_VARIANT_NAMES`). This module
finds, for one candidate footage item, the crop hypothesis under which windows of the query
frames best match those rows; matching then votes with the window it found.

Hypotheses are per axis: the query keeps the footage's band ``[a, b]`` with ``a`` in
:data:`FIT_STARTS` and ``b`` in :data:`FIT_ENDS` (16 per axis, 256 in all). The window that
frames the footage's centre 70% in query coordinates is then ``[(0.15 - a) / (b - a),
(0.85 - a) / (b - a)]``. The grid step of 0.05 leaves up to 2.5% of the side between the true
crop and the nearest hypothesis (40-60 bits); the best grid hypothesis is then refined by moving
each band edge by -2.5, 0, +2.5% and then -1.25, 0, +1.25% (81 combinations each), which brings
true crops to 5-30 bits.

All functions are pure (arrays in, arrays out).
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..hashing import window_hashes
from ..hashing.fingerprinting import REFERENCE_CROPS

__all__ = ["CLOSE_BITS", "FIT_ENDS", "FIT_FRAMES", "FIT_STARTS", "TARGET", "crop_hypotheses", "fit_crop",
           "target_windows"]

#: Where the kept band of an axis may start and end [share of the footage's side].
FIT_STARTS = (0.0, 0.05, 0.10, 0.15)
FIT_ENDS = (0.85, 0.90, 0.95, 1.0)
#: The reference rows crops are fitted against, and the share of each side they keep, centred.
TARGET = "zoom70"
TARGET_KEEP = REFERENCE_CROPS[TARGET]
#: Query frames used to choose the hypothesis (evenly spread over the query).
FIT_FRAMES = 8
#: A frame counts as matched under a hypothesis within this many bits of a target row (the
#: distance up to which matching gives a pair full weight).
CLOSE_BITS = 40
#: Distance [bits] at which a frame's nearest row stops mattering to the choice of hypothesis.
_FAR_BITS = 64
#: Smallest crop [share of the side, on some edge] that fitting reports a gain for.
_MIN_CROP = 0.03
#: After the grid, each band edge is refined by these steps [share of the side] in turn.
_REFINE_STEPS = (0.025, 0.0125)
_OFFSETS = np.array(np.meshgrid(*[(-1.0, 0.0, 1.0)] * 4, indexing="ij")).reshape(4, -1).T  # (81, 4)
#: Hypotheses whose windows are hashed and compared in one block (bounds temporary memory).
_BLOCK = 32


def crop_hypotheses() -> np.ndarray:
    """Every crop hypothesis: rows ``(ax, bx, ay, by)``, the kept band of each axis.

    Returns
    -------
    ndarray of float64, shape (256, 4)
        Shares of the footage's width (x) and height (y).
    """
    bands = [(a, b) for a in FIT_STARTS for b in FIT_ENDS]
    return np.array([(ax, bx, ay, by) for ax, bx in bands for ay, by in bands], dtype=np.float64)


def target_windows(hypotheses: np.ndarray) -> np.ndarray:
    """The window of the query that frames the footage's centre :data:`TARGET_KEEP`.

    Parameters
    ----------
    hypotheses : ndarray, shape (m, 4)
        ``(ax, bx, ay, by)`` rows of :func:`crop_hypotheses`.

    Returns
    -------
    ndarray of float64, shape (m, 4)
        ``(x0, x1, y0, y1)``: the window as shares of the query frame's width and height.
    """
    h = np.asarray(hypotheses, dtype=np.float64)
    lo, hi = (1.0 - TARGET_KEEP) / 2.0, (1.0 + TARGET_KEEP) / 2.0
    ax, bx, ay, by = h[:, 0], h[:, 1], h[:, 2], h[:, 3]
    return np.stack([(lo - ax) / (bx - ax), (hi - ax) / (bx - ax), (lo - ay) / (by - ay), (hi - ay) / (by - ay)],
                    axis=1).clip(0.0, 1.0)


def fit_crop(small_frames: np.ndarray, target_hashes: np.ndarray) -> tuple[np.ndarray, float]:
    """The crop hypothesis under which the query's windows best match the target rows.

    Parameters
    ----------
    small_frames : ndarray of uint8, shape (f, S, S)
        A few query frames (:data:`FIT_FRAMES` is plenty).
    target_hashes : ndarray of uint8, shape (r, 32)
        The candidate footage's ``zoom70`` rows.

    Returns
    -------
    window : ndarray, shape (4,)
        ``(x0, x1, y0, y1)`` of the best hypothesis (:func:`target_windows`).
    gain : float
        How much closer [bits per frame, mean] the frames that the best hypothesis brings
        within :data:`CLOSE_BITS` of a target row are under it than under "no crop" (the
        query's own centre 70%). A true crop gains tens of bits; a clip that is not cropped
        footage, or not this footage, gains little or has no frame that close. 0 when fewer
        than two frames come that close, or when the best hypothesis is within 3% of "no
        crop" on every edge.

    Raises
    ------
    InvalidArgumentError
        When the frames or hashes have the wrong shape or type.
    """
    target = np.ascontiguousarray(target_hashes)
    if target.dtype != np.uint8 or target.ndim != 2 or target.shape[1] % 8:
        raise InvalidArgumentError(f"target hashes must be uint8 of shape (r, nbytes), nbytes a multiple of 8 "
                                   f"(got {target.dtype} {target.shape})")
    hypotheses = crop_hypotheses()
    if len(small_frames) == 0 or len(target) == 0:
        return target_windows(hypotheses[:1])[0], 0.0
    tw = target.view(np.uint64)  # (r, 4)
    nearest = _nearest(small_frames, hypotheses, tw)
    identity = nearest[:, int(np.flatnonzero((hypotheses == (0.0, 1.0, 0.0, 1.0)).all(axis=1))[0])]
    # Frames from outside the re-used stretch (a sub-clip in other footage) are far under every
    # hypothesis; capping their distance keeps them from steering the choice.
    best = int(np.argmin(np.minimum(nearest, _FAR_BITS).sum(axis=0)))
    hyp, near = hypotheses[best], nearest[:, best]
    for step in _REFINE_STEPS:  # coordinate grid around the best, each band edge moved by -step, 0, +step
        local = hyp + step * _OFFSETS
        local_near = _nearest(small_frames, local, tw)
        i = int(np.argmin(np.minimum(local_near, _FAR_BITS).sum(axis=0)))
        hyp, near = local[i], local_near[:, i]
    close = near <= CLOSE_BITS
    window = target_windows(hyp[None])[0]
    # A crop within a few % of "no crop" is the frame itself, which the fixed variants cover;
    # fitting it would only let a same-scene clip line up by a shift of a pixel or two.
    if close.sum() < 2 or np.abs(hyp - (0.0, 1.0, 0.0, 1.0)).max() < _MIN_CROP:
        return window, 0.0
    return window, float(np.mean(identity[close] - near[close]))


def _nearest(small_frames: np.ndarray, hypotheses: np.ndarray, target_words: np.ndarray) -> np.ndarray:
    """(f, m): distance [bits] of each frame's window under each hypothesis to its nearest target row."""
    hw = np.ascontiguousarray(window_hashes(small_frames, target_windows(hypotheses))).view(np.uint64)
    out = np.empty((hw.shape[0], hw.shape[1]), dtype=np.int32)
    for start in range(0, hw.shape[1], _BLOCK):
        d = np.bitwise_count(hw[:, start:start + _BLOCK, None, :] ^ target_words[None, None]).sum(axis=3,
                                                                                                 dtype=np.int32)
        out[:, start:start + _BLOCK] = d.min(axis=2)
    return out
