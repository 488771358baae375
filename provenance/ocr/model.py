"""What the on-screen text stage returns: regions, readings, clocks and shown text (frozen values)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from .._util import jsonable
from .parse import DateReading, ParsedText

__all__ = ["ClockStatus", "OnScreenClock", "OnScreenText", "ShownText", "TextReading", "TextRegion"]

#: How a burned-in clock behaves against media time.
#:
#: * ``"advancing"``: one clock second per media second (within 10%), as a live recorder's clock.
#: * ``"frozen"``: the same value over seconds of video: a still, a pasted or re-used overlay.
#: * ``"fast"`` / ``"slow"``: the clock runs faster or slower than the video plays (a sped-up
#:   or time-lapse clip, a slowed one, or an overlay generated at another rate).
#: * ``"jumps"``: readings fit one clock rate but two different settings (a cut or splice).
#: * ``"unchecked"``: too few readings, or too short a span, to tell.
ClockStatus = Literal["advancing", "frozen", "fast", "slow", "jumps", "unchecked"]


@dataclass(frozen=True)
class TextRegion:
    """A text box that persists across the sampled frames.

    Attributes
    ----------
    name : str
        Where it sits in the frame: ``"top-left"``, ``"top"``, ``"top-right"``, ``"left"``,
        ``"centre"``, ``"right"``, ``"bottom-left"``, ``"bottom"``, ``"bottom-right"``
        (a suffix ``-2``, ``-3`` tells apart regions in the same ninth).
    box : tuple of int
        ``(x0, y0, x1, y1)`` [px] in the decoded frames (``x1``, ``y1`` exclusive).
    frame_size : tuple of int
        ``(width, height)`` [px] of the decoded frames the box refers to.
    persistence : float
        Share of the detection frames in which the box was found, in (0, 1].
    """

    name: str
    box: tuple[int, int, int, int]
    frame_size: tuple[int, int]
    persistence: float

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "box": list(self.box), "frame_size": list(self.frame_size),
                "persistence": self.persistence}


@dataclass(frozen=True)
class TextReading:
    """One region read on one frame.

    Attributes
    ----------
    region : str
        :attr:`TextRegion.name`.
    time_s : float
        Media time of the frame [s].
    text : str
        The text as recognised.
    score : float
        Recogniser confidence in [0, 1].
    parsed : ParsedText
        Dates and times the text allows.
    """

    region: str
    time_s: float
    text: str
    score: float
    parsed: ParsedText

    def to_dict(self) -> dict[str, Any]:
        return {"region": self.region, "time_s": self.time_s, "text": self.text, "score": self.score,
                "parsed": self.parsed.to_dict()}


@dataclass(frozen=True)
class OnScreenClock:
    """A burned-in date and time, fused over the frames that show it.

    Attributes
    ----------
    region : TextRegion
        Where the clock is (for a date and a time on two lines, the time's line).
    raw : str
        A reading typical of the consensus, as recognised.
    raw_time_s : float
        Media time [s] of the frame ``raw`` was read on.
    dates : tuple of DateReading
        Every interpretation of the shown date (``17/09/07`` has three); the scorer decides.
    start_candidates : tuple of datetime
        The clock's value at media time 0, one per date interpretation, in the same order:
        naive wall-clock time when no zone is shown (the zone is unknown), aware when it is.
        For a date without a time, the midnights starting the shown day.
    utc_offset_s : int or None
        The zone shown on screen [s east of UTC]; ``None``: not shown.
    resolution_s : float
        Display step: 1 s with seconds shown, 60 s without, 86400 s for a date alone.
    status : str
        See :data:`ClockStatus`.
    rate : float or None
        Clock seconds per media second, fitted over the agreeing readings (``None``
        when their span is too short to fit).
    n_readings, n_agreeing : int
        Frames read in the region, and those whose clock fits the consensus.
    span_s : tuple of float
        First and last media time [s] of the agreeing readings.
    crop_jpeg : bytes or None
        A small JPEG of the region on frame ``raw_time_s``, for reports.
    """

    region: TextRegion
    raw: str
    raw_time_s: float
    dates: tuple[DateReading, ...]
    start_candidates: tuple[datetime, ...]
    utc_offset_s: int | None
    resolution_s: float
    status: ClockStatus
    rate: float | None
    n_readings: int
    n_agreeing: int
    span_s: tuple[float, float]
    crop_jpeg: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def tz_known(self) -> bool:
        """True when the picture shows the zone."""
        return self.utc_offset_s is not None

    @property
    def date_only(self) -> bool:
        """True when the picture shows a date without a time."""
        return self.resolution_s >= 86400

    def at(self, media_time_s: float) -> tuple[datetime, ...]:
        """The clock's value at a media time [s], one per interpretation (assuming it advances 1:1)."""
        return tuple(s + timedelta(seconds=float(media_time_s)) for s in self.start_candidates)

    def start_utc(self) -> tuple[datetime, ...]:
        """The start candidates as UTC instants; empty when no zone is shown."""
        if self.utc_offset_s is None:
            return ()
        return tuple(s.astimezone(timezone.utc) for s in self.start_candidates)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = jsonable({k: getattr(self, k) for k in self.__dataclass_fields__ if k != "crop_jpeg"})
        d["tz_known"] = self.tz_known
        d["crop_jpeg_bytes"] = 0 if self.crop_jpeg is None else len(self.crop_jpeg)
        return d


@dataclass(frozen=True)
class ShownText:
    """Text that stays on screen without being a clock: a channel handle, a logo, a caption.

    Attributes
    ----------
    region : TextRegion
        Where it is shown.
    text : str
        The consensus reading.
    kind : str
        ``"handle"`` (an ``@name``, a ``t.me/`` link or a web address) or ``"text"``.
    n_frames, n_readings : int
        Frames on which the consensus was read, and frames read.
    score : float
        Mean recogniser confidence of the consensus readings, in [0, 1].
    time_s : float
        Media time [s] of the frame the crop comes from.
    crop_jpeg : bytes or None
        A small JPEG of the region, for reports.
    """

    region: TextRegion
    text: str
    kind: Literal["handle", "text"]
    n_frames: int
    n_readings: int
    score: float
    time_s: float
    crop_jpeg: bytes | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = jsonable({k: getattr(self, k) for k in self.__dataclass_fields__ if k != "crop_jpeg"})
        d["crop_jpeg_bytes"] = 0 if self.crop_jpeg is None else len(self.crop_jpeg)
        return d


@dataclass(frozen=True)
class OnScreenText:
    """Everything the on-screen text stage found in one file.

    Attributes
    ----------
    path : str
        The file read.
    frame_times_s : tuple of float
        Media times [s] of the sampled frames.
    regions : tuple of TextRegion
        Persistent text regions.
    readings : tuple of TextReading
        Every region read on every sampled frame.
    clocks : tuple of OnScreenClock
        Burned-in clocks (empty when none was read consistently).
    texts : tuple of ShownText
        Other persistent text (handles, logos, captions).
    problems : tuple of str
        What could not be done (a frame that failed to decode, ...).
    decode_s, ocr_s : float
        Wall time [s] spent decoding frames and in the OCR engine.
    """

    path: str
    frame_times_s: tuple[float, ...] = ()
    regions: tuple[TextRegion, ...] = ()
    readings: tuple[TextReading, ...] = ()
    clocks: tuple[OnScreenClock, ...] = ()
    texts: tuple[ShownText, ...] = ()
    problems: tuple[str, ...] = ()
    decode_s: float = 0.0
    ocr_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "frame_times_s": list(self.frame_times_s),
                "regions": [r.to_dict() for r in self.regions], "readings": [r.to_dict() for r in self.readings],
                "clocks": [c.to_dict() for c in self.clocks], "texts": [t.to_dict() for t in self.texts],
                "problems": list(self.problems), "decode_s": self.decode_s, "ocr_s": self.ocr_s}
