"""HTML view of a :class:`~provenance.report.model.Report` and the notebook reprs of the other result objects.

Every string in a report may come from the analysed file, and file metadata is
attacker-controlled (a title tag can hold ``<script>``). Every such string is escaped and
clipped; images are embedded only as base64 JPEG data URIs; the saved HTML file carries a
Content-Security-Policy that forbids scripts and network access, so a missed escape still
could not run code or phone home. The style sheet ``report.css`` ships as package data and is
inlined into each view; every element also carries inline styles, so a renderer that strips
``<style>`` still shows a readable report.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ProvenanceError
from . import model as _model
from .model import (
    _STATUS_COLOUR,
    _STATUS_WORDS,
    MAX_EVIDENCE_ROWS,
    MAX_LIST_ITEMS,
    MAX_MAP_ITEMS,
    MAX_MATCHES_LISTED,
    MAX_MATCHES_SHOWN,
    MAX_THUMBNAIL_BYTES,
    MAX_THUMBNAILS,
    MAX_TIMELINE_ROWS,
    REPORT_SCHEMA,
    _jpeg_ok,
    _spread,
    _t,
    _version,
    grade_label,
    writer_text,
)
from .svg import (
    CLAIM_COLOUR,
    ESTIMATE_COLOUR,
    EXCLUDES_COLOUR,
    STRONG_COLOUR,
    WEAK_COLOUR,
    MapItem,
    TimeRow,
    TrackLine,
    esc,
    fmt_span,
    map_svg,
    timeline_svg,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..scoring.evidence import Evidence
    from .model import Report

__all__ = ["fingerprint_html", "index_html", "match_html", "metadata_html", "object_html", "report_css", "report_html",
           "save_html"]


@lru_cache(maxsize=1)
def report_css() -> str:
    """The style sheet of the HTML views (``provenance/report/report.css``, package data)."""
    return (files("provenance.report") / "report.css").read_text(encoding="utf-8")


def _style_block() -> str:
    return f"<style>{report_css()}</style>"


def _section(title: str, content: str, *, open_: bool = True) -> str:
    """A collapsible section (``<details>``): the heading stays visible when it is closed."""
    return (f'<details class="prv-section"{" open" if open_ else ""}><summary>'
            f'<h3 style="display:inline;margin:.9em 0 .3em 0;font-size:1.1em">{esc(title, 200)}</h3></summary>'
            f"{content}</details>")


def report_html(r: Report) -> str:
    """HTML for notebooks: no scripts, every string from the file escaped, sizes capped."""
    budget = _ImageBudget(_model.MAX_HTML_IMAGE_BYTES)
    v = r.verdict
    colour = _STATUS_COLOUR.get(v.status, "#5f6368")
    box = "border:1px solid #ddd;border-radius:6px;padding:.6em .9em;margin:.6em 0"
    h = '<h3 style="margin:.9em 0 .3em 0;font-size:1.1em">'
    parts = [_style_block(), '<div class="provenance-report" '
                             'style="font-family:system-ui,sans-serif;max-width:62em;line-height:1.35;color:#222">']
    # banner
    badges = "".join(
        '<span style="background:rgba(255,255,255,.22);border-radius:3px;padding:0 '
        '.4em;margin-left:.5em;font-size:.85em">'
        f'{esc(name)}: {esc(st)}</span>'
        for name, st in (("time", v.time_status), ("place", v.place_status)) if st)
    grade = grade_label(v)
    if grade:
        badges = (f'<span class="prv-grade" style="background:rgba(255,255,255,.35);border-radius:3px;padding:0 .4em;'
                  f'margin-left:.5em;font-size:.85em">{esc(grade, 60)}</span>') + badges
    parts.append(
        f'<div class="prv-verdict prv-{esc(v.status, 20)}" style="background:{colour};color:white;padding:.7em '
        '1em;border-radius:6px">'
        f'<div style="font-size:1.4em;font-weight:bold;letter-spacing:.03em">{esc(v.status.upper(), 20)}{badges}</div>'
        f'<div>{esc(_STATUS_WORDS.get(v.status, ""))}</div>'
        + (f'<div style="margin-top:.3em"><b>Claim:</b> {esc(r.claim.describe())}</div>' if r.claim else "")
        + "</div>")
    if v.reasons:
        parts.append('<ul class="prv-reasons" style="margin:.5em 0 .5em 1.2em;padding:0">'
                     + "".join(f'<li style="margin:.25em 0">{esc(reason, 1500)}</li>'
                               for reason in v.reasons[:MAX_LIST_ITEMS])
                     + (f"<li>&hellip; {len(v.reasons) - MAX_LIST_ITEMS} more</li>"
                        if len(v.reasons) > MAX_LIST_ITEMS else "")
                     + "</ul>")
    # summary
    parts.append('<table class="prv-summary" style="border-collapse:collapse;margin:.4em 0">'
                 + _kv("File", esc(r.path))
                 + _kv("Filmed", esc(fmt_span(r.when.earliest, r.when.latest))
                       + (f"; best {esc(_t(r.when.best))}" if r.when.best else "")
                       + f"; confidence {r.when.confidence:.2f}")
                 + _kv("Place", "unknown (no place evidence)" if r.where is None else
                       f"within {r.where.radius_km:,.2f} km of {r.where.lat:.5f}, {r.where.lon:.5f}; "
                       f"confidence {r.where.confidence:.2f}")
                 + _metadata_rows(r)
                 + _kv("Analysed", esc(_t(r.created_at)))
                 + "</table>")
    conflicts = list(r.when.conflicts) + list(r.where.conflicts if r.where else ())
    if conflicts:
        parts.append('<ul class="prv-conflicts" style="color:#8a4b00">'
                     + "".join(f"<li>Conflict: {esc(c, 1500)}</li>" for c in conflicts[:MAX_LIST_ITEMS]) + "</ul>")
    # keyframes
    parts.append(h + "Keyframes</h3>")
    parts.append(_keyframe_strip(r, budget))
    # matches
    parts.append(h + f"Known-footage matches ({len(r.matches)})</h3>")
    parts.append(_match_cards(r, budget, box))
    # timeline + map
    parts.append(h + "When: time constraints</h3>")
    parts.append(_timeline(r))
    parts.append(h + "Where: place constraints</h3>")
    parts.append(_map(r))
    # evidence
    parts.append(_section(f"Evidence ({len(r.evidence)})", _evidence_table(r, budget)))
    if r.findings:
        parts.append(_section(f"Consistency checks ({len(r.findings)})", '<ul class="prv-findings">' + "".join(
            f"<li><b>{esc(str(getattr(f, 'severity', '')))}</b>: {esc(str(getattr(f, 'message', f)))}</li>"
            for f in r.findings[:MAX_LIST_ITEMS]) + "</ul>"))
    if r.problems:
        parts.append(_section(f"Problems ({len(r.problems)})", '<ul class="prv-problems">'
                              + "".join(f"<li>{esc(p)}</li>" for p in r.problems[:MAX_LIST_ITEMS])
                              + (f"<li>&hellip; {len(r.problems) - MAX_LIST_ITEMS} more (see the JSON form)</li>"
                                 if len(r.problems) > MAX_LIST_ITEMS else "") + "</ul>"))
    if budget.skipped:
        parts.append(f'<p class="prv-note" style="color:#666;font-size:.85em">{budget.skipped} image(s) left out to '
                     'keep '
                     f"this view small (limit {_model.MAX_HTML_IMAGE_BYTES // 1000} kB of images, "
                     f"{MAX_THUMBNAIL_BYTES // 1000} kB each).</p>")
    parts.append(f'<p style="color:#888;font-size:.8em">provenance {esc(_version())} &middot; report schema '
                 f'{REPORT_SCHEMA}'
                 " &middot; strings from the file are shown escaped and clipped; the JSON form has everything.</p>")
    parts.append("</div>")
    return "".join(parts)


def _metadata_rows(r: Report) -> str:
    md = r.metadata
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
    w = getattr(md, "writer", None)
    if w is not None and getattr(w, "kind", "unknown") != "unknown":
        rows += _kv("Written by", esc(writer_text(w)))
    return rows


def _keyframe_strip(r: Report, budget: _ImageBudget) -> str:
    thumbs = r.thumbnails
    if not thumbs:
        if r.keyframe_times_s:
            ts = r.keyframe_times_s
            shown = ", ".join(f"{t:.1f}" for t in ts[:40]) + (" \u2026" if len(ts) > 40 else "")
            return f'<p class="prv-keyframes">{len(ts)} frames hashed at {esc(shown)} s (no thumbnails stored).</p>'
        return '<p class="prv-keyframes">No keyframes were extracted (no index was searched).</p>'
    idx = _spread(len(thumbs), MAX_THUMBNAILS)
    cells = []
    for i in idx:
        t, data = thumbs[i]
        img = budget.img(data, f"keyframe at {t:.2f} s", "prv-thumb", "height:90px;width:auto;display:block")
        cells.append(f'<figure style="margin:0 4px 4px 0;flex:0 0 auto">{img}'
                     f'<figcaption style="font-size:.75em;color:#555;text-align:center">{t:.1f} s</figcaption>'
                     '</figure>')
    note = "" if len(idx) == len(thumbs) else (
        f'<p class="prv-note" style="color:#666;font-size:.85em;margin:.2em 0">Showing {len(idx)} of {len(thumbs)} '
        "keyframes, evenly spread over the clip.</p>")
    return ('<div class="prv-keyframes" style="display:flex;flex-wrap:wrap;overflow-x:auto">'
            + "".join(cells) + "</div>" + note)


def _match_cards(r: Report, budget: _ImageBudget, box: str) -> str:
    if not r.matches:
        return '<p class="prv-matches">No known footage matched above the decision threshold.</p>'
    out = []
    for m in r.matches[:MAX_MATCHES_SHOWN]:
        rec = r._record(m.footage_id)
        frames = r._frames_for(m.footage_id)
        title = getattr(rec, "title", None)
        url = _safe_url(getattr(rec, "source_url", None))
        variant = getattr(m, "variant", None)
        q_img = budget.img(frames.query_jpeg if frames else None, "frame of this video", "prv-query",
                           "width:240px;max-width:100%;height:auto;display:block")
        r_img = budget.img(frames.ref_jpeg if frames else None, "frame of the known footage", "prv-known",
                           "width:240px;max-width:100%;height:auto;display:block")
        qt = f" at {frames.query_time_s:.1f} s" if frames else ""
        rt = f" at {frames.ref_time_s:.1f} s" if frames else ""
        fig = ('<figure style="margin:0 10px 0 0"><figcaption style="font-size:.8em;color:#555">{cap}'
               '</figcaption>{img}</figure>')
        details = (
            _kv("Score", f"{float(m.score):.2f}"
                + (f" ({esc(variant)})" if variant not in (None, "", "original") else ""))
            + (_kv("Timing", "scene only: the same fixed camera view as this known footage; which moment "
                             "is not resolved")
               if getattr(m, "time_resolved", True) is False else
               _kv("This video", f"{m.query_start_s:.1f}&ndash;{m.query_end_s:.1f} s")
               + _kv("Known clip", f"{m.ref_start_s:.1f}&ndash;{m.ref_end_s:.1f} s"))
            + _kv("First published", f"<b>{esc(_t(getattr(rec, 'published_at', None)))}</b>")
        )
        f0, f1 = getattr(rec, "filmed_at_start", None), getattr(rec, "filmed_at_end", None)
        if f0 or f1:
            details += _kv("Filmed", esc(fmt_span(f0 or f1, f1 or f0)))
        if getattr(rec, "lat", None) is not None and getattr(rec, "lon", None) is not None:
            details += _kv("Filmed at", f"{float(rec.lat):.4f}, {float(rec.lon):.4f}")
        if url:
            details += _kv("Source", f'<a href="{esc(url, 2000)}" rel="noopener noreferrer nofollow">{esc(url, 120)}'
                                     '</a>')
        elif getattr(rec, "source_url", None):
            details += _kv("Source", esc(rec.source_url, 200))
        out.append(
            f'<div class="prv-match" style="{box}">'
            f'<div style="font-weight:bold;margin-bottom:.3em">{esc(m.footage_id, 200)}'
            + (f' &mdash; <span style="font-weight:normal">{esc(title, 300)}</span>' if title else "") + "</div>"
            '<div class="prv-pair" style="display:flex;flex-wrap:wrap;align-items:flex-start">'
            + fig.format(cap="this video" + qt, img=q_img) + fig.format(cap="known footage" + rt, img=r_img)
            + f'<table style="border-collapse:collapse;font-size:.9em">{details}</table></div></div>')
    rest = r.matches[MAX_MATCHES_SHOWN:MAX_MATCHES_LISTED]
    if rest:
        out.append('<table class="prv-more-matches" style="border-collapse:collapse;font-size:.9em">'
                   "<tr><th style='text-align:left'>footage</th><th>score</th><th>this video [s]</th><th>known clip "
                   "[s]</th>"
                   "<th>first published</th></tr>")
        for m in rest:
            rec = r._record(m.footage_id)
            out.append(f"<tr><td>{esc(m.footage_id, 200)}</td><td>{float(m.score):.2f}</td>"
                       f"<td>{m.query_start_s:.1f}&ndash;{m.query_end_s:.1f}</td>"
                       f"<td>{m.ref_start_s:.1f}&ndash;{m.ref_end_s:.1f}</td>"
                       f"<td>{esc(_t(getattr(rec, 'published_at', None)))}</td></tr>")
        out.append("</table>")
    if len(r.matches) > MAX_MATCHES_LISTED:
        out.append(f'<p class="prv-note">{len(r.matches) - MAX_MATCHES_LISTED} more matches are in the JSON form.</p>')
    return "".join(out)


def _time_rows(r: Report) -> tuple[list[TimeRow], TimeRow | None, int]:
    items = [e for e in r.evidence if e.constrains_time]
    shown = sorted(items, key=lambda e: -e.reliability)[:MAX_TIMELINE_ROWS]
    rows = []
    for e in shown:
        excl = r._excludes_claim(e)
        colour = EXCLUDES_COLOUR if excl else (STRONG_COLOUR if e.reliability >= 0.8 else WEAK_COLOUR)
        label = f"{e.kind} ({e.reliability:.2f})"
        rows.append(TimeRow(label, f"{e.summary} [source: {e.source}; reliability {e.reliability:.2f}]"
                            + (" This excludes the claimed time." if excl else ""),
                            e.earliest, e.latest, e.best, colour, "evidence"))
    w = r.when
    est = None
    if w.known:
        est = TimeRow("estimate (fused)", f"Fused estimate: {fmt_span(w.earliest, w.latest)}, confidence "
                                          f"{w.confidence:.2f}",
                      w.earliest, w.latest, w.best, ESTIMATE_COLOUR, "estimate")
    return rows, est, len(items) - len(shown)


def _timeline(r: Report) -> str:
    rows, est, hidden = _time_rows(r)
    claim = None
    if r.claim is not None and r.claim.has_time:
        if r.claim.earliest is not None and r.claim.latest is not None:
            claim = (r.claim.earliest, r.claim.latest)
    note = "Bars: what each item allows (arrows: open side); diamonds: best single time; orange band: the claim; " \
           "red bars exclude the claimed time. Hover for the source."
    if hidden:
        note += f" {hidden} less reliable item(s) not drawn."
    return timeline_svg(rows, claim=claim, claim_label="claim", estimate=est, note=note)


def _map_items(r: Report) -> tuple[list[MapItem], int]:
    items = []
    places = [e for e in r.evidence if e.constrains_place]
    shown = sorted(places, key=lambda e: -e.reliability)[:MAX_MAP_ITEMS]
    for e in shown:
        if e.lat is None or e.lon is None:
            continue
        items.append(MapItem(e.kind, f"{e.summary} [source: {e.source}; reliability {e.reliability:.2f}]",
                             e.lat, e.lon, e.radius_km or 0.0, "evidence",
                             STRONG_COLOUR if e.reliability >= 0.8 else WEAK_COLOUR))
    if r.where is not None:
        p = r.where
        items.append(MapItem("estimate", f"Fused estimate: within {p.radius_km:,.2f} km of {p.lat:.5f}, {p.lon:.5f} "
                             f"(confidence {p.confidence:.2f})", p.lat, p.lon, p.radius_km, "estimate",
                             ESTIMATE_COLOUR))
    c = r.claim
    if c is not None and c.lat is not None and c.lon is not None:
        name = c.place if isinstance(c.place, str) else "claimed place"
        items.append(MapItem(f"claim: {name}", f"Claimed: within {c.radius_km:g} km of {c.lat:.4f}, {c.lon:.4f}",
                             c.lat, c.lon, c.radius_km, "claim", CLAIM_COLOUR))
    return items, len(places) - len(shown)


def _tracks(r: Report) -> list[TrackLine]:
    """The file's GPS track (telemetry) as a line for the map, when it has two or more usable samples."""
    from .tracks import track_samples

    md = r.metadata
    if md is None or len(md.track) < 2:
        return []
    pts = track_samples(md)
    if len(pts) < 2:
        return []
    return [TrackLine("track", f"GPS track of the file: {len(pts)} samples from its telemetry "
                      "(start: open circle, end: filled)", tuple((p.lat, p.lon) for p in pts))]


