"""Reading on-screen text from a file: sample frames, find persistent regions, read, fuse.

The work is bounded whatever the length of the video: :data:`N_FRAMES` frames are decoded
(keyframes where the stream has enough of them, which avoids decoding the frames between),
the detector runs on :data:`N_DETECT` of them, and the recogniser reads only the persistent
regions (at most :data:`MAX_REGIONS`) on each sampled frame.
"""

from __future__ import annotations

import logging
import os
import re
import time as _time
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..errors import InvalidArgumentError, MediaError, MissingExtraError, ProvenanceError, ToolError
from ..media.decode import is_still, iter_video_frames, read_still, video_layout
from ..media.probe import check_media_path
from ..media.source import MediaFile
from .clock import fit_clock
from .engine import OcrEngine, get_engine, ocr_available
from .model import OnScreenClock, OnScreenText, ShownText, TextReading, TextRegion
from .parse import ParsedText, parse_onscreen_text
from .regions import Box, merge_line_boxes, persistent_boxes, region_names

__all__ = ["DETECT_SIDE", "MAX_REGIONS", "N_DETECT", "N_FRAMES", "read_onscreen", "read_onscreen_optional"]

log = logging.getLogger(__name__)

#: Frames sampled over the clip (enough to vote out misreads and to check the clock's rate).
N_FRAMES = 8
#: Frames the detector runs on; a region must appear in most of them.
N_DETECT = 3
#: Longer side [px] of the image the detector sees (small videos are enlarged up to 3x,
#: so an 8 px CCTV clock is found; large ones are reduced: a 1080p clock 32 px tall is 12 px
#: there, which the detector still finds).
DETECT_SIDE = 736
#: Longer side [px] frames are decoded at: a 1080p clock 30 px tall stays 20 px tall.
DECODE_SIDE = 1280
#: Height [px] a line is scaled to before recognition (tuned on the tuning half of the
#: generated clips and on the corpus clip).
REC_HEIGHT = 72
#: Most persistent regions read per file.
MAX_REGIONS = 6
#: Least mean recogniser confidence of shown (non-clock) text.
MIN_TEXT_SCORE = 0.8

_HANDLE = re.compile(r"@[\w.]{3,}|t\.me/\S+|https?://\S+|www\.\S+|\b[\w-]+\.(?:com|ru|ua|by|tv|net|org)\b",
                     re.IGNORECASE)


def _targets(duration_s: float | None, n: int) -> list[float]:
    if not duration_s or duration_s <= 0:
        return [0.0]
    lo, hi = min(0.25, duration_s / 4), max(0.0, duration_s - min(0.25, duration_s / 4))
    if n == 1 or hi <= lo:
        return [lo]
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


Source = str | os.PathLike[str] | MediaFile


