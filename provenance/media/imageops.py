"""Pixel helpers in numpy that reproduce OpenCV bit for bit: area resize and RGB -> grey.

The core install does not ship OpenCV (it is 150 MB for a handful of calls), but the hashes the
library stores were computed with ``cv2.resize(..., interpolation=cv2.INTER_AREA)`` and
``cv2.cvtColor(..., cv2.COLOR_RGB2GRAY)``. These functions follow the same arithmetic as OpenCV
4.12 and 5.0 for ``uint8`` images (fixed-point and float32 steps, rounding included), so the
pixels, and therefore every hash, are unchanged; ``tests/media/test_imageops.py`` compares
them with OpenCV on real frames.

OpenCV's ``INTER_AREA`` has three branches, reproduced here:

* both axes shrink by whole factors: the mean of each block (integer sum; ``(sum + 2) >> 2``
  for 2 x 2 blocks, else ``sum * float32(1 / area)`` rounded half to even);
* both axes shrink: fractional-overlap weights per axis (float32), applied separably, the
  horizontal pass first, accumulated in the same order as OpenCV;
* any axis grows: OpenCV falls back to a bilinear resample with "area" coefficients in 11-bit
  fixed point; its vertical pass uses the SIMD arithmetic (the product's high 16 bits of
  the row shifted right by 4, then a rounding shift by 2).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ..errors import InvalidArgumentError

__all__ = ["resize_area", "rgb_to_grey"]

# OpenCV's 8-bit RGB -> grey weights (ITU-R BT.601 luma: 0.299, 0.587, 0.114) in 15-bit fixed point.
_GREY_WEIGHTS = (9798, 19235, 3735)
_GREY_SHIFT = 15
# OpenCV's fixed-point precision of bilinear coefficients (INTER_RESIZE_COEF_BITS = 11).
_COEF_BITS = 11
_COEF_ONE = 1 << _COEF_BITS
# Rows per chunk of the horizontal pass, so a large still never needs a float copy of itself.
_CHUNK_ROWS = 256
_DBL_EPSILON = float(np.finfo(np.float64).eps)


def _check_image(image: np.ndarray, what: str) -> np.ndarray:
    if not isinstance(image, np.ndarray):
        raise InvalidArgumentError(f"{what} must be a numpy array (got {type(image).__name__})")
    if image.dtype != np.uint8:
        raise InvalidArgumentError(f"{what} must have dtype uint8 (got {image.dtype})")
    if image.ndim not in (2, 3) or image.shape[0] < 1 or image.shape[1] < 1 or (image.ndim == 3 and image.shape[2] < 1):
        raise InvalidArgumentError(f"{what} must have shape (H, W) or (H, W, C), not empty (got {image.shape})")
    return image


def rgb_to_grey(image: np.ndarray) -> np.ndarray:
    """Luma of an RGB image, as ``cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)``.

    Parameters
    ----------
    image : numpy.ndarray of uint8, shape (H, W, 3)
        RGB pixels.

    Returns
    -------
    numpy.ndarray of uint8, shape (H, W)
        ``(9798 R + 19235 G + 3735 B + 2**14) >> 15``, OpenCV's fixed-point BT.601 luma.

    Raises
    ------
    InvalidArgumentError
        When ``image`` is not a uint8 array of shape (H, W, 3).
    """
    _check_image(image, "'image'")
    if image.ndim != 3 or image.shape[2] != 3:
        raise InvalidArgumentError(f"'image' must have shape (H, W, 3) (got {image.shape})")
    wr, wg, wb = _GREY_WEIGHTS
    px = image.astype(np.uint32)
    grey = (px[..., 0] * wr + px[..., 1] * wg + px[..., 2] * wb + (1 << (_GREY_SHIFT - 1))) >> _GREY_SHIFT
    return grey.astype(np.uint8)


@functools.lru_cache(maxsize=256)
def _area_taps(src_len: int, dst_len: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Source index and float32 weight of tap k of each output pixel, shape (taps, dst_len).

    The overlap of output cell ``[d * scale, (d + 1) * scale)`` with each source pixel,
    divided by the cell's width (OpenCV's ``computeResizeAreaTab``); missing taps weigh 0.
    """
    taps: list[list[tuple[int, np.float32]]] = []
    for d in range(dst_len):
        f1 = d * scale
        f2 = f1 + scale
        cell = min(scale, src_len - f1)
        s2 = min(math.floor(f2), src_len - 1)
        s1 = min(math.ceil(f1), s2)
        row: list[tuple[int, np.float32]] = []
        if s1 - f1 > 1e-3:
            row.append((s1 - 1, np.float32((s1 - f1) / cell)))
        row.extend((s, np.float32(1.0 / cell)) for s in range(s1, s2))
        if f2 - s2 > 1e-3:
            row.append((s2, np.float32(min(f2 - s2, 1.0, cell) / cell)))
        taps.append(row)
    n = max(len(row) for row in taps)
    index = np.zeros((n, dst_len), np.intp)
    weight = np.zeros((n, dst_len), np.float32)
    for d, row in enumerate(taps):
        for k, (s, w) in enumerate(row):
            index[k, d] = s
            weight[k, d] = w
    index.flags.writeable = False
    weight.flags.writeable = False
    return index, weight


