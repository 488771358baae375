"""Report views: escaping of hostile metadata, text fallback, size caps, Markdown, JSON."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import numpy as np
import pytest
from reportkit import XSS, huge_report, sample_report

from provenance.errors import InvalidArgumentError
from provenance.media.thumbnails import JPEG_MAGIC, make_thumbnail
from provenance.report import MAX_EVIDENCE_ROWS, MAX_THUMBNAILS, MatchFrames, Report, reports_table


class _Scan(HTMLParser):
    """Collects tags, attributes and image sources as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]


def _scan(doc: str) -> _Scan:
    s = _Scan()
    s.feed(doc)
    s.close()
    return s


@pytest.fixture(scope="module")
def hostile() -> Report:
    return sample_report(hostile=True)


# ---------------------------------------------------------------- escaping

def test_hostile_metadata_is_escaped_in_html(hostile):
    doc = hostile._repr_html_()
    assert "<script" not in doc.lower()
    assert "onerror" not in {k for _, k, _ in _scan(doc).attrs}
    scan = _scan(doc)
    assert "script" not in scan.tags
    # every <img> is one of ours: a base64 JPEG data URI
    for tag, k, v in scan.attrs:
        if tag == "img" and k == "src":
            assert v.startswith("data:image/jpeg;base64,")
        assert not (k or "").startswith("on"), (tag, k, v)
    # the text is still there, escaped, for the reader to see
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in doc


def test_javascript_url_is_not_a_link(hostile):
    doc = hostile._repr_html_()
    hrefs = [v for tag, k, v in _scan(doc).attrs if k == "href"]
    assert all(h.startswith(("http://", "https://")) for h in hrefs)
    assert 'href="javascript' not in doc.lower()


def test_hostile_metadata_is_escaped_in_saved_html(hostile, tmp_path):
    path = hostile.save_html(tmp_path / "r.html")
    doc = path.read_text(encoding="utf-8")
    assert doc.startswith("<!DOCTYPE html>")
    assert "<script" not in doc.lower()
    assert "Content-Security-Policy" in doc and "default-src 'none'" in doc
    title = re.search(r"<title>(.*?)</title>", doc, re.S).group(1)
    assert "<" not in title


def test_hostile_metadata_in_markdown(hostile):
    md = hostile.to_markdown()
    assert "<script" not in md and "<img" not in md
    assert "javascript:" not in md  # unsafe URL dropped, not linked
    # table rows keep their column count: pipes in values are escaped
    for line in md.splitlines():
        if line.startswith("| "):
            assert len(re.findall(r"(?<!\\)\|", line)) in (5, 7), line


def test_pipes_and_newlines_cannot_break_markdown_tables():
    r = sample_report()
    ev = replace(r.evidence[0], summary="a | b\n\n# heading\n| x | y |", source="tag`|x")
    md = replace(r, evidence=(ev,) + r.evidence[1:]).to_markdown()
    row = next(line for line in md.splitlines() if "a \\| b" in line)
    assert len(re.findall(r"(?<!\\)\|", row)) == 5
    assert "\n# heading" not in md


def test_control_characters_dropped():
    r = sample_report()
    ev = replace(r.evidence[0], summary="bell\x07 nul\x00 esc\x1b[31m")
    doc = replace(r, evidence=(ev,))._repr_html_()
    assert "\x00" not in doc and "\x07" not in doc and "\x1b" not in doc


def test_long_strings_are_clipped():
    r = sample_report()
    ev = replace(r.evidence[0], summary="x" * 100_000)
    doc = replace(r, evidence=(ev,))._repr_html_()
    assert "x" * 5000 not in doc and "\u2026" in doc


# ---------------------------------------------------------------- content

def test_html_has_every_section():
    doc = sample_report()._repr_html_()
    for cls in ("prv-verdict", "prv-reasons", "prv-keyframes", "prv-thumb", "prv-match", "prv-query", "prv-known",
                "prv-timeline", "prv-claim", "prv-map", "prv-evidence"):
        assert f'class="{cls}' in doc or f"{cls}" in doc, cls
    assert "CONTRADICTED" in doc
    assert "2019-06-03 14:20:00 UTC" in doc  # first-published date of the match
    assert doc.count('class="prv-thumb"') == 8
    assert "<script" not in doc


def test_html_without_thumbnails_or_matches():
    r = sample_report(n_thumbs=0, with_frames=False)
    doc = replace(r, matches=(), match_thumbnails=())._repr_html_()
    assert "No known footage matched" in doc
    assert "frames hashed" not in doc or "no thumbnails" in doc
    assert "prv-thumb" not in doc


def test_match_without_frames_shows_placeholders():
    doc = sample_report(with_frames=False)._repr_html_()
    assert 'class="prv-match"' in doc and "no frame stored" in doc


def test_keyframe_strip_is_capped_and_spread():
    r = sample_report(n_thumbs=100)
    doc = r._repr_html_()
    assert doc.count('class="prv-thumb"') == MAX_THUMBNAILS
    assert "0.0 s" in doc and f"{99 * 1.75:.1f} s" in doc  # first and last frame kept
    assert f"Showing {MAX_THUMBNAILS} of 100" in doc


def test_non_jpeg_thumbnail_is_not_embedded():
    r = sample_report(n_thumbs=0)
    r = replace(r, thumbnails=((0.0, b"<svg onload=alert(1)>"),))
    doc = r._repr_html_()
    assert "onload" not in doc and "image left out" in doc


def test_no_place_and_no_time_evidence():
    r = sample_report()
    r = replace(r, evidence=(), where=None, claim=None)
    doc = r._repr_html_()
    assert "No evidence was found" in doc
    assert "constrains the filming place" in doc


