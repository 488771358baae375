"""Plain-text views: a :class:`~provenance.report.model.Report`, a file's :class:`~provenance.metadata.model.Metadata`,
and a one-line-per-file table of several reports.

Every string that may come from a media file, an index or a user goes through
:func:`provenance._util.terminal_safe` (one field: newlines escaped too), so a title tag holding
an OSC or CSI escape sequence, a carriage return or a bidi override is shown, never obeyed,
when the text reaches a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._util import terminal_safe
from .model import MAX_MATCHES_LISTED, MAX_TEXT_EVIDENCE, _t, grade_label, writer_text
from .svg import fmt_span

if TYPE_CHECKING:  # pragma: no cover
    from ..metadata.model import Metadata
    from .model import Report

__all__ = ["metadata_text", "report_text", "reports_table"]


def _s(value: object) -> str:
    return terminal_safe(value, multiline=False)


def report_text(r: Report) -> str:
    """A readable plain-text report (what the CLI prints, and the notebook fallback where HTML is not shown)."""
    v = r.verdict
    lines = [f"provenance report: {_s(r.path)}", ""]
    if r.claim is not None:
        lines.append(f"Claim:    {_s(r.claim.describe())}")
    grade = grade_label(v)
    lines.append(f"Verdict:  {v.status.upper()}" + (f" ({_s(grade)})" if grade else ""))
    parts = [f"time {v.time_status}" if v.time_status else "", f"place {v.place_status}" if v.place_status else ""]
    if any(parts):
        lines.append("          (" + ", ".join(p for p in parts if p) + ")")
    for reason in v.reasons:
        lines.append(f"  - {_s(reason)}")
    lines += ["", "Known-footage matches:"]
    if not r.matches:
        lines.append("  none above the decision threshold")
    for m in r.matches[:MAX_MATCHES_LISTED]:
        rec = r._record(m.footage_id)
        pub = _t(getattr(rec, "published_at", None)) if rec is not None else "unknown"
        title = f" ({_s(rec.title)})" if rec is not None and getattr(rec, "title", None) else ""
        variant = getattr(m, "variant", "original")
        if getattr(m, "time_resolved", True) is False:  # a fixed camera's view: the moment is not known
            lines.append(f"  {_s(m.footage_id)}{title}: score {m.score:.2f}; the same fixed camera view as this "
                         f"known footage; which moment is not resolved; first published {pub}")
            continue
        lines.append(
            f"  {_s(m.footage_id)}{title}: score {m.score:.2f}; this video {m.query_start_s:.1f}-{m.query_end_s:.1f} s "
            f"= known clip {m.ref_start_s:.1f}-{m.ref_end_s:.1f} s"
            + (f" ({_s(variant)})" if variant not in (None, "", "original") else "")
            + f"; first published {pub}")
    if len(r.matches) > MAX_MATCHES_LISTED:
        lines.append(f"  ... and {len(r.matches) - MAX_MATCHES_LISTED} more (see the JSON form)")
    lines += ["", "When filmed:"]
    w = r.when
    lines.append(f"  between {_t(w.earliest)} and {_t(w.latest)}; best {_t(w.best)}; confidence {w.confidence:.2f}")
    for c in w.conflicts:
        lines.append(f"  conflict: {_s(c)}")
    lines += ["", "Where filmed:"]
    if r.where is None:
        lines.append("  unknown (no place evidence)")
    else:
        p = r.where
        lines.append(f"  {p.lat:.5f}, {p.lon:.5f} within {p.radius_km:,.2f} km; confidence {p.confidence:.2f}")
        for c in p.conflicts:
            lines.append(f"  conflict: {_s(c)}")
    md = r.metadata
    if md is not None and getattr(md, "writer", None) is not None and md.writer.kind != "unknown":
        lines += ["", f"Written by: {_s(writer_text(md.writer))}"]
    lines += ["", "Evidence:"]
    if not r.evidence:
        lines.append("  none")
    for e in r.evidence[:MAX_TEXT_EVIDENCE]:
        lines.append(f"  [{e.reliability:.2f}] {_s(e.summary)}")
        lines.append(f"         source: {_s(e.source)}")
    if len(r.evidence) > MAX_TEXT_EVIDENCE:
        lines.append(f"  ... and {len(r.evidence) - MAX_TEXT_EVIDENCE} more (see the JSON form)")
    notable = [f for f in r.findings if getattr(f, "severity", "info") != "info"]
    if notable:
        lines += ["", "Consistency checks:"] + [f"  - [{_s(getattr(f, 'severity', ''))}] {_s(getattr(f, 'message', f))}"
                                                for f in notable[:MAX_TEXT_EVIDENCE]]
    if r.problems:
        lines += ["", "Problems:"] + [f"  - {_s(p)}" for p in r.problems[:MAX_TEXT_EVIDENCE]]
        if len(r.problems) > MAX_TEXT_EVIDENCE:
            lines.append(f"  ... and {len(r.problems) - MAX_TEXT_EVIDENCE} more (see the JSON form)")
    return "\n".join(lines)


def _opt(value: object, unit: str = "") -> str:
    return "unknown" if value is None else f"{_s(value)}{unit}"


def metadata_text(md: Metadata) -> str:
    """The normalised metadata of one file as text (``provenance metadata FILE``)."""
    lines = [f"{_s(md.path)}  [{_s(md.container)}]"]
    size = f"{md.width}x{md.height}" if md.width and md.height else "unknown size"
    fps = f", {md.frame_rate:.3g} fps" if isinstance(md.frame_rate, (int, float)) else ""
    dur = f"{md.duration_s:.3f} s" if isinstance(md.duration_s, (int, float)) else "unknown duration"
    lines.append(f"  format  {dur}, {size}, rotation {_opt(md.rotation_deg, ' deg')}, codec "
                 f"{_opt(md.video_codec)}{fps}")
    d = md.device
    dev = [f"{k}={_s(v)}" for k, v in (("make", d.make), ("model", d.model), ("software", d.software),
                                        ("os", d.os_version), ("firmware", d.firmware), ("encoder", d.encoder),
                                        ("muxer", d.muxer)) if v]
    lines.append("  device  " + (" ".join(dev) if dev else "unknown"))
    w = getattr(md, "writer", None)
    if w is not None:
        lines.append(f"  writer  {_s(writer_text(w))}")
        if w.rule:
            lines.append(f"          rule: {_s(w.rule)}")
    if not md.times:
        lines.append("  time    none found")
    for t in md.times:
        zone = "" if t.tz_known else " (zone unknown: wall-clock reading as written)"
        lines.append(f"  time    {t.value.isoformat():32s} {_s(t.tz_state):14s} {_s(t.meaning):18s} "
                     f"{_s(t.source)}{zone}")
    if md.location is not None:
        loc = md.location
        lines.append(f"  place   {loc.lat:.6f}, {loc.lon:.6f} alt {_opt(loc.alt_m, ' m')} "
                     f"accuracy {_opt(loc.accuracy_m, ' m')}  {_s(loc.source)}")
    else:
        lines.append("  place   none recorded")
    if md.track:
        tr = md.track
        times = [p.time for p in tr if isinstance(p.time, datetime)]
        span = f", {times[0].isoformat()} .. {times[-1].isoformat()}" if times else ""
        lines.append(f"  track   {len(tr)} sample(s){span}; export with --gpx/--kml")
    c = md.c2pa
    if c is not None:
        lines.append(f"  c2pa    {_s(c.state)}" + (f", signed by {_s(c.signer)}" if c.signer else "")
                     + (f", generator {_s(c.claim_generator)}" if c.claim_generator else ""))
    for p in md.problems:
        lines.append(f"  problem {_s(p.code)}: {_s(p.message)}" + (f" [{_s(p.source)}]" if p.source else ""))
    return "\n".join(lines)


def reports_table(reports: Sequence[Report | dict[str, Any]]) -> str:
    """A plain-text table of several reports (one line each), for the CLI.

    An item may also be a ``{"path", "error", "error_type"}`` dict for a file that failed.
    """
    rows = [("file", "verdict", "best match", "first published", "filmed (estimate)")]
    for r in reports:
        if isinstance(r, dict):
            rows.append((_s(Path(str(r.get("path", "?"))).name), "ERROR", _s(r.get("error_type", "")), "-",
                         _s(r.get("error", ""))))
            continue
        best = r.matches[0] if r.matches else None
        rec = r._record(best.footage_id) if best is not None else None
        rows.append((_s(Path(r.path).name), r.verdict.status,
                     f"{_s(best.footage_id)} ({best.score:.2f})" if best is not None else "-",
                     _t(getattr(rec, "published_at", None)) if best is not None else "-",
                     fmt_span(r.when.earliest, r.when.latest)))
    widths = [min(max(len(str(row[i])) for row in rows), 48) for i in range(len(rows[0]))]
    lines = []
    for j, row in enumerate(rows):
        cells = [str(c)[:w].ljust(w) for c, w in zip(row, widths)]
        lines.append("  ".join(cells).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
