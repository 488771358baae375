"""The report model apart from its views: JSON round trips, terminal-safe text and Markdown, GPS tracks
(GPX, KML, the SVG map, the folium map) and the escaped notebook reprs of Match, Fingerprint,
FootageIndex and Metadata."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from reportkit import XSS, sample_report

from provenance.errors import InvalidArgumentError
from provenance.hashing import Fingerprint
from provenance.matching.match import Match
from provenance.metadata.model import Device, Location, Metadata, Problem, TimeTag, TrackPoint, Writer
from provenance.report import Report
from provenance.report.html import fingerprint_html, index_html, match_html, metadata_html, report_css
from provenance.report.svg import MAX_TRACK_POINTS
from provenance.report.tracks import track_gpx, track_kml, track_samples

ROOT = Path(__file__).resolve().parents[2]
MEDIA = ROOT / "fixtures" / "media"
UTC = timezone.utc
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
TERM = "\x1b]0;pwned\x07\x1b[2J\u202e\x9b31m"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [k for k, _ in attrs]


def _tags(doc: str) -> _Tags:
    p = _Tags()
    p.feed(doc)
    p.close()
    return p


@pytest.fixture(scope="module")
def real_report(tmp_path_factory) -> Report:
    """The demo case analysed for real: a re-upload of indexed footage against a false claim."""
    from datetime import date as _date

    import provenance

    db = tmp_path_factory.mktemp("views") / "known.db"
    with provenance.FootageIndex(db, mode="c") as index:
        index.add(MEDIA / "convoy_a_smolensk_iphone8.mov", footage_id="convoy-a",
                  published_at=datetime(2019, 6, 12, 23, 59, tzinfo=UTC), title="Convoy near Smolensk",
                  location=(54.78, 32.04, 1.0))
        claim = provenance.Claim(time=_date(2020, 8, 16), place="Hrodna", radius_km=50)
        return provenance.analyze(MEDIA / "viral_convoy_2020.mp4", index=index, claim=claim)


def _track_md(n: int = 120, *, naive: bool = False) -> Metadata:
    t0 = datetime(2021, 5, 1, 10, 0, tzinfo=UTC)
    pts = tuple(TrackPoint(lat=54.0 + i * 1e-4, lon=32.0 + i * 2e-4, media_time_s=i * 0.1,
                           time=(t0 + timedelta(seconds=i * 0.1)).replace(tzinfo=None) if naive else t0 + timedelta(seconds=i * 0.1),
                           alt_m=200.0 + i) for i in range(n))
    bad = (TrackPoint(lat=float("nan"), lon=32.0), TrackPoint(lat=95.0, lon=32.0))
    return Metadata(path='/x/GX010001<b onclick="x">&.MP4', container="mp4", track=pts[: n // 2] + bad + pts[n // 2:],
                    location=Location(54.0, 32.0, "gpmf:GPS5", "54,32"))


# ---------------------------------------------------------------- JSON round trip

def test_report_json_round_trip_is_exact_with_images(real_report):
    assert real_report.matches and real_report.thumbnails  # a real match with frames
    d = real_report.to_dict(images=True)
    back = Report.from_json(real_report.to_json(images=True))
    assert json.loads(json.dumps(back.to_dict(images=True))) == json.loads(json.dumps(d))
    # typed again, not dicts
    assert isinstance(back.matches[0], Match) and isinstance(back.metadata, Metadata)
    assert back.verdict.status == real_report.verdict.status == "contradicted"
    assert back.when.earliest == real_report.when.earliest and back.created_at == real_report.created_at
    assert back.metadata.times[0].value == real_report.metadata.times[0].value
    assert back.records["convoy-a"].published_at == real_report.records["convoy-a"].published_at
    if getattr(real_report.verdict, "grade", None) is not None:
        assert back.verdict.grade == real_report.verdict.grade
    # the archived report renders again
    assert back.to_text() == real_report.to_text()
    assert back._repr_html_() == real_report._repr_html_()


def test_report_from_dict_without_images_keeps_everything_but_the_pixels(real_report):
    back = Report.from_dict(json.loads(real_report.to_json()))
    assert back.thumbnails == () and back.match_thumbnails[0].query_jpeg is None
    a, b = real_report.to_dict(), back.to_dict()
    for key in ("verdict", "when", "where", "matches", "records", "evidence", "metadata", "keyframe_times_s", "problems"):
        assert json.loads(json.dumps(a[key])) == json.loads(json.dumps(b[key])), key


@pytest.mark.parametrize("bad", ["not json", "[]", '{"schema": 1}', '{"schema": 99, "verdict": {}, "when": {}}',
                                 '{"schema": 1, "verdict": {"status": 3}, "when": "x", "path": "p", "created_at": "?"}'])
def test_from_json_refuses_what_is_not_a_report(bad):
    with pytest.raises(InvalidArgumentError):
        Report.from_json(bad)


# ---------------------------------------------------------------- terminal-safe views

def _hostile_terminal_report() -> Report:
    r = sample_report()
    md = replace(r.metadata, path="clip" + TERM + ".mp4", device=Device(make="Apple" + TERM, model="X" + TERM),
                 writer=Writer(kind="editor", name="Edit" + TERM, confidence=0.9, rule="rule" + TERM))
    return replace(r, path="clip" + TERM + ".mp4", metadata=md, problems=("problem" + TERM,))


def test_text_and_markdown_views_hold_no_terminal_controls():
    r = _hostile_terminal_report()
    for view in (r.to_text(), r.to_markdown()):
        assert not UNSAFE.findall(view)
        assert "\\x1b" in view and "pwned" in view and "\\u202e" in view  # shown, escaped
    assert "Written by: editor: Edit\\x1b" in r.to_text()


def test_metadata_text_is_terminal_safe():
    from provenance.report.text import metadata_text

    md = Metadata(path="a" + TERM, container="mov", device=Device(make="Canon" + TERM),
                  times=(TimeTag(datetime(2020, 1, 1, tzinfo=UTC), "utc", "recording_start", "mp4:x" + TERM, "raw"),),
                  problems=(Problem("bad" + TERM, "msg" + TERM, "src" + TERM),),
                  writer=Writer(kind="camera", name="Canon" + TERM, confidence=0.8))
    text = metadata_text(md)
    assert not UNSAFE.findall(text) and "make=Canon\\x1b]0;pwned\\x07" in text and "writer  camera: Canon" in text


# ---------------------------------------------------------------- tracks

def test_gpx_and_kml_of_a_track():
    md = _track_md(120)
    assert len(track_samples(md)) == 120  # NaN and out-of-range samples dropped
    root = ET.fromstring(track_gpx(md))
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    pts = root.findall(".//g:trkpt", ns)
    assert len(pts) == 120 and float(pts[0].get("lat")) == pytest.approx(54.0)
    assert pts[-1].find("g:time", ns).text == "2021-05-01T10:00:11.900000Z"
    assert float(pts[5].find("g:ele", ns).text) == pytest.approx(205.0)
    assert "<b onclick" not in track_gpx(md) and "GX010001&lt;b onclick=\"x\"&gt;&amp;.MP4" in track_gpx(md)
    assert "<b onclick" not in track_kml(md)
    kml = ET.fromstring(track_kml(md))
    coords = kml.find(".//{http://www.opengis.net/kml/2.2}LineString/{http://www.opengis.net/kml/2.2}coordinates").text.split()
    assert len(coords) == 120 and coords[1].startswith("32.0002000,54.0001000")


def test_naive_track_times_are_not_written_as_utc():
    doc = track_gpx(_track_md(10, naive=True))
    assert "<time>" not in doc and doc.count("<trkpt") == 10


def test_svg_map_draws_the_track(real_report):
    md = _track_md(5000)
    r = replace(real_report, metadata=replace(real_report.metadata, track=md.track))
    doc = r._repr_html_()
    poly = re.search(r'<g class="prv-track">.*?<polyline points="([^"]+)"', doc)
    assert poly and len(poly.group(1).split()) == MAX_TRACK_POINTS  # thinned, first and last kept
    assert "GPS track" in doc
    # no track: no line
    assert 'class="prv-track"' not in real_report._repr_html_()


def test_folium_map_draws_the_track(real_report):
    pytest.importorskip("folium")
    md = _track_md(50)
    r = replace(real_report, metadata=replace(real_report.metadata, track=md.track))
    page = r.map().get_root().render()
    assert "L.polyline" in page and "54.0049" in page


# ---------------------------------------------------------------- notebook reprs

def test_match_fingerprint_metadata_index_reprs_are_escaped_and_collapsible(real_report, tmp_path):
    m = Match("tg" + XSS, 0.91, 1.0, 5.0, 2.0, 6.0, 1.0, "mirror" + XSS, 40)
    fp = Fingerprint(times_s=np.arange(80, dtype=float) / 2, hashes=np.zeros((80, 32), np.uint8), hasher="phash256/1")
    md = replace(real_report.metadata, path="/x/" + XSS, device=Device(make=XSS), track=_track_md(10).track,
                 problems=(Problem("p", XSS),))
    for doc in (m._repr_html_(), md._repr_html_()):
        assert doc and "&lt;script&gt;" in doc  # shown, escaped
        t = _tags(doc)
        assert "script" not in t.tags and not any(a.startswith("on") for a in t.attrs)
    assert "<details>" in fp._repr_html_() and "Frame hashes (80)" in fp._repr_html_()
    assert "and 30 more" in fp._repr_html_()
    mdoc = md._repr_html_()
    assert "Times (" in mdoc and "GPS track (12 samples" in mdoc and "Problems (1)" in mdoc and "Written by" in mdoc
    import provenance

    with provenance.FootageIndex(tmp_path / "i.db", mode="c") as idx:
        idx.add_fingerprint(fp, footage_id="fp" + XSS, published_at=datetime(2020, 1, 1, tzinfo=UTC), title=XSS)
        doc = idx._repr_html_()
    assert "Records (1)" in doc and "script" not in _tags(doc).tags and "&lt;script&gt;" in doc


def test_reprs_fall_back_to_text_when_rendering_fails():
    assert match_html(object()) is None and fingerprint_html(object()) is None
    assert metadata_html(object()) is None and index_html(object()) is None


def test_report_html_has_collapsible_sections_and_the_css(real_report):
    doc = real_report._repr_html_()
    assert '<details class="prv-section" open><summary>' in doc and "Evidence (" in doc
    assert f"<style>{report_css()}</style>" in doc and ".prv-obj" in report_css()


def test_evidence_row_shows_the_crop_its_reading_carries():
    from dataclasses import dataclass

    from provenance.media.thumbnails import make_thumbnail

    @dataclass(frozen=True)
    class Reading:  # the shape of an on-screen text reading: any observation with a crop_jpeg
        text: str
        crop_jpeg: bytes | None

    img = np.zeros((24, 120, 3), np.uint8)
    img[6:18, 10:110] = 255
    jpeg = make_thumbnail(img)
    r = sample_report()
    ev = (replace(r.evidence[0], observation=Reading("17/09/07 12:04:12", jpeg)),
          replace(r.evidence[1], observation=Reading("x", b"not a jpeg"))) + r.evidence[2:]
    doc = replace(r, evidence=ev)._repr_html_()
    assert doc.count('class="prv-ev-crop"') == 1 and "data:image/jpeg;base64," in doc


def test_scene_only_match_is_worded_plainly_in_every_view():
    """A fixed camera's view matched without its moment: no seconds are claimed in any view."""
    from dataclasses import replace

    from provenance.matching import Match

    base = sample_report()
    fid = base.matches[0].footage_id
    scene = Match(fid, 0.8, 0.0, 10.0, 40.0, 50.0, 1.0, "original", 12, time_resolved=False, kind="scene")
    r = replace(base, matches=(scene,))
    text, md, html = r.to_text(), r.to_markdown(), r._repr_html_()
    assert "which moment is not resolved" in text and "40.0-50.0" not in text
    assert "which moment is not resolved" in md and "40.0\u201350.0" not in md
    assert "scene only" in html
