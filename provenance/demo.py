"""The bundled demo: recycled convoy footage re-posted with a false claim.

A small known-footage index is built from the demo media shipped with the package
(``provenance/data/demo``: generated convoy clips, 1.8 MB; plus, when a folder is passed as
``corpus``, real road footage from its ``footage/`` folder as distractors); the "viral"
re-upload is then analysed against the claim that it was filmed on 2020-08-16 near Hrodna,
heading for the Belarusian border. Nothing outside the installed package is read unless it
is passed in, so the demo works from any folder after ``pip install``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InvalidArgumentError, MediaNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from .report import Report

__all__ = ["DemoResult", "demo_media_dir", "find_fixtures", "run_demo"]

log = logging.getLogger(__name__)

#: Upper bound on the first publication of the corpus clips: the day the corpus copy was made.
#: Their true first-publication dates are not recorded, and this bound is honest.
CORPUS_SNAPSHOT = datetime(2026, 11, 1, tzinfo=timezone.utc)
#: Road and vehicle clips of the real corpus indexed as distractors.
CORPUS_ROAD_CLIPS = (
    "street_security-cam_cars.mp4", "highway_overhead_640x360.avi", "dashcam_highway_solidWhiteRight.mp4",
    "parking-lot_overhead_cars.mp4", "park_street_bus_1080p.mp4", "freeway_overhead_multilane.avi",
    "trafficcam_burned-in-timestamp_hq.avi", "highway_roadside.avi",
)
#: The viral claim of the seed story.
DEMO_CLAIM_DATE = date(2020, 8, 16)
DEMO_CLAIM_PLACE = "Hrodna"
DEMO_CLAIM_RADIUS_KM = 50.0
DEMO_CLAIM_TEXT = "Troops heading for the Belarusian border, filmed on 2020-08-16 near Hrodna (Grodno)"


@dataclass(frozen=True)
class DemoResult:
    """What the demo produced."""

    report: Report
    index_path: Path
    json_path: Path
    html_path: Path


def demo_media_dir() -> Path:
    """The demo media shipped as package data (``provenance/data/demo``, with ``manifest.json``)."""
    from importlib.resources import files

    return Path(str(files("provenance") / "data" / "demo"))


def find_fixtures(fixtures: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the demo's ``manifest.json``: the given one, else the package's demo media.

    Raises
    ------
    MediaNotFoundError
        When the folder has no ``manifest.json`` (or the installed package lacks its demo media).
    """
    c = Path(fixtures) if fixtures else demo_media_dir()
    if (c / "manifest.json").is_file():
        return c
    raise MediaNotFoundError(
        f"demo media not found: no manifest.json in {str(c)!r}"
        + ("" if fixtures else "; the installation is incomplete, reinstall video-provenance"),
        path=str(c))


def _first_seen(day: str) -> datetime:
    """A first-publication *date* as its latest instant (end of that day, UTC): an honest upper bound."""
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=timezone.utc)


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def run_demo(*, out_dir: str | os.PathLike[str] = "demo-output", fixtures: str | os.PathLike[str] | None = None,
             corpus: str | os.PathLike[str] | None = None, progress: bool = False) -> DemoResult:
    """Build the demo index, analyse the viral clip, and write JSON and HTML reports.

    Parameters
    ----------
    out_dir
        Folder for ``demo_index.db``, ``demo_report.json`` and ``demo_report.html``; the
        index is rebuilt from scratch each run.
    fixtures
        A folder with a fixtures ``manifest.json`` (e.g. the checkout's ``fixtures/``); the demo
        media shipped with the package when omitted.
    corpus
        A real media corpus whose ``footage/`` clips are indexed as distractors; none when
        omitted (the demo never looks for development folders by itself).
    progress
        Show progress bars.

    Returns
    -------
    DemoResult
    """
    from .index import FootageIndex
    from .pipeline import analyze
    from .scoring.claim import Claim

    fx = find_fixtures(fixtures)
    manifest = json.loads((fx / "manifest.json").read_text(encoding="utf-8"))
    files = manifest.get("files") or []
    known = [f for f in files if f.get("role") == "source" and f.get("indexed")]
    viral = [f for f in files if f.get("role") == "demo"]
    if not known or not viral:
        raise InvalidArgumentError(f"{fx / 'manifest.json'} lists no indexed source clips or no demo clip")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "demo_index.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    with FootageIndex(db, mode="c") as index:
        for item in known:
            exp = item["expected"]
            gps = (exp.get("metadata") or {}).get("gps")
            filmed = _when(exp.get("recorded_start_utc"))
            index.add(fx / item["path"], footage_id=Path(item["name"]).stem,
                      published_at=_first_seen(exp["first_published"]),
                      filmed_at=filmed,
                      location=(gps["lat"], gps["lon"], 1.0) if gps else None,
                      title=(exp.get("metadata") or {}).get("place") or item["made"].get("source"),
                      source_url=None)
        corpus_dir = Path(corpus) if corpus else None
        if corpus_dir is not None and not (corpus_dir / "footage").is_dir():
            raise MediaNotFoundError(f"corpus folder {str(corpus_dir)!r} has no footage/ folder", path=str(corpus_dir))
        if corpus_dir is not None:
            for name in CORPUS_ROAD_CLIPS:
                p = corpus_dir / "footage" / name
                if p.is_file():
                    index.add(p, footage_id=f"corpus/{name}", published_at=CORPUS_SNAPSHOT,
                              title="real road footage (corpus); first publication no later than the corpus snapshot")
        claim = Claim(time=DEMO_CLAIM_DATE, place=DEMO_CLAIM_PLACE, radius_km=DEMO_CLAIM_RADIUS_KM,
                      text=DEMO_CLAIM_TEXT)
        report = analyze(fx / viral[0]["path"], index=index, claim=claim, progress=progress)
    json_path = out / "demo_report.json"
    json_path.write_text(report.to_json(), encoding="utf-8")
    html_path = report.save_html(out / "demo_report.html")
    return DemoResult(report, db, json_path, html_path)
