"""Persistent text regions: detector boxes that recur at one place across frames (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .engine import DetectedBox

__all__ = ["Box", "merge_line_boxes", "persistent_boxes", "region_names"]

#: ``(x0, y0, x1, y1)`` [px], ``x1``/``y1`` exclusive.
Box = tuple[int, int, int, int]


def _vertical_overlap(a: Box, b: Box) -> float:
    inter = min(a[3], b[3]) - max(a[1], b[1])
    return max(0, inter) / max(1, min(a[3] - a[1], b[3] - b[1]))


def merge_line_boxes(boxes: Sequence[Box], *, gap_heights: float = 0.6) -> list[Box]:
    """Join boxes on one text line whose gap is at most ``gap_heights`` line heights.

    A detector often splits ``17/09/07 12:04:12`` into a date box and a time box; the parser
    needs them on one line.
    """
    out: list[Box] = [(int(b[0]), int(b[1]), int(b[2]), int(b[3])) for b in sorted(boxes, key=lambda b: (b[0], b[1]))]
    merged = True
    while merged:
        merged = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                a, b = out[i], out[j]
                h = max(a[3] - a[1], b[3] - b[1])
                gap = max(a[0], b[0]) - min(a[2], b[2])
                if _vertical_overlap(a, b) >= 0.6 and gap <= gap_heights * h:
                    out[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    del out[j]
                    merged = True
                    break
            if merged:
                break
    return out


def _same_place(a: Box, b: Box) -> bool:
    """Two boxes of one overlay on different frames: same line, overlapping horizontally.

    Digits change width from frame to frame, so the test is loose horizontally and strict
    vertically.
    """
    if _vertical_overlap(a, b) < 0.6:
        return False
    ha, hb = a[3] - a[1], b[3] - b[1]
    if max(ha, hb) > 1.6 * min(ha, hb):
        return False
    inter = min(a[2], b[2]) - max(a[0], b[0])
    return inter > 0.5 * min(a[2] - a[0], b[2] - b[0])


def persistent_boxes(detections: Sequence[Sequence[DetectedBox | Box]], *, min_share: float = 0.6,
                     max_regions: int = 8) -> list[tuple[Box, float]]:
    """Boxes found at the same place in at least ``min_share`` of the frames.

    Parameters
    ----------
    detections
        Per frame, the detector's boxes (already in common frame coordinates).
    min_share
        Share of frames a box must appear in, in (0, 1]; a single frame keeps every box.
    max_regions
        Keep at most this many regions (most persistent, then tallest, first).

    Returns
    -------
    list of (box, share)
        The union box of each persistent region and the share of frames showing it.
    """
    n = len(detections)
    if n == 0:
        return []
    clusters: list[tuple[list[int], set[int]]] = []  # (union box, frames)
    for fi, boxes in enumerate(detections):
        plain = [(b.x0, b.y0, b.x1, b.y1) if isinstance(b, DetectedBox) else tuple(b) for b in boxes]
        for box in merge_line_boxes(plain):  # type: ignore[arg-type]
            for union, frames in clusters:
                if _same_place(tuple(union), box):  # type: ignore[arg-type]
                    union[:] = [min(union[0], box[0]), min(union[1], box[1]),
                                max(union[2], box[2]), max(union[3], box[3])]
                    frames.add(fi)
                    break
            else:
                clusters.append(([*box], {fi}))
    need = 1 if n == 1 else max(2, math.ceil(min_share * n - 1e-9))
    kept = [((u[0], u[1], u[2], u[3]), len(f) / n) for u, f in clusters if len(f) >= need]
    kept.sort(key=lambda x: (-x[1], -(x[0][3] - x[0][1]), x[0][1], x[0][0]))
    return kept[:max_regions]


_ROWS = ("top", "", "bottom")
_COLS = ("left", "", "right")


def region_names(boxes: Sequence[Box], width: int, height: int) -> list[str]:
    """Plain names for boxes by the ninth of the frame their centre falls in ("top-left", "centre")."""
    names: list[str] = []
    for b in boxes:
        cx, cy = (b[0] + b[2]) / 2 / max(1, width), (b[1] + b[3]) / 2 / max(1, height)
        row, col = _ROWS[min(2, int(cy * 3))], _COLS[min(2, int(cx * 3))]
        base = "-".join(p for p in (row, col) if p) or "centre"
        name, k = base, 2
        while name in names:
            name, k = f"{base}-{k}", k + 1
        names.append(name)
    return names
