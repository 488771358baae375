"""Graded verdicts and the rules of issue 12 for what may contradict a claim (one test per rule)."""

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from provenance.metadata.model import Device, Location, Metadata, TimeTag, TrackPoint, Writer
from provenance.scoring import errormodels
from provenance.scoring.checks import cross_check
from provenance.scoring.claim import Claim, Grade, Verdict, check_claim
from provenance.scoring.errormodels import ErrorModel
from provenance.scoring.fusion import fuse_place, fuse_time
from provenance.scoring.sources import evidence_from_matches, evidence_from_metadata, published_bound

UTC = timezone.utc
T0 = datetime(2022, 5, 14, 9, 30, tzinfo=UTC)
CONTRADICTED = (Grade.CONTRADICTED_INDEPENDENT, Grade.CONTRADICTED_METADATA)


def tag(value, state, meaning, source, raw="", offset=None):
    return TimeTag(value=value, tz_state=state, meaning=meaning, source=source, raw=raw or str(value),
                   utc_offset_s=offset)


def md(times=(), loc=None, track=(), duration=10.0, writer=None, device=None, acc=None, raw_loc=""):
    location = None if loc is None else Location(lat=loc[0], lon=loc[1], source=loc[2] if len(loc) > 2 else "gps",
                                                 raw=raw_loc, accuracy_m=acc)
    return Metadata(path="x", container="hand-built", times=tuple(times), location=location, track=tuple(track),
                    duration_s=duration, writer=writer or Writer(), device=device or Device())


def iphone(t, lat, lon, offset_h):
    return md([tag(t, "offset", "recording_start", "mp4:keys/com.apple.quicktime.creationdate",
                   offset=int(offset_h * 3600))],
              loc=(lat, lon, "mp4:keys/com.apple.quicktime.location.ISO6709"), acc=10.0,
              writer=Writer("camera", "Apple iPhone camera", 0.95), device=Device(make="Apple"))


def match(fid, score, q0, q1, **kw):
    return SimpleNamespace(footage_id=fid, score=score, query_start_s=q0, query_end_s=q1, ref_start_s=0.0,
                           ref_end_s=q1 - q0, variant="original", **kw)


def judge(claim, metadata=None, matches=(), records=None, duration=None) -> Verdict:
    ev = evidence_from_metadata(metadata) if metadata is not None else []
    ev += evidence_from_matches(list(matches), records or {}, query_duration_s=duration)
    ev, _ = cross_check(ev)
    return check_claim(claim, fuse_time(ev), fuse_place(ev), ev)


def test_grade_enum_labels_and_old_status():
    assert Grade.CONTRADICTED_METADATA.label == "contradicted by the file's own metadata"
    assert Grade.CONTRADICTED_INDEPENDENT.status == "contradicted"
    assert Grade.CONSISTENT_METADATA_ONLY.status == "consistent" and Grade.UNVERIFIABLE.status == "unverifiable"
    assert Grade("corroborated") is Grade.CORROBORATED and isinstance(Grade.CORROBORATED, str)
    v = judge(Claim(time=T0.date(), place=(50.45, 30.52)), iphone(T0, 50.45, 30.52, 3))
    d = v.to_dict()
    assert d["grade"] == v.grade.value and d["grade_label"] == v.grade.label
    assert v.status == v.grade.status and v.time_status == v.time_grade.status


def test_every_error_model_is_documented():
    models = [v for v in vars(errormodels).values() if isinstance(v, ErrorModel)]
    assert len(models) >= 15
    for m in models:
        assert m.basis and 0.0 <= m.p_unrelated < 1.0 and m.scale >= 0.0
        assert getattr(errormodels, m.name) is m  # the name quoted in evidence is the constant's name
    # the thresholds keep single weak origins from contradicting
    assert errormodels.SHADOW.p_unrelated > errormodels.P_CONTRADICT_FILE > errormodels.P_CONTRADICT_INDEPENDENT
    assert errormodels.MATCH_WEAK.p_unrelated > errormodels.P_CONTRADICT_FILE


def test_original_six_days_off_is_contradicted_by_its_own_metadata():
    m = iphone(datetime(2022, 9, 3, 8, 0, tzinfo=UTC), 32.09, 34.86, 3)
    v = judge(Claim(time=date(2022, 9, 9)), m)
    assert v.grade is Grade.CONTRADICTED_METADATA and v.status == "contradicted"
    assert any("mp4:keys/com.apple.quicktime.creationdate" in r for r in v.reasons)
    ok = judge(Claim(time=date(2022, 9, 3)), m)
    assert ok.grade is Grade.CONSISTENT_METADATA_ONLY


