"""Border and overlay detection: letterbox bars, blurred fill and static bands (pure functions over arrays)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError

__all__ = ["Borders", "crop_frame", "detect_borders", "grey"]

# Border detection tuning (grey levels 0-255 on the decoded, downscaled frames).
_FLAT_STD = 3.0          # a row whose std across the frame is below this is a flat bar
_FLAT_DRIFT = 2.0        # ... and whose mean level varies over time by less than this
_FLAT_SHARE = 0.8        # ... in at least this share of the frames
_BLUR_RATIO = 0.12       # a row whose detail is below this share of the centre's is blurred fill
_SYM_BLUR_RATIO = 0.30   # ... the looser level used when the fill is symmetric (a reframe)
_GAP = 0.03              # a border run may cross thin foreign bands (a progress bar) up to this share
_SYMMETRY_TOL = 0.10     # blurred fill on two opposite sides equal within this share: a reframe
_LOOSE_MIN = 0.03        # a blur/static band is only trusted when it adds this share to the flat bar
_STATIC_STD = 1.0        # a row whose pixels do not move over time (std below this) is an overlay
_MOTION_MIN = 6.0        # ... provided the centre of the clip moves at least this much
_MAX_BORDER = 0.45       # at most this share of the height (width) per side
_MAX_BORDER_FRAMES = 24  # borders are judged on at most this many frames, evenly spread
_MIN_BORDER = 0.02       # bands thinner than this share are ignored
_STABLE_SUBSETS = 3      # a cut must be found again on each of this many interleaved frame subsets
_STABLE_TOL = 0.02       # ... within this share of the side
_STANDARD_ASPECTS = (16 / 9, 4 / 3, 1.0, 3 / 4, 9 / 16)
_ASPECT_TOL = 0.04       # relative tolerance on the aspect left after cutting blur/static bands
_EDGE_MIN = 3.0          # a picture edge: the whole row (column) steps by at least this many levels
_EDGE_RATIO = 4.0        # ... and by this many times the steps of the rows (columns) around it
_EDGE_FILL_DETAIL = 0.5  # ... with fill outside it carrying at most this share of the picture's detail
_EDGE_MAX_INNER = 3      # ... and at most this many straight edges inside the picture


@dataclass(frozen=True)
class Borders:
    """Pixels to cut from each side of a frame [px].

    Attributes
    ----------
    top, bottom, left, right : int
    kind : str
        What was found: ``"none"`` or a ``+``-joined set of ``"flat"``, ``"blur"``,
        ``"static"``.
    """

    top: int = 0
    bottom: int = 0
    left: int = 0
    right: int = 0
    kind: str = "none"

    @property
    def any(self) -> bool:
        """True when at least one side is cut."""
        return bool(self.top or self.bottom or self.left or self.right)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return dict(self.__dict__)


def grey(image: np.ndarray) -> np.ndarray:
    img = np.asarray(image, dtype=np.float32)
    if img.ndim == 3:
        img = img[..., 0] * 0.299 + img[..., 1] * 0.587 + img[..., 2] * 0.114
    return img


def _edge_run(flags: np.ndarray, limit: int) -> int:
    """Length of the run of True at the start of ``flags``, capped at ``limit``."""
    n = 0
    while n < min(limit, flags.size) and flags[n]:
        n += 1
    return n


def _close_gaps(flags: np.ndarray, gap: int) -> np.ndarray:
    """Fill runs of False no longer than ``gap`` that lie between two True values."""
    out = flags.copy()
    idx = np.flatnonzero(flags)
    if idx.size >= 2:
        for a, b in zip(idx[:-1], idx[1:]):
            if 1 < b - a <= gap + 1:
                out[a + 1:b] = True
    return out


def _agree(a: Borders, b: Borders, h: int, w: int) -> bool:
    """True when two cuts differ by at most :data:`_STABLE_TOL` of the side on every side."""
    th, tw = max(2, int(round(_STABLE_TOL * h))), max(2, int(round(_STABLE_TOL * w)))
    return (abs(a.top - b.top) <= th and abs(a.bottom - b.bottom) <= th
            and abs(a.left - b.left) <= tw and abs(a.right - b.right) <= tw)


def detect_borders(images: Sequence[np.ndarray]) -> Borders:
    """Find bars, blurred fill and static overlay bands around the picture of a clip.

    A row (column) counts as border when, in most frames, it is flat (grey std below a few
    levels: letterbox or pillarbox bars of any colour), or carries far less detail than the
    centre of the picture (a blurred-fill background), or, in a clip whose centre moves, it
    never changes (a static overlay such as a player's UI bars). The border on each side is
    the unbroken run of such rows from the edge inwards, if it is at least 2% and at most 45%
    of the frame.

    The decision must not depend on which frames were sampled (an index samples 4 frames/s, a
    query its keyframes): the cut is also judged on :data:`_STABLE_SUBSETS` interleaved subsets
    of the frames and on the first and second half of the clip, and kept only when every subset
    finds the same cut (within 2% of the side).
    Otherwise only flat bars that every subset finds are cut, or nothing: an unstable cut is
    content (a title card's dark surround, a caption, a plain wall), not a border.

    Parameters
    ----------
    images : sequence of ndarray of uint8, shape (H, W, 3) or (H, W)
        Frames of one clip, all the same size (at most 48, evenly spread, are examined).

    Returns
    -------
    Borders
        Pixels to cut per side, in the frames' own pixels.
    """
    if len(images) == 0:
        return Borders()
    shape = np.asarray(images[0]).shape[:2]
    if any(np.asarray(im).shape[:2] != shape for im in images):
        raise InvalidArgumentError("detect_borders needs frames of one size")
    h, w = shape
    if h < 16 or w < 16:
        return Borders()
    pool = list(images)
    if len(pool) > _STABLE_SUBSETS * _MAX_BORDER_FRAMES // 2:
        pool = [pool[i] for i in np.linspace(0, len(pool) - 1, _STABLE_SUBSETS * _MAX_BORDER_FRAMES // 2)
                .round().astype(int)]
    found = _detect(pool, flat_only=False)
    if not found.any or len(pool) < 2 * _STABLE_SUBSETS:
        return found
    # interleaved subsets (another sampling of the same clip) and the two halves of the clip
    # (a cut that only one stretch of a multi-shot clip has is not the clip's border)
    half = len(pool) // 2
    subsets = [pool[i::_STABLE_SUBSETS] for i in range(_STABLE_SUBSETS)] + [pool[:half], pool[half:]]
    if all(_agree(_detect(sub, flat_only=False), found, h, w) for sub in subsets):
        return found
    flat = _detect(pool, flat_only=True)
    if flat.any and all(_agree(_detect(sub, flat_only=True), flat, h, w) for sub in subsets):
        return flat
    return Borders()


def _detect(images: Sequence[np.ndarray], *, flat_only: bool) -> Borders:
    """One border decision over frames of one size (see :func:`detect_borders`)."""
    h, w = np.asarray(images[0]).shape[:2]
    if len(images) > _MAX_BORDER_FRAMES:  # evenly spread frames say as much as all of them
        images = [images[i] for i in np.linspace(0, len(images) - 1, _MAX_BORDER_FRAMES).round().astype(int)]
    stack = np.stack([grey(im) for im in images])  # (n, h, w)
    gy = np.abs(np.diff(stack, axis=1))
    gx = np.abs(np.diff(stack, axis=2))
    detail = np.zeros_like(stack)
    detail[:, :-1, :] += gy
    detail[:, :, :-1] += gx
    ch0, ch1, cw0, cw1 = h * 3 // 8, h * 5 // 8, w * 3 // 8, w * 5 // 8
    centre_detail = float(np.median(detail[:, ch0:ch1, cw0:cw1].mean(axis=(1, 2))))
    n = stack.shape[0]
    temporal = stack.std(axis=0) if n >= 3 else None
    moving = temporal is not None and float(temporal[ch0:ch1, cw0:cw1].mean()) >= _MOTION_MIN
    def side(axis: int, reverse: bool) -> dict[str, int]:
        """Border run from one edge per criterion set; axis 1: rows, axis 2: columns."""
        length = h if axis == 1 else w
        other = 2 if axis == 1 else 1
        # Use the central 80% of the other dimension so a neighbouring band does not count.
        osz = w if axis == 1 else h
        lo, hi = osz // 10, osz - osz // 10
        sl = (slice(None), slice(None), slice(lo, hi)) if axis == 1 else (slice(None), slice(lo, hi), slice(None))
        sub = stack[sl]
        dsub = detail[sl]
        flat = (sub.std(axis=other) < _FLAT_STD).mean(axis=0) >= _FLAT_SHARE
        if n >= 3:  # bars keep their level over time; a smooth sky or wall drifts
            flat &= sub.mean(axis=other).std(axis=0) < _FLAT_DRIFT
        row_detail = np.median(dsub.mean(axis=other), axis=0)
        blur = row_detail < _BLUR_RATIO * max(centre_detail, 1e-3)
        sym_blur = row_detail < _SYM_BLUR_RATIO * max(centre_detail, 1e-3)
        static = np.zeros(length, dtype=bool)
        if moving and temporal is not None:
            tsub = temporal[sl[1:]]
            static = tsub.mean(axis=other - 1) < _STATIC_STD
        if reverse:
            flat, blur, static, sym_blur = flat[::-1], blur[::-1], static[::-1], sym_blur[::-1]
        limit = int(_MAX_BORDER * length)
        minimum = max(2, int(np.ceil(_MIN_BORDER * length)))
        gap = max(2, int(round(_GAP * length)))
        out = {}
        for name, flags in (("flat", flat), ("blur", flat | blur), ("all", flat | blur | static)):
            run = _edge_run(_close_gaps(flags, gap), limit)
            out[name] = run if run >= minimum else 0
        run = _edge_run(_close_gaps(flat | sym_blur, gap), limit)
        out["blur_only"] = run if run >= minimum and sym_blur[:run].mean() > 0.5 else 0
        return out

    sides = [side(1, False), side(1, True), side(2, False), side(2, True)]

    def edge_cut(axis: int) -> int:
        """Symmetric fill cut on one axis from the picture's own straight edges (0: none).

        Blurred fill made from a low-detail picture (sky, a plain wall) is not less detailed
        than the picture's centre, so the detail test misses it; the boundary between fill and
        picture is still a straight line across the whole frame, at the same distance from both
        edges, that every column (row) crosses with a step.
        """
        length = h if axis == 1 else w
        other = 2 if axis == 1 else 1
        osz = w if axis == 1 else h
        lo, hi = osz // 10, osz - osz // 10
        sub = stack[:, :, lo:hi] if axis == 1 else stack[:, lo:hi, :]
        # step[i]: typical jump between line i and i + 1, median over the other axis and frames
        step = np.median(np.median(np.abs(np.diff(sub, axis=axis)), axis=other), axis=0)
        lines = np.median(detail.mean(axis=other), axis=0)
        limit, minimum = int(_MAX_BORDER * length), max(2, int(np.ceil(_MIN_BORDER * length)))

        def edge_strength(i: int) -> float:
            """How many times line i's step exceeds its surroundings' (0: not a local peak)."""
            if step[i] < step[max(0, i - 1):i + 2].max():
                return 0.0
            around = np.r_[step[max(0, i - 8):max(0, i - 1)], step[i + 2:i + 9]]
            base = float(np.median(around)) if around.size else 0.0
            return float(step[i]) / (_EDGE_RATIO * base + 1.0)

        # Only fill on the long sides of the frame (a landscape picture in a portrait frame or
        # the reverse), and a picture with few straight edges of its own (a horizon, a car's
        # bonnet): low-bitrate block artefacts put straight steps on a regular grid, which is
        # no picture boundary.
        if length <= osz:
            return 0
        strength = np.array([edge_strength(i) for i in range(length - 1)])
        strong = np.flatnonzero((strength >= 1.0) & (step >= _EDGE_MIN))
        tol = max(2, int(round(0.01 * length)))
        for cut in range(minimum, limit + 1):
            for far in range(max(minimum, cut - tol), min(limit, cut + tol) + 1):
                a, b = cut - 1, length - far - 1
                # one edge strong, its mirror at least a clear local peak (fill made from a
                # plain wall may meet the picture's wall with a small step)
                if not ((a in strong and strength[b] >= 1.0) or (b in strong and strength[a] >= 1.0)):
                    continue
                inner = length - cut - far
                if inner > osz or inner < length // 8 or ((strong > a + 2) & (strong < b - 2)).sum() > _EDGE_MAX_INNER:
                    continue
                fill = np.r_[lines[:cut], lines[length - far:]]
                if float(np.median(fill)) <= _EDGE_FILL_DETAIL * float(np.median(lines[cut:length - far])):
                    return min(cut, far)
        return 0

    def valid(c: list[int]) -> bool:
        return h - c[0] - c[1] >= h // 8 and w - c[2] - c[3] >= w // 8

    def standard(c: list[int]) -> bool:
        ch, cw = h - c[0] - c[1], w - c[2] - c[3]
        aspect = cw / max(ch, 1)
        return any(abs(aspect / a - 1.0) <= _ASPECT_TOL for a in _STANDARD_ASPECTS)

    strict = [s["flat"] for s in sides]
    sizes = [h, h, w, w]
    chosen = strict if valid(strict) else [0, 0, 0, 0]
    kinds: set[str] = {"flat"} if any(chosen) else set()
    if flat_only:
        return Borders(chosen[0], chosen[1], chosen[2], chosen[3], "flat" if any(chosen) else "none")
    # A clean pair of straight edges, symmetric on the long sides, is the most specific cue of
    # a reframe or of bars; it wins over flat, detail and stillness runs, which flat or still
    # picture content next to the fill (a clear sky, a car's bonnet) can lengthen.
    long_side = 0 if h > w else 2
    edge = edge_cut(1 if long_side == 0 else 2)
    framed = list(strict)
    framed[long_side] = framed[long_side + 1] = edge
    if edge and valid(framed):
        top, bottom, left, right = framed
        return Borders(top, bottom, left, right, "blur+flat")
    # Blurred fill and static overlays are only trusted when what remains has a standard
    # picture shape, or when blurred fill sits symmetrically on two opposite sides (a 9:16
    # reframe, whose zoomed picture need not have a standard shape): natural smooth or still
    # areas (sky, walls, the still half of a fixed camera's view) must not be cut. A band that
    # adds less than 5% to the flat bar is not trusted either.
    for key, names in (("all", {"flat", "blur", "static"}), ("blur", {"flat", "blur"})):
        loose = [s[key] if s[key] - s["flat"] >= _LOOSE_MIN * size else s["flat"]
                 for s, size in zip(sides, sizes)]
        if loose != strict and valid(loose) and standard(loose):
            chosen, kinds = loose, names
            break
    else:
        sym = list(strict)
        for a, b in ((0, 1), (2, 3)):
            ra = max(sides[a]["blur_only"], sides[a]["all"])
            rb = max(sides[b]["blur_only"], sides[b]["all"])
            cut = min(ra, rb)
            # the picture left between the fill has the other orientation (a landscape clip
            # in a portrait frame, or a portrait clip in a landscape one)
            # (fill above and below the picture only in a portrait frame, beside it only in a
            # landscape one: in a landscape frame dark or plain bands above and below a
            # landscape picture are content such as a title card's surround)
            other = (h > w and w / max(h - 2 * cut, 1) >= 1.0) if a == 0 else (w > h and (w - 2 * cut) / h <= 1.0)
            if ((sides[a]["blur_only"] or sides[b]["blur_only"]) and ra and rb and other
                    and abs(ra - rb) <= _SYMMETRY_TOL * sizes[a]):
                # a centred picture: the fill is equal on both sides (a caption band on the
                # fill may lengthen one run; smooth picture content may too): take the shorter
                sym[a] = sym[b] = max(cut, strict[a], strict[b])
        if sym != strict and valid(sym):
            chosen, kinds = sym, {"flat", "blur"}
    top, bottom, left, right = chosen
    kind = "+".join(sorted(kinds)) if (top or bottom or left or right) else "none"
    return Borders(top, bottom, left, right, kind)


def crop_frame(image: np.ndarray, borders: Borders) -> np.ndarray:
    """Cut ``borders`` off ``image`` (a view, no copy)."""
    h, w = image.shape[:2]
    return image[borders.top:h - borders.bottom, borders.left:w - borders.right]