def _map(r: Report) -> str:
    items, hidden = _map_items(r)
    tracks = _tracks(r)
    note = ("Circles to scale: blue, where evidence puts the filming; dashed orange, the claimed area; "
            "green, the fused estimate.")
    if tracks:
        note += " Purple line: the file's GPS track."
    if hidden:
        note += f" {hidden} less reliable item(s) not drawn."
    if items or tracks:
        note += " For an interactive map: provenance.report.maps.place_map(report) (extra 'maps')."
    return map_svg(items, note=note if items or tracks else "", tracks=tracks)


#: Evidence rows that may show the image their reading carries (e.g. an on-screen text crop).
MAX_EVIDENCE_IMAGES = 12


def _evidence_image(e: Evidence) -> bytes | None:
    """A JPEG the evidence's observation carries (``crop_jpeg``: e.g. where an on-screen clock was read)."""
    data = getattr(getattr(e, "observation", None), "crop_jpeg", None)
    return bytes(data) if isinstance(data, (bytes, bytearray)) and _jpeg_ok(data) else None


def _evidence_table(r: Report, budget: _ImageBudget | None = None) -> str:
    if not r.evidence:
        return '<p class="prv-evidence">No evidence was found.</p>'
    shown = r._shown_evidence(MAX_EVIDENCE_ROWS)
    th = 'style="text-align:left;border-bottom:2px solid #ccc;padding:.25em .4em"'
    td = 'style="vertical-align:top;border-bottom:1px solid #eee;padding:.25em .4em"'
    rows = [f'<table class="prv-evidence" style="border-collapse:collapse;font-size:.9em;width:100%">'
            f"<thead><tr><th {th}>what</th><th {th}>value</th><th {th}>source</th><th {th}>reliability</th></tr>"
            "</thead><tbody>"]
    images = 0
    for e in shown:
        rel = e.reliability
        crop = ""
        data = _evidence_image(e) if budget is not None and images < MAX_EVIDENCE_IMAGES else None
        if data is not None and budget is not None:
            images += 1
            crop = budget.img(data, "the frame region this reading comes from", "prv-ev-crop",
                              "max-height:48px;max-width:240px;display:block;margin-top:.25em")
        bar = (f'<div style="background:#eee;width:60px;height:6px;border-radius:3px"><div style="background:'
               f'{STRONG_COLOUR if rel >= 0.8 else WEAK_COLOUR};width:{round(60 * rel)}px;height:6px;'
               'border-radius:3px"></div></div>')
        excl = ' <b style="color:#b3261e">(excludes the claimed time)</b>' if r._excludes_claim(e) else ""
        rows.append(f'<tr class="prv-ev prv-ev-{esc(e.kind, 40)}"><td {td}>{esc(e.summary, 1200)}{excl}{crop}</td>'
                    f"<td {td}>{esc(_value_text(e), 200)}</td>"
                    f"<td {td}><code style='font-size:.9em;word-break:break-all'>{esc(e.source, 200)}</code></td>"
                    f'<td {td} title="{esc(e.reliability_reason, 400)}">{rel:.2f}{bar}'
                    f'<div style="font-size:.8em;color:#666">{esc(e.reliability_reason, 200)}</div></td></tr>')
    rows.append("</tbody></table>")
    if len(shown) < len(r.evidence):
        rows.append(f'<p class="prv-note" style="color:#666;font-size:.85em">Showing the {len(shown)} most reliable of '
                    f"{len(r.evidence)} items; the JSON form has all.</p>")
    return "".join(rows)


