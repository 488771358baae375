"""Layout search: regions of a frame that may hold other footage (pure functions over arrays).

A re-upload often shows known footage as *part* of its picture: an inset over other video
(picture-in-picture), one cell of a 2 x 2 or 3 x 3 compilation grid, one side of a split
screen, the picture of a screen recording inside a player's chrome, or a monitor filmed with a
phone (a bright quadrilateral seen in perspective). The whole-frame hash of such a clip is
dominated by everything else, so these regions are found from the picture's own structure and
hashed like queries of their own (:func:`provenance.hashing.fingerprinting.fingerprint_images`).

Evidence, over the sampled frames of one clip:

- **Persistent straight edges.** A boundary between two pictures (or between a picture and its
  frame or chrome) is a step at the same row (column) in most frames, whatever either picture
  shows; natural edges move with the content. A pixel boundary counts when it steps by
  :data:`EDGE_LEVEL` grey levels in at least :data:`EDGE_PERSISTENCE` of the frames and its
  neighbours :data:`EDGE_NEIGHBOUR_PX` away do not.
- **Steps in temporal variance.** A moving picture next to static chrome: the temporal grey
  std on one side is at least :data:`MOTION_STEP` times the other's, which is static.
- **Bright quadrilaterals.** A filmed screen is brighter than its surround and moves; its
  outline is fitted with four straight lines whose intersections are the corners
  (:func:`rectify_quad` then maps it to a rectangle with a homography).

Decisions (:func:`propose_regions`):

- **Grids and split screens**: lines across the whole frame (:data:`FULL_LINE_COVER`) where an
  even division puts them (:data:`GRID_POSITIONS`; a gutter's two edges count as one divider)
  cut it into cells; two cells are a ``"split"``, more are ``"grid_cell"``. Grids are even: dividers
  seen on one axis only are completed on the other (:func:`_even_grid`; clips fitted into their
  cells with bars meet bar to bar, and that divider shows no edge).
- **Insets and screens**: rectangles with at least two sides on lines (the others the frame's
  own edges), each covered over :data:`SIDE_COVER` of its length (one of four may be weaker,
  :data:`WEAK_SIDE_COVER`, or placed where the footage's aspect puts it), stepping by varying
  amounts (:data:`EDGE_VARIATION`), with a standard aspect (:data:`STANDARD_ASPECTS`). An inset
  moving far more than its static surround is a screen recording's picture (``"screen"``).
- Every rectangle's inside must move (:data:`MIN_INSIDE_MOTION`), it spans at least
  :data:`MIN_SIDE_SHARE` of each side and at most :data:`MAX_AREA_SHARE` of the area, and thin
  white or black strips at its edge (an inset's frame, a grid's gap) are cut off.
- **Filmed screens** (``"quad"``), looked for unless a grid was found: a bright, moving region
  in a darker surround whose outline four straight lines fit.

A plain clip has none of this structure and gets no proposal (the cheap pass): none of the
corpus's plain clips, fixed cameras included, gets one (tests/frames/test_layout.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError

__all__ = [
    "MAX_REGIONS",
    "REGION_KINDS",
    "Region",
    "box_iou",
    "propose_regions",
    "rectify_quad",
    "region_image",
]

#: Kinds of region :func:`propose_regions` returns.
REGION_KINDS = ("inset", "grid_cell", "split", "screen", "quad")
#: Most regions proposed per clip (a 3 x 3 grid's nine cells).
MAX_REGIONS = 9
#: Frames examined per clip (evenly spread).
MAX_LAYOUT_FRAMES = 16
#: Fewer frames than this give no proposal: persistence needs a time axis.
MIN_LAYOUT_FRAMES = 3
#: A pixel boundary is an edge in a frame when the grey level steps by this much across it
#: (measured over two pixels, so a compressed, slightly blurred step still counts).
EDGE_LEVEL = 14.0
#: ... in at least this share of the frames (a persistent edge).
EDGE_PERSISTENCE = 0.6
#: ... while the boundaries this many pixels to either side are persistent in at most
#: :data:`EDGE_PERSISTENCE` - :data:`EDGE_CONTRAST` of the frames on one side (texture is not an edge).
EDGE_NEIGHBOUR_PX = 4
EDGE_CONTRAST = 0.4
#: The sides of an inset must step by a varying amount: the temporal std of the signed step along
#: them at least this [levels] on average, and half of it on each side (a fixed camera's own
#: straight edges step the same way in every frame; a picture's still sky against chrome varies little).
EDGE_VARIATION = 8.0
#: Temporal grey std [levels] below which a pixel is static chrome, and the ratio of the moving
#: side's std to it that makes a variance step.
STATIC_LEVEL = 1.5
MOTION_STEP = 4.0
#: The inside of a proposal must move by at least this temporal grey std [levels] on average.
MIN_INSIDE_MOTION = 2.0
#: A rectangle side that is not the frame's edge must be covered by boundaries over this share
#: of its length; a full-frame line (the only inner side of a split) over :data:`FULL_LINE_COVER`.
SIDE_COVER = 0.8
FULL_LINE_COVER = 0.7
#: Compilation grids and split screens divide the frame evenly: their dividers lie at these
#: shares of the side (within :data:`GRID_POSITION_TOL`, which also takes in gutters); a straight
#: edge of a fixed camera's scene (a kerb, a roofline) across the frame elsewhere is no divider.
GRID_POSITIONS = (1 / 3, 1 / 2, 2 / 3)
GRID_POSITION_TOL = 0.03
#: Widest gutter between grid cells [px] whose two edges count as one divider.
GUTTER_PX = 12
#: A grid divider's cover must also be within this much of the best divider's on its axis (see
#: :func:`_grid`).
FULL_LINE_MARGIN = 0.2
#: A rectangle with four inner sides may have one of them covered over this share only (one
#: picture's edge against a background of about its brightness: sky against a white wall).
WEAK_SIDE_COVER = 0.5
#: A line candidate needs a run of boundary pixels of at least this share of the frame's side.
MIN_RUN_SHARE = 0.18
#: Most line candidates kept per axis (strongest first), which bounds the rectangle search.
MAX_LINES = 12
#: Smallest side of a proposal [share of the frame's side] (a picture-in-picture inset of a
#: quarter of the width, a 3 x 3 cell with gutters).
MIN_SIDE_SHARE = 0.2
#: An inset moving :data:`MOTION_STEP` times more than its surround and covering at least this
#: share of the frame [area] is a screen recording's picture (``"screen"``).
SCREEN_MIN_AREA = 0.3
#: Aspects (width / height) insets are trimmed to when a side lies on the frame's edge, and the
#: largest share of the side such a trim may cut.
STANDARD_ASPECTS = (21 / 9, 16 / 9, 4 / 3, 1.0, 3 / 4, 9 / 16)
ASPECT_TRIM = 0.15
#: Aspects tried for an inset's fourth side (:func:`_aspect_insets`), and the share of it that
#: must still be covered by boundaries.
INSET_ASPECTS = (16 / 9, 4 / 3)
VIRTUAL_SIDE_COVER = 0.25
#: An inset's aspect must be within this relative tolerance of a standard one.
ASPECT_TOL = 0.15
#: Flat strips at a region's edge (:func:`_trim_flat`): spatial grey std below this [levels], at
#: most this share of the side where it is the frame's edge, this many pixels elsewhere, and
#: grey levels at most (at least) these.
FLAT_LINE_STD = 6.0
FLAT_TRIM = 0.1
FRAME_LINE_PX = 3
DARK_LEVEL = 24.0
WHITE_LEVEL = 232.0
#: Largest proposal [share of the frame's area]; larger regions are the frame itself.
MAX_AREA_SHARE = 0.85
#: Two proposals overlapping more than this (intersection over union) are one.
MAX_OVERLAP = 0.5
#: A quadrilateral (filmed screen) must cover this share of the frame [area], its four fitted
#: sides must each have at least :data:`QUAD_INLIERS` of their outline points within
#: :data:`QUAD_TOL_PX` of the line, and its inside must be :data:`QUAD_CONTRAST` grey levels
#: brighter than the band around it.
QUAD_MIN_AREA = 0.12
QUAD_MAX_AREA = 0.9
QUAD_INLIERS = 0.7
QUAD_TOL_PX = 2.0
QUAD_CONTRAST = 20.0
#: A screen darker than its surround (:func:`_quad` with ``dark``) needs its bezel, the 3 px just
#: inside its outline, this many grey levels darker than the band just outside: a blurred,
#: thin bezel seen obliquely (phones filming monitors on the tuning half) keeps 15-17 of them.
QUAD_DARK_CONTRAST = 12.0
#: A fitted quadrilateral whose corners all lie within this many pixels of an axis-aligned
#: rectangle is left to the rectangle search.
QUAD_AXIS_TOL_PX = 3.0
#: A quadrilateral replaces the rectangles whose overlap with its bounding box (intersection
#: over union) is above this.
QUAD_REPLACES = 0.3
#: Longer side [px] of a rectified quadrilateral.
RECTIFIED_SIDE = 192


@dataclass(frozen=True)
class Region:
    """A part of the frame that may hold other footage.

    Attributes
    ----------
    kind : str
        One of :data:`REGION_KINDS`: ``"inset"`` (picture-in-picture), ``"grid_cell"`` (a cell
        of a compilation grid of three or more cells), ``"split"`` (one side of a two-way split
        screen), ``"screen"`` (a picture inside static chrome: a screen recording) or
        ``"quad"`` (a screen filmed in perspective; see ``corners``).
    box : tuple of int
        ``(x0, y0, x1, y1)`` [px] in the frames given, ``x1``/``y1`` exclusive; for a quad its
        bounding box.
    edge_strength : float
        Share (0..1) of the region's inner sides covered by persistent edges or variance steps
        (for a quad: the share of its outline points on the fitted lines).
    persistence : float
        Mean share (0..1) of the frames in which its sides were an edge.
    motion_ratio : float
        Temporal grey std inside divided by the std just outside (large: a moving picture in
        static chrome; about 1: a picture beside another moving picture).
    corners : tuple of (float, float), optional
        For a quad: the corners ``(x, y)`` [px] clockwise from the top-left; None otherwise.
    frame_size : tuple of int
        ``(width, height)`` [px] of the frames the region was found in.
    """

    kind: str
    box: tuple[int, int, int, int]
    edge_strength: float
    persistence: float
    motion_ratio: float
    corners: tuple[tuple[float, float], ...] | None = None
    frame_size: tuple[int, int] = (0, 0)

    @property
    def shares(self) -> tuple[float, float, float, float]:
        """``box`` as shares (0..1) of the frame's width and height."""
        w, h = self.frame_size
        x0, y0, x1, y1 = self.box
        return (x0 / w, y0 / h, x1 / w, y1 / h) if w and h else (0.0, 0.0, 0.0, 0.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        d = dict(self.__dict__)
        d["box"] = list(self.box)
        d["frame_size"] = list(self.frame_size)
        d["corners"] = [list(c) for c in self.corners] if self.corners is not None else None
        return d


def _grey_stack(images: Sequence[np.ndarray]) -> np.ndarray:
    """(n, H, W) float32 grey levels of at most :data:`MAX_LAYOUT_FRAMES` evenly spread frames."""
    idx = np.unique(np.linspace(0, len(images) - 1, min(len(images), MAX_LAYOUT_FRAMES)).round().astype(int))
    stack = np.stack([np.asarray(images[i]) for i in idx])
    if stack.ndim == 4:
        return stack @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return stack.astype(np.float32)


def _boundary_map(g: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boundary score (0..1) and step variation [grey levels] of the rows of ``g`` (n, H, W).

    Row y is a boundary between rows y-1 and y+1 when it is a persistent edge there or a step in
    the temporal std ``s`` (H, W). The variation is the temporal std of the signed step: a
    boundary between two pictures steps differently as their content changes, a fixed camera's
    own edge (a kerb, a roofline) steps the same way in every frame.
    """
    n, h, w = g.shape
    out = np.zeros((h, w), dtype=np.float32)
    vary = np.zeros((h, w), dtype=np.float32)
    if h < 2 * EDGE_NEIGHBOUR_PX + 7:
        return out, vary
    signed = g[:, 2:] - g[:, :-2]                               # step at row y+1 of the frame
    p = (np.abs(signed) >= EDGE_LEVEL).mean(axis=0, dtype=np.float32)   # (H-2, W)
    vary[1:h - 1] = signed.std(axis=0)
    k = EDGE_NEIGHBOUR_PX
    core = p[k:-k]
    side = np.minimum(p[:-2 * k], p[2 * k:])
    edge = (core >= EDGE_PERSISTENCE) & (core - side >= EDGE_CONTRAST)
    out[1 + k:h - 1 - k] = np.where(edge, core, 0.0)
    # variance steps: the mean temporal std over 3 rows on each side
    c = np.cumsum(np.pad(s, ((1, 0), (0, 0))), axis=0)   # c[k]: sum of rows 0..k-1
    mean_up = (c[3:h - 3] - c[0:h - 6]) / 3.0                # rows y-3..y-1 for y = 3..h-4
    mean_dn = (c[7:h + 1] - c[4:h - 2]) / 3.0                # rows y+1..y+3
    lo, hi = np.minimum(mean_up, mean_dn), np.maximum(mean_up, mean_dn)
    var_step = (lo <= STATIC_LEVEL) & (hi >= MOTION_STEP * np.maximum(lo, 0.5))
    rows = np.arange(3, h - 3)
    out[rows] = np.maximum(out[rows], np.where(var_step, 1.0, 0.0))
    vary[rows] = np.where(var_step, np.maximum(vary[rows], EDGE_VARIATION), vary[rows])
    return out, vary


def _runs(flags: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """(start, end) of the runs of True in a 1-D array, bridging gaps up to ``gap``."""
    idx = np.flatnonzero(flags)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > gap + 1)
    starts = np.r_[idx[0], idx[breaks + 1]]
    ends = np.r_[idx[breaks], idx[-1]] + 1
    return list(zip(starts.tolist(), ends.tolist()))


def _line_candidates(b: np.ndarray) -> list[int]:
    """Rows of the boundary map ``b`` (H, W) that carry a long run, strongest first, one per
    neighbourhood of :data:`EDGE_NEIGHBOUR_PX` rows."""
    h, w = b.shape
    on = b > 0
    best = np.zeros(h)
    for y in np.flatnonzero(on.sum(axis=1) >= MIN_RUN_SHARE * w):
        runs = _runs(on[y], 3)
        best[y] = max(e - s for s, e in runs) if runs else 0
    order = np.argsort(-best, kind="stable")
    chosen: list[int] = []
    for y in order:
        if best[y] < MIN_RUN_SHARE * w or len(chosen) >= MAX_LINES:
            break
        if all(abs(int(y) - c) > EDGE_NEIGHBOUR_PX for c in chosen):
            chosen.append(int(y))
    return sorted(chosen)


def _cover(b: np.ndarray, vary: np.ndarray, line: int, a: int, z: int) -> tuple[float, float, float]:
    """On row ``line`` of the boundary map, over columns ``a..z``: the share covered, the mean
    persistence and the mean step variation [levels] there (the rows next to it count too, as a
    compressed step spreads over two)."""
    lo, hi = max(0, line - 1), min(b.shape[0], line + 2)
    if lo >= hi or a >= z:
        return 0.0, 0.0, 0.0
    seg = b[lo:hi, a:z].max(axis=0)
    on = seg > 0
    if not on.any():
        return 0.0, 0.0, 0.0
    var = vary[lo:hi, a:z].max(axis=0)
    return float(on.mean()), float(seg[on].mean()), float(var[on].mean())


def _motion_ratio(s: np.ndarray, x0: int, y0: int, x1: int, y1: int, ring: int = 6) -> float:
    h, w = s.shape
    inside = float(s[y0:y1, x0:x1].mean())
    outer = s[max(0, y0 - ring):min(h, y1 + ring), max(0, x0 - ring):min(w, x1 + ring)]
    n_out = outer.size - (y1 - y0) * (x1 - x0)
    if n_out <= 0:
        return 1.0
    out_mean = (float(outer.sum()) - inside * (y1 - y0) * (x1 - x0)) / n_out
    return inside / max(out_mean, 0.5)


def box_iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union (0..1) of two ``(x0, y0, x1, y1)`` boxes [px]."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def _region(kind: str, box: tuple[int, int, int, int], sides: list[tuple[float, float, float]],
            s: np.ndarray) -> Region:
    h, w = s.shape
    return Region(kind, box, round(float(np.mean([c for c, _, _ in sides])), 3),
                  round(float(np.mean([p for _, p, _ in sides])), 3), round(_motion_ratio(s, *box), 3), None, (w, h))


def _grid(bh: np.ndarray, vh: np.ndarray, bv: np.ndarray, vv: np.ndarray, hl: list[int], vl: list[int],
          s: np.ndarray) -> tuple[list[Region], bool]:
    """Cells between lines that cross the whole frame (a split screen or a compilation grid), and
    whether the grid was completed on an axis where no divider showed (:func:`_even_grid`)."""
    h, w = s.shape

    def full(b: np.ndarray, v: np.ndarray, lines: list[int], n: int, side: int) -> list[int]:
        # a grid's dividers are the strongest lines across the frame; a weaker one is two
        # pictures' own straight edges that happen to line up (a horizon and a kerb)
        cover = {x: _cover(b, v, x, 0, n) for x in lines}
        # a gutter's two edges: one of them may border a still picture (steady step)
        ok = [x for x in lines if cover[x][0] >= FULL_LINE_COVER
              and max(cover[y][2] for y in lines if abs(y - x) <= GUTTER_PX) >= EDGE_VARIATION / 2
              and min(abs(x / side - f) for f in GRID_POSITIONS) <= GRID_POSITION_TOL]
        top = max((cover[x][0] for x in ok), default=0.0)
        return [x for x in ok if cover[x][0] >= top - FULL_LINE_MARGIN]

    full_h, full_v = full(bh, vh, hl, w, h), full(bv, vv, vl, h, w)
    if not full_h and not full_v:
        return [], False

    def spans(lines: list[int], n: int) -> list[tuple[int, int]]:
        cuts = [0, *lines, n]
        return [(a + (1 if a else 0), z) for a, z in zip(cuts[:-1], cuts[1:]) if z - a >= MIN_SIDE_SHARE * n]

    seen_rows, seen_cols = spans(full_h, h), spans(full_v, w)
    rows, cols = _even_grid(seen_rows, seen_cols, h, w, spans)
    completed = (rows, cols) != (seen_rows, seen_cols)
    if len(rows) * len(cols) < 2:
        return [], False
    cells = []
    for y0, y1 in rows:
        for x0, x1 in cols:
            if float(s[y0:y1, x0:x1].mean()) < MIN_INSIDE_MOTION:
                continue  # a still cell (a logo, a caption card) holds no footage to search
            sides = [_cover(bh, vh, y0 - 1, x0, x1) if y0 else None, _cover(bh, vh, y1, x0, x1) if y1 < h else None,
                     _cover(bv, vv, x0 - 1, y0, y1) if x0 else None, _cover(bv, vv, x1, y0, y1) if x1 < w else None]
            cells.append(((x0, y0, x1, y1), [c for c in sides if c is not None]))
    kind = "split" if len(rows) * len(cols) == 2 else "grid_cell"
    out = [_region(kind, box, sides, s) for box, sides in cells]
    if len(out) == 1 and out[0].motion_ratio >= MOTION_STEP:
        out = [replace(out[0], kind="screen")]  # the one moving part beside static chrome
    return out, completed


def _even_grid(rows: list[tuple[int, int]], cols: list[tuple[int, int]], h: int, w: int,
               spans: Callable[[list[int], int], list[tuple[int, int]]]
               ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Complete a compilation grid whose dividers show on one axis only.

    Cells fitted with bars (a 4:3 clip in a 16:9 cell) meet bar to bar: their divider has no
    edge, while the dividers across the bars do. Compilation grids are even, so three rows
    (columns) and fewer columns (rows) become a 3 x 3 grid, and two rows (columns) whose cells
    would have no picture's aspect (wider than :data:`STANDARD_ASPECTS` allow: a row of a 2 x 2
    grid) become a 2 x 2 grid. A split screen's two sides, each of a picture's aspect, stay two.
    """
    widest = max(STANDARD_ASPECTS) * (1 + ASPECT_TOL)

    def even(n: int, side: int) -> list[tuple[int, int]]:
        return spans([round(side * k / n) for k in range(1, n)], side)

    if len(rows) == 3 and len(cols) < 3:
        return rows, even(3, w)
    if len(cols) == 3 and len(rows) < 3:
        return even(3, h), cols
    if len(rows) == 2 and len(cols) == 1 and w / (h / 2) > widest:
        return rows, even(2, w)
    if len(cols) == 2 and len(rows) == 1 and h / (w / 2) > widest:
        return even(2, h), cols
    return rows, cols


def _standard_aspect(box: tuple[int, int, int, int], w: int, h: int) -> tuple[int, int, int, int]:
    """Trim the sides of an inset that lie on the frame's edge to the nearest standard aspect.

    An inset whose own edge is too faint to be found (sky against a white wall) is bounded by
    the frame's edge there instead, taking in a band of the background; insets keep their
    footage's aspect, so that band is cut (by at most :data:`ASPECT_TRIM` of the side).
    """
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    free_y = (y0 == 0) + (y1 == h)
    free_x = (x0 == 0) + (x1 == w)
    best = box
    best_cut = ASPECT_TRIM
    for aspect in STANDARD_ASPECTS:
        if free_y and bw / aspect < bh:
            cut = bh - bw / aspect
            if cut / bh <= best_cut:
                c = int(round(cut))
                best, best_cut = ((x0, y0 + c, x1, y1) if y0 == 0 else (x0, y0, x1, y1 - c)), cut / bh
        if free_x and bh * aspect < bw:
            cut = bw - bh * aspect
            if cut / bw <= best_cut:
                c = int(round(cut))
                best, best_cut = ((x0 + c, y0, x1, y1) if x0 == 0 else (x0, y0, x1 - c, y1)), cut / bw
    return best


def _insets(bh: np.ndarray, vh: np.ndarray, bv: np.ndarray, vv: np.ndarray, hl: list[int], vl: list[int],
            s: np.ndarray) -> list[Region]:
    """Rectangles with at least two sides on persistent lines (the others the frame's edges)."""
    h, w = s.shape
    ys, xs = [0, *hl, h], [0, *vl, w]
    found: list[tuple[tuple[int, int, int], Region]] = []
    for i, yt in enumerate(ys):
        for yb in ys[i + 1:]:
            if yb - yt < MIN_SIDE_SHARE * h:
                continue
            for j, xl in enumerate(xs):
                for xr in xs[j + 1:]:
                    if xr - xl < MIN_SIDE_SHARE * w or (xr - xl) * (yb - yt) > MAX_AREA_SHARE * w * h:
                        continue
                    sides = []
                    for line, is_h in ((yt, True), (yb, True), (xl, False), (xr, False)):
                        if line in (0, h if is_h else w):
                            continue
                        c = _cover(bh, vh, line, xl, xr) if is_h else _cover(bv, vv, line, yt, yb)
                        if c[0] < WEAK_SIDE_COVER or c[2] < EDGE_VARIATION / 2:
                            break
                        sides.append(c)
                    else:
                        weak = sum(c[0] < SIDE_COVER for c in sides)
                        if len(sides) < 2 or weak > 1 or (weak and len(sides) < 4) \
                                or np.mean([c[2] for c in sides]) < EDGE_VARIATION:
                            continue
                        box = _standard_aspect((xl + 1 if xl else 0, yt + 1 if yt else 0, xr, yb), w, h)
                        aspect = (box[2] - box[0]) / (box[3] - box[1])
                        if min(abs(aspect / a - 1.0) for a in STANDARD_ASPECTS) > ASPECT_TOL:
                            continue  # insets keep their footage's aspect
                        if float(s[box[1]:box[3], box[0]:box[2]].mean()) < MIN_INSIDE_MOTION:
                            continue
                        r = _region("inset", box, sides, s)
                        if r.motion_ratio >= MOTION_STEP and (xr - xl) * (yb - yt) >= SCREEN_MIN_AREA * w * h:
                            r = replace(r, kind="screen")
                        # more inner sides, fewer weak ones, then the larger box (a line inside
                        # an inset, its horizon, cuts off boxes that are parts of it)
                        found.append(((len(sides), len(sides) - weak, (box[2] - box[0]) * (box[3] - box[1])), r))
    found += _aspect_insets(bh, vh, bv, vv, hl, vl, s)
    found.sort(key=lambda f: f[0], reverse=True)
    out: list[Region] = []
    for _, r in found:
        if all(box_iou(r.box, o.box) <= MAX_OVERLAP for o in out):
            out.append(r)
    return out


def _aspect_insets(bh: np.ndarray, vh: np.ndarray, bv: np.ndarray, vv: np.ndarray, hl: list[int], vl: list[int],
                   s: np.ndarray) -> list[tuple[tuple[int, int, int], Region]]:
    """Insets with three sides on persistent lines and the fourth (top or bottom) where the
    footage's aspect puts it: the top of outdoor footage is often sky, as bright as the
    background around it, so its edge is too faint to be found on its own."""
    h, w = s.shape
    out = []
    for j, xl in enumerate(vl):
        for xr in vl[j + 1:]:
            if xr - xl < MIN_SIDE_SHARE * w:
                continue
            for y in hl:
                for aspect in INSET_ASPECTS:
                    hh = int(round((xr - xl) / aspect))
                    for yt, yb in ((y, y + hh), (y - hh, y)):
                        if yt < 1 or yb > h - 1:
                            continue
                        known = _cover(bh, vh, y, xl, xr)
                        other = yb if yt == y else yt
                        virtual = max((_cover(bh, vh, v, xl, xr) for v in range(other - 2, other + 3)),
                                      key=lambda c: c[0])
                        sides = [known, _cover(bv, vv, xl, yt, yb), _cover(bv, vv, xr, yt, yb)]
                        if min(c[0] for c in sides) < SIDE_COVER or virtual[0] < VIRTUAL_SIDE_COVER \
                                or np.mean([c[2] for c in sides]) < EDGE_VARIATION:
                            continue
                        box = (xl + 1, yt + 1, xr, yb)
                        if float(s[box[1]:box[3], box[0]:box[2]].mean()) < MIN_INSIDE_MOTION:
                            continue
                        r = _region("inset", box, sides, s)
                        # ranked after boxes with four sides on lines, before those with three
                        out.append(((4, 2, (box[2] - box[0]) * (box[3] - box[1])), r))
    return out


def _rectangles(bh: np.ndarray, vh: np.ndarray, bv: np.ndarray, vv: np.ndarray, s: np.ndarray) -> list[Region]:
    """Grid cells when lines cross the whole frame, else insets and screens; best first."""
    hl, vl = _line_candidates(bh), _line_candidates(bv)
    if not hl and not vl:
        return []
    cells, completed = _grid(bh, vh, bv, vv, hl, vl, s)
    if len(cells) > 2 and not completed:
        return cells
    # a "split" in two may be an inset as tall (wide) as the frame, its divider the inset's side
    # (a portrait clip in a corner), and a grid completed where no divider showed may be one:
    # look for insets as well, and keep both
    return cells + [r for r in _insets(bh, vh, bv, vv, hl, vl, s)
                    if all(box_iou(r.box, c.box) <= 0.95 for c in cells)]


def _trim_flat(g: np.ndarray, region: Region) -> Region:
    """Cut white or black strips (an inset's frame, a grid's outer gap) off the sides of a box.

    A row (column) at a side is cut when, in :data:`EDGE_PERSISTENCE` of the frames, its grey
    levels vary across it by less than :data:`FLAT_LINE_STD` around a level of at most
    :data:`DARK_LEVEL` or at least :data:`WHITE_LEVEL` (a white strip of 2% of the side costs the hash
    some 40 bits). At most :data:`FLAT_TRIM` of the side is cut where the side is the frame's
    edge, and :data:`FRAME_LINE_PX` where it lies on a detected line (already near the
    picture's edge; a picture's own flat band, an overexposed sky, loses no more).
    """
    n, h, w = g.shape
    x0, y0, x1, y1 = region.box
    sub = g[:, y0:y1, x0:x1]

    def flat(axis: int) -> np.ndarray:
        level = sub.mean(axis=axis)                    # (n, rows or cols)
        per_frame = (sub.std(axis=axis) < FLAT_LINE_STD) & ((level <= DARK_LEVEL) | (level >= WHITE_LEVEL))
        return per_frame.mean(axis=0) >= EDGE_PERSISTENCE

    def run(flags: np.ndarray, limit: int) -> int:
        k = 0
        while k < min(limit, flags.size) and flags[k]:
            k += 1
        return k

    rows, cols = flat(2), flat(1)
    lr, lc = int(FLAT_TRIM * rows.size), int(FLAT_TRIM * cols.size)
    top, bottom = run(rows, lr if y0 == 0 else FRAME_LINE_PX), run(rows[::-1], lr if y1 == h else FRAME_LINE_PX)
    left, right = run(cols, lc if x0 == 0 else FRAME_LINE_PX), run(cols[::-1], lc if x1 == w else FRAME_LINE_PX)

    if not (top or bottom or left or right):
        return region
    return replace(region, box=(x0 + left, y0 + top, x1 - right, y1 - bottom))


def _otsu(values: np.ndarray) -> float:
    hist, edges = np.histogram(values, bins=64, range=(0.0, 256.0))
    p = hist / max(1, hist.sum())
    omega = np.cumsum(p)
    mu = np.cumsum(p * (edges[:-1] + 2.0))
    mu_t = mu[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mu_t * omega - mu) ** 2 / (omega * (1.0 - omega))
    return float(edges[int(np.nanargmax(between)) + 1])


def _largest_component(mask: np.ndarray) -> np.ndarray:
    """The largest 4-connected component of a small boolean mask (label propagation: every
    pixel takes the largest label among its neighbours until nothing changes)."""
    h, w = mask.shape
    if not mask.any():
        return np.zeros_like(mask)
    big = np.int64(-1)
    lab = np.where(mask, np.arange(1, h * w + 1, dtype=np.int64).reshape(h, w), big)
    for _ in range(h * w):
        p = np.pad(lab, 1, constant_values=big)
        nxt = np.maximum.reduce([lab, p[:-2, 1:-1], p[2:, 1:-1], p[1:-1, :-2], p[1:-1, 2:]])
        nxt = np.where(mask, nxt, big)
        if np.array_equal(nxt, lab):
            break
        lab = nxt
    vals, counts = np.unique(lab[mask], return_counts=True)
    return lab == vals[int(np.argmax(counts))]


def _fit_line(t: np.ndarray, v: np.ndarray) -> tuple[float, float, float]:
    """Robust fit ``v = a * t + b``; returns (a, b, share of points within QUAD_TOL_PX)."""
    keep = np.ones(t.size, dtype=bool)
    a, b = 0.0, float(np.median(v))
    for _ in range(4):
        if keep.sum() < 2:
            break
        a, b = (float(x) for x in np.polyfit(t[keep], v[keep], 1))
        resid = np.abs(v - (a * t + b))
        keep = resid <= max(QUAD_TOL_PX, float(np.percentile(resid, 70)))
    resid = np.abs(v - (a * t + b))
    return a, b, float(np.mean(resid <= QUAD_TOL_PX))


def _quad(g: np.ndarray, s: np.ndarray, *, dark: bool = False) -> Region | None:
    """A bright, moving quadrilateral (a filmed screen) in a darker surround, or None.

    ``dark``: a screen *darker* than its surround instead (a dark picture, or one pillarboxed
    in black, in its black bezel against a bright wall), outlined by its bezel; the moving
    picture inside may be bright.
    """
    n, h, w = g.shape
    mean = g.mean(axis=0)
    band = max(2, int(0.04 * min(h, w)))
    ring = np.concatenate([mean[:band].ravel(), mean[-band:].ravel(), mean[:, :band].ravel(), mean[:, -band:].ravel()])
    surround = float(np.median(ring))
    moving = max(MIN_INSIDE_MOTION * 2, STATIC_LEVEL * 4)
    if dark:
        # darker than the surround (the frame's outer band) by half the contrast, or moving
        if surround < 2 * QUAD_CONTRAST:
            return None  # a dark surround: no darker screen to tell from it
        outside = mean > surround - QUAD_CONTRAST / 2
        # the top and bottom bands must be the surround: a dark one is something dark running off
        # the frame (a side along the frame's edge is refused below for all four sides)
        if float(np.mean(~outside[:band])) > 0.5 or float(np.mean(~outside[-band:])) > 0.5:
            return None
        mask = ~outside | (s > moving)
    else:
        # brighter than the surround, or than Otsu's split when that is lower
        if float(mean[h // 4:h - h // 4, w // 4:w - w // 4].mean()) - surround < QUAD_CONTRAST / 2:
            return None  # the centre is no brighter than the surround: no screen (the common, cheap case)
        mask = (mean > min(_otsu(mean), surround + QUAD_CONTRAST / 2)) | (s > moving)
    # coarse mask (every 4th pixel) -> largest component -> full-resolution outline of it
    step = 4
    coarse = mask[::step, ::step]
    comp = _largest_component(coarse)
    if comp.sum() < QUAD_MIN_AREA * comp.size:
        return None
    ys, xs = np.nonzero(comp)
    y0, y1 = max(0, ys.min() * step - step), min(h, ys.max() * step + 2 * step)
    x0, x1 = max(0, xs.min() * step - step), min(w, xs.max() * step + 2 * step)
    full = np.zeros((h, w), dtype=bool)
    full[y0:y1, x0:x1] = np.repeat(np.repeat(comp, step, axis=0), step, axis=1)[y0:y1, x0:x1]
    full &= mask
    rows = np.flatnonzero(full.sum(axis=1) >= 3)
    cols = np.flatnonzero(full.sum(axis=0) >= 3)
    if rows.size < 0.15 * h or cols.size < 0.15 * w:
        return None
    # outline points away from the corners (middle 70% of each extent)
    ry = rows[int(0.15 * rows.size):int(0.85 * rows.size) + 1]
    cx = cols[int(0.15 * cols.size):int(0.85 * cols.size) + 1]
    left = np.array([np.flatnonzero(full[y])[0] for y in ry], dtype=np.float64)
    right = np.array([np.flatnonzero(full[y])[-1] + 1 for y in ry], dtype=np.float64)
    top = np.array([np.flatnonzero(full[:, x])[0] for x in cx], dtype=np.float64)
    bottom = np.array([np.flatnonzero(full[:, x])[-1] + 1 for x in cx], dtype=np.float64)
    fl, fr = _fit_line(ry.astype(np.float64), left), _fit_line(ry.astype(np.float64), right)
    ft, fb = _fit_line(cx.astype(np.float64), top), _fit_line(cx.astype(np.float64), bottom)
    inl = min(fl[2], fr[2], ft[2], fb[2])
    if inl < QUAD_INLIERS:
        return None
    # a side along the frame's own edge: a bright region cut by the frame (sky), not a screen
    ends_y, ends_x = np.array([ry[0], ry[-1]], float), np.array([cx[0], cx[-1]], float)
    if (fl[0] * ends_y + fl[1] <= 1).all() or (fr[0] * ends_y + fr[1] >= w - 1).all() \
            or (ft[0] * ends_x + ft[1] <= 1).all() or (fb[0] * ends_x + fb[1] >= h - 1).all():
        return None

    def meet(vert: tuple[float, float, float], horiz: tuple[float, float, float]) -> tuple[float, float]:
        # x = a*y + b and y = c*x + d
        a, b, _ = vert
        c, d, _ = horiz
        den = 1.0 - a * c
        if abs(den) < 1e-6:
            return float("nan"), float("nan")
        x = (a * d + b) / den
        return x, c * x + d

    corners = (meet(fl, ft), meet(fr, ft), meet(fr, fb), meet(fl, fb))
    pts = np.array(corners)
    if not np.isfinite(pts).all() or (pts[:, 0] < -1).any() or (pts[:, 0] > w + 1).any() \
            or (pts[:, 1] < -1).any() or (pts[:, 1] > h + 1).any():
        return None
    area = 0.5 * abs(float(np.dot(pts[:, 0], np.roll(pts[:, 1], -1)) - np.dot(pts[:, 1], np.roll(pts[:, 0], -1))))
    if not QUAD_MIN_AREA * w * h <= area <= QUAD_MAX_AREA * w * h:
        return None
    # convex and clockwise (image coordinates): every turn has the same sign
    d = np.roll(pts, -1, axis=0) - pts
    cross = d[:, 0] * np.roll(d, -1, axis=0)[:, 1] - d[:, 1] * np.roll(d, -1, axis=0)[:, 0]
    if not (cross > 0).all():
        return None
    bx0, by0 = int(np.floor(pts[:, 0].min())), int(np.floor(pts[:, 1].min()))
    bx1, by1 = int(np.ceil(pts[:, 0].max())), int(np.ceil(pts[:, 1].max()))
    bx0, by0, bx1, by1 = max(0, bx0), max(0, by0), min(w, bx1), min(h, by1)
    inside = _polygon_mask(pts, h, w)
    ring = np.zeros((h, w), dtype=bool)
    ring[max(0, by0 - 8):min(h, by1 + 8), max(0, bx0 - 8):min(w, bx1 + 8)] = True
    ring &= ~_polygon_mask(_grow(pts, 3.0), h, w)
    if not ring.any() or not inside.any():
        return None
    contrast = float(mean[inside].mean() - mean[ring].mean())
    if dark:  # the bezel, just inside the outline, against the surround just outside it
        rim = inside & ~_polygon_mask(_grow(pts, -3.0), h, w)
        contrast = float(mean[ring].mean() - mean[rim].mean()) if rim.any() else 0.0
    if contrast < (QUAD_DARK_CONTRAST if dark else QUAD_CONTRAST) or float(s[inside].mean()) < MIN_INSIDE_MOTION:
        return None
    box = (bx0, by0, bx1, by1)
    return Region("quad", box, round(inl, 3), round(float(np.mean([fl[2], fr[2], ft[2], fb[2]])), 3),
                  round(float(s[inside].mean()) / max(float(s[ring].mean()), 0.5), 3),
                  tuple((round(float(x), 2), round(float(y), 2)) for x, y in corners), (w, h))


def _grow(pts: np.ndarray, px: float) -> np.ndarray:
    c = pts.mean(axis=0)
    v = pts - c
    norm = np.linalg.norm(v, axis=1, keepdims=True)
    return pts + v / np.maximum(norm, 1e-9) * px


def _polygon_mask(pts: np.ndarray, h: int, w: int) -> np.ndarray:
    """Pixels whose centre lies inside a convex polygon (clockwise in image coordinates)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    inside = np.ones((h, w), dtype=bool)
    for i in range(len(pts)):
        (ax, ay), (bx, by) = pts[i], pts[(i + 1) % len(pts)]
        inside &= (bx - ax) * (yy - ay) - (by - ay) * (xx - ax) >= 0
    return inside


def _axis_aligned(region: Region) -> bool:
    if region.corners is None:
        return True
    pts = np.array(region.corners)
    x0, y0, x1, y1 = region.box
    rect = np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=np.float64)
    return bool(np.abs(pts - rect).max() <= QUAD_AXIS_TOL_PX)


def propose_regions(images: Sequence[np.ndarray], *, max_regions: int = MAX_REGIONS) -> list[Region]:
    """Regions of a clip's frames that may hold other footage (insets, grid cells, screens).

    Parameters
    ----------
    images : sequence of ndarray of uint8, shape (H, W, 3) or (H, W)
        Sampled frames of one clip, all one size (borders already cut); at most
        :data:`MAX_LAYOUT_FRAMES`, evenly spread, are examined.
    max_regions : int
        Most regions returned.

    Returns
    -------
    list of Region
        Best first; empty when the frames show no layout structure (a plain clip), when there
        are fewer than :data:`MIN_LAYOUT_FRAMES` frames, or when the frames differ in size.

    Raises
    ------
    InvalidArgumentError
        When an image is not a 2-D or 3-D array or ``max_regions`` is negative.

    Examples
    --------
    >>> regions = propose_regions(frames)  # doctest: +SKIP
    >>> crops = [region_image(frames[0], r) for r in regions]  # doctest: +SKIP
    """
    if max_regions < 0:
        raise InvalidArgumentError(f"max_regions must be >= 0 (got {max_regions})")
    if len(images) < MIN_LAYOUT_FRAMES or max_regions == 0:
        return []
    shape = np.asarray(images[0]).shape
    for im in images:
        a = np.asarray(im)
        if a.ndim not in (2, 3):
            raise InvalidArgumentError(f"expected images of shape (H, W) or (H, W, 3) (got {a.shape})")
        if a.shape != shape:
            return []
    if shape[0] < 24 or shape[1] < 24:
        return []
    g = _grey_stack(images)
    s = g.std(axis=0)
    bh, vh = _boundary_map(g, s)
    bv, vv = _boundary_map(np.ascontiguousarray(g.transpose(0, 2, 1)), np.ascontiguousarray(s.T))
    regions = [_trim_flat(g, r) for r in _rectangles(bh, vh, bv, vv, s)]
    if len(regions) <= 2:
        # a filmed screen seen nearly square-on also gives a rectangle: the quadrilateral, when
        # one fits, frames it more exactly and replaces the rectangles it covers; a screen darker
        # than the wall behind it is outlined by its bezel
        quads = [q for q in (_quad(g, s), _quad(g, s, dark=True)) if q is not None and not _axis_aligned(q)]
        regions = [*quads, *[r for r in regions if all(box_iou(r.box, q.box) <= QUAD_REPLACES for q in quads)]]
    return regions[:max_regions]


def _homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """3 x 3 homography mapping the 4 points ``src`` onto ``dst`` (the 8 x 8 linear system)."""
    a = np.zeros((8, 8))
    rhs = np.zeros(8)
    for i, ((x, y), (u, v)) in enumerate(zip(src, dst)):
        a[2 * i] = [x, y, 1, 0, 0, 0, -u * x, -u * y]
        a[2 * i + 1] = [0, 0, 0, x, y, 1, -v * x, -v * y]
        rhs[2 * i], rhs[2 * i + 1] = u, v
    try:
        sol = np.linalg.solve(a, rhs)
    except np.linalg.LinAlgError as exc:
        raise InvalidArgumentError(f"degenerate quadrilateral {src.tolist()}: {exc}") from None
    return np.append(sol, 1.0).reshape(3, 3)


def rectify_quad(image: np.ndarray, corners: Sequence[tuple[float, float]],
                 size: tuple[int, int] | None = None) -> np.ndarray:
    """Map a quadrilateral of an image to an upright rectangle (bilinear inverse mapping).

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (H, W)
    corners : four (x, y) [px]
        Clockwise from the top-left.
    size : (width, height) [px], optional
        Output size; default the quadrilateral's mean side lengths, scaled so the longer
        side is :data:`RECTIFIED_SIDE` at most.

    Returns
    -------
    ndarray of uint8
        Shape (height, width[, 3]).

    Raises
    ------
    InvalidArgumentError
        When ``corners`` is not four points or they are degenerate.
    """
    src = np.asarray(corners, dtype=np.float64)
    if src.shape != (4, 2) or not np.isfinite(src).all():
        raise InvalidArgumentError(f"corners must be four (x, y) points (got {src.tolist()})")
    img = np.asarray(image)
    if size is None:
        wq = 0.5 * float(np.linalg.norm(src[1] - src[0]) + np.linalg.norm(src[2] - src[3]))
        hq = 0.5 * float(np.linalg.norm(src[3] - src[0]) + np.linalg.norm(src[2] - src[1]))
        scale = min(1.0, RECTIFIED_SIDE / max(wq, hq, 1.0))
        size = (max(2, int(round(wq * scale))), max(2, int(round(hq * scale))))
    ow, oh = size
    dst = np.array([(0, 0), (ow, 0), (ow, oh), (0, oh)], dtype=np.float64)
    hmat = _homography(dst, src)  # output pixel -> source pixel
    yy, xx = np.mgrid[0:oh, 0:ow].astype(np.float64) + 0.5
    den = hmat[2, 0] * xx + hmat[2, 1] * yy + hmat[2, 2]
    sx = (hmat[0, 0] * xx + hmat[0, 1] * yy + hmat[0, 2]) / den - 0.5
    sy = (hmat[1, 0] * xx + hmat[1, 1] * yy + hmat[1, 2]) / den - 0.5
    h, w = img.shape[:2]
    sx = np.clip(sx, 0, w - 1.001)
    sy = np.clip(sy, 0, h - 1.001)
    x0, y0 = sx.astype(np.intp), sy.astype(np.intp)
    fx, fy = sx - x0, sy - y0
    src_img = img.astype(np.float32)
    if img.ndim == 3:
        fx, fy = fx[..., None], fy[..., None]
    top = src_img[y0, x0] * (1 - fx) + src_img[y0, x0 + 1] * fx
    bot = src_img[y0 + 1, x0] * (1 - fx) + src_img[y0 + 1, x0 + 1] * fx
    return np.clip(top * (1 - fy) + bot * fy + 0.5, 0, 255).astype(np.uint8)


def region_image(image: np.ndarray, region: Region) -> np.ndarray:
    """The picture of ``region`` in one frame: its crop, or for a quad its rectified screen.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (H, W)
        A frame of the size the region was found in.
    region : Region

    Returns
    -------
    ndarray of uint8

    Raises
    ------
    InvalidArgumentError
        When the frame's size differs from the region's ``frame_size``.
    """
    img = np.asarray(image)
    if region.frame_size != (0, 0) and (img.shape[1], img.shape[0]) != region.frame_size:
        raise InvalidArgumentError(
            f"frame is {img.shape[1]}x{img.shape[0]} px but the region was found in "
            f"{region.frame_size[0]}x{region.frame_size[1]} px frames")
    if region.kind == "quad" and region.corners is not None:
        return rectify_quad(img, region.corners)
    x0, y0, x1, y1 = region.box
    return img[y0:y1, x0:x1]
