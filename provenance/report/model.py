"""The :class:`Report` of one analysis: the result model, apart from its views.

``Report`` is a frozen dataclass with a complete, uncapped JSON form (:meth:`Report.to_dict`,
:meth:`Report.to_json`) that reads back with :meth:`Report.from_dict` / :meth:`Report.from_json`,
so archived reports can be rendered again. The human views live beside it and the methods
delegate to them: :mod:`~provenance.report.text` (plain text, terminal-safe),
:mod:`~provenance.report.markdown`, :mod:`~provenance.report.html` (notebooks and saved files,
with ``report.css`` as package data), plus plots and maps in the ``plot`` and ``maps`` extras.

Sizes of the human views are capped (see the ``MAX_*`` constants) so that a long video with
thousands of keyframes and evidence items still gives a notebook cell or HTML file of a few
MB at most. The JSON form is never capped: it is the complete record.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._util import jsonable
from ..errors import InvalidArgumentError, ProvenanceError
from ..index.records import FootageRecord
from ..matching.match import Match
from ..metadata.model import Metadata, Writer
from ..scoring.checks import Finding
from ..scoring.claim import Claim, Verdict
from ..scoring.evidence import Evidence
from ..scoring.fusion import When, Where

if TYPE_CHECKING:  # pragma: no cover
    from ..metadata.model import Metadata as _Metadata  # noqa: F401

__all__ = [
    "MAX_EVIDENCE_ROWS",
    "MAX_HTML_IMAGE_BYTES",
    "MAX_MATCHES_SHOWN",
    "MAX_THUMBNAIL_BYTES",
    "MAX_THUMBNAILS",
    "REPORT_SCHEMA",
    "MatchFrames",
    "Report",
    "grade_label",
    "reports_table",
    "writer_text",
]

#: Format version of ``Report.to_dict()``; bumped on incompatible changes.
REPORT_SCHEMA = 1

#: Keyframe thumbnails shown in the HTML strip (evenly spread over the clip when there are more).
MAX_THUMBNAILS = 24
#: Largest single embedded JPEG [bytes]; larger ones are replaced by a placeholder.
MAX_THUMBNAIL_BYTES = 48_000
#: Budget for all images embedded in one HTML view [bytes of JPEG, before base64].
MAX_HTML_IMAGE_BYTES = 1_200_000
#: Known-footage matches shown as side-by-side cards (the rest are listed in a table).
MAX_MATCHES_SHOWN = 8
#: Matches listed at all in HTML / Markdown.
MAX_MATCHES_LISTED = 50
#: Rows of the evidence table (the most reliable items when there are more).
MAX_EVIDENCE_ROWS = 200
#: Bars on the timeline and circles on the map.
MAX_TIMELINE_ROWS = 30
MAX_MAP_ITEMS = 40
#: Reasons, problems and conflicts listed.
MAX_LIST_ITEMS = 50
#: Characters kept of any one string from a file.
MAX_TEXT = 600
#: Evidence lines in the plain-text view.
MAX_TEXT_EVIDENCE = 500

_JPEG_MAGIC = b"\xff\xd8\xff"
_STATUS_COLOUR = {"consistent": "#1b7f3b", "contradicted": "#b3261e", "unverifiable": "#5f6368"}
_STATUS_WORDS = {
    "consistent": "The evidence supports the claim.",
    "contradicted": "Strong evidence excludes the claim.",
    "unverifiable": "The evidence neither confirms nor excludes the claim.",
}



def _t(value: datetime | None) -> str:
    return "unknown" if value is None else value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _jpeg_ok(data: Any) -> bool:
    return isinstance(data, (bytes, bytearray)) and bytes(data[:3]) == _JPEG_MAGIC


@dataclass(frozen=True)
class MatchFrames:
    """The frame pair behind one known-footage match, as JPEG thumbnails.

    Attributes
    ----------
    footage_id : str
        The matched known footage (``Match.footage_id``).
    query_time_s : float
        Media time of the frame of the analysed video [s].
    query_jpeg : bytes or None
        Its thumbnail (:func:`provenance.media.thumbnails.make_thumbnail`), ``None`` when
        not available.
    ref_time_s : float
        Media time of the matching frame of the known footage [s].
    ref_jpeg : bytes or None
        Its thumbnail, ``None`` when the known clip could not be decoded (an index keeps
        hashes, not pixels).
    """

    footage_id: str
    query_time_s: float
    query_jpeg: bytes | None
    ref_time_s: float
    ref_jpeg: bytes | None = None

    def to_dict(self, *, images: bool = False) -> dict[str, Any]:
        """JSON-safe dict: sizes of the images, and the images as base64 with ``images=True``."""
        d: dict[str, Any] = {"footage_id": self.footage_id, "query_time_s": self.query_time_s,
                             "ref_time_s": self.ref_time_s,
                             "query_jpeg_bytes": None if self.query_jpeg is None else len(self.query_jpeg),
                             "ref_jpeg_bytes": None if self.ref_jpeg is None else len(self.ref_jpeg)}
        if images:
            d["query_jpeg_base64"] = _b64text(self.query_jpeg)
            d["ref_jpeg_base64"] = _b64text(self.ref_jpeg)
        return d

    def __repr__(self) -> str:
        return (f"MatchFrames({self.footage_id!r}, query {self.query_time_s:.2f} s <-> known {self.ref_time_s:.2f} s, "
                f"images: {'query' if self.query_jpeg else '-'}/{'known' if self.ref_jpeg else '-'})")


@dataclass(frozen=True)
class Report:
    """Everything :func:`provenance.analyze` found about one file.

    Attributes
    ----------
    path : str
    metadata : Metadata or None
        ``None`` only when the file could not be parsed at all (see ``problems``).
    matches : tuple of Match
        Known-footage matches, best first.
    records : dict of str to FootageRecord
        Index records of the matched footage, by footage id.
    evidence : tuple of Evidence
        Every item the estimate rests on.
    when : When
        Estimated filming time.
    where : Where or None
        Estimated filming place.
    claim : Claim or None
    verdict : Verdict
    keyframe_times_s : tuple of float
        Media times of the frames that were hashed [s].
    problems : tuple of str
        What went wrong or looked suspicious along the way.
    created_at : datetime
        When the analysis ran [aware UTC].
    thumbnails : tuple of (float, bytes)
        ``(time_s, jpeg)`` keyframe thumbnails of the analysed file, in time order
        (:func:`provenance.media.thumbnails.make_thumbnail`); may be empty.
    match_thumbnails : tuple of MatchFrames
        Query/known frame pairs of the matches, for side-by-side display; may be empty.
    findings : tuple of Finding
        What the consistency checks between the metadata sources found.

    Examples
    --------
    >>> report = provenance.analyze("clip.mp4", index="known.db", claim=claim)  # doctest: +SKIP
    >>> report                                                                 # doctest: +SKIP
    Report('clip.mp4', verdict='contradicted', 1 match(es), 4 evidence item(s))
    >>> report.save_html("clip-report.html")                                   # doctest: +SKIP
    """

    path: str
    metadata: Metadata | None
    matches: tuple[Match, ...]
    records: dict[str, FootageRecord]
    evidence: tuple[Evidence, ...]
    when: When
    where: Where | None
    claim: Claim | None
    verdict: Verdict
    keyframe_times_s: tuple[float, ...] = ()
    problems: tuple[str, ...] = ()
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    thumbnails: tuple[tuple[float, bytes], ...] = ()
    match_thumbnails: tuple[MatchFrames, ...] = ()
    findings: tuple[Finding, ...] = ()

    def __post_init__(self) -> None:
        thumbs = []
        for item in self.thumbnails or ():
            try:
                t, data = item
            except (TypeError, ValueError) as exc:
                raise InvalidArgumentError(
                    f"Report.thumbnails must hold (time_s, jpeg_bytes) pairs (got {type(item).__name__})") from exc
            if not isinstance(data, (bytes, bytearray)):
                raise InvalidArgumentError(
                    f"Report.thumbnails: the image must be JPEG bytes (got {type(data).__name__})")
            thumbs.append((float(t), bytes(data)))
        object.__setattr__(self, "thumbnails", tuple(thumbs))
        pairs = tuple(self.match_thumbnails or ())
        for p in pairs:
            if not isinstance(p, MatchFrames):
                raise InvalidArgumentError(
                    f"Report.match_thumbnails must hold MatchFrames (got {type(p).__name__})")
        object.__setattr__(self, "match_thumbnails", pairs)

    # ---- machine views -------------------------------------------------
    def to_dict(self, *, images: bool = False) -> dict[str, Any]:
        """JSON-safe dict (schema in docs/report.md).

        Parameters
        ----------
        images : bool
            Include the thumbnails as base64 JPEG (``False``: only their times and sizes).
        """
        thumbs = []
        for t, data in self.thumbnails:
            d: dict[str, Any] = {"time_s": t, "jpeg_bytes": len(data)}
            if images:
                d["jpeg_base64"] = base64.b64encode(data).decode("ascii")
            thumbs.append(d)
        return {
            "schema": REPORT_SCHEMA,
            "path": self.path,
            "created_at": self.created_at.isoformat(),
            "verdict": jsonable(self.verdict),
            "claim": None if self.claim is None else self.claim.to_dict(),
            "when": jsonable(self.when),
            "where": None if self.where is None else jsonable(self.where),
            "matches": [jsonable(m) for m in self.matches],
            "records": {k: jsonable(v) for k, v in self.records.items()},
            "evidence": [e.to_dict() for e in self.evidence],
            "metadata": None if self.metadata is None else self.metadata.to_dict(),
            "keyframe_times_s": list(self.keyframe_times_s),
            "problems": list(self.problems),
            "findings": [jsonable(f) for f in self.findings],
            "thumbnails": thumbs,
            "match_thumbnails": [p.to_dict(images=images) for p in self.match_thumbnails],
        }

    def to_json(self, *, indent: int | None = 2, images: bool = False) -> str:
        """The report as JSON text (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(images=images), indent=indent, ensure_ascii=False)

    # ---- helpers shared by the human views ----------------------------
    def _record(self, footage_id: Any) -> Any:
        return self.records.get(footage_id)

    def _frames_for(self, footage_id: Any) -> MatchFrames | None:
        for p in self.match_thumbnails:
            if p.footage_id == footage_id:
                return p
        return None

    def _excludes_claim(self, e: Evidence) -> bool:
        c = self.claim
        if c is None or c.earliest is None or c.latest is None or not e.constrains_time:
            return False
        return (e.latest is not None and e.latest < c.earliest) or (e.earliest is not None and e.earliest > c.latest)

    def _shown_evidence(self, limit: int) -> list[Evidence]:
        """The evidence in report order, or its ``limit`` most reliable items (still in order)."""
        items = list(self.evidence)
        if len(items) <= limit:
            return items
        keep = set(sorted(range(len(items)), key=lambda i: (-items[i].reliability, i))[:limit])
        return [e for i, e in enumerate(items) if i in keep]



    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Rebuild a report from :meth:`to_dict` output (e.g. an archived JSON report).

        Parameters
        ----------
        data : dict
            The dict form. Thumbnails come back only when it was written with ``images=True``
            (otherwise their times are kept in ``keyframe_times_s`` and the images are empty).

        Returns
        -------
        Report

        Raises
        ------
        InvalidArgumentError
            ``data`` is not a report dict of a schema this version reads.
        """
        if not isinstance(data, dict) or "verdict" not in data or "when" not in data:
            raise InvalidArgumentError("Report.from_dict expects the dict written by Report.to_dict()")
        schema = data.get("schema")
        if schema != REPORT_SCHEMA:
            raise InvalidArgumentError(f"report schema {schema!r} is not readable by this version "
                                       f"(reads schema {REPORT_SCHEMA})")
        try:
            thumbs = tuple((float(t["time_s"]), base64.b64decode(t["jpeg_base64"]))
                           for t in data.get("thumbnails") or () if t.get("jpeg_base64"))
            pairs = tuple(MatchFrames(p["footage_id"], float(p["query_time_s"]), _b64(p.get("query_jpeg_base64")),
                                      float(p["ref_time_s"]), _b64(p.get("ref_jpeg_base64")))
                          for p in data.get("match_thumbnails") or ())
            return cls(
                path=str(data["path"]),
                metadata=None if data.get("metadata") is None else _build(Metadata, data["metadata"]),
                matches=tuple(_build(Match, m) for m in data.get("matches") or ()),
                records={str(k): _build(FootageRecord, v) for k, v in (data.get("records") or {}).items()},
                evidence=tuple(_build(Evidence, e) for e in data.get("evidence") or ()),
                when=_build(When, data["when"]),
                where=None if data.get("where") is None else _build(Where, data["where"]),
                claim=_claim_from_dict(data.get("claim")),
                verdict=_build(Verdict, data["verdict"]),
                keyframe_times_s=tuple(float(t) for t in data.get("keyframe_times_s") or ()),
                problems=tuple(str(p) for p in data.get("problems") or ()),
                created_at=_datetime(data["created_at"]),
                thumbnails=thumbs,
                match_thumbnails=pairs,
                findings=tuple(_build(Finding, f) for f in data.get("findings") or ()),
            )
        except ProvenanceError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidArgumentError(f"not a readable report dict: {type(exc).__name__}: {exc}") from exc

    @classmethod
    def from_json(cls, text: str | bytes) -> Report:
        """Rebuild a report from :meth:`to_json` text (see :meth:`from_dict`).

        Raises
        ------
        InvalidArgumentError
            The text is not JSON or not a report.
        """
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidArgumentError(f"Report.from_json: not JSON ({exc})") from exc
        return cls.from_dict(data)

    # ---- human views (delegating to text.py, markdown.py, html.py) ------
    def __repr__(self) -> str:
        return (f"Report({Path(self.path).name!r}, verdict={self.verdict.status!r}, "
                f"{len(self.matches)} match(es), {len(self.evidence)} evidence item(s))")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        """IPython's plain-text display: the full text report (the HTML view's fallback)."""
        p.text(repr(self) if cycle else self.to_text())

    def to_text(self) -> str:
        """A readable plain-text report, safe to print to a terminal (:func:`provenance.report.text.report_text`)."""
        from .text import report_text

        return report_text(self)

    def __str__(self) -> str:
        return self.to_text()

    def to_markdown(self) -> str:
        """A Markdown summary for a fact-check draft (see :func:`provenance.report.markdown.report_markdown`)."""
        from .markdown import report_markdown

        return report_markdown(self)

    def _repr_html_(self) -> str:
        """HTML for notebooks: no scripts, every string from the file escaped, sizes capped."""
        from .html import report_html

        return report_html(self)

    def save_html(self, path: str | Path) -> Path:
        """Write the report as one self-contained HTML file and return its path.

        Images are embedded as data URIs and the drawings as inline SVG, so the file opens
        offline. A Content-Security-Policy forbids scripts and every network request.
        """
        from .html import save_html

        return save_html(self, path)

    # ---- plots and maps (extras) ----------------------------------------
    def plot_timeline(self, *, ax: Any = None) -> Any:
        """Matplotlib timeline of the time evidence (extra ``plot``): :func:`provenance.report.plots.plot_timeline`."""
        from .plots import plot_timeline

        return plot_timeline(self, ax=ax)

    def plot_matches(self, *, ax: Any = None) -> Any:
        """Matplotlib match alignment (extra ``plot``); see :func:`provenance.report.plots.plot_match_alignment`."""
        from .plots import plot_match_alignment

        return plot_match_alignment(self, ax=ax)

    def map(self, **kwargs: Any) -> Any:
        """Interactive folium map of the place evidence (extra ``maps``): :func:`provenance.report.maps.place_map`."""
        from .maps import place_map

        return place_map(self, **kwargs)



# ---------------------------------------------------------------- helpers

def _spread(n: int, k: int) -> list[int]:
    """``min(n, k)`` indices evenly spread over ``range(n)``, first and last included."""
    if n <= k:
        return list(range(n))
    if k <= 1:
        return [0]
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


def _version() -> str:
    from .._version import __version__

    return __version__


def grade_label(verdict: object) -> str | None:
    """The verdict's graded label (``verdict.grade.label``) when the scorer gives one, else None."""
    grade = getattr(verdict, "grade", None)
    if grade is None:
        return None
    label = getattr(grade, "label", None)
    return str(label if label is not None else getattr(grade, "name", grade))