def save_html(r: Report, path: str | Path) -> Path:
    """Write the report as one self-contained HTML file and return its path.

    Images are embedded as data URIs and the drawings as inline SVG, so the file opens
    offline. A Content-Security-Policy forbids scripts and every network request.
    """
    out = Path(path)
    doc = ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
           "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; "
           "style-src 'unsafe-inline'\">"
           "<meta name='viewport' content='width=device-width, initial-scale=1'>"
           f"<title>provenance report: {esc(Path(r.path).name, 120)}</title></head>"
           "<body style='margin:1.5em;background:white'>" + report_html(r) + "</body></html>\n")
    out.write_text(doc, encoding="utf-8")
    return out

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
    return ('<tr><th style="text-align:left;vertical-align:top;padding:.1em .8em .1em '
            f'0;color:#555;font-weight:600">{key}</th>'
            f'<td style="padding:.1em 0">{value_html}</td></tr>')


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
    if re.fullmatch(r"https?://[^\s\"'<>`\\\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]{1,2000}",
                    u, flags=re.IGNORECASE):
        return u
    return None


# ---------------------------------------------------------------- notebook reprs of the other result objects
# Reached from the one-line `_repr_html_` methods of Match, Fingerprint, FootageIndex and Metadata through
# provenance._util.html_repr, which imports this module by name on first display (no lower room imports report/).
# Every string is escaped; long lists sit in closed <details> sections and are capped; when rendering fails,
# None makes IPython fall back to the text repr.

