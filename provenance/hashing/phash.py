"""Perceptual frame hashes and the :class:`Fingerprint` of a clip (pure functions over arrays)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError

__all__ = ["DCT_ROWS", "DEFAULT_HASHER", "HASH_BITS", "SMALL_FRAME_SIZE", "Fingerprint", "hamming", "phash256",
           "phash256_batch", "prepare_phash_input", "window_hashes"]

#: Name and version of the default frame hasher; stored in every index record, never mixed.
DEFAULT_HASHER = "phash256/1"
#: Side [px] of :attr:`Fingerprint.small_frames`.
SMALL_FRAME_SIZE = 128


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """Frame hashes of one clip with their media times.

    Parameters
    ----------
    times_s : ndarray of float64, shape (n,)
        Media time of each hashed frame [s], from the container's timestamps, increasing.
    hashes : ndarray of uint8, shape (n, nbytes)
        Packed hash bits of each frame.
    hasher : str
        Hasher name and version, e.g. ``"phash256/1"``; fingerprints of different hashers
        are never compared.
    variants : dict of str to ndarray
        Query-side variants (e.g. ``"mirror"``), each shaped like ``hashes``; not stored in
        an index.
    duration_s : float or None
        Clip duration [s] when known.
    small_frames : ndarray of uint8, shape (n, S, S), optional
        Each hashed frame after border removal, greyscale and resampled to a square of
        :data:`SMALL_FRAME_SIZE` px: lets matching hash windows of a query it did not foresee
        (:func:`provenance.matching.cropfit.fit_crop`). Queries only; never stored in an index.
    detail_times_s : ndarray of float64, shape (k,), optional
        Media times [s] of :attr:`detail_frames`, increasing.
    detail_frames : ndarray of uint8, shape (k, H, W), optional
        A few of the frames, uncropped and greyscale at their decoded size, spread over the
        clip: matching verifies candidates geometrically on their local features
        (:mod:`provenance.matching.verify`). Queries only; never stored in an index.
    """

    times_s: np.ndarray
    hashes: np.ndarray
    hasher: str = DEFAULT_HASHER
    variants: dict[str, np.ndarray] = field(default_factory=dict)
    duration_s: float | None = None
    small_frames: np.ndarray | None = None
    detail_times_s: np.ndarray | None = None
    detail_frames: np.ndarray | None = None

    def __post_init__(self) -> None:
        times = np.ascontiguousarray(np.asarray(self.times_s, dtype=np.float64))
        hashes = np.asarray(self.hashes)
        if times.ndim != 1:
            raise InvalidArgumentError(f"Fingerprint.times_s must be 1-D (got shape {times.shape})")
        if hashes.dtype != np.uint8 or hashes.ndim != 2:
            raise InvalidArgumentError(
                f"Fingerprint.hashes must be a uint8 array of shape (n, nbytes) "
                f"(got {hashes.dtype} {hashes.shape})"
            )
        if hashes.shape[0] != times.shape[0]:
            raise InvalidArgumentError(
                f"Fingerprint has {times.shape[0]} times but {hashes.shape[0]} hashes; they must match"
            )
        if not np.all(np.isfinite(times)):
            raise InvalidArgumentError("Fingerprint.times_s must be finite")
        if not isinstance(self.hasher, str) or not self.hasher:
            raise InvalidArgumentError("Fingerprint.hasher must be a non-empty string like 'phash256/1'")
        for name, arr in self.variants.items():
            arr = np.asarray(arr)
            if arr.shape != hashes.shape or arr.dtype != np.uint8:
                raise InvalidArgumentError(f"Fingerprint variant {name!r} must match hashes' shape and dtype")
        if self.small_frames is not None:
            small = np.asarray(self.small_frames)
            if (small.dtype != np.uint8 or small.ndim != 3 or small.shape[0] != times.shape[0]
                    or small.shape[1] != small.shape[2]):
                raise InvalidArgumentError(
                    f"Fingerprint.small_frames must be uint8 of shape (n, S, S) with n = {times.shape[0]} "
                    f"(got {small.dtype} {small.shape})")
        if (self.detail_frames is None) != (self.detail_times_s is None):
            raise InvalidArgumentError("Fingerprint.detail_frames and detail_times_s go together")
        if self.detail_frames is not None:
            detail = np.asarray(self.detail_frames)
            dt = np.asarray(self.detail_times_s, dtype=np.float64)
            if detail.dtype != np.uint8 or detail.ndim != 3 or dt.ndim != 1 or dt.shape[0] != detail.shape[0]:
                raise InvalidArgumentError(
                    f"Fingerprint.detail_frames must be uint8 of shape (k, H, W) with k detail times "
                    f"(got {detail.dtype} {detail.shape}, {dt.shape[0] if dt.ndim == 1 else dt.shape} times)")
            if not np.all(np.isfinite(dt)):
                raise InvalidArgumentError("Fingerprint.detail_times_s must be finite")
            object.__setattr__(self, "detail_times_s", dt)
        object.__setattr__(self, "times_s", times)
        object.__setattr__(self, "hashes", np.ascontiguousarray(hashes))

    def __len__(self) -> int:
        return int(self.times_s.shape[0])

    @property
    def nbytes(self) -> int:
        """Bytes per frame hash."""
        return int(self.hashes.shape[1])

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict with hashes as hex strings."""
        return {
            "hasher": self.hasher,
            "duration_s": self.duration_s,
            "times_s": self.times_s.tolist(),
            "hashes": [bytes(h).hex() for h in self.hashes],
        }

    def __repr__(self) -> str:
        span = f"{self.times_s[0]:.2f}-{self.times_s[-1]:.2f} s" if len(self) else "empty"
        return f"Fingerprint({len(self)} frames, {span}, hasher={self.hasher!r})"

    def _repr_html_(self) -> str | None:
        """Notebook view: escaped HTML with collapsible sections (None: the text repr is shown)."""
        from .._util import html_repr  # the renderer lives in report/, imported on first display

        return html_repr(self)


