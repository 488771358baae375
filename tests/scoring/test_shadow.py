"""Tests of provenance.scoring.shadow: inverting a shadow into times and places."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from provenance.errors import InvalidArgumentError
from provenance.scoring.shadow import (
    ShadowObservation,
    ShadowRegion,
    TimeWindow,
    altitude_only_band,
    region_fitting,
    sun_is_up,
    times_fitting,
)
from provenance.scoring.sun import sun_position

UTC = timezone.utc
TEN_MIN = 600.0

# A known scene: Paris, 1 June 2024, 09:17:23 UTC (morning sun in the south-east).
PARIS = (48.8566, 2.3522)
TRUTH = datetime(2024, 6, 1, 9, 17, 23, tzinfo=UTC)
DAY = (datetime(2024, 6, 1, tzinfo=UTC), datetime(2024, 6, 2, tzinfo=UTC))


def observe(when, lat, lon, *, height=2.0, bearing=True, length_error=0.0,
            bearing_error_deg=0.0, **kw):
    """The shadow a `height` pole casts at (lat, lon) at `when`, optionally mis-measured."""
    p = sun_position(when, lat, lon)
    length = height / math.tan(math.radians(p.elevation_deg)) * (1.0 + length_error)
    extra = {}
    if bearing:
        extra["shadow_bearing_deg"] = (p.azimuth_deg + 180.0 + bearing_error_deg) % 360.0
    return ShadowObservation(object_height=height, shadow_length=length, **extra, **kw)


def containing(windows, when):
    return [w for w in windows if w.contains(when)]


# ---------------------------------------------------------------------------------------
# ShadowObservation
# ---------------------------------------------------------------------------------------
def test_elevation_from_lengths_and_interval():
    obs = ShadowObservation(object_height=1.0, shadow_length=1.0, length_uncertainty=0.1)
    assert obs.elevation_deg == pytest.approx(45.0)
    lo, hi = obs.elevation_interval_deg
    assert lo == pytest.approx(math.degrees(math.atan(1 / 1.1)))
    assert hi == pytest.approx(math.degrees(math.atan(1 / 0.9)))
    assert lo < 45.0 < hi
    # any unit: the ratio is what counts
    same = ShadowObservation(object_height=180.0, shadow_length=180.0, length_uncertainty=0.1)
    assert same.elevation_interval_deg == pytest.approx(obs.elevation_interval_deg)


def test_direct_elevation_and_bearing():
    obs = ShadowObservation(sun_elevation_deg=30.0, elevation_uncertainty_deg=2.0,
                            shadow_bearing_deg=300.0, frame_time_s=12.5, note="pole")
    assert obs.elevation_deg == 30.0
    assert obs.elevation_interval_deg == (28.0, 32.0)
    assert obs.sun_azimuth_deg == pytest.approx(120.0)
    d = obs.to_dict()
    assert d["sun_azimuth_deg"] == pytest.approx(120.0)
    assert d["elevation_interval_deg"] == [28.0, 32.0]
    assert d["note"] == "pole" and d["frame_time_s"] == 12.5
    with pytest.raises(Exception):
        obs.note = "changed"  # frozen


@pytest.mark.parametrize("kwargs", [
    {},
    {"object_height": 1.0},
    {"shadow_length": 1.0},
    {"object_height": 1.0, "shadow_length": 1.0, "sun_elevation_deg": 30.0},
    {"object_height": 0.0, "shadow_length": 1.0},
    {"object_height": 1.0, "shadow_length": -2.0},
    {"object_height": 1.0, "shadow_length": float("nan")},
    {"object_height": 1.0, "shadow_length": 1.0, "length_uncertainty": 1.0},
    {"object_height": 1.0, "shadow_length": 1.0, "length_uncertainty": -0.1},
    {"object_height": "1", "shadow_length": 1.0},
    {"sun_elevation_deg": 0.0},
    {"sun_elevation_deg": -5.0},
    {"sun_elevation_deg": 91.0},
    {"sun_elevation_deg": 30.0, "elevation_uncertainty_deg": -1.0},
    {"sun_elevation_deg": 30.0, "bearing_uncertainty_deg": 200.0},
    {"sun_elevation_deg": 30.0, "shadow_bearing_deg": float("inf")},
    {"sun_elevation_deg": 30.0, "frame_time_s": -1.0},
])
def test_invalid_observations(kwargs):
    with pytest.raises(InvalidArgumentError):
        ShadowObservation(**kwargs)


def test_observation_is_keyword_only():
    with pytest.raises(TypeError):
        ShadowObservation(1.0, 2.0)  # type: ignore[misc]


# ---------------------------------------------------------------------------------------
# times_fitting
# ---------------------------------------------------------------------------------------
def test_exact_inversion_without_bearing_gives_morning_and_afternoon():
    obs = observe(TRUTH, *PARIS, bearing=False, length_uncertainty=0.0)
    windows = times_fitting(obs, *PARIS, start=DAY[0], end=DAY[1])
    assert len(windows) == 2
    morning, afternoon = windows
    assert morning.end < afternoon.start
    assert morning.contains(TRUTH)
    assert abs((morning.best - TRUTH).total_seconds()) < TEN_MIN
    assert abs((morning.best - TRUTH).total_seconds()) < 10  # exact data: seconds
    # the afternoon twin mirrors the morning about local noon (~11:50 UTC in Paris)
    assert afternoon.best.hour in (14, 15)
    assert afternoon.best_azimuth_deg > 180 > morning.best_azimuth_deg
    # edges refined to about a second, not to the 60 s sampling step
    assert morning.duration_s < 30
    assert isinstance(morning, TimeWindow)
    d = morning.to_dict()
    assert d["start"].endswith("+00:00") and d["duration_s"] == pytest.approx(morning.duration_s)


def test_bearing_removes_the_wrong_window():
    obs = observe(TRUTH, *PARIS, bearing=True, length_uncertainty=0.0)
    windows = times_fitting(obs, *PARIS, start=DAY[0], end=DAY[1])
    assert len(windows) == 1
    assert windows[0].contains(TRUTH)
    assert abs((windows[0].best - TRUTH).total_seconds()) < TEN_MIN


def test_afternoon_truth_is_found_with_bearing():
    truth = datetime(2024, 6, 1, 16, 2, 0, tzinfo=UTC)
    obs = observe(truth, *PARIS, bearing=True)
    windows = times_fitting(obs, *PARIS, start=DAY[0], end=DAY[1])
    assert len(windows) == 1 and windows[0].contains(truth)
    assert abs((windows[0].best - truth).total_seconds()) < TEN_MIN


def test_noisy_measurement_gives_wider_window_containing_truth():
    exact = observe(TRUTH, *PARIS, bearing=False, length_uncertainty=0.0)
    noisy = observe(TRUTH, *PARIS, bearing=False, length_error=0.03, length_uncertainty=0.05)
    w_exact = containing(times_fitting(exact, *PARIS, start=DAY[0], end=DAY[1]), TRUTH)
    w_noisy = containing(times_fitting(noisy, *PARIS, start=DAY[0], end=DAY[1]), TRUTH)
    assert len(w_exact) == 1 and len(w_noisy) == 1
    assert w_noisy[0].duration_s > 10 * w_exact[0].duration_s
    assert abs((w_noisy[0].best - TRUTH).total_seconds()) < TEN_MIN


def test_bearing_narrows_a_noisy_window():
    no_b = observe(TRUTH, *PARIS, bearing=False, length_error=0.05, length_uncertainty=0.10)
    with_b = observe(TRUTH, *PARIS, bearing=True, length_error=0.05, length_uncertainty=0.10,
                     bearing_error_deg=1.0, bearing_uncertainty_deg=3.0)
    total_no_b = sum(w.duration_s for w in times_fitting(no_b, *PARIS, start=DAY[0], end=DAY[1]))
    wins = times_fitting(with_b, *PARIS, start=DAY[0], end=DAY[1])
    assert containing(wins, TRUTH)
    assert sum(w.duration_s for w in wins) < 0.5 * total_no_b


def test_sun_below_horizon_gives_no_windows():
    obs = observe(TRUTH, *PARIS, bearing=False)
    night = (datetime(2024, 6, 1, 21, 0, tzinfo=UTC), datetime(2024, 6, 2, 3, 0, tzinfo=UTC))
    assert times_fitting(obs, *PARIS, start=night[0], end=night[1]) == []
    # polar night: no sun at all in Longyearbyen in mid-December
    dec = (datetime(2023, 12, 15, tzinfo=UTC), datetime(2023, 12, 16, tzinfo=UTC))
    low = ShadowObservation(sun_elevation_deg=2.0)
    assert times_fitting(low, 78.22, 15.65, start=dec[0], end=dec[1]) == []


def test_elevation_above_the_days_maximum_gives_no_windows():
    # Paris in June never sees the sun above ~65 deg
    obs = ShadowObservation(sun_elevation_deg=80.0, elevation_uncertainty_deg=1.0)
    assert times_fitting(obs, *PARIS, start=DAY[0], end=DAY[1]) == []


def test_window_clipped_to_search_bounds_and_any_zone_accepted():
    obs = ShadowObservation(sun_elevation_deg=40.0, elevation_uncertainty_deg=30.0)
    paris_zone = timezone(timedelta(hours=2))
    start = datetime(2024, 6, 1, 12, 0, tzinfo=paris_zone)  # 10:00 UTC
    end = datetime(2024, 6, 1, 13, 0, tzinfo=paris_zone)
    windows = times_fitting(obs, *PARIS, start=start, end=end, step_s=120)
    assert len(windows) == 1
    assert windows[0].start == start and windows[0].end == end
    assert windows[0].start.tzinfo == UTC


def test_times_fitting_validation():
    obs = ShadowObservation(sun_elevation_deg=30.0)
    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        times_fitting(obs, *PARIS, start=datetime(2024, 6, 1), end=DAY[1])
    with pytest.raises(InvalidArgumentError, match="after"):
        times_fitting(obs, *PARIS, start=DAY[1], end=DAY[0])
    with pytest.raises(InvalidArgumentError):
        times_fitting(obs, *PARIS, start=DAY[0], end=DAY[1], step_s=0)
    with pytest.raises(InvalidArgumentError):
        times_fitting(obs, 95.0, 0.0, start=DAY[0], end=DAY[1])
    with pytest.raises(InvalidArgumentError):
        times_fitting({"sun_elevation_deg": 30}, *PARIS, start=DAY[0], end=DAY[1])
    with pytest.raises(InvalidArgumentError):
        times_fitting(obs, *PARIS, start=DAY[0], end=DAY[0] + timedelta(days=3650),
                      step_s=0.01)


# ---------------------------------------------------------------------------------------
# region_fitting / altitude_only_band
# ---------------------------------------------------------------------------------------
def test_region_contains_the_true_point():
    obs = observe(TRUTH, *PARIS, bearing=True)
    region = region_fitting(obs, TRUTH)
    assert isinstance(region, ShadowRegion)
    assert region.mask.shape == (region.lats.size, region.lons.size)
    assert region.contains(*PARIS)
    assert not region.contains(-33.9, 151.2)  # Sydney is in the dark
    bbox = region.bounding_box()
    assert bbox.south <= PARIS[0] <= bbox.north and bbox.west <= PARIS[1] <= bbox.east
    d = region.to_dict()
    assert d["n_cells"] == region.n_cells > 0
    assert d["bounding_box"] == bbox.to_dict()


def test_exact_observation_region_still_contains_truth_off_grid():
    # an exact measurement is a thin ring; cells are kept if it crosses them
    obs = observe(TRUTH, 37.123, -5.987, bearing=True, length_uncertainty=0.0,
                  bearing_uncertainty_deg=0.0)
    region = region_fitting(obs, TRUTH, step_deg=1.0)
    assert region.contains(37.123, -5.987)


def test_bearing_and_time_uncertainty_change_the_region_size():
    no_b = observe(TRUTH, *PARIS, bearing=False)
    with_b = observe(TRUTH, *PARIS, bearing=True)
    r_no_b = region_fitting(no_b, TRUTH, step_deg=1.0)
    r_b = region_fitting(with_b, TRUTH, step_deg=1.0)
    r_b_late = region_fitting(with_b, TRUTH, when_uncertainty_s=1800, step_deg=1.0)
    assert r_no_b.method == "elevation" and r_b.method == "elevation+azimuth"
    assert r_b.n_cells < 0.5 * r_no_b.n_cells
    assert r_b_late.n_cells > r_b.n_cells
    assert r_b_late.contains(*PARIS)
    # the uncertain map contains the exact one
    assert np.all(r_b_late.mask[r_b.mask])
    # and a clock that is 20 min off is still covered by a 30 min uncertainty
    off = region_fitting(with_b, TRUTH + timedelta(minutes=20), when_uncertainty_s=1800,
                         step_deg=1.0)
    assert off.contains(*PARIS)


def test_region_respects_ranges_and_validation():
    obs = observe(TRUTH, *PARIS)
    region = region_fitting(obs, TRUTH, lat_range=(40, 60), lon_range=(-10, 20), step_deg=0.25)
    assert region.lats[0] == 40 and region.lats[-1] == 60
    assert region.lons[0] == -10 and region.lons[-1] == 20
    assert region.contains(*PARIS)
    assert not region.contains(0.0, 0.0)  # outside the grid
    for bad in [dict(step_deg=0), dict(lat_range=(10, -10)), dict(lon_range=(-200, 0)),
                dict(when_uncertainty_s=-1), dict(lat_range="north")]:
        with pytest.raises(InvalidArgumentError):
            region_fitting(obs, TRUTH, **bad)
    with pytest.raises(InvalidArgumentError):
        region_fitting(obs, datetime(2024, 6, 1, 9))


def test_empty_region_bounding_box_is_none():
    obs = ShadowObservation(sun_elevation_deg=45.0, elevation_uncertainty_deg=0.5)
    region = region_fitting(obs, TRUTH, lat_range=(-89, -80), lon_range=(0, 10), step_deg=1.0)
    assert region.n_cells == 0 and region.bounding_box() is None


def test_altitude_only_band_reproduces_shadowfinder_and_is_wider():
    obs = observe(TRUTH, *PARIS, bearing=True)
    band = altitude_only_band(obs, TRUTH)
    ours = region_fitting(obs, TRUTH, lat_range=(-60, 85))
    assert band.method == "shadowfinder-altitude-only"
    assert band.contains(*PARIS)
    assert band.lats[0] == -60 and band.lats[-1] == 85
    assert ours.area_km2 < 0.2 * band.area_km2
    # ShadowFinder's criterion by hand at a few cells
    for i, j in [(100, 300), (200, 400), (250, 380)]:
        lat, lon = band.lats[i], band.lons[j]
        el = sun_position(TRUTH, lat, lon).elevation_deg
        if el <= 0:
            assert not band.mask[i, j]
        else:
            r = (obs.object_height / math.tan(math.radians(el)) - obs.shadow_length) / \
                obs.shadow_length
            assert band.mask[i, j] == (abs(r) <= 0.2)


def test_altitude_only_band_direct_elevation():
    obs = ShadowObservation(sun_elevation_deg=50.0)
    band = altitude_only_band(obs, TRUTH, relative_tolerance=0.05)
    el = sun_position(TRUTH, *PARIS).elevation_deg
    assert band.contains(*PARIS) == (abs(el - 50.0) / 50.0 <= 0.05)


# ---------------------------------------------------------------------------------------
# sun_is_up
# ---------------------------------------------------------------------------------------
def test_sun_is_up():
    assert sun_is_up(TRUTH, *PARIS) is True
    assert sun_is_up(datetime(2024, 6, 1, 23, 0, tzinfo=UTC), *PARIS) is False
    assert sun_is_up(datetime(2023, 12, 15, 12, tzinfo=UTC), 78.22, 15.65) is False
    assert sun_is_up(datetime(2024, 6, 21, 0, 0, tzinfo=UTC), 78.22, 15.65) is True
    with pytest.raises(InvalidArgumentError):
        sun_is_up(datetime(2024, 6, 1, 12), *PARIS)


# ---------------------------------------------------------------------------------------
# Property: inverting the true shadow always recovers the true time
# ---------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    lat=st.floats(-60.0, 60.0),
    lon=st.floats(-180.0, 180.0),
    day=st.integers(0, 36524),  # 1950-01-01 .. 2049-12-31
    seconds=st.integers(0, 86399),
    with_bearing=st.booleans(),
)
def test_inversion_windows_contain_truth(lat, lon, day, seconds, with_bearing):
    truth = datetime(1950, 1, 1, tzinfo=UTC) + timedelta(days=day, seconds=seconds)
    assume(sun_position(truth, lat, lon).elevation_deg > 5.0)
    obs = observe(truth, lat, lon, bearing=with_bearing, length_uncertainty=0.0,
                  bearing_uncertainty_deg=1.0)
    windows = times_fitting(obs, lat, lon, start=truth - timedelta(hours=12),
                            end=truth + timedelta(hours=12))
    hits = containing(windows, truth)
    assert len(hits) == 1
    # near noon elevation alone cannot tell a time from its mirror, but the window
    # holding the truth is then only minutes long, so its best is still close
    assert abs((hits[0].best - truth).total_seconds()) < TEN_MIN