#: Rows listed in a collapsible section of an object repr (the rest are counted).
MAX_REPR_ROWS = 50


def _obj(kind: str, title: str, rows: str, sections: str = "") -> str:
    return (f'{_style_block()}<div class="prv-obj" style="font-family:system-ui,sans-serif;border:1px solid #ddd;'
            f'border-radius:6px;padding:.4em .7em;margin:.3em 0;max-width:62em;line-height:1.35">'
            f'<div class="prv-obj-title" style="font-weight:600"><span class="prv-obj-kind" style="color:#666;'
            f'font-weight:normal">{esc(kind, 40)}</span> {esc(title, 300)}</div>'
            f'<table style="border-collapse:collapse;font-size:.9em;margin:.2em 0">{rows}</table>{sections}</div>')


def _details(title: str, body: str, n_more: int = 0) -> str:
    more = f'<p style="color:#666;font-size:.85em">&hellip; and {n_more} more</p>' if n_more > 0 else ""
    return (f'<details><summary style="cursor:pointer">{esc(title, 200)}</summary>'
            f'<div style="margin:.2em 0 .4em 1em">{body}{more}</div></details>')


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    """An HTML table; cells are already escaped."""
    th = "".join(f'<th style="text-align:left;padding:.1em .8em .1em 0;color:#555">{esc(h, 60)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f'<td style="padding:.1em .8em .1em 0;vertical-align:top">{c}</td>' for c in row)
                   + "</tr>" for row in rows)
    return f'<table style="border-collapse:collapse;font-size:.9em">{"<tr>" + th + "</tr>"}{body}</table>'


