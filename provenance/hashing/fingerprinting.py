"""Fingerprint a clip: decode -> choose frames -> remove borders -> hash (plus query variants)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from ..errors import InvalidArgumentError, UnsupportedMediaError
from ..frames import (
    DEFAULT_MAX_FRAMES,
    DEFAULT_MAX_GAP_S,
    Borders,
    crop_frame,
    detect_borders,
    select_frames,
)
from ..frames.layout import MAX_REGIONS, REGION_KINDS, box_iou, propose_regions, region_image
from ..media.decode import DEFAULT_MAX_SIDE
from ..media.imageops import resize_area, rgb_to_grey
from ..media.source import MediaFile, open_media
from .features import FEATURE_SIDE, QUERY_FEATURE_SIDE
from .phash import DEFAULT_HASHER, SMALL_FRAME_SIZE, Fingerprint, phash256_batch, prepare_phash_input, window_hashes

__all__ = [
    "DETAIL_FRAMES",
    "INDEX_FPS",
    "MAX_REFERENCE_DETAILS",
    "REFERENCE_DETAIL_EVERY_S",
    "MIRROR_WINDOW_NAMES",
    "REFERENCE_CROPS",
    "REFERENCE_VARIANT_NAMES",
    "REFERENCE_VARIANT_TIME_STEP_S",
    "REGION_VARIANT_NAMES",
    "VARIANT_NAMES",
    "VARIANT_TARGETS",
    "WINDOW_NAMES",
    "detail_plan",
    "fingerprint",
    "fingerprint_frames",
    "fingerprint_images",
    "reference_rows",
    "split_reference_times",
]

#: Most query frames kept whole for geometric verification (:attr:`Fingerprint.detail_frames`).
DETAIL_FRAMES = 8
#: Reference frames decoded larger for their stored local features: about one per
#: REFERENCE_DETAIL_EVERY_S [s], at most MAX_REFERENCE_DETAILS, spread over the footage.
MAX_REFERENCE_DETAILS = 32
REFERENCE_DETAIL_EVERY_S = 2.0

#: Grid density [frames/s] recommended when fingerprinting reference footage for an index:
#: dense references let sparse (keyframe-only) queries land within 1/8 s of a reference frame.
INDEX_FPS = 4.0

#: Query-side variants, in the order they are stored in ``Fingerprint.variants``.
#: ``mirror``: horizontal flip; ``crop80``: centre 80% (extra picture around the footage);
#: ``left``/``right``/``top``/``bottom``: one half of a split view (its own bars removed);
#: ``fillbottom``/``filltop`` (``tickerbottom``/``tickertop``): the bottom (top) band of the
#: frame, as tall as a caption box (a ticker), see :data:`CAPTION_BANDS`, replaced by a
#: reflection of the rows next to it, so a burnt-in caption or ticker stops dominating the
#: hash; ``rows87``/``cols87``: the centre :data:`ANISOTROPIC_KEEP` of the rows (columns) only,
#: for crops that change the aspect (a 9:16 reframe that zooms in cuts the sides only);
#: ``window_00`` ... ``window_22``: :data:`WINDOW_SIZE` windows on a 3 x 3 grid from the
#: top-left to the bottom-right corner (``window_{row}{column}``), for crops that are off-centre:
#: they find the footage (see :data:`REFERENCE_VARIANT_NAMES`), and matching then fits the crop
#: exactly (:mod:`provenance.matching.cropfit`); ``mirror_window_00`` ...: the same windows of the
#: mirrored frame (re-uploaders flip and crop together); ``nocrop``: the frame before border
#: removal (only when borders were cut).
#: Besides these, ``Fingerprint.variants`` may hold *region* variants, named in
#: :data:`REGION_VARIANT_NAMES` (``region{i}_{kind}`` and ``region{i}_{kind}_mirror``): the i-th
#: region :func:`provenance.frames.layout.propose_regions` found in the clip (an inset, a grid
#: cell, one side of a split screen, a screen recording's picture, a filmed screen rectified),
#: cut out with its own borders removed, and its mirror. They exist only for clips whose frames
#: show such a layout (none for a plain clip).
WINDOW_GRID = 3
WINDOW_NAMES = tuple(f"window_{r}{c}" for r in range(WINDOW_GRID) for c in range(WINDOW_GRID))
MIRROR_WINDOW_NAMES = tuple("mirror_" + name for name in WINDOW_NAMES)
VARIANT_NAMES = ("mirror", "crop80", "left", "right", "top", "bottom", "fillbottom", "filltop", "tickerbottom",
                 "tickertop", "rows87", "cols87", *WINDOW_NAMES, *MIRROR_WINDOW_NAMES, "nocrop")
#: Share of the frame height a caption box ("fill" variants) or a news ticker ("ticker"
#: variants) is assumed to cover.
CAPTION_BANDS = {"fill": 0.24, "ticker": 0.16}
#: Share of the rows (columns) the ``rows87`` (``cols87``) variants keep.
ANISOTROPIC_KEEP = 0.87
#: Side of the ``window_*`` variants, as a share of the query frame's side.
WINDOW_SIZE = 0.875

#: Reference-side variants, computed when ``variants=False`` (reference footage) and stored in
#: ``Fingerprint.variants`` under these names: the centre 85% (``zoom85``) and 70%
#: (``zoom70``) of the frame. A query that *crops* the footage holds no pixels outside its
#: crop, so no query-side variant can stand in for the missing border, and the 256-bit pHash
#: tolerates only ~4% scale change and ~2% shift (measured: a 10% centre crop is ~76 bits from
#: the full frame, a 6% scale change ~48 bits). A centred crop of 10-20% (or a 9:16 reframe
#: that zooms in) matches the ``zoom85`` rows as it is. Any crop that keeps at least the band
#: 0.15..0.85 of each axis (10% off the bottom, 15% off one side and 5% off the other, a 20%
#: crop off-centre by up to 5%) still contains the centre 70%: the ``window_*`` variants find
#: the footage through the ``zoom70`` rows and matching fits the crop against them
#: (:mod:`provenance.matching.cropfit`). Crops that cut more than 15% from one side are not matched.
REFERENCE_VARIANT_NAMES = ("zoom85", "zoom70", "full")
#: Share of each side that each reference-side variant keeps, centred.
REFERENCE_CROPS = {"zoom85": 0.85, "zoom70": 0.70}
#: ``full`` (the last reference variant): the uncropped frames, stored only for footage whose
#: borders were cut; matched by the uncropped and plain query views only (see
#: :data:`provenance.matching.match.FULL_ROW_VARIANTS`).

#: Which reference rows each cropping query variant is compared with ("" = the frames
#: themselves). A variant built to frame one reference crop is only scored against it: every
#: extra pairing is one more chance for a same-scene clip (a fixed camera at another time) to
#: line up by accident. Variants not listed are compared with every row.
#: Region variants (:data:`REGION_VARIANT_NAMES`) show the whole footage scaled down, perhaps
#: trimmed by a few pixels: they are compared with the frames and the ``zoom85`` rows.
REGION_VARIANT_NAMES = tuple(f"region{i}_{kind}{m}" for i in range(MAX_REGIONS) for kind in REGION_KINDS
                             for m in ("", "_mirror"))
VARIANT_TARGETS: dict[str, tuple[str, ...]] = {
    "rows87": ("zoom85",), "cols87": ("zoom85",),
    **{name: ("", "zoom85") for name in REGION_VARIANT_NAMES},
    **{name: ("zoom70",) for name in WINDOW_NAMES + MIRROR_WINDOW_NAMES},
}

#: Reference variant rows are stored as ordinary frames of the same footage, at media time
#: ``t + k * REFERENCE_VARIANT_TIME_STEP_S`` for the k-th name of
#: :data:`REFERENCE_VARIANT_NAMES` (k = 1, 2, ...), so any store that keeps (time, hash) rows
#: keeps them without a schema change; :func:`split_reference_times` undoes the tag.
REFERENCE_VARIANT_TIME_STEP_S = 1.0e7

def _centre(image: np.ndarray, frac: float) -> np.ndarray:
    h, w = image.shape[:2]
    dh, dw = int(round(h * (1 - frac) / 2)), int(round(w * (1 - frac) / 2))
    return image[dh:h - dh, dw:w - dw]


def _window_box(name: str) -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)`` [share of the side] of window ``window_{row}{column}``."""
    step = (1.0 - WINDOW_SIZE) / (WINDOW_GRID - 1)
    x0, y0 = int(name[-1]) * step, int(name[-2]) * step
    return x0, x0 + WINDOW_SIZE, y0, y0 + WINDOW_SIZE