def _sample_frames(path: Source, n_frames: int) -> list[tuple[float, np.ndarray]]:
    """Decoded RGB frames (longer side at most DECODE_SIDE) at times spread over the clip."""
    if is_still(path):
        f = read_still(path, max_side=DECODE_SIDE)
        return [(0.0, f.image)]
    layout = video_layout(path)
    targets = _targets(layout.duration_s, n_frames)
    kf = np.asarray(layout.keyframe_times_s, dtype=np.float64)
    spacing = (targets[-1] - targets[0]) / max(1, len(targets) - 1) if len(targets) > 1 else 1.0
    chosen: list[float] = []
    if kf.size:
        for t in targets:
            k = float(kf[np.argmin(np.abs(kf - t))])
            if abs(k - t) <= 0.5 * spacing and k not in chosen:
                chosen.append(k)
    frames: list[tuple[float, np.ndarray]] = []
    if len(chosen) >= max(2, (3 * len(targets)) // 4):
        # keyframes alone: no decoding of the frames between them
        want = sorted(chosen)
        for fr in iter_video_frames(path, keyframes_only=True, keyframes_at_s=want, max_side=DECODE_SIDE,
                                    max_frames=len(want)):
            if any(abs(fr.time_s - w) < 1e-3 for w in want):
                frames.append((fr.time_s, fr.image))
                want = [w for w in want if abs(fr.time_s - w) >= 1e-3]
            if not want:
                break
    if len(frames) < max(1, len(chosen) // 2):
        frames = [(fr.time_s, fr.image) for fr in iter_video_frames(
            path, times_s=targets, include_keyframes=False, max_side=DECODE_SIDE, max_frames=len(targets))]
    frames.sort(key=lambda x: x[0])
    return frames


def _resize(image: np.ndarray, scale: float) -> np.ndarray:
    import cv2

    if abs(scale - 1.0) < 1e-3:
        return image
    h, w = image.shape[:2]
    return cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_LINEAR)


def _detect(engine: OcrEngine, image: np.ndarray) -> list[Box]:
    h, w = image.shape[:2]
    scale = min(3.0, DETECT_SIDE / max(h, w))
    boxes = engine.detect(_resize(image, scale))
    return [(int(b.x0 / scale), int(b.y0 / scale), int(np.ceil(b.x1 / scale)), int(np.ceil(b.y1 / scale)))
            for b in boxes]


def _split_lines(engine: OcrEngine, image: np.ndarray, box: Box) -> list[Box]:
    """The text lines of a region and of its stacked neighbours, re-detected on an enlarged crop.

    Dashcam overlays often put the date above the time with little spacing; at frame scale the
    detector may join the lines or miss one of them, and a line recogniser reads one line only.
    Detecting again on the crop, widened by one box height above and below and enlarged,
    separates them. Returns ``[box]`` when it finds no second line.
    """
    h_img, w_img = image.shape[:2]
    x0, y0, x1, y1 = box
    bh = y1 - y0
    if bh < 8:
        return [box]
    ex0, ey0, ex1, ey1 = x0, max(0, y0 - bh), x1, min(h_img, y1 + bh)
    scale = min(4.0, max(1.0, 1.5 * REC_HEIGHT / bh))
    found = engine.detect(_resize(image[ey0:ey1, ex0:ex1], scale))
    rows = []
    for r in merge_line_boxes([(d.x0, d.y0, d.x1, d.y1) for d in found]):
        fx0, fy0 = ex0 + int(r[0] / scale), ey0 + int(r[1] / scale)
        fx1, fy1 = ex0 + int(np.ceil(r[2] / scale)), ey0 + int(np.ceil(r[3] / scale))
        if fy1 - fy0 >= 0.25 * bh and fx1 - fx0 >= 0.2 * (x1 - x0):
            rows.append((fx0, fy0, min(w_img, fx1), min(h_img, fy1)))
    rows.sort(key=lambda b: b[1])
    if len(rows) < 2 or any(_overlap_rows(a, b) > 0.3 for a, b in zip(rows, rows[1:])):
        return [box]
    return rows


def _overlap_rows(a: Box, b: Box) -> float:
    inter = min(a[3], b[3]) - max(a[1], b[1])
    return max(0, inter) / max(1, min(a[3] - a[1], b[3] - b[1]))


def _iou(a: Box, b: Box) -> float:
    iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _read_region(engine: OcrEngine, frames: Sequence[tuple[float, np.ndarray]], box: Box
                 ) -> list[tuple[float, str, float, ParsedText]]:
    """``(time, text, score, parsed)`` of one region on the sampled frames (fewer once settled)."""
    out: list[tuple[float, str, float, ParsedText]] = []
    for t, im in frames:
        text, score = engine.recognise(_crop_line(im, box))
        out.append((float(t), text, score, parse_onscreen_text(text)))
        if _settled(out):
            break
    return out


def _half_clock(parsed: Sequence[ParsedText], n_frames: int) -> bool:
    """Whether a region shows a date without a time, or a time without a date, on most reads."""
    need = 1 if n_frames <= 2 else 2
    dates_only = sum(bool(p.dates) and p.time is None for p in parsed)
    times_only = sum(p.time is not None and not p.dates for p in parsed)
    return dates_only >= need or (times_only >= need and not any(p.dates for p in parsed))


def _pad(box: Box, w: int, h: int) -> Box:
    p = max(2, round(0.15 * (box[3] - box[1])))
    return max(0, box[0] - p), max(0, box[1] - p), min(w, box[2] + p), min(h, box[3] + p)


def _crop_line(image: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = box
    crop = image[y0:y1, x0:x1]
    return _resize(crop, min(8.0, max(1.0, REC_HEIGHT / max(1, y1 - y0))))


def _crop_jpeg(image: np.ndarray, box: Box) -> bytes | None:
    """A small JPEG of the region for reports (enlarged up to 4x so a tiny CCTV clock is legible)."""
    from ..media.thumbnails import make_thumbnail

    x0, y0, x1, y1 = box
    crop = image[y0:y1, x0:x1]
    if crop.size == 0:
        return None
    crop = _resize(crop, min(4.0, max(1.0, 48 / max(1, y1 - y0))))
    try:
        return make_thumbnail(np.ascontiguousarray(crop), max_side=min(480, max(8, max(crop.shape[:2]))))
    except ProvenanceError as exc:
        log.info("no crop for the report: %s", exc)
        return None


def _norm_text(s: str) -> str:
    return " ".join(s.split()).strip()


def _shown_text(region: TextRegion, readings: Sequence[TextReading], frames: dict[float, np.ndarray],
                box: Box) -> ShownText | None:
    good = [r for r in readings if sum(c.isalnum() for c in r.text) >= 3]
    if not good:
        return None
    counts = Counter(_norm_text(r.text) for r in good)
    text, n = counts.most_common(1)[0]
    need = 1 if len(readings) <= 2 else max(2, (len(readings) + 1) // 2)
    agreeing = [r for r in good if _norm_text(r.text) == text]
    score = float(np.mean([r.score for r in agreeing]))
    if n < need or score < MIN_TEXT_SCORE:
        return None
    kind = "handle" if _HANDLE.search(text) else "text"
    t = agreeing[len(agreeing) // 2].time_s
    return ShownText(region, text, kind, n, len(readings), score, t, _crop_jpeg(frames[t], box))  # type: ignore[arg-type]


def read_onscreen(path: Source, *, n_frames: int = N_FRAMES,
                  engine: OcrEngine | None = None) -> OnScreenText:
    """Find, read and parse the text that stays on screen: burned-in clocks, handles, logos.

    Parameters
    ----------
    path
        A video or still image, or an open :class:`~provenance.media.MediaFile`.
    n_frames : int
        Frames to sample over the clip, 1 to 64 (the cost grows with it; the duration does not
        matter).
    engine : OcrEngine, optional
        An engine to use (default: the shared one from :func:`~provenance.ocr.engine.get_engine`).

    Returns
    -------
    OnScreenText
        ``clocks`` holds every burned-in clock read consistently, with all interpretations of
        its date; ``texts`` the other persistent text.

    Raises
    ------
    MissingExtraError
        When the ``ocr`` extra is not installed.
    MediaNotFoundError, UnsupportedMediaError, CorruptMediaError
        When the file is missing, not media, or cannot be decoded.
    InvalidArgumentError
        When ``n_frames`` is out of range.

    Examples
    --------
    >>> screen = read_onscreen("cctv.avi")                             # doctest: +SKIP
    >>> screen.clocks[0].raw, [s.isoformat() for s in screen.clocks[0].start_candidates]
    ('17/09/07 12:04:12', ['2007-09-17T12:04:11.500000', '2017-09-07T12:04:11.500000', ...])
    """
    if isinstance(n_frames, bool) or not isinstance(n_frames, int) or not 1 <= n_frames <= 64:
        raise InvalidArgumentError(f"'n_frames' must be an int in [1, 64] (got {n_frames!r})")
    if not isinstance(path, MediaFile):
        check_media_path(path)
    eng = engine if engine is not None else get_engine()
    t0 = _time.perf_counter()
    frames = _sample_frames(path, n_frames)
    decode_s = _time.perf_counter() - t0
    if not frames:
        return OnScreenText(_name(path), problems=("ocr: no frame could be decoded",), decode_s=decode_s)
    t1 = _time.perf_counter()
    h, w = frames[0][1].shape[:2]
    frames = [(t, im) for t, im in frames if im.shape[:2] == (h, w)]
    n = len(frames)
    det_idx = sorted({round(i * (n - 1) / max(1, N_DETECT - 1)) for i in range(min(N_DETECT, n))})
    detections = [_detect(eng, frames[i][1]) for i in det_idx]
    found = persistent_boxes(detections, max_regions=MAX_REGIONS)
    boxes = [(_pad(b, w, h), share) for b, share in found]
    raw = [_read_region(eng, frames, box) for box, _ in boxes]
    # a date without a time (or a time without a date) can be one of two stacked lines that
    # the detector joined or half missed: look again at that region, enlarged
    mid = frames[det_idx[len(det_idx) // 2]][1]
    for i in range(len(found)):
        if not _half_clock([p for _, _, _, p in raw[i]], n):
            continue
        lines = [_pad(line, w, h) for line in _split_lines(eng, mid, found[i][0])]
        if len(lines) < 2:
            continue
        own = max(lines, key=lambda line: _iou(line, boxes[i][0]))
        if _iou(own, boxes[i][0]) < 0.7:  # the region held two lines: read its own line alone
            boxes[i] = (own, boxes[i][1])
            raw[i] = _read_region(eng, frames, own)
        for line in lines:
            if not any(_iou(line, b) > 0.5 for b, _ in boxes):
                boxes.append((line, found[i][1]))
                raw.append(_read_region(eng, frames, line))
    names = region_names([b for b, _ in boxes], w, h)
    regions = [TextRegion(nm, b, (w, h), share) for nm, (b, share) in zip(names, boxes)]
    readings: dict[str, list[TextReading]] = {
        reg.name: [TextReading(reg.name, t, text, score, parsed) for t, text, score, parsed in rr]
        for reg, rr in zip(regions, raw)}
    by_time = {t: im for t, im in frames}

    clocks: list[OnScreenClock] = []
    texts: list[ShownText] = []
    date_lines = {r.name: [x.parsed for x in readings[r.name]] for r in regions
                  if sum(bool(x.parsed.dates) and x.parsed.time is None for x in readings[r.name]) >= 1}
    used_for_date: set[str] = set()
    for reg in regions:
        rs = readings[reg.name]
        borrowed: list[ParsedText] = []
        near = _nearest_date_line(reg, regions, date_lines)
        if near is not None:
            borrowed = date_lines[near]
        fit = fit_clock([(x.time_s, x.parsed) for x in rs], borrowed_dates=borrowed, n_frames=n)
        if fit is not None and fit.start_tod_s is not None and not any(x.parsed.dates for x in rs) and near:
            used_for_date.add(near)
        if fit is not None:
            # show a reading of the consensus that needed no repair, the most confident one
            typ = max((rs[i] for i in fit.agreeing or (fit.typical,)),
                      key=lambda x: (not any(d.repaired for d in x.parsed.dates), x.score))
            clocks.append(OnScreenClock(
                reg, typ.text, typ.time_s, fit.dates, fit.start_candidates(), fit.utc_offset_s, fit.resolution_s,
                fit.status, fit.rate, fit.n_readings, fit.n_agreeing, fit.span_s,
                _crop_jpeg(by_time[typ.time_s], reg.box)))
            continue
        shown = _shown_text(reg, rs, by_time, reg.box)
        if shown is not None:
            texts.append(shown)
    # a date line that served a time line below it is part of that clock, not a clock of its own
    clocks = [c for c in clocks if not (c.region.name in used_for_date and c.date_only)]
    ocr_s = _time.perf_counter() - t1
    return OnScreenText(_name(path), tuple(t for t, _ in frames), tuple(regions),
                        tuple(x for reg in regions for x in readings[reg.name]), tuple(clocks), tuple(texts),
                        (), decode_s, ocr_s)


def _settled(rs: Sequence[tuple[float, str, float, ParsedText]]) -> bool:
    """Whether more reads of a region cannot matter: no text in 2 reads, or 3 equal reads with no date or time.

    A clock changes from frame to frame and is always read on every sampled frame.
    """
    if len(rs) == 2 and all(sum(c.isalnum() for c in r[1]) < 3 for r in rs):
        return True
    if len(rs) == 3 and len({_norm_text(r[1]) for r in rs}) == 1:
        return not any(r[3].dates or r[3].time for r in rs)
    return False


def _nearest_date_line(reg: TextRegion, regions: Sequence[TextRegion], date_lines: dict[str, list[ParsedText]]
                       ) -> str | None:
    """A date-only line within three line heights above or below ``reg``, overlapping it horizontally."""
    best, best_d = None, float("inf")
    for other in regions:
        if other.name == reg.name or other.name not in date_lines:
            continue
        a, b = reg.box, other.box
        if min(a[2], b[2]) - max(a[0], b[0]) <= 0:
            continue
        d = abs((a[1] + a[3]) / 2 - (b[1] + b[3]) / 2)
        if d <= 3 * max(reg.height, other.height) and d < best_d:
            best, best_d = other.name, d
    return best


def _name(path: Source) -> str:
    return str(path.path) if isinstance(path, MediaFile) else str(path)


def read_onscreen_optional(path: Source, *, required: bool = False) -> OnScreenText | None:
    """:func:`read_onscreen` for :func:`provenance.analyze`: ``None`` when the extra is absent.

    Parameters
    ----------
    path
        The media file.
    required : bool
        Raise :class:`MissingExtraError` when the ``ocr`` extra is absent (``analyze(ocr=True)``).
        Otherwise decoding or engine failures are listed in ``problems`` instead of raised.
    """
    if not ocr_available():
        if required:
            raise MissingExtraError("analyze(ocr=True) needs the 'ocr' extra: pip install 'video-provenance[ocr]'")
        return None
    try:
        return read_onscreen(path)
    except MissingExtraError:
        raise
    except (MediaError, ToolError) as exc:
        if required:
            raise
        return OnScreenText(_name(path), problems=(f"ocr: on-screen text not read ({exc})",))