def _num(value: Any, fmt: str = ".2f", unit: str = "") -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "unknown"
    return esc(f"{value:{fmt}}{unit}")


def _guard(render: Any, obj: Any) -> str | None:
    try:
        return str(render(obj))
    except Exception:  # noqa: BLE001 - a display must never raise: IPython then shows the text repr
        return None


def match_html(m: Any) -> str | None:
    """HTML repr of a :class:`~provenance.matching.match.Match` (or None: IPython shows the text repr)."""
    def render(m: Any) -> str:
        score = float(m.score)
        bar = ('<span class="prv-bar" '
               'style="background:#eee;width:80px;height:6px;border-radius:3px;display:inline-block">'
               f'<span style="background:{STRONG_COLOUR};width:{round(80 * max(0.0, min(score, 1.0)))}px;height:6px;'
               'border-radius:3px;display:block"></span></span>')
        rows = (_kv("Score", f"{score:.3f} {bar}")
                + _kv("This video", f"{_num(m.query_start_s)}&ndash;{_num(m.query_end_s)} s")
                + _kv("Known clip", f"{_num(m.ref_start_s)}&ndash;{_num(m.ref_end_s)} s")
                + _kv("Speed", f"{_num(m.speed)}&times;")
                + _kv("Variant", esc(m.variant, 120))
                + _kv("Matched frames", esc(m.matched_frames)))
        if getattr(m, "time_resolved", True) is False:
            rows += _kv("Timing", "scene only: the footage is recognised, its seconds are not resolved")
        if getattr(m, "verified_frames", 0):
            how = ("moment identified on the frames mapped back onto the footage's picture"
                   if str(getattr(m, "variant", "")).startswith("rectified") else "confirmed")
            rows += _kv("Local features", f"{how} in {esc(m.verified_frames)} frames (turned "
                                          f"{_num(m.rotation_deg)} deg, {_num(m.scale)} of the picture)")
        return _obj("Match", str(m.footage_id), rows)
    return _guard(render, m)


