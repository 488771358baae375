"""The bundled demo: recycled convoy footage re-posted with a false claim.

A small known-footage index is built from the generated fixtures (plus the real road
footage of ``../shared/corpus/footage`` when present, as distractors); the "viral"
re-upload is then analysed against the claim that it was filmed on 2020-08-16 near
Hrodna, heading for the Belarusian border.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from .errors import InvalidArgumentError, MediaNotFoundError

__all__ = ["DemoResult", "find_fixtures", "run_demo"]

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


@dataclass(frozen=True)
class DemoResult:
    """What the demo produced."""

    report: Any
    index_path: Path
    json_path: Path
    html_path: Path


def find_fixtures(fixtures: str | os.PathLike[str] | None = None) -> Path:
    """Locate the fixtures folder (with ``manifest.json``): the given one, ``./fixtures``, or the
    checkout the package was installed from."""
    candidates = [Path(fixtures)] if fixtures else [Path.cwd() / "fixtures", Path(__file__).resolve().parents[1] / "fixtures"]
    for c in candidates:
        if (c / "manifest.json").is_file():
            return c
    raise MediaNotFoundError(
        "demo fixtures not found (looked for manifest.json in "
        + ", ".join(str(c) for c in candidates)
        + "); run the demo from the provenance checkout or pass --fixtures DIR"
    )


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
        Fixtures folder; found automatically when omitted.
    corpus
        The real media corpus; ``../shared/corpus`` when present. Optional.
    progress
        Show progress bars.
    """
    from .analyze import analyze
    from .index import FootageIndex
    from .scoring.claim import Claim

    fx = find_fixtures(fixtures)
    manifest = json.loads((fx / "manifest.json").read_text(encoding="utf-8"))
    demo = manifest.get("demo")
    if not demo:
        raise InvalidArgumentError(f"{fx / 'manifest.json'} has no 'demo' section")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "demo_index.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    with FootageIndex(db) as index:
        for item in demo["known"]:
            loc = item.get("location")
            filmed = item.get("filmed_at")
            index.add(fx / item["file"], footage_id=item["footage_id"], published_at=_when(item["published_at"]),
                      filmed_at=_when(filmed) if isinstance(filmed, str) else (tuple(_when(x) for x in filmed) if filmed else None),
                      location=tuple(loc) if loc else None, source_url=item.get("source_url"), title=item.get("title"))
        corpus_dir = Path(corpus) if corpus else Path.cwd().parent / "shared" / "corpus"
        if (corpus_dir / "footage").is_dir():
            for name in CORPUS_ROAD_CLIPS:
                p = corpus_dir / "footage" / name
                if p.is_file():
                    index.add(p, footage_id=f"corpus/{name}", published_at=CORPUS_SNAPSHOT,
                              title="real road footage (corpus); first publication no later than the corpus snapshot")
        claim_spec = demo["claim"]
        claim = Claim(time=date.fromisoformat(claim_spec["date"]), place=claim_spec["place"],
                      radius_km=float(claim_spec.get("radius_km", 50.0)), text=claim_spec.get("text", ""))
        report = analyze(fx / demo["viral"], index=index, claim=claim, progress=progress)
    json_path = out / "demo_report.json"
    json_path.write_text(report.to_json(), encoding="utf-8")
    html_path = report.save_html(out / "demo_report.html")
    return DemoResult(report, db, json_path, html_path)
