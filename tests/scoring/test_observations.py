"""Shadow observations turned into evidence, and claims tested against the sun."""

import math
from datetime import date, datetime, timedelta, timezone

from provenance.scoring.claim import Claim, check_claim
from provenance.scoring.evidence import Evidence
from provenance.scoring.fusion import fuse_place, fuse_time
from provenance.scoring.observations import evidence_from_observation
from provenance.scoring.shadow import ShadowObservation
from provenance.scoring.sun import sun_position

UTC = timezone.utc
T = datetime(2019, 6, 12, 11, 3, 11, tzinfo=UTC)
LAT, LON = 54.7818, 32.0401


def _obs(bearing=True, unc=0.02):
    p = sun_position(T, LAT, LON)
    kw = dict(object_height=1.0, shadow_length=1 / math.tan(math.radians(p.elevation_deg)), length_uncertainty=unc)
    if bearing:
        kw["shadow_bearing_deg"] = (p.azimuth_deg + 180) % 360
    return ShadowObservation(**kw)


def gps():
    return Evidence("gps_fix", "GPS.", "gps:position", "region", 0.85, "gps", "gps", lat=LAT, lon=LON, radius_km=0.05)


def day_clock():
    return Evidence("metadata_time", "A zone-less clock.", "riff:IDIT", "interval", 0.54, "clock", "device_clock",
                    T - timedelta(hours=14), T + timedelta(hours=12))


def test_nothing_known_gives_a_note_only():
    (e,) = evidence_from_observation(_obs())
    assert e.kind == "shadow" and e.constrains == "none" and e.observation is not None
    assert "constrains nothing" in e.summary


def test_known_place_gives_time_windows_containing_truth():
    ev = evidence_from_observation(_obs(), [gps(), day_clock()])
    w = next(e for e in ev if e.kind == "shadow_time")
    assert w.earliest <= T <= w.latest
    assert w.latest - w.earliest < timedelta(hours=1)


def test_no_bearing_gives_morning_and_afternoon():
    # 3 h before the truth's time of day the sun is lower: a longer shadow, whose band does not reach noon
    t = T - timedelta(hours=4)
    p = sun_position(t, LAT, LON)
    obs = ShadowObservation(object_height=1.0, shadow_length=1 / math.tan(math.radians(p.elevation_deg)),
                            length_uncertainty=0.02)
    ev = evidence_from_observation(obs, [gps(), day_clock()])
    w = next(e for e in ev if e.kind == "shadow_time")
    assert len(w.windows) == 2 and any(a <= t <= b for a, b in w.windows)
    when = fuse_time([gps(), day_clock()] + ev)
    assert when.windows and any(a <= t <= b for a, b in when.windows)


def test_near_noon_shadow_has_an_absolute_length_error():
    """A short shadow near noon keeps an absolute length error: its band is not a relative +/-0.5 deg."""
    from provenance.scoring.checks import shadow_band

    obs = _obs(bearing=True, unc=0.01)
    lo, hi, _az, _ = shadow_band(obs)
    plo, phi = obs.elevation_interval_deg
    assert (hi - lo) > 2.0 * (phi - plo) and hi - lo > 2.0
    high = ShadowObservation(object_height=1.0, shadow_length=0.2, shadow_bearing_deg=10.0)
    assert shadow_band(high)[2] is None  # sun above 70 deg: the bearing is dropped


def test_uncertainty_widens_windows():
    def width(unc):
        ev = evidence_from_observation(_obs(bearing=False, unc=unc), [gps(), day_clock()])
        w = next(e for e in ev if e.kind == "shadow_time")
        return sum((b - a for a, b in (w.windows or ((w.earliest, w.latest),))), timedelta(0))
    assert width(0.15) > width(0.02)


def test_known_time_gives_region_containing_truth():
    clock = Evidence("metadata_time", "Clock.", "keys", "interval", 0.6, "clock", "device_clock",
                     T - timedelta(minutes=5), T + timedelta(minutes=5), T)
    ev = evidence_from_observation(_obs(), [clock])
    r = next(e for e in ev if e.kind == "shadow_place")
    assert r.region.contains(LAT, LON)
    assert not r.excludes_place(LAT, LON, 10)
    assert r.excludes_place(-33.87, 151.21, 50)  # Sydney


def test_night_claim_contradicted_by_sunlit_shadow():
    ev = evidence_from_observation(_obs(bearing=False, unc=0.1))
    claim = Claim(time=datetime(2019, 6, 12, 23, 0, tzinfo=timezone(timedelta(hours=3))), place="Smolensk")
    v = check_claim(claim, fuse_time(ev), fuse_place(ev), ev)
    # one shadow (one observer) never contradicts alone: it is reported as disagreeing
    assert v.status == "unverifiable" and any("below the horizon" in r for r in v.reasons)
    # a second, independent origin that also excludes the night claim makes it contradicted
    pub = Evidence("known_footage_published", "Published.", "index:w/published_at", "upper_bound", 0.85, "r",
                   "record:w", None, datetime(2019, 6, 12, 16, tzinfo=UTC))
    v = check_claim(claim, fuse_time(ev + [pub]), fuse_place(ev), ev + [pub])
    assert v.grade.value == "contradicted_independent"


def test_true_claim_with_shadow_alone_is_not_confirmed():
    ev = evidence_from_observation(_obs(bearing=False, unc=0.1))
    v = check_claim(Claim(time=date(2019, 6, 12), place="Smolensk"), fuse_time(ev), fuse_place(ev), ev)
    assert v.status == "unverifiable"