def fingerprint_html(fp: Any) -> str | None:
    """HTML repr of a :class:`~provenance.hashing.phash.Fingerprint`."""
    def render(fp: Any) -> str:
        times = [float(t) for t in fp.times_s]
        n = len(times)
        span = f"{times[0]:.2f}&ndash;{times[-1]:.2f} s" if n else "none"
        rows = (_kv("Frames", esc(n)) + _kv("Hasher", esc(fp.hasher, 80))
                + _kv("Hash size", esc(f"{int(fp.hashes.shape[1]) * 8} bits"))
                + _kv("Media times", span) + _kv("Duration", _num(fp.duration_s, ".2f", " s")))
        variants = sorted(str(k) for k in fp.variants)
        if variants:
            rows += _kv("Query variants", esc(", ".join(variants[:40]) + (" …" if len(variants) > 40 else ""), 2000))
        if fp.small_frames is not None:
            rows += _kv("Small frames", esc(f"{fp.small_frames.shape[0]} × {fp.small_frames.shape[1]} px²"))
        shown = [(f"{t:.3f}", f"<code>{esc(bytes(h).hex()[:32], 40)}</code>")
                 for t, h in zip(times[:MAX_REPR_ROWS], fp.hashes[:MAX_REPR_ROWS])]
        table = _table(("time [s]", "hash (hex, first 128 bits)"), shown)
        sections = _details(f"Frame hashes ({n})", table, n - len(shown)) if n else ""
        return _obj("Fingerprint", f"{n} frames", rows, sections)
    return _guard(render, fp)


