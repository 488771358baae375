"""Markdown view of a :class:`~provenance.report.model.Report`, for pasting into a fact-check draft.

Strings from the file are escaped for Markdown and HTML (so a hostile tag can neither inject
markup nor break a table), control and bidi characters are shown as visible escapes (the view
is safe to print to a terminal), and lists are capped like the HTML view.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._util import terminal_safe
from .html import _safe_url, _value_text
from .model import (
    _STATUS_WORDS,
    MAX_EVIDENCE_ROWS,
    MAX_LIST_ITEMS,
    MAX_MATCHES_LISTED,
    MAX_TEXT,
    _t,
    _version,
    grade_label,
    writer_text,
)
from .svg import fmt_span

if TYPE_CHECKING:  # pragma: no cover
    from .model import Report

__all__ = ["md_escape", "report_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text: Any, limit: int = MAX_TEXT) -> str:
    """Escape text for a Markdown list item or table cell.

    ``< > &`` become HTML entities (no raw HTML, no autolinks), the characters that open
    emphasis, code, links, strikethrough or a table cell are backslash-escaped, newlines are
    folded, and control and bidi characters are shown as visible escapes, so a hostile string
    stays one line of plain text.
    """
    s = str(text)
    if len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    s = terminal_safe(" ".join(s.split()), multiline=False)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")



def report_markdown(r: Report) -> str:
    """A Markdown summary for pasting into a fact-check draft.

    Strings from the file are escaped for Markdown and HTML (so a hostile tag can
    neither inject markup nor break a table), and lists are capped like the HTML view.
    """
    m = md_escape
    v = r.verdict
    out = [f"## Provenance check: {md_escape(Path(r.path).name, 200)}", ""]
    if r.claim is not None:
        out.append(f"**Claim:** {m(r.claim.describe())}  ")
    grade = grade_label(v)
    out.append(f"**Verdict:** **{v.status.upper()}**" + (f" ({m(grade, 80)})" if grade else "")
               + f" \u2014 {_STATUS_WORDS.get(v.status, '')}")
    sub = [f"{name}: {st}" for name, st in (("time", v.time_status), ("place", v.place_status)) if st]
    if sub:
        out.append(f"({'; '.join(sub)})")
    out.append("")
    for reason in v.reasons[:MAX_LIST_ITEMS]:
        out.append(f"- {m(reason)}")
    out += ["", "### Known footage", ""]
    if not r.matches:
        out.append("No match above the decision threshold.")
    else:
        out.append("| known footage | score | this video [s] | known clip [s] | first published | source |")
        out.append("|---|---|---|---|---|---|")
        for mt in r.matches[:MAX_MATCHES_LISTED]:
            rec = r._record(mt.footage_id)
            title = getattr(rec, "title", None)
            url = _safe_url(getattr(rec, "source_url", None))
            name = m(mt.footage_id) + (" \u2014 " + m(title) if title else "")
            link = f"<{url}>" if url else ""
            if getattr(mt, "time_resolved", True) is False:  # a fixed camera's view: the moment is not known
                spans = "same fixed camera view | which moment is not resolved"
            else:
                spans = (f"{mt.query_start_s:.1f}\u2013{mt.query_end_s:.1f} | "
                         f"{mt.ref_start_s:.1f}\u2013{mt.ref_end_s:.1f}")
            out.append(f"| {name} | {mt.score:.2f} | {spans} "
                       f"| {_t(getattr(rec, 'published_at', None))} | {link} |")
        if len(r.matches) > MAX_MATCHES_LISTED:
            out.append(f"\n{len(r.matches) - MAX_MATCHES_LISTED} more matches are in the JSON report.")
    w = r.when
    out += ["", "### When and where", "",
            f"- **Filmed:** {fmt_span(w.earliest, w.latest)}; best estimate {_t(w.best)}; confidence "
            f"{w.confidence:.2f}"]
    if r.where is None:
        out.append("- **Place:** unknown (no place evidence)")
    else:
        p = r.where
        out.append(f"- **Place:** within {p.radius_km:,.2f} km of {p.lat:.5f}, {p.lon:.5f}; confidence "
                   f"{p.confidence:.2f}")
    md = r.metadata
    if md is not None and getattr(md, "writer", None) is not None and md.writer.kind != "unknown":
        out.append(f"- **Written by:** {m(writer_text(md.writer))}")
    for c in (list(w.conflicts) + list(r.where.conflicts if r.where else ()))[:MAX_LIST_ITEMS]:
        out.append(f"- *Conflict:* {m(c)}")
    out += ["", "### Evidence", ""]
    if not r.evidence:
        out.append("None.")
    else:
        shown = r._shown_evidence(MAX_EVIDENCE_ROWS)
        out.append("| what | value | source | reliability |")
        out.append("|---|---|---|---|")
        for e in shown:
            out.append(f"| {m(e.summary)} | {m(_value_text(e))} | {m(e.source, 200)} | {e.reliability:.2f} |")
        if len(shown) < len(r.evidence):
            out.append(f"\nShowing the {len(shown)} most reliable of {len(r.evidence)} items; the JSON report has all.")
    if r.problems:
        out += ["", "### Problems", ""] + [f"- {m(p)}" for p in r.problems[:MAX_LIST_ITEMS]]
        if len(r.problems) > MAX_LIST_ITEMS:
            out.append(f"- \u2026 and {len(r.problems) - MAX_LIST_ITEMS} more")
    out += ["", f"*Generated by provenance {_version()} on {_t(r.created_at)}.*", ""]
    return "\n".join(out)