@pytest.mark.parametrize("writer,meaning", [(Writer("editor", "Adobe Premiere Pro", 0.9), "unknown"),
                                            (Writer("platform", "Telegram", 0.9), "unknown"),
                                            (Writer("transcoder", "FFmpeg", 0.9), "mux"),
                                            (Writer(), "export")])
def test_export_mux_and_reencode_times_are_upper_bounds_only(writer, meaning):
    now = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    m = md([tag(now, "utc", meaning, "mp4:moov/mvhd/creation_time")], writer=writer)
    (e,) = evidence_from_metadata(m)
    assert e.shape == "upper_bound" and e.earliest is None
    assert judge(Claim(time=now.date()), m).grade.status != "consistent"  # recycled footage "filmed today"
    assert judge(Claim(time=date(2019, 6, 12)), m).grade not in CONTRADICTED


def test_unknown_writer_with_lavf_signs_is_not_a_camera_clock():
    now = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    m = md([tag(now, "utc", "unknown", "mp4:moov/mvhd/creation_time")], device=Device(encoder="Lavf58.76.100"))
    (e,) = evidence_from_metadata(m)
    assert e.shape == "upper_bound" and e.model == "CLOCK_UNKNOWN_REENCODED"
    assert judge(Claim(time=date(2019, 6, 12)), m).grade not in CONTRADICTED


def test_partial_match_speaks_only_about_its_part():
    recs = {"a": {"published_at": "2019-03-01T12:00:00Z"}, "b": {"published_at": "2019-04-01T12:00:00Z"}}
    v = judge(Claim(time=date(2022, 5, 14)), md(duration=12.0), [match("a", 0.95, 0, 3), match("b", 0.95, 3, 6)],
              recs, 12.0)
    assert v.grade is Grade.UNVERIFIABLE and any("part of the video it covers (25%)" in r for r in v.reasons)
    whole = judge(Claim(time=date(2022, 5, 14)), md(duration=12.0), [match("a", 0.95, 0, 12)], recs, 12.0)
    assert whole.grade is Grade.CONTRADICTED_INDEPENDENT


def test_weak_matches_share_one_group_and_do_not_add_up():
    recs = {"a": {"published_at": "2019-03-01T12:00:00Z"}, "b": {"published_at": "2019-04-01T12:00:00Z"}}
    ev = evidence_from_matches([match("a", 0.55, 0, 10), match("b", 0.55, 0, 10)], recs, query_duration_s=10.0)
    assert {e.group for e in ev} == {"weak_matches"}
    v = judge(Claim(time=date(2022, 5, 14)), md(), [match("a", 0.55, 0, 10), match("b", 0.55, 0, 10)], recs, 10.0)
    assert v.grade not in CONTRADICTED


def test_scene_only_match_does_not_date_the_footage():
    rec = {"a": {"published_at": "2019-03-01T12:00:00Z", "lat": 50.0, "lon": 30.0}}
    ev = evidence_from_matches([match("a", 0.95, 0, 10, time_resolved=False)], rec, query_duration_s=10.0)
    assert [e.kind for e in ev] == ["known_footage_place"]


def test_one_index_record_is_one_group():
    rec = {"r": {"published_at": "2021-01-19T10:00:00Z", "filmed_at_start": "2021-01-18T07:47:05Z",
                 "filmed_at_end": "2021-01-18T07:47:13Z", "lat": 57.8136, "lon": 28.3496, "radius_km": 1.0}}
    ev = evidence_from_matches([match("r", 0.95, 0, 10)], rec, query_duration_s=10.0)
    assert len(ev) == 3 and {e.group for e in ev} == {"record:r"}
    assert fuse_time(ev).confidence < 0.99
    v = judge(Claim(time=date(2021, 1, 18), place="Pskov"), md(), [match("r", 0.95, 0, 10)], rec, 10.0)
    assert v.grade is Grade.CONSISTENT_ONE_SOURCE


def test_corroborated_needs_two_groups():
    rec = {"r": {"published_at": "2022-05-15T10:00:00Z", "filmed_at_start": T0.isoformat(),
                 "filmed_at_end": (T0 + timedelta(seconds=10)).isoformat()}}
    v = judge(Claim(time=T0.date(), place=(50.45, 30.52)), iphone(T0, 50.45, 30.52, 3), [match("r", 0.95, 0, 10)],
              rec, 10.0)
    assert v.time_grade is Grade.CORROBORATED and v.place_grade is Grade.CONSISTENT_METADATA_ONLY
    assert v.grade is Grade.CONSISTENT_METADATA_ONLY  # the weakest part