def index_html(index: Any) -> str | None:
    """HTML repr of a :class:`~provenance.index.FootageIndex`: location, counts and the first records."""
    def render(index: Any) -> str:
        rows = _kv("Location", f"<code>{esc(index.location, 400)}</code>") + _kv("Backend", esc(index.backend, 40))
        try:
            stats = index.stats()
        except ProvenanceError as exc:
            return _obj("FootageIndex", str(index.location), rows + _kv("State", esc(f"unreadable: {exc}", 600)))
        rows += (_kv("Footage", esc(stats.n_footage)) + _kv("Frame hashes", esc(stats.n_frames))
                 + _kv("Hasher", esc(stats.hasher or "none yet (empty)", 80))
                 + _kv("Schema", esc(stats.schema_version)))
        if stats.earliest_published_at is not None:
            rows += _kv("Published", esc(fmt_span(stats.earliest_published_at, stats.latest_published_at)))
        if stats.disk_bytes is not None:
            rows += _kv("On disk", esc(f"{stats.disk_bytes / 1e6:,.1f} MB"))
        recs: list[tuple[str, ...]] = []
        for rec in index.records():
            if len(recs) >= MAX_REPR_ROWS:
                break
            recs.append((esc(rec.footage_id, 120), esc(_t(rec.published_at)), esc(rec.n_frames),
                         _num(rec.duration_s, ".1f", " s"), esc(rec.title or "", 200)))
        sections = _details(f"Records ({stats.n_footage})", _table(
            ("footage id", "first published", "frames", "duration", "title"), recs),
            stats.n_footage - len(recs)) if stats.n_footage else ""
        return _obj("FootageIndex", str(index.location), rows, sections)
    return _guard(render, index)


