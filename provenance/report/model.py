"""The :class:`Report` of one analysis and its views (dict, JSON, text, Markdown, HTML).

Every string in a report may come from the analysed file, and file metadata is
attacker-controlled (a title tag can hold ``<script>``). The HTML and Markdown views
escape every such string and clip it to a bounded length; images are embedded only as
base64 JPEG data URIs; the saved HTML file carries a Content-Security-Policy that forbids
scripts and network access, so a missed escape still could not run code or phone home.

Sizes are capped (see the ``MAX_*`` constants) so that a long video with thousands of
keyframes and evidence items still gives a notebook cell or HTML file of a few MB at most.
The JSON form (:meth:`Report.to_dict`) is never capped: it is the complete record.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._util import jsonable
from ..errors import InvalidArgumentError
from ..metadata.model import Metadata
from ..scoring.claim import Claim, Verdict
from ..scoring.evidence import Evidence
from ..scoring.fusion import When, Where
from .svg import (
    _CONTROL,
    CLAIM_COLOUR,
    ESTIMATE_COLOUR,
    EXCLUDES_COLOUR,
    STRONG_COLOUR,
    WEAK_COLOUR,
    MapItem,
    TimeRow,
    esc,
    fmt_span,
    map_svg,
    timeline_svg,
)

__all__ = [
    "MAX_EVIDENCE_ROWS",
    "MAX_HTML_IMAGE_BYTES",
    "MAX_MATCHES_SHOWN",
    "MAX_THUMBNAIL_BYTES",
    "MAX_THUMBNAILS",
    "MatchFrames",
    "Report",
    "reports_table",
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
            d["query_jpeg_base64"] = None if self.query_jpeg is None else base64.b64encode(self.query_jpeg).decode("ascii")
            d["ref_jpeg_base64"] = None if self.ref_jpeg is None else base64.b64encode(self.ref_jpeg).decode("ascii")
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
    thumbnails : tuple of (float, bytes)
        ``(time_s, jpeg)`` keyframe thumbnails of the analysed file, in time order
        (:func:`provenance.media.thumbnails.make_thumbnail`); may be empty.
    match_thumbnails : tuple of MatchFrames
        Query/known frame pairs of the matches, for side-by-side display; may be empty.

    Examples
    --------
    >>> report = provenance.analyze("clip.mp4", index="known.db", claim=claim)  # doctest: +SKIP
    >>> report                                                                 # doctest: +SKIP
    Report('clip.mp4', verdict='contradicted', 1 match(es), 4 evidence item(s))
    >>> report.save_html("clip-report.html")                                   # doctest: +SKIP
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
    thumbnails: tuple[tuple[float, bytes], ...] = ()
    match_thumbnails: tuple[MatchFrames, ...] = ()
    findings: tuple[Any, ...] = ()

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
        if c is None or not c.has_time or not e.constrains_time:
            return False
        return (e.latest is not None and e.latest < c.earliest) or (e.earliest is not None and e.earliest > c.latest)

    def _shown_evidence(self, limit: int) -> list[Evidence]:
        """The evidence in report order, or its ``limit`` most reliable items (still in order)."""
        items = list(self.evidence)
        if len(items) <= limit:
            return items
        keep = set(sorted(range(len(items)), key=lambda i: (-items[i].reliability, i))[:limit])
        return [e for i, e in enumerate(items) if i in keep]

    # ---- human views ---------------------------------------------------
    def __repr__(self) -> str:
        return (f"Report({Path(self.path).name!r}, verdict={self.verdict.status!r}, "
                f"{len(self.matches)} match(es), {len(self.evidence)} evidence item(s))")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        """IPython's plain-text display: the full text report (the HTML view's fallback)."""
        p.text(repr(self) if cycle else self.to_text())

    def to_text(self) -> str:
        """A readable plain-text report (what the CLI prints, and the fallback where HTML is not shown)."""
        lines = [f"provenance report: {self.path}", ""]
        if self.claim is not None:
            lines.append(f"Claim:    {self.claim.describe()}")
        lines.append(f"Verdict:  {self.verdict.status.upper()}")
        parts = [f"time {self.verdict.time_status}" if self.verdict.time_status else "",
                 f"place {self.verdict.place_status}" if self.verdict.place_status else ""]
        if any(parts):
            lines.append("          (" + ", ".join(p for p in parts if p) + ")")
        for r in self.verdict.reasons:
            lines.append(f"  - {r}")
        lines += ["", "Known-footage matches:"]
        if not self.matches:
            lines.append("  none above the decision threshold")
        for m in self.matches[:MAX_MATCHES_LISTED]:
            rec = self._record(m.footage_id)
            pub = _t(getattr(rec, "published_at", None)) if rec is not None else "unknown"
            title = f" ({rec.title})" if rec is not None and getattr(rec, "title", None) else ""
            variant = getattr(m, "variant", "original")
            lines.append(
                f"  {m.footage_id}{title}: score {m.score:.2f}; this video {m.query_start_s:.1f}-{m.query_end_s:.1f} s "
                f"= known clip {m.ref_start_s:.1f}-{m.ref_end_s:.1f} s"
                + (f" ({variant})" if variant not in (None, "", "original") else "")
                + f"; first published {pub}")
        if len(self.matches) > MAX_MATCHES_LISTED:
            lines.append(f"  ... and {len(self.matches) - MAX_MATCHES_LISTED} more (see the JSON form)")
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
        for e in self.evidence[:MAX_TEXT_EVIDENCE]:
            lines.append(f"  [{e.reliability:.2f}] {e.summary}")
            lines.append(f"         source: {e.source}")
        if len(self.evidence) > MAX_TEXT_EVIDENCE:
            lines.append(f"  ... and {len(self.evidence) - MAX_TEXT_EVIDENCE} more (see the JSON form)")
        notable = [f for f in self.findings if getattr(f, "severity", "info") != "info"]
        if notable:
            lines += ["", "Consistency checks:"] + [f"  - [{f.severity}] {f.message}" for f in notable[:MAX_TEXT_EVIDENCE]]
        if self.problems:
            lines += ["", "Problems:"] + [f"  - {p}" for p in self.problems[:MAX_TEXT_EVIDENCE]]
            if len(self.problems) > MAX_TEXT_EVIDENCE:
                lines.append(f"  ... and {len(self.problems) - MAX_TEXT_EVIDENCE} more (see the JSON form)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    # ---- Markdown ------------------------------------------------------
    def to_markdown(self) -> str:
        """A Markdown summary for pasting into a fact-check draft.

        Strings from the file are escaped for Markdown and HTML (so a hostile tag can
        neither inject markup nor break a table), and lists are capped like the HTML view.
        """
        m = _md
        v = self.verdict
        out = [f"## Provenance check: {_md(Path(self.path).name, 200)}", ""]
        if self.claim is not None:
            out.append(f"**Claim:** {m(self.claim.describe())}  ")
        out.append(f"**Verdict:** **{v.status.upper()}** \u2014 {_STATUS_WORDS[v.status]}")
        sub = [f"{name}: {st}" for name, st in (("time", v.time_status), ("place", v.place_status)) if st]
        if sub:
            out.append(f"({'; '.join(sub)})")
        out.append("")
        for r in v.reasons[:MAX_LIST_ITEMS]:
            out.append(f"- {m(r)}")
        out += ["", "### Known footage", ""]
        if not self.matches:
            out.append("No match above the decision threshold.")
        else:
            out.append("| known footage | score | this video [s] | known clip [s] | first published | source |")
            out.append("|---|---|---|---|---|---|")
            for mt in self.matches[:MAX_MATCHES_LISTED]:
                rec = self._record(mt.footage_id)
                title = getattr(rec, "title", None)
                url = _safe_url(getattr(rec, "source_url", None))
                name = m(mt.footage_id) + (" \u2014 " + m(title) if title else "")
                link = f"<{url}>" if url else ""
                out.append(f"| {name} | {mt.score:.2f} "
                           f"| {mt.query_start_s:.1f}\u2013{mt.query_end_s:.1f} | {mt.ref_start_s:.1f}\u2013{mt.ref_end_s:.1f} "
                           f"| {_t(getattr(rec, 'published_at', None))} | {link} |")
            if len(self.matches) > MAX_MATCHES_LISTED:
                out.append(f"\n{len(self.matches) - MAX_MATCHES_LISTED} more matches are in the JSON report.")
        w = self.when
        out += ["", "### When and where", "",
                f"- **Filmed:** {fmt_span(w.earliest, w.latest)}; best estimate {_t(w.best)}; confidence {w.confidence:.2f}"]
        if self.where is None:
            out.append("- **Place:** unknown (no place evidence)")
        else:
            p = self.where
            out.append(f"- **Place:** within {p.radius_km:,.2f} km of {p.lat:.5f}, {p.lon:.5f}; confidence {p.confidence:.2f}")
        for c in (list(w.conflicts) + list(self.where.conflicts if self.where else ()))[:MAX_LIST_ITEMS]:
            out.append(f"- *Conflict:* {m(c)}")
        out += ["", "### Evidence", ""]
        if not self.evidence:
            out.append("None.")
        else:
            shown = self._shown_evidence(MAX_EVIDENCE_ROWS)
            out.append("| what | value | source | reliability |")
            out.append("|---|---|---|---|")
            for e in shown:
                out.append(f"| {m(e.summary)} | {m(_value_text(e))} | {m(e.source, 200)} | {e.reliability:.2f} |")
            if len(shown) < len(self.evidence):
                out.append(f"\nShowing the {len(shown)} most reliable of {len(self.evidence)} items; the JSON report has all.")
        if self.problems:
            out += ["", "### Problems", ""] + [f"- {m(p)}" for p in self.problems[:MAX_LIST_ITEMS]]
            if len(self.problems) > MAX_LIST_ITEMS:
                out.append(f"- \u2026 and {len(self.problems) - MAX_LIST_ITEMS} more")
        out += ["", f"*Generated by provenance {_version()} on {_t(self.created_at)}.*", ""]
        return "\n".join(out)

    # ---- HTML ----------------------------------------------------------
    def _repr_html_(self) -> str:
        """HTML for notebooks: no scripts, every string from the file escaped, sizes capped."""
        budget = _ImageBudget(MAX_HTML_IMAGE_BYTES)
        v = self.verdict
        colour = _STATUS_COLOUR.get(v.status, "#5f6368")
        box = "border:1px solid #ddd;border-radius:6px;padding:.6em .9em;margin:.6em 0"
        h = '<h3 style="margin:.9em 0 .3em 0;font-size:1.1em">'
        parts = ['<div class="provenance-report" style="font-family:system-ui,sans-serif;max-width:62em;line-height:1.35;color:#222">']
        # banner
        badges = "".join(
            f'<span style="background:rgba(255,255,255,.22);border-radius:3px;padding:0 .4em;margin-left:.5em;font-size:.85em">'
            f'{esc(name)}: {esc(st)}</span>'
            for name, st in (("time", v.time_status), ("place", v.place_status)) if st)
        parts.append(
            f'<div class="prv-verdict prv-{esc(v.status, 20)}" style="background:{colour};color:white;padding:.7em 1em;border-radius:6px">'
            f'<div style="font-size:1.4em;font-weight:bold;letter-spacing:.03em">{esc(v.status.upper(), 20)}{badges}</div>'
            f'<div>{esc(_STATUS_WORDS.get(v.status, ""))}</div>'
            + (f'<div style="margin-top:.3em"><b>Claim:</b> {esc(self.claim.describe())}</div>' if self.claim else "")
            + "</div>")
        if v.reasons:
            parts.append('<ul class="prv-reasons" style="margin:.5em 0 .5em 1.2em;padding:0">'
                         + "".join(f'<li style="margin:.25em 0">{esc(r, 1500)}</li>' for r in v.reasons[:MAX_LIST_ITEMS])
                         + (f"<li>&hellip; {len(v.reasons) - MAX_LIST_ITEMS} more</li>" if len(v.reasons) > MAX_LIST_ITEMS else "")
                         + "</ul>")
        # summary
        parts.append('<table class="prv-summary" style="border-collapse:collapse;margin:.4em 0">'
                     + _kv("File", esc(self.path))
                     + _kv("Filmed", esc(fmt_span(self.when.earliest, self.when.latest))
                           + (f"; best {esc(_t(self.when.best))}" if self.when.best else "")
                           + f"; confidence {self.when.confidence:.2f}")
                     + _kv("Place", "unknown (no place evidence)" if self.where is None else
                           f"within {self.where.radius_km:,.2f} km of {self.where.lat:.5f}, {self.where.lon:.5f}; "
                           f"confidence {self.where.confidence:.2f}")
                     + self._metadata_rows()
                     + _kv("Analysed", esc(_t(self.created_at)))
                     + "</table>")
        conflicts = list(self.when.conflicts) + list(self.where.conflicts if self.where else ())
        if conflicts:
            parts.append('<ul class="prv-conflicts" style="color:#8a4b00">'
                         + "".join(f"<li>Conflict: {esc(c, 1500)}</li>" for c in conflicts[:MAX_LIST_ITEMS]) + "</ul>")
        # keyframes
        parts.append(h + "Keyframes</h3>")
        parts.append(self._keyframe_strip(budget))
        # matches
        parts.append(h + f"Known-footage matches ({len(self.matches)})</h3>")
        parts.append(self._match_cards(budget, box))
        # timeline + map
        parts.append(h + "When: time constraints</h3>")
        parts.append(self._timeline())
        parts.append(h + "Where: place constraints</h3>")
        parts.append(self._map())
        # evidence
        parts.append(h + f"Evidence ({len(self.evidence)})</h3>")
        parts.append(self._evidence_table())
        if self.findings:
            parts.append(h + f"Consistency checks ({len(self.findings)})</h3>")
            parts.append('<ul class="prv-findings">' + "".join(
                f"<li><b>{esc(str(getattr(f, 'severity', '')))}</b>: {esc(str(getattr(f, 'message', f)))}</li>"
                for f in self.findings[:MAX_LIST_ITEMS]) + "</ul>")
        if self.problems:
            parts.append(h + f"Problems ({len(self.problems)})</h3>")
            parts.append('<ul class="prv-problems">' + "".join(f"<li>{esc(p)}</li>" for p in self.problems[:MAX_LIST_ITEMS])
                         + (f"<li>&hellip; {len(self.problems) - MAX_LIST_ITEMS} more (see the JSON form)</li>"
                            if len(self.problems) > MAX_LIST_ITEMS else "") + "</ul>")
        if budget.skipped:
            parts.append(f'<p class="prv-note" style="color:#666;font-size:.85em">{budget.skipped} image(s) left out to keep '
                         f"this view small (limit {MAX_HTML_IMAGE_BYTES // 1000} kB of images, {MAX_THUMBNAIL_BYTES // 1000} kB each).</p>")
        parts.append(f'<p style="color:#888;font-size:.8em">provenance {esc(_version())} &middot; report schema {REPORT_SCHEMA}'
                     " &middot; strings from the file are shown escaped and clipped; the JSON form has everything.</p>")
        parts.append("</div>")
        return "".join(parts)

    def _metadata_rows(self) -> str:
        md = self.metadata
        if md is None:
            return _kv("Metadata", "unreadable (see problems)")
        d = md.device
        dev = " ".join(str(x) for x in (d.make, d.model) if x)
        extra = "; ".join(f"{k} {x}" for k, x in (("software", d.software), ("encoder", d.encoder)) if x)
        size = f"{md.width}\u00d7{md.height}" if md.width and md.height else ""
        fmt = ", ".join(x for x in (md.container, md.video_codec, size,
                                    f"{md.duration_s:.1f} s" if isinstance(md.duration_s, (int, float)) else "") if x)
        rows = _kv("Format", esc(fmt)) if fmt else ""
        if dev or extra:
            rows += _kv("Device", esc(dev + (f" ({extra})" if extra else "")))
        return rows

    def _keyframe_strip(self, budget: _ImageBudget) -> str:
        thumbs = self.thumbnails
        if not thumbs:
            if self.keyframe_times_s:
                ts = self.keyframe_times_s
                shown = ", ".join(f"{t:.1f}" for t in ts[:40]) + (" \u2026" if len(ts) > 40 else "")
                return f'<p class="prv-keyframes">{len(ts)} frames hashed at {esc(shown)} s (no thumbnails stored).</p>'
            return '<p class="prv-keyframes">No keyframes were extracted (no index was searched).</p>'
        idx = _spread(len(thumbs), MAX_THUMBNAILS)
        cells = []
        for i in idx:
            t, data = thumbs[i]
            img = budget.img(data, f"keyframe at {t:.2f} s", "prv-thumb", "height:90px;width:auto;display:block")
            cells.append(f'<figure style="margin:0 4px 4px 0;flex:0 0 auto">{img}'
                         f'<figcaption style="font-size:.75em;color:#555;text-align:center">{t:.1f} s</figcaption></figure>')
        note = "" if len(idx) == len(thumbs) else (
            f'<p class="prv-note" style="color:#666;font-size:.85em;margin:.2em 0">Showing {len(idx)} of {len(thumbs)} '
            "keyframes, evenly spread over the clip.</p>")
        return ('<div class="prv-keyframes" style="display:flex;flex-wrap:wrap;overflow-x:auto">' + "".join(cells) + "</div>" + note)

    def _match_cards(self, budget: _ImageBudget, box: str) -> str:
        if not self.matches:
            return '<p class="prv-matches">No known footage matched above the decision threshold.</p>'
        out = []
        for m in self.matches[:MAX_MATCHES_SHOWN]:
            rec = self._record(m.footage_id)
            frames = self._frames_for(m.footage_id)
            title = getattr(rec, "title", None)
            url = _safe_url(getattr(rec, "source_url", None))
            variant = getattr(m, "variant", None)
            q_img = budget.img(frames.query_jpeg if frames else None, "frame of this video", "prv-query",
                               "width:240px;max-width:100%;height:auto;display:block")
            r_img = budget.img(frames.ref_jpeg if frames else None, "frame of the known footage", "prv-known",
                               "width:240px;max-width:100%;height:auto;display:block")
            qt = f" at {frames.query_time_s:.1f} s" if frames else ""
            rt = f" at {frames.ref_time_s:.1f} s" if frames else ""
            fig = ('<figure style="margin:0 10px 0 0"><figcaption style="font-size:.8em;color:#555">{cap}</figcaption>{img}</figure>')
            details = (
                _kv("Score", f"{float(m.score):.2f}" + (f" ({esc(variant)})" if variant not in (None, "", "original") else ""))
                + _kv("This video", f"{m.query_start_s:.1f}&ndash;{m.query_end_s:.1f} s")
                + _kv("Known clip", f"{m.ref_start_s:.1f}&ndash;{m.ref_end_s:.1f} s")
                + _kv("First published", f"<b>{esc(_t(getattr(rec, 'published_at', None)))}</b>")
            )
            f0, f1 = getattr(rec, "filmed_at_start", None), getattr(rec, "filmed_at_end", None)
            if f0 or f1:
                details += _kv("Filmed", esc(fmt_span(f0 or f1, f1 or f0)))
            if getattr(rec, "lat", None) is not None and getattr(rec, "lon", None) is not None:
                details += _kv("Filmed at", f"{float(rec.lat):.4f}, {float(rec.lon):.4f}")
            if url:
                details += _kv("Source", f'<a href="{esc(url, 2000)}" rel="noopener noreferrer nofollow">{esc(url, 120)}</a>')
            elif getattr(rec, "source_url", None):
                details += _kv("Source", esc(rec.source_url, 200))
            out.append(
                f'<div class="prv-match" style="{box}">'
                f'<div style="font-weight:bold;margin-bottom:.3em">{esc(m.footage_id, 200)}'
                + (f' &mdash; <span style="font-weight:normal">{esc(title, 300)}</span>' if title else "") + "</div>"
                '<div class="prv-pair" style="display:flex;flex-wrap:wrap;align-items:flex-start">'
                + fig.format(cap="this video" + qt, img=q_img) + fig.format(cap="known footage" + rt, img=r_img)
                + f'<table style="border-collapse:collapse;font-size:.9em">{details}</table></div></div>')
        rest = self.matches[MAX_MATCHES_SHOWN:MAX_MATCHES_LISTED]
        if rest:
            out.append('<table class="prv-more-matches" style="border-collapse:collapse;font-size:.9em">'
                       "<tr><th style='text-align:left'>footage</th><th>score</th><th>this video [s]</th><th>known clip [s]</th>"
                       "<th>first published</th></tr>")
            for m in rest:
                rec = self._record(m.footage_id)
                out.append(f"<tr><td>{esc(m.footage_id, 200)}</td><td>{float(m.score):.2f}</td>"
                           f"<td>{m.query_start_s:.1f}&ndash;{m.query_end_s:.1f}</td>"
                           f"<td>{m.ref_start_s:.1f}&ndash;{m.ref_end_s:.1f}</td>"
                           f"<td>{esc(_t(getattr(rec, 'published_at', None)))}</td></tr>")
            out.append("</table>")
        if len(self.matches) > MAX_MATCHES_LISTED:
            out.append(f'<p class="prv-note">{len(self.matches) - MAX_MATCHES_LISTED} more matches are in the JSON form.</p>')
        return "".join(out)

    def _time_rows(self) -> tuple[list[TimeRow], TimeRow | None, int]:
        items = [e for e in self.evidence if e.constrains_time]
        shown = sorted(items, key=lambda e: -e.reliability)[:MAX_TIMELINE_ROWS]
        rows = []
        for e in shown:
            excl = self._excludes_claim(e)
            colour = EXCLUDES_COLOUR if excl else (STRONG_COLOUR if e.reliability >= 0.8 else WEAK_COLOUR)
            label = f"{e.kind} ({e.reliability:.2f})"
            rows.append(TimeRow(label, f"{e.summary} [source: {e.source}; reliability {e.reliability:.2f}]"
                                + (" This excludes the claimed time." if excl else ""),
                                e.earliest, e.latest, e.best, colour, "evidence"))
        w = self.when
        est = None
        if w.known:
            est = TimeRow("estimate (fused)", f"Fused estimate: {fmt_span(w.earliest, w.latest)}, confidence {w.confidence:.2f}",
                          w.earliest, w.latest, w.best, ESTIMATE_COLOUR, "estimate")
        return rows, est, len(items) - len(shown)

    def _timeline(self) -> str:
        rows, est, hidden = self._time_rows()
        claim = None
        if self.claim is not None and self.claim.has_time:
            claim = (self.claim.earliest, self.claim.latest)
        note = "Bars: what each item allows (arrows: open side); diamonds: best single time; orange band: the claim; " \
               "red bars exclude the claimed time. Hover for the source."
        if hidden:
            note += f" {hidden} less reliable item(s) not drawn."
        return timeline_svg(rows, claim=claim, claim_label="claim", estimate=est, note=note)

    def _map_items(self) -> tuple[list[MapItem], int]:
        items = []
        places = [e for e in self.evidence if e.constrains_place]
        shown = sorted(places, key=lambda e: -e.reliability)[:MAX_MAP_ITEMS]
        for e in shown:
            items.append(MapItem(e.kind, f"{e.summary} [source: {e.source}; reliability {e.reliability:.2f}]",
                                 e.lat, e.lon, e.radius_km or 0.0, "evidence",
                                 STRONG_COLOUR if e.reliability >= 0.8 else WEAK_COLOUR))
        if self.where is not None:
            p = self.where
            items.append(MapItem("estimate", f"Fused estimate: within {p.radius_km:,.2f} km of {p.lat:.5f}, {p.lon:.5f} "
                                 f"(confidence {p.confidence:.2f})", p.lat, p.lon, p.radius_km, "estimate", ESTIMATE_COLOUR))
        c = self.claim
        if c is not None and c.has_place:
            name = c.place if isinstance(c.place, str) else "claimed place"
            items.append(MapItem(f"claim: {name}", f"Claimed: within {c.radius_km:g} km of {c.lat:.4f}, {c.lon:.4f}",
                                 c.lat, c.lon, c.radius_km, "claim", CLAIM_COLOUR))
        return items, len(places) - len(shown)

    def _map(self) -> str:
        items, hidden = self._map_items()
        note = "Circles to scale: blue, where evidence puts the filming; dashed orange, the claimed area; green, the fused estimate."
        if hidden:
            note += f" {hidden} less reliable item(s) not drawn."
        if items:
            note += " For an interactive map: provenance.report.maps.place_map(report) (extra 'maps')."
        return map_svg(items, note=note if items else "")

    def _evidence_table(self) -> str:
        if not self.evidence:
            return '<p class="prv-evidence">No evidence was found.</p>'
        shown = self._shown_evidence(MAX_EVIDENCE_ROWS)
        th = 'style="text-align:left;border-bottom:2px solid #ccc;padding:.25em .4em"'
        td = 'style="vertical-align:top;border-bottom:1px solid #eee;padding:.25em .4em"'
        rows = [f'<table class="prv-evidence" style="border-collapse:collapse;font-size:.9em;width:100%">'
                f"<thead><tr><th {th}>what</th><th {th}>value</th><th {th}>source</th><th {th}>reliability</th></tr></thead><tbody>"]
        for e in shown:
            r = e.reliability
            bar = (f'<div style="background:#eee;width:60px;height:6px;border-radius:3px"><div style="background:'
                   f'{STRONG_COLOUR if r >= 0.8 else WEAK_COLOUR};width:{round(60 * r)}px;height:6px;border-radius:3px"></div></div>')
            excl = ' <b style="color:#b3261e">(excludes the claimed time)</b>' if self._excludes_claim(e) else ""
            rows.append(f'<tr class="prv-ev prv-ev-{esc(e.kind, 40)}"><td {td}>{esc(e.summary, 1200)}{excl}</td>'
                        f"<td {td}>{esc(_value_text(e), 200)}</td>"
                        f"<td {td}><code style='font-size:.9em;word-break:break-all'>{esc(e.source, 200)}</code></td>"
                        f'<td {td} title="{esc(e.reliability_reason, 400)}">{r:.2f}{bar}'
                        f'<div style="font-size:.8em;color:#666">{esc(e.reliability_reason, 200)}</div></td></tr>')
        rows.append("</tbody></table>")
        if len(shown) < len(self.evidence):
            rows.append(f'<p class="prv-note" style="color:#666;font-size:.85em">Showing the {len(shown)} most reliable of '
                        f"{len(self.evidence)} items; the JSON form has all.</p>")
        return "".join(rows)

    def save_html(self, path: str | Path) -> Path:
        """Write the report as one self-contained HTML file and return its path.

        Images are embedded as data URIs and the drawings as inline SVG, so the file opens
        offline. A Content-Security-Policy forbids scripts and every network request.
        """
        out = Path(path)
        doc = ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
               "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; "
               "style-src 'unsafe-inline'\">"
               "<meta name='viewport' content='width=device-width, initial-scale=1'>"
               f"<title>provenance report: {esc(Path(self.path).name, 120)}</title></head>"
               "<body style='margin:1.5em;background:white'>" + self._repr_html_() + "</body></html>\n")
        out.write_text(doc, encoding="utf-8")
        return out

    # ---- plots and maps (extras) ----------------------------------------
    def plot_timeline(self, *, ax: Any = None) -> Any:
        """Matplotlib timeline of the time constraints (extra ``plot``); see :func:`provenance.report.plots.plot_timeline`."""
        from .plots import plot_timeline

        return plot_timeline(self, ax=ax)

    def plot_matches(self, *, ax: Any = None) -> Any:
        """Matplotlib match alignment (extra ``plot``); see :func:`provenance.report.plots.plot_match_alignment`."""
        from .plots import plot_match_alignment

        return plot_match_alignment(self, ax=ax)

    def map(self, **kwargs: Any) -> Any:
        """Interactive folium map of the place evidence (extra ``maps``); see :func:`provenance.report.maps.place_map`."""
        from .maps import place_map

        return place_map(self, **kwargs)


# ---------------------------------------------------------------- helpers

class _ImageBudget:
    """Embeds JPEGs as data URIs until a byte budget is spent."""

    def __init__(self, total: int) -> None:
        self.left = total
        self.skipped = 0

    def img(self, data: bytes | None, alt: str, cls: str, style: str) -> str:
        placeholder = (f'<div class="{cls} prv-noimage" style="width:160px;height:90px;background:#eee;color:#777;'
                       f'font-size:.75em;display:flex;align-items:center;justify-content:center">{{}}</div>')
        if data is None:
            return placeholder.format("no frame stored")
        if not _jpeg_ok(data) or len(data) > MAX_THUMBNAIL_BYTES or len(data) > self.left:
            self.skipped += 1
            return placeholder.format("image left out")
        self.left -= len(data)
        b64 = base64.b64encode(bytes(data)).decode("ascii")
        return f'<img class="{cls}" alt="{esc(alt, 80)}" src="data:image/jpeg;base64,{b64}" style="{style}">'


def _kv(key: str, value_html: str) -> str:
    return (f'<tr><th style="text-align:left;vertical-align:top;padding:.1em .8em .1em 0;color:#555;font-weight:600">{key}</th>'
            f'<td style="padding:.1em 0">{value_html}</td></tr>')


def _spread(n: int, k: int) -> list[int]:
    """``min(n, k)`` indices evenly spread over ``range(n)``, first and last included."""
    if n <= k:
        return list(range(n))
    if k <= 1:
        return [0]
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


def _value_text(e: Evidence) -> str:
    parts = []
    if e.constrains_time:
        parts.append(fmt_span(e.earliest, e.latest))
    if e.constrains_place:
        r = e.radius_km or 0.0
        parts.append(f"{e.lat:.5f}, {e.lon:.5f} \u00b1 {r:,.3g} km")
    return "; ".join(parts)


def _safe_url(url: Any) -> str | None:
    """The URL if it is plain http(s) without spaces or quotes, else ``None`` (never a ``javascript:`` link)."""
    if not isinstance(url, str):
        return None
    u = url.strip()
    if re.fullmatch(r"https?://[^\s\"'<>`\\]{1,2000}", u, flags=re.IGNORECASE):
        return u
    return None


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _md(text: Any, limit: int = MAX_TEXT) -> str:
    """Escape text for a Markdown list item or table cell.

    ``< > &`` become HTML entities (no raw HTML, no autolinks), the characters that open
    emphasis, code, links, strikethrough or a table cell are backslash-escaped, and newlines
    are folded, so a hostile string stays one line of plain text.
    """
    s = _CONTROL.sub("", str(text))
    if len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    s = " ".join(s.split())
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _version() -> str:
    from .._version import __version__

    return __version__


def reports_table(reports: Sequence[Report | dict[str, Any]]) -> str:
    """A plain-text table of several reports (one line each), for the CLI.

    An item may also be a ``{"path", "error", "error_type"}`` dict for a file that failed.
    """
    rows = [("file", "verdict", "best match", "first published", "filmed (estimate)")]
    for r in reports:
        if isinstance(r, dict):
            rows.append((Path(str(r.get("path", "?"))).name, "ERROR", str(r.get("error_type", "")), "-",
                         str(r.get("error", ""))))
            continue
        best = r.matches[0] if r.matches else None
        rec = r._record(best.footage_id) if best is not None else None
        rows.append((Path(r.path).name, r.verdict.status,
                     f"{best.footage_id} ({best.score:.2f})" if best is not None else "-",
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
