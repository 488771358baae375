"""The HTML report opened in a real headless browser (Debian's chromium).

Skipped where /usr/bin/chromium is absent (CI installs it: ``apt-get install -y chromium``).
The screenshots are saved for review under ``test-artifacts/`` at the repository root
(or ``$PROVENANCE_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import os
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from reportkit import sample_report

from provenance.report import MAX_THUMBNAILS

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("PROVENANCE_TEST_ARTIFACTS", ROOT / "test-artifacts"))

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium not installed (apt-get install -y chromium)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.classes: dict[str, int] = {}
        self.imgs: list[dict[str, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for c in (a.get("class") or "").split():
            self.classes[c] = self.classes.get(c, 0) + 1
        if tag == "img":
            self.imgs.append(a)
        if tag == "script":
            self.scripts += 1


def _render(html_path: Path, name: str, tmp_path: Path) -> tuple[Path, _Dom]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    url = html_path.resolve().as_uri()
    r = _chromium([f"--screenshot={shot}", "--window-size=1200,3000", url], tmp_path / "profile-shot")
    assert shot.is_file(), f"chromium wrote no screenshot (exit {r.returncode}): {r.stderr[-2000:]}"
    r = _chromium(["--dump-dom", url], tmp_path / "profile-dom")
    assert r.returncode == 0 and "<html" in r.stdout, r.stderr[-2000:]
    dom = _Dom()
    dom.feed(r.stdout)
    return shot, dom


def _check(shot: Path, dom: _Dom, *, thumbs: bool, pair: bool) -> None:
    # a blank page of 1200x3000 compresses to a few kB; a rendered report is far larger
    assert shot.stat().st_size > 30_000, shot.stat().st_size
    from PIL import Image  # imagehash (a core dependency) brings Pillow

    with Image.open(shot) as im:
        assert im.size == (1200, 3000)
        colours = im.convert("RGB").resize((120, 300)).getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 50  # not a flat page
    for cls in ("prv-verdict", "prv-timeline", "prv-map", "prv-evidence", "prv-match", "prv-pair"):
        assert dom.classes.get(cls), f"{cls} missing from the rendered DOM"
    assert dom.classes.get("prv-claim"), "the claim is not marked on the timeline"
    assert dom.scripts == 0
    srcs = [i.get("src", "") for i in dom.imgs]
    assert all(s.startswith("data:image/jpeg;base64,") for s in srcs)
    if thumbs:
        assert dom.classes.get("prv-thumb", 0) >= 1
    if pair:
        assert dom.classes.get("prv-query") and dom.classes.get("prv-known")
        assert any(i.get("class") == "prv-query" for i in dom.imgs)
        assert any(i.get("class") == "prv-known" for i in dom.imgs)


def test_sample_report_renders_in_chromium(tmp_path):
    html_path = sample_report(hostile=True).save_html(tmp_path / "sample_report.html")
    shot, dom = _render(html_path, "sample_report", tmp_path)
    _check(shot, dom, thumbs=True, pair=True)
    # the hostile strings were shown as text, not run: no alert hook survived in the DOM
    assert not any(k.startswith("on") for i in dom.imgs for k in i)


def test_demo_report_renders_in_chromium(tmp_path):
    from test_notebook import demo_known_ids

    from provenance.demo import run_demo

    demo_known_ids()  # skips when the fixtures hold no demo case yet

    result = run_demo(out_dir=tmp_path / "demo", fixtures=ROOT / "fixtures")
    assert result.report.verdict.status == "contradicted"
    shot, dom = _render(result.html_path, "demo_report", tmp_path)
    (ARTIFACTS / "demo_report.html").write_text(result.html_path.read_text(encoding="utf-8"), encoding="utf-8")
    report = result.report
    # analyze() fills the keyframe strip and, from the index's stored thumbnails, both frames of each pair
    assert 1 <= len(report.thumbnails) <= MAX_THUMBNAILS
    assert report.match_thumbnails and {p.footage_id for p in report.match_thumbnails} <= {m.footage_id for m in report.matches}
    top = next(p for p in report.match_thumbnails if p.footage_id == report.matches[0].footage_id)
    assert top.query_jpeg and top.ref_jpeg, top
    m = report.matches[0]
    assert m.query_start_s - 1e-6 <= top.query_time_s <= m.query_end_s + 1e-6
    assert m.ref_start_s - 2.5 <= top.ref_time_s <= m.ref_end_s + 2.5  # the stored thumbnail nearest the mapped time
    _check(shot, dom, thumbs=True, pair=True)  # structure, and the images rendered