def test_thumbnails_validated():
    r = sample_report(n_thumbs=0)
    with pytest.raises(InvalidArgumentError, match="thumbnails"):
        replace(r, thumbnails=((0.0, "not bytes"),))
    with pytest.raises(InvalidArgumentError, match="MatchFrames"):
        replace(r, match_thumbnails=(("a", 0.0, b"", 0.0, b""),))


# ---------------------------------------------------------------- text fallback

def test_repr_is_one_line():
    r = sample_report(hostile=True)
    for obj in (r, r.verdict, r.when, r.where, r.evidence[0], r.match_thumbnails[0]):
        text = repr(obj)
        assert "\n" not in text and len(text) < 400, text
    assert repr(r).startswith("Report(")


def test_text_fallback():
    r = sample_report()
    text = r.to_text()
    assert "Verdict:  CONTRADICTED" in text
    assert "known/convoy-2019" in text and "first published 2019-06-03" in text
    assert str(r) == text

    class P:
        def __init__(self):
            self.out = []

        def text(self, s):
            self.out.append(s)

    p = P()
    r._repr_pretty_(p, False)
    assert p.out == [text]


def test_reports_table():
    table = reports_table([sample_report(), sample_report(with_frames=False)])
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["file", "verdict"]
    assert len(lines) == 4 and "contradicted" in lines[2]


# ---------------------------------------------------------------- size caps

def test_huge_report_stays_small():
    r = huge_report(n_evidence=10_000, n_thumbs=5_000, n_matches=500)
    doc = r._repr_html_()
    assert len(doc.encode("utf-8")) < 3_000_000, len(doc)
    assert doc.count('class="prv-ev ') == MAX_EVIDENCE_ROWS
    assert "most reliable of 10000" in doc
    assert len(r.to_markdown().encode()) < 1_000_000
    assert len(r.to_text().encode()) < 5_000_000
    _scan(doc)  # parses


def test_image_budget_caps_embedded_bytes(monkeypatch):
    from provenance.report import model as report_module

    monkeypatch.setattr(report_module, "MAX_HTML_IMAGE_BYTES", 100_000)
    jpeg = JPEG_MAGIC + bytes(40_000)
    r = replace(sample_report(n_thumbs=0, with_frames=False), thumbnails=tuple((float(i), jpeg) for i in range(200)))
    doc = r._repr_html_()
    assert doc.count("data:image/jpeg") == 2
    assert "image(s) left out" in doc and len(doc) < 250_000


def test_oversized_thumbnail_left_out():
    r = replace(sample_report(n_thumbs=0, with_frames=False), thumbnails=((0.0, JPEG_MAGIC + bytes(10_000_000)),))
    doc = r._repr_html_()
    assert "data:image/jpeg" not in doc and len(doc) < 100_000


# ---------------------------------------------------------------- JSON

def test_json_round_trip():
    r = sample_report(hostile=True)
    d = r.to_dict()
    assert json.loads(r.to_json()) == d
    assert json.loads(r.to_json(indent=None)) == d
    assert d["schema"] == 1
    assert d["verdict"]["status"] == "contradicted"
    assert d["thumbnails"][0] == {"time_s": 0.0, "jpeg_bytes": len(r.thumbnails[0][1])}
    assert "jpeg_base64" not in d["thumbnails"][0]
    assert XSS in d["path"]  # JSON keeps the raw text; escaping is the viewer's job
    mf = d["match_thumbnails"][0]
    assert mf["footage_id"] == r.matches[0].footage_id and mf["query_time_s"] == 5.0


def test_json_with_images():
    r = sample_report(n_thumbs=2)
    d = json.loads(r.to_json(images=True))
    assert base64.b64decode(d["thumbnails"][1]["jpeg_base64"]) == r.thumbnails[1][1]
    assert base64.b64decode(d["match_thumbnails"][0]["ref_jpeg_base64"]) == r.match_thumbnails[0].ref_jpeg


def test_json_keys_documented():
    """Every top-level key of to_dict() is described in docs/report.md."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "report.md").read_text(encoding="utf-8")
    for key in sample_report().to_dict():
        assert f"`{key}`" in doc, key


# ---------------------------------------------------------------- thumbnails

def test_make_thumbnail():
    img = np.zeros((720, 1280, 3), np.uint8)
    img[:, :640] = (255, 0, 0)
    jpeg = make_thumbnail(img)
    assert jpeg[:3] == JPEG_MAGIC and len(jpeg) < 20_000
    import cv2

    dec = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert dec.shape == (90, 160, 3)
    assert dec[45, 20, 2] > 200 and dec[45, 20, 0] < 60  # red stays red (RGB in, BGR inside cv2)
    assert make_thumbnail(np.zeros((10, 20), np.uint8), 160)[:3] == JPEG_MAGIC  # grey, not enlarged


@pytest.mark.parametrize("bad", [np.zeros((10, 10, 3), np.float32), np.zeros((0, 5, 3), np.uint8),
                                 np.zeros((4, 4, 4), np.uint8), "not an array"])
def test_make_thumbnail_rejects(bad):
    with pytest.raises(InvalidArgumentError):
        make_thumbnail(bad)


def test_make_thumbnail_rejects_options():
    with pytest.raises(InvalidArgumentError, match="max_side"):
        make_thumbnail(np.zeros((4, 4, 3), np.uint8), 0)
    with pytest.raises(InvalidArgumentError, match="quality"):
        make_thumbnail(np.zeros((4, 4, 3), np.uint8), quality=101)


def test_match_frames_repr_and_dict():
    mf = MatchFrames("a", 1.0, None, 2.0, None)
    assert "a" in repr(mf) and mf.to_dict(images=True)["query_jpeg_base64"] is None