@functools.lru_cache(maxsize=256)
def _linear_taps(src_len: int, dst_len: int, scale: float, inv_scale: float) -> tuple[np.ndarray, np.ndarray]:
    """First source index and the two 11-bit weights of each output pixel (OpenCV's
    ``INTER_AREA`` fallback when an axis grows)."""
    index = np.empty(dst_len, np.intp)
    weight = np.empty((dst_len, 2), np.int64)
    for d in range(dst_len):
        s = math.floor(d * scale)
        fx = np.float32((d + 1) - (s + 1) * inv_scale)
        fx = np.float32(0.0) if fx <= 0 else np.float32(fx - math.floor(fx))
        if s >= src_len - 1:
            s, fx = src_len - 1, np.float32(0.0)
        index[d] = s
        # float32 coefficient times 2048, rounded half to even (OpenCV's saturate_cast<short>)
        weight[d, 0] = int(np.rint((np.float32(1.0) - fx) * np.float32(_COEF_ONE)))
        weight[d, 1] = int(np.rint(fx * np.float32(_COEF_ONE)))
    index.flags.writeable = False
    weight.flags.writeable = False
    return index, weight


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(values, 0, 255).astype(np.uint8)


def _block_mean(image: np.ndarray, width: int, height: int, fx: int, fy: int) -> np.ndarray:
    trail = image.shape[2:]
    out = np.empty((height, width, *trail), np.uint8)
    step = max(1, _CHUNK_ROWS // fy)  # output rows per chunk, so the int64 copy stays small
    for y0 in range(0, height, step):
        y1 = min(height, y0 + step)
        block = image[y0 * fy:y1 * fy, :width * fx].astype(np.int64)
        total = block.reshape((y1 - y0, fy, width, fx, *trail)).sum(axis=(1, 3))
        if fx == 2 and fy == 2:
            out[y0:y1] = _to_uint8((total + 2) >> 2)
        else:
            out[y0:y1] = _to_uint8(np.rint(total.astype(np.float32) * np.float32(1.0 / (fx * fy))))
    return out


def _area_shrink(image: np.ndarray, width: int, height: int, scale_x: float, scale_y: float) -> np.ndarray:
    h, w = image.shape[:2]
    trail = image.shape[2:]
    extra = (None,) * len(trail)
    x_index, x_weight = _area_taps(w, width, scale_x)
    y_index, y_weight = _area_taps(h, height, scale_y)
    # horizontal pass in float32, tap by tap in OpenCV's order (float sums depend on the order),
    # on columns made rows (gathering whole rows is several times faster than gathering columns)
    rows = np.empty((h, width, *trail), np.float32)
    for r0 in range(0, h, _CHUNK_ROWS):
        cols = np.ascontiguousarray(np.swapaxes(image[r0:r0 + _CHUNK_ROWS], 0, 1)).astype(np.float32)
        acc = np.zeros((width, *cols.shape[1:]), np.float32)
        for k in range(x_index.shape[0]):
            acc += cols[x_index[k]] * x_weight[k][(slice(None), None, *extra)]
        rows[r0:r0 + _CHUNK_ROWS] = np.swapaxes(acc, 0, 1)
    out = np.zeros((height, width, *trail), np.float32)
    for k in range(y_index.shape[0]):
        out += rows[y_index[k]] * y_weight[k][(slice(None), None, *extra)]
    return _to_uint8(np.rint(out))


def _area_grow(image: np.ndarray, width: int, height: int) -> np.ndarray:
    h, w = image.shape[:2]
    trail = image.shape[2:]
    extra = (None,) * len(trail)
    x_index, x_weight = _linear_taps(w, width, 1.0 / (width / w), width / w)
    y_index, y_weight = _linear_taps(h, height, 1.0 / (height / h), height / h)
    src = image.astype(np.int64)
    wx = (None, slice(None), *extra)
    rows = src[:, x_index] * x_weight[:, 0][wx] + src[:, np.minimum(x_index + 1, w - 1)] * x_weight[:, 1][wx]
    top = rows[y_index]
    bottom = rows[np.minimum(y_index + 1, h - 1)]
    wy = (slice(None), None, *extra)
    # OpenCV's SIMD vertical pass: high 16 bits of (row >> 4) * beta, summed, rounding shift by 2
    mixed = (((top >> 4) * y_weight[:, 0][wy]) >> 16) + (((bottom >> 4) * y_weight[:, 1][wy]) >> 16)
    return _to_uint8((mixed + 2) >> 2)


def resize_area(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resample an image to ``size`` as ``cv2.resize(image, size, interpolation=cv2.INTER_AREA)``.

    Each output pixel is the mean of the source area it covers (OpenCV's branches for whole
    and fractional factors); when an axis grows, OpenCV's bilinear fallback. The result equals
    OpenCV's bit for bit for uint8 images.

    Parameters
    ----------
    image : numpy.ndarray of uint8, shape (H, W) or (H, W, C)
        Pixels; every channel is resampled alike.
    size : tuple of int
        ``(width, height)`` of the result [px], each at least 1 (OpenCV's and Pillow's order).

    Returns
    -------
    numpy.ndarray of uint8, shape (height, width) or (height, width, C)
        A new array, also when ``size`` is the image's own.

    Raises
    ------
    InvalidArgumentError
        When ``image`` is not a non-empty uint8 array or ``size`` is not two positive ints.

    Examples
    --------
    >>> import numpy as np
    >>> resize_area(np.arange(16, dtype=np.uint8).reshape(4, 4), (2, 2))
    array([[ 3,  5],
           [11, 13]], dtype=uint8)
    """
    _check_image(image, "'image'")
    if (not isinstance(size, (tuple, list)) or len(size) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1 for v in size)):
        raise InvalidArgumentError(f"'size' must be (width, height) in whole pixels >= 1 (got {size!r})")
    width, height = int(size[0]), int(size[1])
    h, w = image.shape[:2]
    if (width, height) == (w, h):
        return image.copy()
    # the scale factors exactly as OpenCV derives them from the sizes (double precision)
    scale_x, scale_y = 1.0 / (width / w), 1.0 / (height / h)
    if scale_x >= 1 and scale_y >= 1:
        fx, fy = int(round(scale_x)), int(round(scale_y))
        if abs(scale_x - fx) < _DBL_EPSILON and abs(scale_y - fy) < _DBL_EPSILON:
            return _block_mean(image, width, height, fx, fy)
        return _area_shrink(image, width, height, scale_x, scale_y)
    return _area_grow(image, width, height)
