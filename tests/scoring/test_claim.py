"""Claims, fusion and verdict rules on hand-built evidence."""

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import Claim, InvalidArgumentError, PlaceNotFoundError
from provenance.scoring.claim import check_claim
from provenance.scoring.evidence import Evidence
from provenance.scoring.fusion import fuse_place, fuse_time

UTC = timezone.utc


def published(day, rel=0.97, group="record:a"):
    t = datetime(*day, tzinfo=UTC)
    return Evidence("known_footage_published", f"First published {t:%Y-%m-%d}.", "index:a/published_at",
                    "upper_bound", rel, "curated index", group, None, t)


def clock(t, rel=0.6, group="device_clock", slack=timedelta(minutes=5)):
    return Evidence("metadata_time", f"Clock reads {t}.", "mp4:moov/mvhd/creation_time", "interval", rel,
                    "device clock", group, t - slack, t + slack, t)


def gps(lat, lon, rel=0.97, r=0.05, group="gps"):
    return Evidence("gps_fix", f"GPS {lat},{lon}.", "mp4:moov/udta/©xyz", "region", rel, "gps", group,
                    lat=lat, lon=lon, radius_km=r)


def judge(claim, evidence):
    return check_claim(claim, fuse_time(evidence), fuse_place(evidence), evidence)


def test_claim_date_at_named_place_uses_local_day():
    c = Claim(time=date(2020, 8, 16), place="Smolensk")
    # Smolensk is on Moscow time (UTC+3) in 2020.
    assert c.earliest == datetime(2020, 8, 15, 21, tzinfo=UTC)
    assert c.latest == datetime(2020, 8, 16, 21, tzinfo=UTC)
    assert abs(c.lat - 54.78) < 0.05 and abs(c.lon - 32.05) < 0.05


def test_claim_date_without_place_spans_all_zones():
    c = Claim(time=date(2020, 8, 16))
    assert c.latest - c.earliest == timedelta(hours=24 + 26)


def test_claim_validation():
    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        Claim(time=datetime(2020, 8, 16, 12))
    with pytest.raises(InvalidArgumentError, match="radius_km"):
        Claim(place=(54.0, 32.0), radius_km=-1)
    with pytest.raises(InvalidArgumentError, match="out of range"):
        Claim(place=(95.0, 32.0))
    with pytest.raises(PlaceNotFoundError, match="gazetteer"):
        Claim(place="Nowhereville-on-Nothing")
    with pytest.raises(InvalidArgumentError, match="needs a time, a place"):
        Claim()


def test_recycled_footage_contradicts_later_claim():
    ev = [published((2019, 6, 12))]
    v = judge(Claim(time=date(2020, 8, 16), place="Smolensk"), ev)
    assert v.status == "contradicted" and v.time_status == "contradicted"
    assert any("2019-06-12" in r for r in v.reasons)
    assert "index:a/published_at" in v.evidence


def test_publication_after_claim_does_not_confirm():
    v = judge(Claim(time=date(2020, 8, 16)), [published((2021, 1, 1))])
    assert v.status == "unverifiable"


def test_single_device_clock_cannot_contradict():
    v = judge(Claim(time=date(2020, 8, 16)), [clock(datetime(2017, 2, 22, 8, tzinfo=UTC))])
    assert v.status == "unverifiable"
    assert any("not strong enough" in r for r in v.reasons)


def test_clock_and_gps_agreeing_support_claim():
    t = datetime(2020, 8, 16, 9, 30, tzinfo=UTC)
    gps_time = Evidence("gps_time", "GPS time.", "gpmf:GPSU", "point", 0.85, "gps", "gps",
                        t - timedelta(seconds=30), t + timedelta(seconds=30), t)
    ev = [clock(t), gps_time, gps(54.78, 32.05)]
    v = judge(Claim(time=date(2020, 8, 16), place="Smolensk"), ev)
    assert v.status == "consistent", v.reasons
    far = judge(Claim(time=date(2020, 8, 16), place="Minsk"), ev)
    assert far.place_status == "contradicted"  # ~ 330 km away from a GPS fix


def test_conflict_is_reported_and_widens():
    t1 = datetime(2020, 8, 16, 9, tzinfo=UTC)
    t2 = datetime(2020, 8, 18, 9, tzinfo=UTC)
    w = fuse_time([clock(t1, rel=0.8, group="a"), clock(t2, rel=0.6, group="b")])
    assert w.conflicts and w.earliest <= t1 and w.latest >= t2
    # the widened interval holds the truth if either clock is right: 1 - 0.2 * 0.4
    assert abs(w.confidence - 0.92) < 1e-6


def test_no_evidence_is_unverifiable():
    v = judge(Claim(time=date(2020, 8, 16), place="Smolensk"), [])
    assert v.status == "unverifiable" and v.time_status == "unverifiable" and v.place_status == "unverifiable"


times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


@settings(max_examples=60, deadline=None)
@given(truth=times, n=st.integers(1, 4), rels=st.lists(st.floats(0.1, 0.99), min_size=4, max_size=4))
def test_corroboration_never_lowers_confidence(truth, n, rels):
    ev = [clock(truth, rel=rels[i], group=f"g{i}") for i in range(n)]
    before = fuse_time(ev[:-1]).confidence if n > 1 else 0.0
    assert fuse_time(ev).confidence >= before


@settings(max_examples=60, deadline=None)
@given(truth=times, pub_delay_days=st.floats(0, 2000), n_clock=st.integers(0, 2))
def test_true_claim_never_contradicted(truth, pub_delay_days, n_clock):
    """Evidence generated from the truth (publication after filming, clocks near it) never contradicts it."""
    pub = truth + timedelta(days=pub_delay_days)
    ev = [published((pub.year, pub.month, pub.day, pub.hour, pub.minute), group="k")]
    ev[0] = Evidence("known_footage_published", "pub", "index:x", "upper_bound", 0.95, "idx", "k", None,
                     pub + timedelta(seconds=1))
    ev += [clock(truth, group=f"c{i}") for i in range(n_clock)]
    v = judge(Claim(time=truth), ev)
    assert v.status != "contradicted"
    v = judge(Claim(time=truth.date()), ev)
    assert v.status != "contradicted"
