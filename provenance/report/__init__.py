"""Report: the result of an analysis (``report.model``) apart from its views: text, Markdown, HTML, plots, maps."""

from .model import (
    MAX_EVIDENCE_ROWS,
    MAX_HTML_IMAGE_BYTES,
    MAX_MATCHES_SHOWN,
    MAX_THUMBNAIL_BYTES,
    MAX_THUMBNAILS,
    REPORT_SCHEMA,
    MatchFrames,
    Report,
    reports_table,
)

__all__ = [
    "MAX_EVIDENCE_ROWS",
    "MAX_HTML_IMAGE_BYTES",
    "MAX_MATCHES_SHOWN",
    "MAX_THUMBNAIL_BYTES",
    "MAX_THUMBNAILS",
    "REPORT_SCHEMA",
    "MatchFrames",
    "Report",
    "reports_table",
]