@pytest.mark.parametrize("name,lat,lon,off", [("Alexandria", 38.8048, -77.0469, -4),
                                              ("Springfield", 39.7817, -89.6501, -5),
                                              ("Paris", 33.6609, -95.5555, -5)])
def test_ambiguous_name_never_contradicts_unless_every_candidate_is_excluded(name, lat, lon, off):
    v = judge(Claim(time=T0.date(), place=name), iphone(T0, lat, lon, off))
    assert v.grade not in CONTRADICTED
    assert len(v.candidates) > 1 and any("ambiguous" in r for r in v.reasons)
    assert any(name in c for c in v.candidates)
    far = judge(Claim(time=T0.date(), place=name), iphone(T0, 64.14, -21.94, 0))  # Reykjavik: no namesake there
    assert far.grade is Grade.CONTRADICTED_METADATA


def test_ambiguous_name_date_read_with_each_candidate_zone():
    # GoPro MAX case: 23:45 UTC on 18 Nov is 15:45 on 18 Nov in Carlsbad, California; "19 November" is false
    t = datetime(2019, 11, 18, 23, 45, 14, tzinfo=UTC)
    m = md([tag(t, "utc", "recording_start", "mp4:moov/mvhd/creation_time")], loc=(33.12677, -117.327344, "gps"),
           acc=5.0, writer=Writer("camera", "GoPro", 0.9))
    assert judge(Claim(time=date(2019, 11, 19), place="Carlsbad"), m).grade in CONTRADICTED
    assert judge(Claim(time=date(2019, 11, 18), place="Carlsbad"), m).grade not in CONTRADICTED


@pytest.mark.parametrize("src", ["mp4:keys/com.apple.quicktime.location.ISO6709", "mp4:moov/udta/©xyz", "exif:GPS"])
def test_placeholder_gps_is_rejected_on_every_path(src):
    m = md([tag(T0, "utc", "recording_start", "mvhd")], loc=(0.0, 0.0, src), raw_loc="+00.0000+000.0000/",
           writer=Writer("camera", "phone", 0.9))
    ev = evidence_from_metadata(m)
    assert not any(e.constrains_place for e in ev)
    assert judge(Claim(place="Kyiv", radius_km=30), m).grade is Grade.UNVERIFIABLE
    track = md(track=[TrackPoint(0.0, 0.0, 0.0, T0), TrackPoint(50.45, 30.52, 1.0, T0 + timedelta(seconds=1))])
    (place,) = [e for e in evidence_from_metadata(track) if e.constrains_place]
    assert abs(place.lat - 50.45) < 0.01


def test_gps_contradicts_only_beyond_its_error_model():
    m = md([], loc=(50.4501, 30.5234, "mp4:moov/udta/©xyz"), raw_loc="+50.4501+030.5234/",
           writer=Writer("camera", "phone", 0.9))
    near = judge(Claim(place=(50.4501 + 0.00108, 30.5234), radius_km=0.1), m)  # 120 m away
    assert near.grade not in CONTRADICTED
    far = judge(Claim(place=(50.4501 + 0.0045, 30.5234), radius_km=0.1), m)  # 500 m away
    assert far.grade is Grade.CONTRADICTED_METADATA
    assert not any("0 km" in r for r in far.reasons)
    stated = md([], loc=(52.2097, -0.8955, "keys"), acc=65.0, writer=Writer("camera", "iPhone", 0.9))
    assert judge(Claim(place=(52.2097 + 0.00225, -0.8955), radius_km=0.05), stated).grade not in CONTRADICTED


def test_claim_radius_and_gps_accuracy_no_blanket_floor():
    coarse = md([], loc=(48.0, 11.0, "gps"), acc=5000.0, writer=Writer("camera", "x", 0.9))
    v = judge(Claim(place=(48.036, 11.0), radius_km=1.0), coarse)  # 4 km away, 5 km fix, claim "within 1 km"
    assert v.grade is Grade.UNVERIFIABLE
    assert judge(Claim(place=(48.036, 11.0), radius_km=10.0), coarse).grade.status == "consistent"


