"""Consistency checks on hand-built metadata mirroring real corpus files."""

from datetime import datetime, timedelta, timezone

from _md import gopro_max, md, nikon, tag

from provenance.scoring.checks import (
    apply_findings,
    check_daylight,
    check_duration,
    check_gps_vs_clock,
    check_offset_vs_zone,
    check_sun_at_claim,
    check_unset_dates,
    suspect_default,
    unset_reason,
)
from provenance.scoring.evidence import Evidence
from provenance.scoring.shadow import ShadowObservation

UTC = timezone.utc


def test_unset_dates():
    assert unset_reason(datetime(1970, 1, 1, 0, 3)) is not None
    assert unset_reason(datetime(1904, 1, 1, tzinfo=UTC)) is not None
    # 00:12 on New Year's Day is a real time people film at: kept, but doubted (suspect_default)
    assert unset_reason(datetime(2015, 1, 1, 0, 12)) is None and suspect_default(datetime(2015, 1, 1, 0, 12))
    assert not suspect_default(datetime(2015, 1, 2, 0, 12))
    assert unset_reason(datetime(2015, 1, 1, 14, 0)) is None
    assert unset_reason(datetime(2019, 7, 24, 8, 25, tzinfo=UTC)) is None
    f = check_unset_dates(md([tag(datetime(1970, 1, 1), "local_unknown", "recording_start", "dv:Date", "1970:01:01")]))
    assert f and f[0].factor == 0.0 and "1970" in f[0].message


def test_offset_matches_zone_at_gps():
    # iPhone 6 in Israel, July: +03:00 is IDT.
    m = md([tag(datetime(2019, 7, 24, 8, 25, 40, tzinfo=UTC), "offset", "recording_start", "keys:creationdate",
                "2019-07-24T11:25:40+0300", 10800)], loc=(32.0929, 34.862))
    (f,) = check_offset_vs_zone(m)
    assert f.code == "agrees" and "Asia/Jerusalem" in f.message


def test_offset_mismatch_lowers_reliability():
    m = md([tag(datetime(2019, 7, 24, 8, 25, 40, tzinfo=UTC), "offset", "recording_start", "keys:creationdate",
                "2019-07-24T13:25:40+0500", 18000)], loc=(32.0929, 34.862))
    (f,) = check_offset_vs_zone(m)
    assert f.code == "offset_mismatch" and f.factor < 1 and "keys:creationdate" in f.affects


def test_arizona_has_no_dst():
    m = md([tag(datetime(2024, 9, 13, 23, 21, 5, tzinfo=UTC), "offset", "recording_start", "exif:DateTimeOriginal",
                "2024:09:13 16:21:05-07:00", -25200)], loc=(36.053653, -112.083244))
    assert check_offset_vs_zone(m)[0].code == "agrees"


def test_gopro_local_time_labelled_utc():
    (f,) = check_gps_vs_clock(gopro_max())
    assert f.code in ("clock_local_as_utc", "zone_resolved")
    assert f.offset_s == -8 * 3600
    assert "UTC-08:00" in f.message


def test_nikon_wrong_clock_is_caught():
    (f,) = check_gps_vs_clock(nikon())
    assert f.code == "clock_wrong" and f.severity == "conflict"
    assert f.affects == ("exif:DateTimeOriginal",) and f.factor < 0.3


def test_zoneless_still_resolved_by_gps_stamp():
    # Nexus 5X, Aarhus: 21:25:39 local, GPS 19:25:24Z -> +02:00 (CEST).
    m = md([tag(datetime(2018, 5, 30, 21, 25, 39), "local_unknown", "recording_start", "exif:DateTimeOriginal",
                "2018:05:30 21:25:39"),
            tag(datetime(2018, 5, 30, 19, 25, 24, tzinfo=UTC), "utc", "gps_fix", "exif:GPSTimeStamp", "19:25:24")],
           loc=(56.153775, 10.199317))
    (f,) = check_gps_vs_clock(m)
    assert f.code == "zone_resolved" and f.offset_s == 7200


def test_duration_confirms_android_end_time():
    m = md([tag(datetime(2020, 2, 23, 9, 15, 42, tzinfo=UTC), "offset", "recording_start", "keys:creationdate",
                "2020-02-23T12:15:42+0300", 10800),
            tag(datetime(2020, 2, 23, 9, 15, 52, tzinfo=UTC), "utc", "unknown", "mvhd", "2020-02-23T09:15:52Z")],
           duration=10.0)
    (f,) = check_duration(m)
    assert f.code == "end_confirmed"


def test_duration_mismatch():
    m = md([tag(datetime(2020, 2, 23, 9, 15, 42, tzinfo=UTC), "utc", "recording_start", "a", "a"),
            tag(datetime(2020, 2, 23, 9, 25, 42, tzinfo=UTC), "utc", "recording_end", "b", "b")], duration=10.0)
    (f,) = check_duration(m)
    assert f.code == "duration_mismatch" and set(f.affects) == {"a", "b"}


def test_apply_findings_scales_and_notes():
    e = Evidence("metadata_time", "Clock.", "exif:DateTimeOriginal", "interval", 0.6, "clock", "device_clock",
                 datetime(2008, 10, 22, tzinfo=UTC), datetime(2008, 10, 23, tzinfo=UTC))
    (f,) = check_gps_vs_clock(nikon())
    (out,) = apply_findings([e], [f])
    assert out.reliability < 0.1 and out.notes == (f.message,)


def test_daylight():
    noon = datetime(2020, 8, 16, 10, tzinfo=UTC)
    assert check_daylight(True, noon, 54.78, 32.05).code == "agrees"
    night = datetime(2020, 8, 16, 23, tzinfo=UTC)
    f = check_daylight(True, night, 54.78, 32.05)
    assert f.code == "sun_down" and "below the horizon" in f.message


def test_sun_at_claim():
    obs = ShadowObservation(sun_elevation_deg=55.0, elevation_uncertainty_deg=1.0)
    day = datetime(2019, 6, 12, tzinfo=UTC)
    assert check_sun_at_claim(obs, day, day + timedelta(days=1), 54.78, 32.05).code == "fits"
    winter = datetime(2019, 12, 12, tzinfo=UTC)
    f = check_sun_at_claim(obs, winter, winter + timedelta(days=1), 54.78, 32.05)
    assert f.code == "elevation_mismatch" and f.factor >= 0.8
    night = datetime(2019, 6, 12, 22, tzinfo=UTC)
    assert check_sun_at_claim(obs, night, night + timedelta(hours=1), 54.78, 32.05).code == "sun_down"
