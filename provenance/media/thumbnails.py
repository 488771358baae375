"""Small JPEG thumbnails of decoded frames, for reports.

A pure helper over pixel arrays: it never opens a file. ``analyze`` calls it on the
keyframes it already decoded, so a report can show what was matched without keeping
full frames.
"""

from __future__ import annotations

import io

import numpy as np

from ..errors import InvalidArgumentError
from .imageops import resize_area

__all__ = ["DEFAULT_MAX_SIDE", "DEFAULT_QUALITY", "JPEG_MAGIC", "make_thumbnail"]

#: Default longer side of a thumbnail [px].
DEFAULT_MAX_SIDE = 160
#: Default JPEG quality (0-100); 70 keeps a 160 px frame near 4-8 KB.
DEFAULT_QUALITY = 70
#: The first bytes of every JPEG file (SOI marker and the start of the next marker).
JPEG_MAGIC = b"\xff\xd8\xff"


def make_thumbnail(image_rgb: np.ndarray, max_side: int = DEFAULT_MAX_SIDE, *,
                   quality: int = DEFAULT_QUALITY) -> bytes:
    """Encode a downscaled JPEG of an RGB frame.

    Parameters
    ----------
    image_rgb : numpy.ndarray of uint8, shape (H, W, 3) or (H, W)
        RGB (or grey) pixels, as in :class:`provenance.frames.Keyframe`.
    max_side : int, optional
        Longer side of the thumbnail [px], 8 to 4096; default 160. Smaller images are
        not enlarged.
    quality : int, optional
        JPEG quality, 1 to 100; default 70.

    Returns
    -------
    bytes
        A baseline JPEG file.

    Raises
    ------
    InvalidArgumentError
        When the array is not uint8 (H, W, 3) / (H, W), is empty, or an option is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> jpeg = make_thumbnail(np.zeros((720, 1280, 3), np.uint8))
    >>> jpeg[:3] == JPEG_MAGIC
    True
    """
    from PIL import Image

    if isinstance(max_side, bool) or not isinstance(max_side, (int, np.integer)) or not 8 <= max_side <= 4096:
        raise InvalidArgumentError(f"'max_side' must be an int of pixels in [8, 4096] (got {max_side!r})")
    if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)) or not 1 <= quality <= 100:
        raise InvalidArgumentError(f"'quality' must be an int in [1, 100] (got {quality!r})")
    if not isinstance(image_rgb, np.ndarray):
        raise InvalidArgumentError(f"'image_rgb' must be a numpy array (got {type(image_rgb).__name__})")
    img = image_rgb
    if img.dtype != np.uint8:
        raise InvalidArgumentError(f"'image_rgb' must have dtype uint8 (got {img.dtype})")
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if not (img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 3)):
        raise InvalidArgumentError(f"'image_rgb' must have shape (H, W, 3) or (H, W) (got {image_rgb.shape})")
    h, w = img.shape[:2]
    if h == 0 or w == 0:
        raise InvalidArgumentError(f"'image_rgb' is empty (shape {image_rgb.shape})")
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        img = resize_area(img, size)
    buf = io.BytesIO()
    # baseline (not progressive) JPEG with 4:2:0 chroma, as every browser and viewer reads it
    Image.fromarray(np.ascontiguousarray(img)).save(buf, format="JPEG", quality=int(quality))
    return buf.getvalue()