def writer_text(w: Writer) -> str:
    """Who wrote the file, in words: ``"editor: Adobe Premiere Pro (confidence 0.90)"``."""
    name = f": {w.name}" if w.name else ""
    return f"{w.kind}{name} (confidence {w.confidence:.2f})"


def reports_table(reports: Sequence[Report | dict[str, Any]]) -> str:
    """A plain-text table of several reports, one line each (see :func:`provenance.report.text.reports_table`)."""
    from .text import reports_table as table

    return table(reports)


# ---------------------------------------------------------------- from_dict

def _b64text(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _b64(value: Any) -> bytes | None:
    return None if not value else base64.b64decode(value)


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _claim_from_dict(d: Any) -> Claim | None:
    if not d:
        return None

    def when(v: Any) -> Any:
        if isinstance(v, list):
            return tuple(when(x) for x in v)
        if isinstance(v, str) and ("T" in v or " " in v):
            return _datetime(v)
        return date.fromisoformat(v) if isinstance(v, str) else v

    place = d.get("place")
    if isinstance(place, list):
        place = (float(place[0]), float(place[1]))
    return Claim(time=None if d.get("time") is None else when(d["time"]), place=place,
                 radius_km=float(d.get("radius_km", 50.0)), text=str(d.get("text") or ""))


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        try:
            _HINTS[cls] = typing.get_type_hints(cls)
        except (NameError, TypeError):  # an annotation only importable for type checkers: keep raw values
            _HINTS[cls] = {}
    return _HINTS[cls]


def _convert(tp: Any, value: Any) -> Any:
    """``value`` (from JSON) as the annotated type ``tp``, as far as the annotation tells."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        for a in options:
            try:
                return _convert(a, value)
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
        return value
    if origin is typing.Literal:
        return value
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"expected a list for {tp}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in value)
        if args and len(args) == len(value):
            return tuple(_convert(a, v) for a, v in zip(args, value))
        return tuple(value)
    if origin is dict:
        return dict(value)
    if tp is datetime:
        if not isinstance(value, str):
            raise TypeError("expected an ISO time")
        return _datetime(value)
    if tp is date:
        return date.fromisoformat(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("expected a number")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("expected an integer")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise TypeError("expected a string")
        return value
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            return tp[value]
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise TypeError(f"expected an object for {tp.__name__}")
        return _build(tp, value)
    return value


def _build(cls: Any, data: dict[str, Any]) -> Any:
    """An instance of the dataclass ``cls`` from its ``to_dict()`` form (unknown keys ignored)."""
    if not isinstance(data, dict):
        raise TypeError(f"expected an object for {cls.__name__} (got {type(data).__name__})")
    hints = _hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if not f.init or f.name not in data:
            continue
        kwargs[f.name] = _convert(hints.get(f.name, Any), data[f.name])
    return cls(**kwargs)