def _anisotropic(image: np.ndarray, axis: int) -> np.ndarray:
    """The centre :data:`ANISOTROPIC_KEEP` of the rows (axis 0) or columns (axis 1) only."""
    n = image.shape[axis]
    cut = int(round(n * (1 - ANISOTROPIC_KEEP) / 2))
    return image[cut:n - cut] if axis == 0 else image[:, cut:n - cut]


def _small_frame(image: np.ndarray) -> np.ndarray:
    """Greyscale square resample of a frame (:attr:`Fingerprint.small_frames`)."""
    # OpenCV's arithmetic in numpy (provenance.media.imageops): stored small frames stay valid
    grey = rgb_to_grey(image) if image.ndim == 3 else image
    return resize_area(grey, (SMALL_FRAME_SIZE, SMALL_FRAME_SIZE))


def _fill_band(image: np.ndarray, side: str, band: float) -> np.ndarray:
    """Replace the top or bottom ``band`` (share of the height) of a frame by a reflection of
    its neighbouring rows."""
    h = image.shape[0]
    b = int(round(h * band))
    if b < 1 or 2 * b > h:
        return image
    out = image.copy()
    if side == "bottom":
        out[h - b:] = image[h - 2 * b:h - b][::-1]
    else:
        out[:b] = image[b:2 * b][::-1]
    return out


