"""Metadata and known-footage matches turned into evidence."""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from _md import gopro_max, md, nikon, tag

from provenance.scoring.errormodels import CLOCK_UNKNOWN
from provenance.scoring.fusion import fuse_time
from provenance.scoring.sources import evidence_from_matches, evidence_from_metadata

UTC = timezone.utc


def test_android_end_time_moves_back_by_duration():
    m = md([tag(datetime(2017, 7, 13, 19, 16, 41, tzinfo=UTC), "utc", "recording_end", "mvhd", "x")],
           loc=(33.9951, -118.4762), duration=11.371)
    (t, _p) = evidence_from_metadata(m)
    end = datetime(2017, 7, 13, 19, 16, 41, tzinfo=UTC)
    # no other clock confirms this mvhd is UTC: it may be local time at the GPS point (UTC-7)
    assert t.best is None and t.earliest <= end - timedelta(seconds=11.371) <= t.latest
    assert t.latest >= end + timedelta(hours=7) - timedelta(seconds=11.371)
    confirmed = md([tag(datetime(2017, 7, 13, 19, 16, 41, tzinfo=UTC), "utc", "recording_end", "mvhd", "x"),
                    tag(datetime(2017, 7, 13, 19, 16, 30, tzinfo=UTC), "offset", "recording_start", "keys", "y",
                        -25200)], loc=(33.9951, -118.4762), duration=11.371)
    t = next(e for e in evidence_from_metadata(confirmed) if e.source == "mvhd")
    assert t.best == end - timedelta(seconds=11.371)


def test_write_time_is_upper_bound_only():
    m = md([tag(datetime(2006, 8, 16, 11, 4, 36, tzinfo=UTC), "utc", "mux", "mkv:DateUTC", "x")])
    (e,) = evidence_from_metadata(m)
    assert e.shape == "upper_bound" and e.earliest is None


def test_zoneless_clock_uses_zone_at_gps():
    m = md([tag(datetime(2022, 8, 7, 13, 40, 40), "local_unknown", "recording_start", "srt", "x")],
           loc=(41.424724, 2.234156))
    e = evidence_from_metadata(m)[0]
    assert e.best == datetime(2022, 8, 7, 11, 40, 40, tzinfo=UTC)
    assert "Europe/Madrid" in e.summary


def test_zoneless_clock_without_place_spans_all_offsets():
    m = md([tag(datetime(2012, 9, 10, 20, 52), "local_unknown", "recording_start", "riff:IDIT", "x")])
    (e,) = evidence_from_metadata(m)
    tail = timedelta(seconds=CLOCK_UNKNOWN.tail())
    assert e.latest - e.earliest == timedelta(hours=26) + 2 * tail


def test_unset_date_dropped():
    m = md([tag(datetime(1970, 1, 1, 0, 0, 5), "local_unknown", "recording_start", "dv", "1970:01:01 00:00:05")])
    assert evidence_from_metadata(m) == []


def test_date_only_tag_is_a_day():
    m = md([tag(datetime(2006, 6, 9), "local_unknown", "recording_start", "mkv:DATE_RECORDED", "2006-06-09")])
    (e,) = evidence_from_metadata(m)
    assert e.earliest <= datetime(2006, 6, 9, 12, tzinfo=UTC) <= e.latest
    assert e.latest - e.earliest > timedelta(hours=24)


def test_gopro_local_time_reread_with_gps_offset():
    ev = evidence_from_metadata(gopro_max())
    reread = [e for e in ev if "re-read" in e.summary or "offset the GPS clock implies" in e.summary]
    assert reread and reread[0].best == datetime(2019, 11, 18, 23, 45, 32, tzinfo=UTC)
    when = fuse_time(ev)
    assert when.earliest <= datetime(2019, 11, 18, 23, 45, 14, tzinfo=UTC) <= when.latest
    assert (when.latest - when.earliest) < timedelta(minutes=2)


def test_nikon_wrong_clock_set_aside():
    ev = evidence_from_metadata(nikon())
    clock = next(e for e in ev if e.source == "exif:DateTimeOriginal")
    assert clock.reliability < 0.15 and clock.notes
    when = fuse_time(ev)
    assert when.earliest <= datetime(2008, 10, 23, 14, 27, 7, tzinfo=UTC) <= when.latest
    assert any("set aside" in c for c in when.conflicts)


def _match(score=0.9, q=(0.0, 10.0)):
    return SimpleNamespace(footage_id="a", score=score, query_start_s=q[0], query_end_s=q[1], ref_start_s=0.0,
                           ref_end_s=10.0, variant="original")


def test_strong_match_carries_record_time_and_place():
    rec = {"published_at": "2019-06-12", "filmed_at_start": "2019-06-12T11:03:11Z", "lat": 54.78, "lon": 32.04}
    ev = evidence_from_matches([_match()], {"a": rec})
    kinds = {e.kind for e in ev}
    assert kinds == {"known_footage_published", "known_footage_filmed", "known_footage_place"}
    pub = next(e for e in ev if e.kind == "known_footage_published")
    # a bare publication date may be that day anywhere on Earth: the bound is its last instant
    assert pub.latest == datetime(2019, 6, 13, 12, tzinfo=UTC)


def test_weak_and_partial_matches_are_weaker():
    rec = SimpleNamespace(published_at=datetime(2019, 6, 12, tzinfo=UTC), title=None, source_url=None)
    (weak,) = evidence_from_matches([_match(score=0.4)], {"a": rec})
    assert weak.reliability < 0.8
    (part,) = [e for e in evidence_from_matches([_match(q=(0.0, 2.0))], {"a": rec}, query_duration_s=10.0)
               if e.kind == "known_footage_published"]
    assert part.covers == 0.2 and not part.whole and "Only 20%" in part.summary
