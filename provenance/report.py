"""The :class:`Report` of one analysis and its views (dict, JSON, text, HTML)."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ._util import jsonable
from .metadata.model import Metadata
from .scoring.claim import Claim, Verdict
from .scoring.evidence import Evidence
from .scoring.fusion import When, Where

__all__ = ["Report"]

#: Format version of ``Report.to_dict()``; bumped on incompatible changes.
REPORT_SCHEMA = 1


def _t(value: datetime | None) -> str:
    return "unknown" if value is None else value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


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
    records : dict
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
    """

    path: str
    metadata: Metadata | None
    matches: tuple[Any, ...]
    records: dict[str, Any]
    evidence: tuple[Evidence, ...]
    when: When
    where: Where | None
    claim: Claim | None
    verdict: Verdict
    keyframe_times_s: tuple[float, ...] = ()
    problems: tuple[str, ...] = ()
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    # ---- machine views -------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (schema in docs/report.md)."""
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
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    # ---- human views ---------------------------------------------------
    def __repr__(self) -> str:
        return (f"Report({Path(self.path).name!r}, verdict={self.verdict.status!r}, "
                f"{len(self.matches)} match(es), {len(self.evidence)} evidence item(s))")

    def to_text(self) -> str:
        """A readable plain-text report (what the CLI prints)."""
        lines = [f"provenance report: {self.path}", ""]
        if self.claim is not None:
            lines.append(f"Claim:    {self.claim.describe()}")
        lines.append(f"Verdict:  {self.verdict.status.upper()}")
        for r in self.verdict.reasons:
            lines.append(f"  - {r}")
        lines += ["", "Known-footage matches:"]
        if not self.matches:
            lines.append("  none above the decision threshold")
        for m in self.matches:
            rec = self.records.get(m.footage_id)
            pub = _t(getattr(rec, "published_at", None)) if rec is not None else "unknown"
            title = f" ({rec.title})" if rec is not None and getattr(rec, "title", None) else ""
            variant = getattr(m, "variant", "original")
            lines.append(
                f"  {m.footage_id}{title}: score {m.score:.2f}; this video {m.query_start_s:.1f}-{m.query_end_s:.1f} s "
                f"= known clip {m.ref_start_s:.1f}-{m.ref_end_s:.1f} s"
                + (f" ({variant})" if variant not in (None, "", "original") else "")
                + f"; first published {pub}")
        lines += ["", "When filmed:"]
        w = self.when
        lines.append(f"  between {_t(w.earliest)} and {_t(w.latest)}; best {_t(w.best)}; confidence {w.confidence:.2f}")
        for c in w.conflicts:
            lines.append(f"  conflict: {c}")
        lines += ["", "Where filmed:"]
        if self.where is None:
            lines.append("  unknown (no place evidence)")
        else:
            p = self.where
            lines.append(f"  {p.lat:.5f}, {p.lon:.5f} within {p.radius_km:,.2f} km; confidence {p.confidence:.2f}")
            for c in p.conflicts:
                lines.append(f"  conflict: {c}")
        lines += ["", "Evidence:"]
        if not self.evidence:
            lines.append("  none")
        for e in self.evidence:
            lines.append(f"  [{e.reliability:.2f}] {e.summary}")
            lines.append(f"         source: {e.source}")
        if self.problems:
            lines += ["", "Problems:"] + [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        """HTML for notebooks; every string from the file is escaped."""
        e = html.escape
        colour = {"consistent": "#1b7f3b", "contradicted": "#b3261e", "unverifiable": "#6b6b6b"}[self.verdict.status]
        parts = [
            '<div class="provenance-report" style="font-family:sans-serif;max-width:60em">',
            f'<div style="background:{colour};color:white;padding:.5em 1em;border-radius:4px">'
            f'<b>{e(self.verdict.status.upper())}</b>'
            + (f" &mdash; claim: {e(self.claim.describe())}" if self.claim else "") + "</div>",
            "<ul>" + "".join(f"<li>{e(r)}</li>" for r in self.verdict.reasons) + "</ul>",
            f"<p><b>File:</b> {e(self.path)}</p>",
            "<h4>Known-footage matches</h4>",
        ]
        if self.matches:
            parts.append("<table><tr><th>footage</th><th>score</th><th>this video [s]</th><th>known clip [s]</th>"
                         "<th>first published</th></tr>")
            for m in self.matches:
                rec = self.records.get(m.footage_id)
                parts.append(f"<tr><td>{e(str(m.footage_id))}</td><td>{m.score:.2f}</td>"
                             f"<td>{m.query_start_s:.1f}&ndash;{m.query_end_s:.1f}</td>"
                             f"<td>{m.ref_start_s:.1f}&ndash;{m.ref_end_s:.1f}</td>"
                             f"<td>{e(_t(getattr(rec, 'published_at', None)))}</td></tr>")
            parts.append("</table>")
        else:
            parts.append("<p>None above the decision threshold.</p>")
        w = self.when
        parts.append(f"<h4>When</h4><p>{e(_t(w.earliest))} &ndash; {e(_t(w.latest))}; best {e(_t(w.best))}; "
                     f"confidence {w.confidence:.2f}</p>")
        parts.append("<h4>Where</h4><p>" + ("unknown" if self.where is None else
                     f"{self.where.lat:.5f}, {self.where.lon:.5f} &plusmn; {self.where.radius_km:,.2f} km; "
                     f"confidence {self.where.confidence:.2f}") + "</p>")
        parts.append("<h4>Evidence</h4><table><tr><th>what</th><th>source</th><th>reliability</th></tr>")
        for ev in self.evidence:
            parts.append(f"<tr><td>{e(ev.summary)}</td><td><code>{e(ev.source)}</code></td><td>{ev.reliability:.2f}</td></tr>")
        parts.append("</table>")
        if self.problems:
            parts.append("<h4>Problems</h4><ul>" + "".join(f"<li>{e(p)}</li>" for p in self.problems) + "</ul>")
        parts.append("</div>")
        return "".join(parts)

    def save_html(self, path: str | Path) -> Path:
        """Write a self-contained HTML file of the report and return its path."""
        out = Path(path)
        doc = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>provenance report</title></head><body>"
               + self._repr_html_() + "</body></html>")
        out.write_text(doc, encoding="utf-8")
        return out