def metadata_html(md: Any) -> str | None:
    """HTML repr of a :class:`~provenance.metadata.model.Metadata`: format, device, writer; times, place, track,
    problems in collapsible sections."""
    def render(md: Any) -> str:
        size = f"{md.width}×{md.height}" if md.width and md.height else "unknown size"
        rows = (_kv("Container", esc(md.container, 40))
                + _kv("Format", esc(f"{size}, codec {md.video_codec or 'unknown'}, rotation {md.rotation_deg}") + ", "
                      + _num(md.duration_s, ".2f", " s")
                      + (", " + _num(md.frame_rate, ".3g", " fps") if md.frame_rate else "")))
        d = md.device
        dev = ", ".join(f"{k} {v}" for k, v in (("make", d.make), ("model", d.model), ("software", d.software),
                                                ("encoder", d.encoder), ("firmware", d.firmware)) if v)
        rows += _kv("Device", esc(dev or "unknown", 600))
        w = getattr(md, "writer", None)
        if w is not None:
            rule = f'<div style="color:#666;font-size:.85em">{esc(w.rule, 400)}</div>' if w.rule else ""
            rows += _kv("Written by", esc(writer_text(w), 300) + rule)
        if md.location is not None:
            loc = md.location
            rows += _kv("Place", f"{_num(loc.lat, '.6f')}, {_num(loc.lon, '.6f')}"
                        + (f" &plusmn; {_num(loc.accuracy_m, '.0f', ' m')}" if loc.accuracy_m is not None else "")
                        + f" <code>{esc(loc.source, 200)}</code>")
        if md.c2pa is not None:
            signer = f", signed by {esc(md.c2pa.signer, 200)}" if md.c2pa.signer else ""
            rows += _kv("C2PA", esc(md.c2pa.state, 60) + signer)
        sections = ""
        if md.times:
            trs = [(esc(t.value.isoformat()), esc(t.tz_state, 20), esc(t.meaning, 40), f"<code>{esc(t.source, 200)}"
                                                                                       "</code>",
                    esc(t.raw, 120)) for t in md.times[:MAX_REPR_ROWS]]
            sections += _details(f"Times ({len(md.times)})", _table(("value", "zone", "meaning", "source", "raw"), trs),
                                 len(md.times) - len(trs))
        if md.track:
            pts = list(md.track)
            idx = _spread(len(pts), MAX_REPR_ROWS)
            trs = [(_num(pts[i].media_time_s, ".2f", " s"), esc(pts[i].time.isoformat() if pts[i].time else "-"),
                    _num(pts[i].lat, ".6f"), _num(pts[i].lon, ".6f"), _num(pts[i].alt_m, ".1f", " m")) for i in idx]
            sections += _details(f"GPS track ({len(pts)} samples; GPX/KML: provenance.report.tracks)",
                                 _table(("media time", "time", "lat", "lon", "alt"), trs), len(pts) - len(idx))
        if md.problems:
            prs = [(esc(p.code, 80), esc(p.message, 600), f"<code>{esc(p.source, 200)}</code>")
                   for p in md.problems[:MAX_REPR_ROWS]]
            sections += _details(f"Problems ({len(md.problems)})", _table(("code", "message", "source"), prs),
                                 len(md.problems) - len(prs))
        return _obj("Metadata", Path(str(md.path)).name, rows, sections)
    return _guard(render, md)


def object_html(obj: Any) -> str | None:
    """HTML repr of a Match, Fingerprint, FootageIndex or Metadata (by class name), else None."""
    render = {"Match": match_html, "Fingerprint": fingerprint_html, "FootageIndex": index_html,
              "Metadata": metadata_html}.get(type(obj).__name__)
    return None if render is None else render(obj)