_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distance [bits] between packed hashes, broadcasting over leading axes."""
    x = np.bitwise_xor(np.asarray(a, dtype=np.uint8), np.asarray(b, dtype=np.uint8))
    return _POPCOUNT[x].sum(axis=-1, dtype=np.int32)


#: Bits of the default hash (16 x 16 low-frequency DCT coefficients).
HASH_BITS = 256
_HASH_SIZE = 16
_IMG_SIZE = _HASH_SIZE * 4  # imagehash's highfreq_factor = 4


def _dct_matrix(n: int, k: int) -> np.ndarray:
    """First ``k`` rows of the unnormalised DCT-II matrix (scipy.fftpack ``dct`` type 2)."""
    j = np.arange(n)[None, :]
    f = np.arange(k)[:, None]
    return (2.0 * np.cos(np.pi * f * (2 * j + 1) / (2 * n))).astype(np.float64)


#: The 16 lowest rows of the DCT-II matrix for 64-px input: a frame's pHash coefficients are
#: ``DCT_ROWS @ pixels @ DCT_ROWS.T`` (``pixels`` from :func:`prepare_phash_input`).
DCT_ROWS = _dct_matrix(_IMG_SIZE, _HASH_SIZE)


def prepare_phash_input(image: np.ndarray) -> np.ndarray:
    """Greyscale and resize an image to the 64 x 64 array the pHash DCT runs on.

    Uses Pillow exactly as ``imagehash.phash(hash_size=16)`` does (``convert("L")`` with
    ITU-R 601-2 luma, then a Lanczos resize), so the bits agree with imagehash.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) RGB or (H, W) grey

    Returns
    -------
    ndarray of float64, shape (64, 64)
    """
    from PIL import Image

    arr = np.asarray(image)
    if arr.dtype != np.uint8 or arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] != 3):
        raise InvalidArgumentError(
            f"expected a uint8 image of shape (H, W, 3) or (H, W) (got {arr.dtype} {arr.shape})"
        )
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise InvalidArgumentError(f"cannot hash an empty image (shape {arr.shape})")
    img = Image.fromarray(np.ascontiguousarray(arr))
    if img.mode != "L":
        img = img.convert("L")
    img = img.resize((_IMG_SIZE, _IMG_SIZE), Image.Resampling.LANCZOS)
    return np.asarray(img, dtype=np.float64)


def phash256_batch(pixels: np.ndarray) -> np.ndarray:
    """256-bit DCT pHashes of prepared 64 x 64 greyscale arrays.

    Same bits as ``imagehash.phash(img, hash_size=16)``: the 16 x 16 lowest-frequency
    coefficients of the 2-D DCT-II, thresholded at their median, packed row-major with the
    first coefficient in the most significant bit (as imagehash's hex string).

    Parameters
    ----------
    pixels : ndarray, shape (n, 64, 64)
        Output of :func:`prepare_phash_input`, stacked.

    Returns
    -------
    ndarray of uint8, shape (n, 32)
    """
    px = np.asarray(pixels, dtype=np.float64)
    if px.ndim != 3 or px.shape[1:] != (_IMG_SIZE, _IMG_SIZE):
        raise InvalidArgumentError(f"expected shape (n, {_IMG_SIZE}, {_IMG_SIZE}) (got {px.shape})")
    low = np.matmul(np.matmul(DCT_ROWS, px), DCT_ROWS.T)
    flat = low.reshape(px.shape[0], -1)
    med = np.median(flat, axis=1, keepdims=True)
    return np.packbits(flat > med, axis=1)


def phash256(image: np.ndarray) -> np.ndarray:
    """256-bit DCT pHash of one image (imagehash ``phash(hash_size=16)`` semantics).

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) RGB or (H, W) grey

    Returns
    -------
    ndarray of uint8, shape (32,)

    Examples
    --------
    >>> import numpy as np
    >>> img = (np.arange(64 * 64 * 3) % 251).astype(np.uint8).reshape(64, 64, 3)
    >>> int(hamming(phash256(img), phash256(img)))
    0
    """
    return phash256_batch(prepare_phash_input(image)[None])[0]


def _area_matrix(start: float, stop: float, size: int) -> np.ndarray:
    """(64, size) matrix averaging the pixels of ``[start, stop)`` (shares of ``size``) into 64 bins.

    Each output pixel is the mean of the source interval it covers, with partial pixels
    weighted by their overlap (area resampling of a fractional window).
    """
    lo, hi = start * size, max(stop * size, start * size + 1e-6)
    edges = lo + (hi - lo) * np.arange(_IMG_SIZE + 1) / _IMG_SIZE
    pix = np.arange(size)
    overlap = np.clip(np.minimum(edges[1:, None], pix[None, :] + 1) - np.maximum(edges[:-1, None], pix[None, :]),
                      0.0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def window_hashes(small_frames: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """pHashes of windows of small greyscale frames.

    The window is area-resampled to 64 x 64 and DCT-hashed as :func:`phash256_batch` does, in
    one product per axis: the 16 lowest DCT rows times the resampling matrix, applied to the
    whole frame, so no window image is ever cut out.

    Parameters
    ----------
    small_frames : ndarray of uint8, shape (n, S, S)
        :attr:`provenance.hashing.Fingerprint.small_frames`.
    windows : ndarray, shape (m, 4)
        ``(x0, x1, y0, y1)`` as shares of the frame's side.

    Returns
    -------
    ndarray of uint8, shape (n, m, 32)

    Raises
    ------
    InvalidArgumentError
        When the frames are not square uint8 images or a window is empty or outside 0..1.
    """
    raw = np.asarray(small_frames)
    if raw.dtype != np.uint8 or raw.ndim != 3 or raw.shape[1] != raw.shape[2] or raw.shape[1] < 2:
        raise InvalidArgumentError(f"expected square uint8 frames of shape (n, S, S) (got {raw.dtype} {raw.shape})")
    win = np.asarray(windows, dtype=np.float64)
    if win.ndim not in (1, 2) or win.shape[-1] != 4 or not np.all(np.isfinite(win)):
        raise InvalidArgumentError(f"expected windows of shape (m, 4) as (x0, x1, y0, y1) (got {win.shape})")
    win = win.reshape(-1, 4)
    if np.any(win < 0.0) or np.any(win > 1.0) or np.any(win[:, 1] <= win[:, 0]) or np.any(win[:, 3] <= win[:, 2]):
        raise InvalidArgumentError("windows must satisfy 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1")
    frames = raw.astype(np.float64)
    n, side = frames.shape[0], frames.shape[1]
    # distinct bands per axis, so shared bands are projected once
    xb, xi = np.unique(win[:, 0:2], axis=0, return_inverse=True)
    yb, yi = np.unique(win[:, 2:4], axis=0, return_inverse=True)
    ax = np.stack([DCT_ROWS @ _area_matrix(a, b, side) for a, b in xb])  # (bx, 16, S)
    ay = np.stack([DCT_ROWS @ _area_matrix(a, b, side) for a, b in yb])  # (by, 16, S)
    cols = np.matmul(ay[None], frames[:, None])  # (n, by, 16, S): DCT over y of each y-band
    low = np.matmul(cols[:, :, None], np.swapaxes(ax, 1, 2)[None, None])  # (n, by, bx, 16, 16)
    out = low[:, yi.ravel(), xi.ravel()].reshape(n, len(win), -1)
    return np.packbits(out > np.median(out, axis=2, keepdims=True), axis=2)
