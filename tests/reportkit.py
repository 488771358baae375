"""Hand-made reports for the view tests (no media, no index needed).

``sample_report()`` mimics the convoy case: a clip claimed to be filmed on 2020-08-16 near
Hrodna re-uses footage first published in 2019. ``hostile=True`` fills every string that
could come from a file or an index with markup.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np

from provenance.media.thumbnails import make_thumbnail
from provenance.metadata.model import Device, Metadata, TimeTag
from provenance.report import MatchFrames, Report
from provenance.scoring.claim import Claim, check_claim
from provenance.scoring.evidence import Evidence
from provenance.scoring.fusion import fuse_place, fuse_time

UTC = timezone.utc
XSS = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


@dataclass(frozen=True)
class FakeMatch:
    footage_id: str
    score: float
    query_start_s: float
    query_end_s: float
    ref_start_s: float
    ref_end_s: float
    speed: float = 1.0
    variant: str = "original"
    matched_frames: int = 10

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class FakeRecord:
    footage_id: str
    published_at: datetime
    title: str | None = None
    source_url: str | None = None
    filmed_at_start: datetime | None = None
    filmed_at_end: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None


def frame(seed: int, h: int = 360, w: int = 640) -> np.ndarray:
    """A synthetic RGB road scene: sky gradient, road, a few 'vehicles'."""
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 3), np.uint8)
    sky = np.linspace(200, 120, h // 2).astype(np.uint8)
    img[: h // 2, :, 0] = sky[:, None] // 2
    img[: h // 2, :, 1] = sky[:, None] // 1.3
    img[: h // 2, :, 2] = sky[:, None]
    img[h // 2:, :] = (90, 110, 70)
    img[int(h * 0.65): int(h * 0.8), :] = (80, 80, 85)
    for _ in range(4):
        x = int(rng.integers(0, w - 80))
        img[int(h * 0.6): int(h * 0.72), x: x + 70] = (60 + seed * 7 % 60, 75, 50)
    return img


def sample_report(*, hostile: bool = False, n_thumbs: int = 8, with_frames: bool = True) -> Report:
    bad = XSS if hostile else ""
    fid = "known/convoy-2019" + bad
    rec = FakeRecord(fid, datetime(2019, 6, 3, 14, 20, tzinfo=UTC),
                     title="Column on the M1 near Smolensk" + bad,
                     source_url="javascript:alert(1)" if hostile else "https://example.org/convoy-2019",
                     filmed_at_start=datetime(2019, 6, 2, 6, 0, tzinfo=UTC),
                     filmed_at_end=datetime(2019, 6, 2, 9, 0, tzinfo=UTC),
                     lat=54.7818, lon=32.0401, radius_km=5.0)
    match = FakeMatch(fid, 0.91, 2.0, 11.5, 14.0, 23.5, variant="mirror" + bad)
    published = Evidence(
        "known_footage_published",
        f"Seconds 2.0-11.5 of this video match seconds 14.0-23.5 of known footage {fid!r}, first published on "
        "2019-06-03 14:20:00 UTC, so it was filmed no later than that." + bad,
        f"index:{fid}/published_at", "upper_bound", 0.95,
        "A strong perceptual match to footage whose first publication is recorded in the index.",
        f"known:{fid}", None, rec.published_at, raw=rec.published_at.isoformat())
    filmed = Evidence(
        "known_footage_filmed", f"The index records that known footage {fid!r} was filmed on 2019-06-02.",
        f"index:{fid}/filmed_at", "interval", 0.855, "The index's record of the known clip's filming time.",
        f"known:{fid}/filmed", rec.filmed_at_start, rec.filmed_at_end,
        rec.filmed_at_start + (rec.filmed_at_end - rec.filmed_at_start) / 2)
    place = Evidence(
        "known_footage_place", f"The index records that known footage {fid!r} was filmed within 5 km of 54.7818, 32.0401.",
        f"index:{fid}/location", "region", 0.855, "The index's record of the known clip's filming place.",
        f"known:{fid}/place", lat=54.7818, lon=32.0401, radius_km=5.0)
    clock = Evidence(
        "metadata_time",
        "The mp4:moov/mvhd/creation_time tag reads '2020-08-16 09:12:00', read with its time zone: the file was made at "
        "2020-08-16 09:12:00 UTC." + bad,
        "mp4:moov/mvhd/creation_time" + bad, "interval", 0.6,
        "A device clock reading; clocks can be wrong or edited, so it is not enough on its own.", "device_clock",
        datetime(2020, 8, 16, 9, 7, tzinfo=UTC), datetime(2020, 8, 16, 9, 17, tzinfo=UTC),
        datetime(2020, 8, 16, 9, 12, tzinfo=UTC), raw="2020-08-16 09:12:00" + bad)
    evidence = [published, filmed, place, clock]
    claim = Claim(time=date(2020, 8, 16), place=(53.6884, 23.8258), radius_km=50,
                  text="Troops heading for the border near Hrodna, 16 August 2020" + bad)
    when = fuse_time(evidence)
    where = fuse_place(evidence)
    verdict = check_claim(claim, when, where, evidence)
    md = Metadata("viral_convoy_2020.mp4" + bad, "mp4",
                  times=(TimeTag(datetime(2020, 8, 16, 9, 12, tzinfo=UTC), "utc", "file_written",
                                 "mp4:moov/mvhd/creation_time", "2020-08-16 09:12:00" + bad),),
                  device=Device(make="Apple" + bad, model="iPhone 8" + bad, software="Lavf58" + bad),
                  duration_s=14.0, width=1280, height=720, video_codec="h264")
    thumbs = tuple((float(i * 1.75), make_thumbnail(frame(i))) for i in range(n_thumbs))
    frames = (MatchFrames(fid, 5.0, make_thumbnail(frame(2)), 17.0, make_thumbnail(np.ascontiguousarray(frame(2)[:, ::-1]))),) \
        if with_frames else ()
    return Report(path="/uploads/viral_convoy_2020.mp4" + bad, metadata=md, matches=(match,), records={fid: rec},
                  evidence=tuple(evidence), when=when, where=where, claim=claim, verdict=verdict,
                  keyframe_times_s=tuple(t for t, _ in thumbs), problems=("odd tag" + bad,) if hostile else (),
                  created_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC), thumbnails=thumbs, match_thumbnails=frames)


def huge_report(n_evidence: int = 10_000, n_thumbs: int = 5_000, n_matches: int = 500) -> Report:
    """A worst case: a long video with many keyframes, matches and evidence items."""
    base = sample_report()
    t0 = datetime(2015, 1, 1, tzinfo=UTC)
    ev = []
    for i in range(n_evidence):
        lo = t0 + timedelta(hours=7 * i)
        ev.append(Evidence("metadata_time", ("A very long summary " * 200) + str(i), f"mp4:tag/{i}" * 50, "interval",
                           (i % 100) / 100, "why " * 300, f"g{i}", lo, lo + timedelta(hours=3),
                           lat=50 + (i % 10) / 10, lon=30 + (i % 7) / 10, radius_km=1.0 + i % 5))
    jpeg = make_thumbnail(frame(1))
    thumbs = tuple((i * 0.5, jpeg) for i in range(n_thumbs))
    matches = tuple(FakeMatch(f"m{i}", 0.5, 0, 1, 0, 1) for i in range(n_matches))
    frames = tuple(MatchFrames(f"m{i}", 0.0, jpeg, 0.0, jpeg) for i in range(n_matches))
    return replace(base, evidence=tuple(ev), thumbnails=thumbs, matches=matches, match_thumbnails=frames,
                   keyframe_times_s=tuple(t for t, _ in thumbs), problems=tuple("problem " * 100 for _ in range(5000)),
                   records={})
