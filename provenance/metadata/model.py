"""Typed, normalised metadata: what a file says about its own time, place and origin.

Every value keeps the tag it came from (``source``) and its raw text (``raw``) so a
report can show exactly where a conclusion came from.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

__all__ = [
    "C2PAInfo",
    "Device",
    "Location",
    "Metadata",
    "Problem",
    "TimeTag",
    "TrackPoint",
    "WRITER_KINDS",
    "Writer",
]

#: How far a time's zone is known.
#: ``utc``: exact UTC; ``offset``: local time with a known UTC offset;
#: ``local_unknown``: local wall-clock time, zone unknown;
#: ``ambiguous``: could be UTC or local (e.g. QuickTime mvhd from an unknown device).
TzState = Literal["utc", "offset", "local_unknown", "ambiguous"]

#: What a time means.
TimeMeaning = Literal[
    "recording_start", "recording_end", "file_written", "modified", "export", "gps_fix",
    "digitized", "mux", "unknown",
]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        d = {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, TimeTag):  # the documented derived flag, also when nested in Metadata
            d["tz_known"] = value.tz_known
        return d
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


class _ToDict:
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (datetimes as ISO 8601 strings)."""
        return _jsonable(self)


@dataclass(frozen=True)
class TimeTag(_ToDict):
    """One time found in the file.

    Attributes
    ----------
    value : datetime
        Timezone-aware UTC when ``tz_state`` is ``"utc"`` or ``"offset"``. When the zone is
        unknown (``"local_unknown"``) or ``"ambiguous"``, a *naive* datetime holding the
        wall-clock reading as written; it is never silently localised.
    tz_state : str
        One of ``"utc"``, ``"offset"``, ``"local_unknown"``, ``"ambiguous"``.
    meaning : str
        What the time stands for (``"recording_start"``, ``"recording_end"``, ``"gps_fix"``, ...).
    source : str
        Tag path, e.g. ``"mp4:moov/mvhd/creation_time"`` or ``"exif:DateTimeOriginal"``.
    raw : str
        The text or number as stored in the file.
    utc_offset_s : int or None
        The local offset from UTC [s] when known (``+10800`` for +03:00).
    tz_known : bool
        ``True`` when ``value`` is an exact instant (``tz_state`` in ``utc``/``offset``).
    note : str
        Why the meaning or zone was assigned (device rule applied, etc.).
    """

    value: datetime
    tz_state: TzState
    meaning: TimeMeaning
    source: str
    raw: str
    utc_offset_s: int | None = None
    note: str = ""

    @property
    def tz_known(self) -> bool:
        return self.tz_state in ("utc", "offset")

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["tz_known"] = self.tz_known
        return d


@dataclass(frozen=True)
class Location(_ToDict):
    """A place recorded in the file (WGS84).

    Attributes
    ----------
    lat, lon : float
        Decimal degrees [deg].
    alt_m : float or None
        Altitude [m] above the reference the device used (usually sea level).
    accuracy_m : float or None
        Horizontal accuracy [m]: the device's own figure, else implied by the precision
        of the stored number (4 decimals ~ 11 m).
    heading_deg : float or None
        Camera facing direction [deg], clockwise from north, when recorded.
    source, raw : str
        Tag path and the stored text.
    """

    lat: float
    lon: float
    source: str
    raw: str
    alt_m: float | None = None
    accuracy_m: float | None = None
    heading_deg: float | None = None


@dataclass(frozen=True)
class TrackPoint(_ToDict):
    """One telemetry sample (GoPro GPMF, DJI SRT, ...).

    Attributes
    ----------
    media_time_s : float or None
        Position in the media [s] from its start.
    time : datetime or None
        Aware UTC time of the sample when the telemetry states it (GPS time); naive when the
        telemetry gives local wall-clock time without zone (DJI SRT).
    lat, lon : float
        [deg].
    alt_m : float or None
        [m].
    speed_mps : float or None
        Ground speed [m/s].
    height_m : float or None
        Height above the take-off point [m] (DJI ``H``, ``rel_alt``, barometer), not an altitude.
    gimbal_yaw_deg, gimbal_pitch_deg : float or None
        Camera (gimbal) direction [deg]: yaw clockwise from north, pitch below the horizon negative.
    flight_yaw_deg : float or None
        Aircraft heading [deg], clockwise from north.
    """

    lat: float
    lon: float
    media_time_s: float | None = None
    time: datetime | None = None
    alt_m: float | None = None
    speed_mps: float | None = None
    height_m: float | None = None
    gimbal_yaw_deg: float | None = None
    gimbal_pitch_deg: float | None = None
    flight_yaw_deg: float | None = None


