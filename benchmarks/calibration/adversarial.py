"""Hand-written adversarial cases, one or more per family of issue 12 (made with our own values).

Each case builds metadata (and matches) the way the parsers would, a claim, whether the claim
is true, and what the grade must be: a true claim must never be contradicted; some false
claims must be caught, others must at least not be called consistent.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

from provenance.metadata.model import Device, Location, Metadata, TimeTag, TrackPoint, Writer
from provenance.scoring.checks import cross_check
from provenance.scoring.claim import Claim, Grade, check_claim
from provenance.scoring.fusion import fuse_place, fuse_time
from provenance.scoring.observations import evidence_from_observation
from provenance.scoring.shadow import ShadowObservation
from provenance.scoring.sources import evidence_from_matches, evidence_from_metadata

UTC = timezone.utc
CONTRADICTED = (Grade.CONTRADICTED_INDEPENDENT, Grade.CONTRADICTED_METADATA)


def tag(value: datetime, state: str, meaning: str, source: str, raw: str = "", offset: int | None = None) -> TimeTag:
    return TimeTag(value=value, tz_state=state, meaning=meaning, source=source, raw=raw or str(value),  # type: ignore[arg-type]
                   utc_offset_s=offset)


def md(times=(), loc=None, track=(), duration=10.0, writer=None, device=None, acc=None, raw_loc=""):
    location = None if loc is None else Location(lat=loc[0], lon=loc[1], source=loc[2] if len(loc) > 2 else "gps",
                                                 raw=raw_loc, accuracy_m=acc)
    return Metadata(path="x", container="hand-built", times=tuple(times), location=location, track=tuple(track),
                    duration_s=duration, writer=writer or Writer(), device=device or Device())


def match(fid: str, score: float, q0: float, q1: float, **kw: Any) -> SimpleNamespace:
    return SimpleNamespace(footage_id=fid, score=score, query_start_s=q0, query_end_s=q1, ref_start_s=0.0,
                           ref_end_s=q1 - q0, variant="original", **kw)


def iphone(t: datetime, lat: float, lon: float, offset_h: float) -> Metadata:
    off = int(offset_h * 3600)
    return md([tag(t, "offset", "recording_start", "mp4:keys/com.apple.quicktime.creationdate", offset=off),
               tag(t + timedelta(seconds=10), "utc", "unknown", "mp4:moov/mvhd/creation_time")],
              loc=(lat, lon, "mp4:keys/com.apple.quicktime.location.ISO6709"), acc=10.0,
              writer=Writer("camera", "Apple iPhone camera", 0.95), device=Device(make="Apple"))


def _case(cid, family, metadata=None, matches=(), records=None, duration=None, observations=(), claim=None,
          true=True, must="not_contradicted"):
    return dict(id=cid, family=family, metadata=metadata, matches=list(matches), records=records or {},
                duration=duration, observations=list(observations), claim=claim, true=true, must=must)


T0 = datetime(2022, 5, 14, 9, 30, tzinfo=UTC)


def cases() -> list[dict]:
    out = []
    # ambiguous names: the file's GPS at the lesser-known namesake
    for name, lat, lon, off in (("Alexandria", 38.8048, -77.0469, -4), ("Springfield", 39.7817, -89.6501, -5),
                                ("Paris", 33.6609, -95.5555, -5), ("Kirovsk", 48.6400, 38.6400, 3),
                                ("Pervomaisk", 48.6300, 38.5500, 3)):
        out.append(_case(f"ambiguous-{name}", "ambiguous place names", iphone(T0, lat, lon, off),
                         claim=Claim(time=T0.date(), place=name)))
    # placeholder GPS (0, 0) from Keys and ©xyz: never used
    for src in ("mp4:keys/com.apple.quicktime.location.ISO6709", "mp4:moov/udta/©xyz"):
        m = md([tag(T0, "utc", "recording_start", "mp4:moov/mvhd/creation_time")], loc=(0.0, 0.0, src),
               raw_loc="+00.0000+000.0000/", writer=Writer("camera", "phone", 0.9))
        out.append(_case(f"placeholder-{src[-6:]}", "placeholder GPS", m, claim=Claim(place="Kyiv", radius_km=30)))
    # GPS error is not a hard edge: a true place 120 m from a fix without stated accuracy
    m = md([tag(T0, "utc", "recording_start", "mvhd")], loc=(50.4501, 30.5234, "mp4:moov/udta/©xyz"),
           raw_loc="+50.4501+030.5234/", writer=Writer("camera", "phone", 0.9))
    out.append(_case("gps-120m", "GPS error as a hard edge", m,
                     claim=Claim(place=(50.4501 + 0.00108, 30.5234), radius_km=0.1)))
    out.append(_case("gps-stated-65m-250m", "GPS error as a hard edge",
                     md([], loc=(52.2097, -0.8955, "keys"), acc=65.0, writer=Writer("camera", "iPhone", 0.9)),
                     claim=Claim(place=(52.2097 + 0.00225, -0.8955), radius_km=0.05)))
    # telemetry tracks are regions; one across the antimeridian
    flight = [TrackPoint(33.10 + 0.0003 * i, -117.30 + 0.0001 * i, float(i), T0 + timedelta(seconds=i)) for i in range(90)]
    out.append(_case("track-end", "telemetry tracks", md(track=flight, writer=Writer("camera", "DJI", 0.9)),
                     claim=Claim(place=(flight[-1].lat, flight[-1].lon), radius_km=0.2)))
    across = [TrackPoint(-16.8, 179.995 - 0.001 * i if i < 5 else -179.995 - 0.001 * (i - 5), float(i),
                         T0 + timedelta(seconds=i)) for i in range(10)]
    out.append(_case("track-antimeridian", "telemetry tracks", md(track=across, writer=Writer("camera", "GoPro", 0.9)),
                     claim=Claim(place=(-16.8, -179.999), radius_km=0.5)))
    # weak and partial matches do not add up
    recs = {"w1": {"published_at": "2019-03-01T12:00:00Z"}, "w2": {"published_at": "2019-04-01T12:00:00Z"}}
    out.append(_case("two-weak-matches", "weak and partial matches", md(), [match("w1", 0.55, 0, 10),
                                                                             match("w2", 0.55, 0, 10)], recs, 10.0,
                     claim=Claim(time=date(2022, 5, 14))))
    out.append(_case("compilation-3s-3s", "weak and partial matches", md(duration=12.0),
                     [match("w1", 0.95, 0, 3), match("w2", 0.95, 3, 6)], recs, 12.0,
                     claim=Claim(time=date(2022, 5, 14))))
    # one shadow never contradicts alone (a mis-measured one here)
    bad = ShadowObservation(object_height=1.0, shadow_length=3.0, shadow_bearing_deg=90.0)
    out.append(_case("one-bad-shadow", "one shadow", md(), observations=[bad],
                     claim=Claim(time=datetime(2022, 6, 21, 12, 0, tzinfo=UTC), place=(51.5, -0.12))))
    # published_at as a date (stored at 00:00Z): filmed later that day
    rec = {"d": {"published_at": datetime(2022, 6, 12, tzinfo=UTC), "title": "x"}}
    out.append(_case("published-date-midnight", "published_at precision", md(duration=10.0),
                     [match("d", 0.95, 0, 10)], rec, 10.0,
                     claim=Claim(time=datetime(2022, 6, 12, 18, 0, tzinfo=timezone(timedelta(hours=-5))))))
    # export, mux and re-encode times: recycled footage claimed "filmed today" is not consistent
    for writer, meaning in ((Writer("editor", "Adobe Premiere Pro", 0.9), "unknown"),
                            (Writer("editor", "CapCut", 0.9), "unknown"),
                            (Writer("platform", "Telegram", 0.9), "unknown"),
                            (Writer("transcoder", "FFmpeg (Lavf)", 0.9), "mux")):
        now = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
        m = md([tag(now, "utc", meaning, "mp4:moov/mvhd/creation_time")], writer=writer)
        out.append(_case(f"export-{writer.name}-today-false", "export/re-encode times", m,
                         claim=Claim(time=now.date()), true=False, must="not_consistent"))
        out.append(_case(f"export-{writer.name}-old-true", "export/re-encode times", m,
                         claim=Claim(time=date(2019, 6, 12))))
    lavf = md([tag(datetime(2024, 3, 1, 8, 0, tzinfo=UTC), "utc", "unknown", "mp4:moov/mvhd/creation_time")],
              device=Device(encoder="Lavf58.76.100"))
    out.append(_case("unknown-writer-lavf-old-true", "export/re-encode times", lavf, claim=Claim(time=date(2019, 6, 12))))
    # a date claim without a place is read in the zone of the file's GPS (Tokyo, 23:30 local)
    t = datetime(2020, 5, 1, 14, 30, tzinfo=UTC)
    tokyo = iphone(t, 35.68, 139.69, 9)
    out.append(_case("date-in-fused-zone-true", "date without a place", tokyo, claim=Claim(time=date(2020, 5, 1))))
    out.append(_case("date-in-fused-zone-false", "date without a place", tokyo, claim=Claim(time=date(2020, 5, 3)),
                     true=False, must="contradicted"))
    # no blanket 25 km floor: a 5 km fix does not confirm "within 1 km" of a point 4 km away
    coarse = md([], loc=(48.0, 11.0, "gps"), acc=5000.0, writer=Writer("camera", "x", 0.9))
    out.append(_case("coarse-fix-tight-claim", "claim radius and GPS accuracy", coarse,
                     claim=Claim(place=(48.036, 11.0), radius_km=1.0), true=False, must="not_consistent"))
    # Android mvhd labelled UTC that is local time at the GPS point (UTC+3), no other clock
    local_as_utc = md([tag(datetime(2021, 7, 1, 15, 0, tzinfo=UTC), "utc", "recording_end", "mp4:moov/mvhd/creation_time")],
                      loc=(55.75, 37.62, "mp4:moov/udta/©xyz"), raw_loc="+55.7500+037.6200/")
    out.append(_case("android-mvhd-local", "Android mvhd and default clocks", local_as_utc,
                     claim=Claim(time=datetime(2021, 7, 1, 12, 0, tzinfo=UTC), place="Moscow")))
    # default clocks: a real New Year's reading is kept; a reset clock that ran two hours cannot contradict
    nye = md([tag(datetime(2023, 1, 1, 0, 20), "local_unknown", "recording_start", "riff:IDIT")],
             writer=Writer("camera", "camcorder", 0.9))
    out.append(_case("new-year-0020-true", "Android mvhd and default clocks", nye, claim=Claim(time=date(2023, 1, 1)),
                     must="not_unverifiable"))
    drift = md([tag(datetime(2015, 1, 1, 2, 13), "local_unknown", "recording_start", "riff:IDIT")],
               writer=Writer("camera", "camcorder", 0.9))
    out.append(_case("default-drifted-2h", "Android mvhd and default clocks", drift, claim=Claim(time=date(2022, 8, 3))))
    # one index record is one group: confidence does not reach 1.00 from one record
    rec = {"r": {"published_at": "2021-01-19T10:00:00Z", "filmed_at_start": "2021-01-18T07:47:05Z",
                 "filmed_at_end": "2021-01-18T07:47:13Z", "lat": 57.8136, "lon": 28.3496, "radius_km": 1.0}}
    out.append(_case("one-record-one-group", "one index record", md(duration=10.0), [match("r", 0.95, 0, 10)], rec, 10.0,
                     claim=Claim(time=date(2021, 1, 18), place="Pskov"), must="not_corroborated"))
    # the reverse: an original iPhone file six days from the claim
    orig = iphone(datetime(2022, 9, 3, 8, 0, tzinfo=UTC), 32.09, 34.86, 3)
    out.append(_case("iphone-six-days", "original file far from the claim", orig, claim=Claim(time=date(2022, 9, 9)),
                     true=False, must="contradicted"))
    # DST day (Europe/Berlin springs forward 2021-03-28) and a half-hour zone (Adelaide)
    berlin = iphone(datetime(2021, 3, 28, 0, 45, tzinfo=UTC), 52.52, 13.40, 1)
    out.append(_case("dst-day-true", "claims read as people mean them", berlin,
                     claim=Claim(time=date(2021, 3, 28), place=(52.52, 13.40))))
    adelaide = iphone(datetime(2021, 6, 30, 14, 45, tzinfo=UTC), -34.93, 138.60, 9.5)
    out.append(_case("half-hour-zone-true", "claims read as people mean them", adelaide,
                     claim=Claim(time=date(2021, 7, 1), place="Adelaide")))
    return out


def run() -> list[dict]:
    """Judge every case; ``ok`` says whether the grade meets the case's requirement."""
    out = []
    for c in cases():
        ev = evidence_from_metadata(c["metadata"]) if c["metadata"] is not None else []
        ev += evidence_from_matches(c["matches"], c["records"], query_duration_s=c["duration"])
        ev, _ = cross_check(ev)
        for obs in c["observations"]:
            ev += evidence_from_observation(obs, ev)
        v = check_claim(c["claim"], fuse_time(ev), fuse_place(ev), ev)
        g = v.grade
        must = c["must"]
        ok = {"not_contradicted": g not in CONTRADICTED, "contradicted": g in CONTRADICTED,
              "not_consistent": g.status != "consistent", "not_unverifiable": g is not Grade.UNVERIFIABLE,
              "not_corroborated": g is not Grade.CORROBORATED and g not in CONTRADICTED}[must]
        if c["true"] and g in CONTRADICTED:
            ok = False
        out.append(dict(id=c["id"], family=c["family"], true=c["true"], grade=g, ok=ok, verdict=v))
    return out