def test_track_is_a_region_and_safe_across_the_antimeridian():
    flight = [TrackPoint(33.10 + 0.0003 * i, -117.30 + 0.0001 * i, float(i), T0 + timedelta(seconds=i))
              for i in range(90)]
    m = md(track=flight, writer=Writer("camera", "DJI", 0.9))
    end = judge(Claim(place=(flight[-1].lat, flight[-1].lon), radius_km=0.2), m)
    assert end.grade is Grade.UNVERIFIABLE  # where it ended is on the track; the video spans 3 km of it
    assert judge(Claim(place=(flight[-1].lat, flight[-1].lon), radius_km=5.0), m).grade.status == "consistent"
    off = judge(Claim(place=(33.10, -117.25), radius_km=0.2), m)  # 4.6 km east of the track
    assert off.grade is Grade.CONTRADICTED_METADATA
    across = [TrackPoint(-16.8, 179.995 - 0.001 * i if i < 5 else -179.995 - 0.001 * (i - 5), float(i),
                         T0 + timedelta(seconds=i)) for i in range(10)]
    (place,) = [e for e in evidence_from_metadata(md(track=across)) if e.constrains_place]
    assert place.radius_km < 2.0 and abs(abs(place.lon) - 180.0) < 0.02
    assert judge(Claim(place=(-16.8, -179.999), radius_km=0.5), md(track=across)).grade not in CONTRADICTED


def test_published_at_precision():
    midnight = {"published_at": datetime(2022, 6, 12, tzinfo=UTC)}
    bound, precision = published_bound(midnight)
    assert precision == "day" and bound == datetime(2022, 6, 13, 12, tzinfo=UTC)
    instant = SimpleNamespace(published_at=datetime(2022, 6, 12, tzinfo=UTC), published_precision="instant")
    assert published_bound(instant) == (datetime(2022, 6, 12, tzinfo=UTC), "instant")
    rec = SimpleNamespace(published_at=datetime(2022, 6, 12, tzinfo=UTC), published_precision="day",
                          published_bound_utc=lambda: datetime(2022, 6, 13, 12, tzinfo=UTC))
    assert published_bound(rec)[0] == datetime(2022, 6, 13, 12, tzinfo=UTC)
    # a record whose own bound is the end of the UTC day still gets the whole day anywhere on Earth
    utc_day = SimpleNamespace(published_at=datetime(2022, 6, 12, tzinfo=UTC), published_precision="day",
                              published_bound_utc=lambda: datetime(2022, 6, 12, 23, 59, 59, tzinfo=UTC))
    assert published_bound(utc_day)[0] == datetime(2022, 6, 13, 12, tzinfo=UTC)
    later_that_day = Claim(time=datetime(2022, 6, 12, 18, 0, tzinfo=timezone(timedelta(hours=-5))))
    v = judge(later_that_day, md(), [match("d", 0.95, 0, 10)], {"d": midnight}, 10.0)
    assert v.grade not in CONTRADICTED


def test_date_without_place_is_read_in_the_zone_of_the_fused_place():
    t = datetime(2020, 5, 1, 14, 30, tzinfo=UTC)  # 23:30 on 1 May in Tokyo
    tokyo = iphone(t, 35.68, 139.69, 9)
    v = judge(Claim(time=date(2020, 5, 1)), tokyo)
    assert v.grade is Grade.CONSISTENT_METADATA_ONLY and any("Asia/Tokyo" in r for r in v.reasons)
    assert judge(Claim(time=date(2020, 5, 2)), tokyo).grade is Grade.CONTRADICTED_METADATA


def test_zoneless_clock_date_compared_in_its_own_zone():
    canon = md([tag(datetime(2012, 9, 10, 20, 52), "local_unknown", "recording_start", "riff:IDIT")],
               writer=Writer("camera", "Canon", 0.9))
    assert judge(Claim(time=date(2012, 9, 10)), canon).grade.status == "consistent"
    assert judge(Claim(time=date(2012, 9, 12)), canon).grade is Grade.CONTRADICTED_METADATA


def test_android_mvhd_utc_unconfirmed_keeps_the_local_reading():
    m = md([tag(datetime(2021, 7, 1, 15, 0, tzinfo=UTC), "utc", "recording_end", "mp4:moov/mvhd/creation_time")],
           loc=(55.75, 37.62, "mp4:moov/udta/©xyz"), raw_loc="+55.7500+037.6200/")
    v = judge(Claim(time=datetime(2021, 7, 1, 12, 0, tzinfo=UTC), place=(55.75, 37.62)), m)
    assert v.grade not in CONTRADICTED