@dataclass(frozen=True)
class Device(_ToDict):
    """Who and what made or last wrote the file.  Every field may be ``None``."""

    make: str | None = None
    model: str | None = None
    software: str | None = None
    os_version: str | None = None
    firmware: str | None = None
    serial: str | None = None
    encoder: str | None = None
    muxer: str | None = None
    handlers: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)
    author: str | None = None


#: What kind of program last wrote a file (:attr:`Writer.kind`).
WRITER_KINDS = ("camera", "editor", "platform", "transcoder", "unknown")


@dataclass(frozen=True)
class Writer(_ToDict):
    """Who wrote the file: a camera original, an editor export, a platform re-encode or a transcoder.

    Times written by an ``"editor"``, a ``"platform"`` or a ``"transcoder"`` are when the file was
    written, not when it was filmed: they bound the filming time from above only.

    Attributes
    ----------
    kind : str
        One of :data:`WRITER_KINDS`; ``"unknown"`` when no rule decides.
    name : str or None
        The writer's family, e.g. ``"Apple iPhone camera"``, ``"Adobe Premiere Pro"``,
        ``"Telegram"``, ``"FFmpeg (Lavf)"``.
    confidence : float
        Probability that ``kind`` is right, 0-1.
    rule : str
        The rule that decided, in words.
    evidence : tuple of str
        The tags and bytes the rule read, each as ``"source: raw text"``.
    """

    kind: str = "unknown"
    name: str | None = None
    confidence: float = 0.0
    rule: str = ""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class C2PAInfo(_ToDict):
    """Summary of a C2PA manifest store.

    ``state`` is ``"none_found"`` when the file carries no manifest (never negative evidence),
    ``"unavailable"`` when the c2pa extra is not installed, otherwise the validation state.
    """

    state: str
    claim_generator: str | None = None
    signer: str | None = None
    signed_at: datetime | None = None
    actions: tuple[str, ...] = ()
    ingredients: tuple[str, ...] = ()
    capture_time: datetime | None = None
    capture_location: tuple[float, float] | None = None
    validation_errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem(_ToDict):
    """Something wrong or suspicious in the metadata (never raised, always listed)."""

    code: str
    message: str
    source: str = ""


@dataclass(frozen=True)
class Metadata(_ToDict):
    """Normalised metadata of one file.

    Attributes
    ----------
    path : str
    container : str
        Detected container (``"mp4"``, ``"mov"``, ``"matroska"``, ``"avi"``, ``"mpegts"``,
        ``"jpeg"``, ``"heic"``, ``"dji_srt"``, ...).
    times : tuple of TimeTag
    location : Location or None
        The best single fix of the file itself (not the track).
    track : tuple of TrackPoint
        Telemetry samples in media order, empty when none.
    device : Device
    duration_s : float or None
        Container duration [s].
    width, height : int or None
        Coded size of the first video stream [px].
    rotation_deg : int or None
        Display rotation [deg] as ffprobe reports it (e.g. -90), 0 when none.
    video_codec : str or None
        ffprobe-style codec name (``"h264"``, ``"hevc"``, ...).
    frame_rate : float or None
        [frames/s].
    c2pa : C2PAInfo or None
    writer : Writer
        Who wrote the file (camera, editor, platform, transcoder or unknown).
    problems : tuple of Problem
    raw : dict
        Every tag read, keyed by source path (``--raw`` in the CLI).
    """

    path: str
    container: str
    times: tuple[TimeTag, ...] = ()
    location: Location | None = None
    track: tuple[TrackPoint, ...] = ()
    device: Device = field(default_factory=Device)
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    rotation_deg: int | None = None
    video_codec: str | None = None
    frame_rate: float | None = None
    c2pa: C2PAInfo | None = None
    writer: Writer = field(default_factory=Writer)
    problems: tuple[Problem, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self, *, raw: bool = False) -> dict[str, Any]:
        """JSON-safe dict; the raw tag table is included only with ``raw=True``."""
        d = _jsonable(self)
        if not raw:
            d.pop("raw", None)
        return d

    def __repr__(self) -> str:
        n = len(self.times)
        loc = "no location" if self.location is None else f"{self.location.lat:.4f},{self.location.lon:.4f}"
        return (f"Metadata({self.container!r}, {n} time tag(s), {loc}, "
                f"{len(self.track)} track point(s), {len(self.problems)} problem(s))")

    def _repr_html_(self) -> str | None:
        """Notebook view: escaped HTML with collapsible sections (None: the text repr is shown)."""
        from .._util import html_repr  # the renderer lives in report/, imported on first display

        return html_repr(self)