def _halves(image: np.ndarray, name: str) -> np.ndarray:
    h, w = image.shape[:2]
    return {"left": image[:, : w // 2], "right": image[:, w // 2:],
            "top": image[: h // 2], "bottom": image[h // 2:]}[name]


def _region_variants(frames: Sequence[np.ndarray], uncropped: Sequence[np.ndarray] | None,
                     borders: Borders) -> dict[str, np.ndarray]:
    """Hashes of each layout region of the clip (:data:`REGION_VARIANT_NAMES`), and of its mirror.

    Regions are searched in the frames with their borders cut and (when borders were cut) in the
    frames before: a cut through the layout (an inset's background taken for fill) loses its lines;
    a region found in both is hashed once.
    """
    found = [(r, frames) for r in propose_regions(frames)]
    if uncropped is not None:
        seen = [(r.box[0] + borders.left, r.box[1] + borders.top, r.box[2] + borders.left, r.box[3] + borders.top)
                for r, _ in found]
        found += [(r, uncropped) for r in propose_regions(uncropped)
                  if all(box_iou(r.box, box) <= 0.5 for box in seen)]
    out: dict[str, np.ndarray] = {}
    for i, (region, ims) in enumerate(found[:MAX_REGIONS]):
        parts = [region_image(im, region) for im in ims]
        pb = detect_borders(parts)
        parts = [crop_frame(p, pb) if pb.any else p for p in parts]
        name = f"region{i}_{region.kind}"
        out[name] = _hash_images(parts)
        out[name + "_mirror"] = _hash_images([p[:, ::-1] for p in parts])
    return out


def _detail_frames(times_s: np.ndarray, images: Sequence[np.ndarray],
                   details: Sequence[np.ndarray | None] | None) -> tuple[np.ndarray, np.ndarray] | None:
    """(times, greyscale frames) for :attr:`Fingerprint.detail_frames`: the decoder's larger
    pictures where it gave them, else up to :data:`DETAIL_FRAMES` of the hashed frames spread over
    the clip; None when they differ in size."""
    t = np.asarray(times_s, dtype=np.float64)
    if details is not None and any(d is not None for d in details):
        picks = [i for i, d in enumerate(details) if d is not None]
        grey = [np.asarray(details[i]) for i in picks]
    elif images:
        n = min(DETAIL_FRAMES, len(images))
        picks = sorted({int(np.argmin(np.abs(t - target))) for target in np.linspace(t[0], t[-1], n)})
        grey = [rgb_to_grey(images[i]) if images[i].ndim == 3 else images[i] for i in picks]
    else:
        return None
    if len({g.shape for g in grey}) != 1:
        return None
    return t[picks], np.stack(grey)


def _hash_images(images: Sequence[np.ndarray]) -> np.ndarray:
    if not images:
        return np.zeros((0, 32), dtype=np.uint8)
    return phash256_batch(np.stack([prepare_phash_input(np.ascontiguousarray(im)) for im in images]))


def fingerprint_images(
    times_s: Sequence[float] | np.ndarray,
    images: Sequence[np.ndarray],
    *,
    borders: Borders | None = None,
    variants: bool = True,
    duration_s: float | None = None,
    details: Sequence[np.ndarray | None] | None = None,
) -> Fingerprint:
    """Hash already-decoded frames of one clip (pure; no I/O).

    Parameters
    ----------
    times_s : sequence of float
        Media time of each frame [s].
    images : sequence of ndarray of uint8, shape (H, W, 3)
        Uncropped frames of one clip (all one size when ``borders`` cuts anything).
    borders : Borders, optional
        Borders to cut before hashing (None: none).
    variants : bool
        True: compute the query-side variants of :data:`VARIANT_NAMES`, plus the region
        variants of :data:`REGION_VARIANT_NAMES` when the frames show a layout (insets, grids,
        split screens, screen recordings, filmed screens; found once per clip by
        :func:`provenance.frames.layout.propose_regions`, none for a plain clip). False (reference
        footage): compute the reference-side variants of :data:`REFERENCE_VARIANT_NAMES`.
    duration_s : float, optional
        Clip duration [s].
    details : sequence of (ndarray or None), optional
        Per frame, the decoder's larger greyscale picture of it or None (``select_frames(...,
        detail_count=...)``): with ``variants``, they become the fingerprint's
        :attr:`~Fingerprint.detail_frames` (else a few of ``images`` do).

    Returns
    -------
    Fingerprint
    """
    if details is not None and len(details) != len(images):
        raise InvalidArgumentError(f"{len(details)} detail pictures but {len(images)} images; they must match")
    if len(times_s) != len(images):
        raise InvalidArgumentError(f"{len(times_s)} times but {len(images)} images; they must match")
    b = borders or Borders()
    cropped = [crop_frame(im, b) if b.any else im for im in images]
    hashes = _hash_images(cropped)
    var: dict[str, np.ndarray] = {}
    if not variants and cropped:
        for name in REFERENCE_CROPS:
            var[name] = _hash_images([_centre(im, REFERENCE_CROPS[name]) for im in cropped])
        if b.any:
            # "full": the frames before border removal, so a query that cuts other borders (or
            # none) still meets the same picture (provenance.frames.detect_borders)
            var["full"] = _hash_images(list(images))
    if variants and cropped:
        var["mirror"] = _hash_images([im[:, ::-1] for im in cropped])
        var["crop80"] = _hash_images([_centre(im, 0.8) for im in cropped])
        for name in ("left", "right", "top", "bottom"):
            parts = [_halves(im, name) for im in cropped]
            pb = detect_borders(parts) if len({p.shape for p in parts}) == 1 else Borders()
            var[name] = _hash_images([crop_frame(p, pb) if pb.any else p for p in parts])
        for prefix, band in CAPTION_BANDS.items():
            for side in ("bottom", "top"):
                var[prefix + side] = _hash_images([_fill_band(im, side, band) for im in cropped])
        var["rows87"] = _hash_images([_anisotropic(im, 0) for im in cropped])
        var["cols87"] = _hash_images([_anisotropic(im, 1) for im in cropped])
        small = np.stack([_small_frame(im) for im in cropped])
        # The windows only have to find the footage (the crop is then fitted), so they are
        # hashed from the small frames in one product per axis rather than cut out and resized
        # one by one (within a few bits of the exact hash; 18 windows per frame).
        windows = np.array([_window_box(name) for name in WINDOW_NAMES])
        for prefix, frames in (("", small), ("mirror_", small[:, :, ::-1])):
            hashed = window_hashes(frames, windows)
            for j, name in enumerate(WINDOW_NAMES):
                var[prefix + name] = np.ascontiguousarray(hashed[:, j])
        if b.any:
            var["nocrop"] = _hash_images(list(images))
        var.update(_region_variants(cropped, list(images) if b.any else None, b))
        detail = _detail_frames(np.asarray(times_s, dtype=np.float64), images, details)
    else:
        small, detail = None, None
    return Fingerprint(np.asarray(times_s, dtype=np.float64), hashes, DEFAULT_HASHER, var, duration_s, small,
                       *(detail or (None, None)))


def fingerprint(
    path: str | os.PathLike[str] | MediaFile,
    *,
    variants: bool = True,
    fps: float | None = None,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    max_frames: int = DEFAULT_MAX_FRAMES,
    max_side: int = DEFAULT_MAX_SIDE,
) -> Fingerprint:
    """Perceptual fingerprint of a video (or still) for known-footage matching.

    Frames are chosen as in :func:`provenance.extract_keyframes` (codec keyframes, with grid
    frames filling gaps longer than ``max_gap_s``, or a fixed ``fps`` grid), rotated for
    display, stripped of bars, blurred fill and static overlays, filtered of black and flat
    frames, then hashed with the 256-bit DCT pHash (:data:`~provenance.hashing.DEFAULT_HASHER`).

    Parameters
    ----------
    path
        Video file or still image (JPEG, PNG, GIF, BMP, WebP, TIFF: a one-frame clip at
        0 s, e.g. a frame grab), or an open :class:`~provenance.media.MediaFile` (its
        budgets apply).
    variants : bool
        Compute query-side variants (mirror, centre crop, split-view halves, uncropped); use
        True for queries, False for reference footage going into an index (which then gets
        the reference-side variants of :data:`REFERENCE_VARIANT_NAMES`; index them with
        :func:`reference_rows`).
    fps : float, optional
        Fixed grid density [frames/s]; :data:`INDEX_FPS` is recommended for references.
        None (default): keyframe-led selection, the fast path for queries.
    max_gap_s : float
        Largest gap between hashed frames [s] in the default selection.
    max_frames : int
        Upper bound on hashed frames.
    max_side : int
        Longer side of decoded frames [px].

    Returns
    -------
    Fingerprint
        With at least one frame.

    Raises
    ------
    MediaNotFoundError, UnsupportedMediaError, CorruptMediaError, MediaTooLargeError, InvalidArgumentError
    UnsupportedMediaError
        Also when no frame is left to hash (every frame black, flat or faded).

    Examples
    --------
    >>> ref = fingerprint("known.mp4", variants=False, fps=INDEX_FPS)  # doctest: +SKIP
    >>> query = fingerprint("upload.mp4")  # doctest: +SKIP
    """
    return fingerprint_frames(path, variants=variants, fps=fps, max_gap_s=max_gap_s, max_frames=max_frames,
                              max_side=max_side)[0]


def fingerprint_frames(
    path: str | os.PathLike[str] | MediaFile,
    *,
    variants: bool = True,
    fps: float | None = None,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    max_frames: int = DEFAULT_MAX_FRAMES,
    max_side: int = DEFAULT_MAX_SIDE,
) -> tuple[Fingerprint, list[tuple[float, np.ndarray, str, np.ndarray | None]]]:
    """:func:`fingerprint` and the uncropped frames it hashed, from one decode (for thumbnails),
    each with its larger greyscale detail picture or None (see :func:`detail_plan`).

    Same parameters and errors as :func:`fingerprint`; a fingerprint without frames is refused.
    """
    count, side, every = detail_plan(variants)
    with open_media(path) as media:
        frames, borders, duration = select_frames(media, fps=fps, max_gap_s=max_gap_s, max_frames=max_frames,
                                                  max_side=max_side, detail_count=count, detail_side=side,
                                                  detail_every_s=every)
        if not frames:
            raise UnsupportedMediaError(
                f"nothing to fingerprint in {media.name!r}: every decoded frame is black, flat or faded",
                path=str(media.path))
    fp = fingerprint_images([f[0] for f in frames], [f[1] for f in frames], borders=borders,
                            variants=variants, duration_s=duration, details=[f[3] for f in frames])
    return fp, frames


def detail_plan(query: bool) -> tuple[int, int, float]:
    """``(detail_count, detail_side, detail_every_s)`` for ``select_frames``: the larger pictures
    local features are computed on. A query's :data:`DETAIL_FRAMES` spread over the clip at
    :data:`~provenance.hashing.features.QUERY_FEATURE_SIDE`; a reference's one per
    :data:`REFERENCE_DETAIL_EVERY_S` (up to :data:`MAX_REFERENCE_DETAILS`) at
    :data:`~provenance.hashing.features.FEATURE_SIDE`."""
    if query:
        return DETAIL_FRAMES, QUERY_FEATURE_SIDE, 0.0
    return MAX_REFERENCE_DETAILS, FEATURE_SIDE, REFERENCE_DETAIL_EVERY_S


def reference_rows(fp: Fingerprint) -> tuple[np.ndarray, np.ndarray]:
    """(times [s], hashes) to put in an index for reference footage, variant rows included.

    The frame hashes come first at their own media times; the hashes of each reference-side
    variant (:data:`REFERENCE_VARIANT_NAMES`, present when ``fp`` was made with
    ``variants=False``) follow at ``t + k * REFERENCE_VARIANT_TIME_STEP_S``. Matching
    (:func:`provenance.matching.match.match_fingerprint`) decodes the tag, so the rows live in
    any store as ordinary (footage_id, time, hash) rows.

    Parameters
    ----------
    fp : Fingerprint
        Reference fingerprint (``fingerprint(path, variants=False, fps=INDEX_FPS)``).

    Returns
    -------
    times_s : ndarray of float64, shape (m,)
    hashes : ndarray of uint8, shape (m, nbytes)

    Examples
    --------
    >>> fp = fingerprint("known.mp4", variants=False, fps=INDEX_FPS)  # doctest: +SKIP
    >>> table.add("known", *reference_rows(fp))  # doctest: +SKIP
    """
    if not isinstance(fp, Fingerprint):
        raise InvalidArgumentError(f"fp must be a Fingerprint (got {type(fp).__name__})")
    if len(fp) and float(fp.times_s.max()) >= REFERENCE_VARIANT_TIME_STEP_S:
        raise InvalidArgumentError(
            f"footage longer than {REFERENCE_VARIANT_TIME_STEP_S:.0f} s cannot carry reference variants")
    times, hashes = [fp.times_s], [fp.hashes]
    for k, name in enumerate(REFERENCE_VARIANT_NAMES, start=1):
        h = fp.variants.get(name)
        if h is not None and len(h) == len(fp):
            times.append(fp.times_s + k * REFERENCE_VARIANT_TIME_STEP_S)
            hashes.append(np.asarray(h, dtype=np.uint8))
    return np.concatenate(times), np.concatenate(hashes)


def split_reference_times(times_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Undo the variant tag of :func:`reference_rows`: (media times [s], variant index 0..k)."""
    t = np.asarray(times_s, dtype=np.float64)
    k = np.floor(t / REFERENCE_VARIANT_TIME_STEP_S + 1e-12).astype(np.int64)
    k = np.clip(k, 0, len(REFERENCE_VARIANT_NAMES))
    return t - k * REFERENCE_VARIANT_TIME_STEP_S, k