def test_default_clock_rules():
    nye = md([tag(datetime(2023, 1, 1, 0, 20), "local_unknown", "recording_start", "riff:IDIT")],
             writer=Writer("camera", "camcorder", 0.9))
    (e,) = evidence_from_metadata(nye)  # a real New Year's reading is kept
    assert e.model == "CLOCK_SUSPECT_DEFAULT"
    drift = md([tag(datetime(2015, 1, 1, 2, 13), "local_unknown", "recording_start", "riff:IDIT")],
               writer=Writer("camera", "camcorder", 0.9))
    assert judge(Claim(time=date(2022, 8, 3)), drift).grade not in CONTRADICTED  # a reset clock cannot contradict


def test_gps_stamp_in_local_time_is_not_used_as_utc():
    # KDDI A5301T (corpus): GPSTimeStamp 22:29 "UTC" is local JST, 8 min after the 22:21 local clock
    m = md([tag(datetime(2003, 5, 24, 22, 21, 1), "local_unknown", "recording_start", "exif:DateTimeOriginal"),
            tag(datetime(2003, 5, 24, 22, 29, 14, tzinfo=UTC), "utc", "gps_fix", "exif:GPS", "2003:05:24 22:29:14")],
           loc=(35.616019, 139.697317, "exif:GPS"))
    assert judge(Claim(time=date(2003, 5, 24), place=(35.616, 139.697)), m).grade not in CONTRADICTED


def test_independent_exclusion_against_strong_file_backing_is_unverifiable():
    # an index record places the footage in Smolensk; the file's own GPS says Kyiv: one of them is wrong
    rec = {"a": {"published_at": "2019-06-13T10:00:00Z", "lat": 54.7818, "lon": 32.0401, "radius_km": 1.0}}
    kyiv = md([], loc=(50.4501, 30.5234, "gps"), acc=10.0, writer=Writer("camera", "phone", 0.9))
    v = judge(Claim(place=(50.4501, 30.5234), radius_km=5), kyiv, [match("a", 0.95, 0, 10)], rec, 10.0)
    assert v.grade is Grade.UNVERIFIABLE and any("disagree" in r for r in v.reasons)


def test_onscreen_clock_is_the_files_own_evidence_and_never_contradicts_alone():
    from provenance.scoring.evidence import Evidence

    m = errormodels.ONSCREEN_CLOCK
    t = datetime(2021, 3, 2, 14, 5, 7, tzinfo=UTC)
    tail = timedelta(seconds=m.tail())
    e = Evidence("onscreen_clock", "A burned-in clock.", "ocr:top-left", "interval", m.reliability, "ocr",
                 "onscreen_clock", t - tail, t + tail, t, model=m.name, wall=datetime(2021, 3, 2, 14, 5, 7),
                 observation=object())  # the OCR reading rides along; it is not a shadow
    assert e.origin == "file"
    v = check_claim(Claim(time=date(2023, 1, 1), place=(50.45, 30.52)), fuse_time([e]), None, [e])
    assert v.grade is Grade.UNVERIFIABLE and any("not strong enough" in r for r in v.reasons)
    shadow_free = check_claim(Claim(time=date(2021, 3, 2)), fuse_time([e]), None, [e])
    assert shadow_free.grade is Grade.CONSISTENT_METADATA_ONLY


def test_best_time_lies_inside_a_window_or_is_not_given():
    """Readings of an ambiguous date give disjoint windows; the best estimate must not fall between them."""
    from provenance.scoring.evidence import Evidence

    m = errormodels.ONSCREEN_CLOCK
    readings = [datetime(2007, 9, 17, 12, 4, 11, tzinfo=UTC), datetime(2017, 9, 7, 12, 4, 11, tzinfo=UTC),
                datetime(2017, 7, 9, 12, 4, 11, tzinfo=UTC)]
    wins = tuple(sorted((t - timedelta(hours=14), t + timedelta(hours=12)) for t in readings))
    e = Evidence("onscreen_clock", "A burned-in clock with an ambiguous date.", "ocr:top-left", "interval",
                 m.reliability, "ocr", "onscreen_clock", wins[0][0], wins[-1][1], None, windows=wins, model=m.name)
    when = fuse_time([e])
    assert len(when.windows) == 3
    assert when.best is None or any(a <= when.best <= b for a, b in when.windows)
