"""Tests of provenance.scoring.sun against published NREL SPA values."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from provenance.errors import InvalidArgumentError
from provenance.scoring.sun import (
    SunPosition,
    delta_t_espenak_meeus,
    solar_position_arrays,
    sun_position,
)

UTC = timezone.utc


def _angle_diff(a, b):
    return np.abs((np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0)


# ---------------------------------------------------------------------------------------
# The worked example of the SPA paper.
# Source: I. Reda and A. Andreas, "Solar Position Algorithm for Solar Radiation
# Applications", NREL/TP-560-34302, revised January 2008, Table A5.1 (input) and
# Table A5.2 (output): 2003-10-17 12:30:30 local time, time zone -7 h, latitude
# 39.742476, longitude -105.1786, elevation 1830.14 m, pressure 820 mbar,
# temperature 11 C, delta-T 67 s  ->  topocentric zenith 50.11162 deg,
# topocentric azimuth 194.34024 deg.
# ---------------------------------------------------------------------------------------
SPA_EXAMPLE_TIME = datetime(2003, 10, 17, 12, 30, 30, tzinfo=timezone(timedelta(hours=-7)))
SPA_EXAMPLE_KW = dict(elevation_m=1830.14, pressure_hpa=820.0, temperature_c=11.0,
                      delta_t_s=67.0)


def test_spa_paper_worked_example():
    p = sun_position(SPA_EXAMPLE_TIME, 39.742476, -105.1786, **SPA_EXAMPLE_KW)
    assert abs(p.zenith_deg - 50.11162) < 0.001
    assert abs(p.azimuth_deg - 194.34024) < 0.001
    # the code reproduces the paper to its printed precision
    assert abs(p.zenith_deg - 50.11162) < 1e-5
    assert abs(p.azimuth_deg - 194.34024) < 1e-5
    assert abs(p.elevation_deg + p.zenith_deg - 90.0) < 1e-12


def test_spa_paper_example_via_arrays_and_other_zone():
    # same instant given in UTC and as datetime64
    t_utc = datetime(2003, 10, 17, 19, 30, 30, tzinfo=UTC)
    p1 = sun_position(t_utc, 39.742476, -105.1786, **SPA_EXAMPLE_KW)
    p2 = sun_position(np.array(["2003-10-17T19:30:30"], dtype="datetime64[s]"), 39.742476,
                      -105.1786, **SPA_EXAMPLE_KW)
    assert abs(p1.zenith_deg - 50.11162) < 1e-5
    assert p2.zenith_deg.shape == (1,)
    assert abs(p2.zenith_deg[0] - p1.zenith_deg) < 1e-9
    assert abs(p2.azimuth_deg[0] - p1.azimuth_deg) < 1e-9


# ---------------------------------------------------------------------------------------
# Reference values generated with NREL's reference C implementation (spa.c, revised
# 08-SEP-2014), published as test data by the `solarpositioning` library
# (github.com/klausbrunner/solarpositioning, src/test/resources/azimuth_zenith/
# spa_reference_testdata.csv). Settings for every row: delta_ut1 = 0, delta_t = 0,
# elevation = 0, pressure = 1000 mbar, temperature = 10 C, atmos_refract = 0.5667.
# Columns: UTC time, latitude, longitude, azimuth, zenith. Four cities spanning the
# southern mid-latitudes, the tropics, the Arctic and the equator; four seasons.
# ---------------------------------------------------------------------------------------
NREL_SPA_C_REFERENCE = """
2010-03-15T00:30:00Z,-36.840556,174.740000,0.047502,34.572436
2010-03-15T03:30:00Z,-36.840556,174.740000,299.087594,53.909325
2010-03-15T06:30:00Z,-36.840556,174.740000,268.277401,88.368814
2010-03-15T09:30:00Z,-36.840556,174.740000,237.329270,122.919913
2010-03-15T12:30:00Z,-36.840556,174.740000,179.987515,141.100523
2010-03-15T15:30:00Z,-36.840556,174.740000,122.577523,122.982258
2010-03-15T18:30:00Z,-36.840556,174.740000,91.554972,88.465367
2010-03-15T21:30:00Z,-36.840556,174.740000,60.642514,54.110066
2010-06-15T00:30:00Z,-36.840556,174.740000,357.723597,60.142480
2010-06-15T03:30:00Z,-36.840556,174.740000,315.749511,74.707383
2010-06-15T06:30:00Z,-36.840556,174.740000,287.881224,105.346747
2010-06-15T09:30:00Z,-36.840556,174.740000,262.084542,140.891298
2010-06-15T12:30:00Z,-36.840556,174.740000,171.709584,166.352971
2010-06-15T15:30:00Z,-36.840556,174.740000,94.915064,137.519745
2010-06-15T18:30:00Z,-36.840556,174.740000,69.825681,102.145945
2010-06-15T21:30:00Z,-36.840556,174.740000,40.949751,72.439564
2010-09-15T00:30:00Z,-36.840556,174.740000,354.747454,40.093360
2010-09-15T03:30:00Z,-36.840556,174.740000,300.550270,60.088983
2010-09-15T06:30:00Z,-36.840556,174.740000,270.397528,94.554291
2010-09-15T09:30:00Z,-36.840556,174.740000,238.505672,128.991311
2010-09-15T12:30:00Z,-36.840556,174.740000,173.871388,145.962695
2010-09-15T15:30:00Z,-36.840556,174.740000,115.518369,124.097300
2010-09-15T18:30:00Z,-36.840556,174.740000,85.646656,88.599396
2010-09-15T21:30:00Z,-36.840556,174.740000,53.647771,55.296815
2010-12-15T00:30:00Z,-36.840556,174.740000,346.427128,13.924050
2010-12-15T03:30:00Z,-36.840556,174.740000,274.070527,43.612177
2010-12-15T06:30:00Z,-36.840556,174.740000,249.128890,78.853100
2010-12-15T09:30:00Z,-36.840556,174.740000,219.890796,108.279652
2010-12-15T12:30:00Z,-36.840556,174.740000,176.332089,119.798622
2010-12-15T15:30:00Z,-36.840556,174.740000,134.756453,104.517154
2010-12-15T18:30:00Z,-36.840556,174.740000,107.175261,73.622171
2010-12-15T21:30:00Z,-36.840556,174.740000,81.096955,38.086833
2010-03-15T00:30:00Z,-15.793889,-47.882778,250.634651,134.146094
2010-03-15T03:30:00Z,-15.793889,-47.882778,172.414161,161.847814
2010-03-15T06:30:00Z,-15.793889,-47.882778,106.692778,129.868650
2010-03-15T09:30:00Z,-15.793889,-47.882778,91.385435,86.910752
2010-03-15T12:30:00Z,-15.793889,-47.882778,76.249630,44.139862
2010-03-15T15:30:00Z,-15.793889,-47.882778,350.052467,13.979658
2010-03-15T18:30:00Z,-15.793889,-47.882778,281.611831,48.665788
2010-03-15T21:30:00Z,-15.793889,-47.882778,267.502498,91.800704
2010-06-15T00:30:00Z,-15.793889,-47.882778,287.708285,141.258464
2010-06-15T03:30:00Z,-15.793889,-47.882778,28.847986,171.371646
2010-06-15T06:30:00Z,-15.793889,-47.882778,72.637148,132.959702
2010-06-15T09:30:00Z,-15.793889,-47.882778,66.377077,92.195238
2010-06-15T12:30:00Z,-15.793889,-47.882778,46.250557,55.629466
2010-06-15T15:30:00Z,-15.793889,-47.882778,353.486073,39.348829
2010-06-15T18:30:00Z,-15.793889,-47.882778,307.895135,62.180549
2010-06-15T21:30:00Z,-15.793889,-47.882778,291.552569,100.186500
2010-09-15T00:30:00Z,-15.793889,-47.882778,255.974419,139.385792
2010-09-15T03:30:00Z,-15.793889,-47.882778,155.305560,166.086109
2010-09-15T06:30:00Z,-15.793889,-47.882778,98.868465,128.461019
2010-09-15T09:30:00Z,-15.793889,-47.882778,85.524802,85.085716
2010-09-15T12:30:00Z,-15.793889,-47.882778,67.595957,43.034097
2010-09-15T15:30:00Z,-15.793889,-47.882778,342.396181,19.555300
2010-09-15T18:30:00Z,-15.793889,-47.882778,285.832743,53.575069
2010-09-15T21:30:00Z,-15.793889,-47.882778,271.119245,96.382823
2010-12-15T00:30:00Z,-15.793889,-47.882778,225.276020,125.361380
2010-12-15T03:30:00Z,-15.793889,-47.882778,171.475116,140.530814
2010-12-15T06:30:00Z,-15.793889,-47.882778,127.039502,116.770369
2010-12-15T09:30:00Z,-15.793889,-47.882778,111.207259,78.519479
2010-12-15T12:30:00Z,-15.793889,-47.882778,107.808808,37.525486
2010-12-15T15:30:00Z,-15.793889,-47.882778,215.325977,9.278971
2010-12-15T18:30:00Z,-15.793889,-47.882778,252.649317,48.217547
2010-12-15T21:30:00Z,-15.793889,-47.882778,246.057721,88.596414
2010-03-15T00:30:00Z,78.220000,15.650000,21.464356,103.250279
2010-03-15T03:30:00Z,78.220000,15.650000,66.759150,96.955354
2010-03-15T06:30:00Z,78.220000,15.650000,110.910237,87.669511
2010-03-15T09:30:00Z,78.220000,15.650000,155.632395,81.261729
2010-03-15T12:30:00Z,78.220000,15.650000,201.172973,80.964845
2010-03-15T15:30:00Z,78.220000,15.650000,246.001043,86.966460
2010-03-15T18:30:00Z,78.220000,15.650000,290.154444,96.111092
2010-03-15T21:30:00Z,78.220000,15.650000,335.320958,102.651846
2010-06-15T00:30:00Z,78.220000,15.650000,21.613694,77.537134
2010-06-15T03:30:00Z,78.220000,15.650000,63.929743,71.463205
2010-06-15T06:30:00Z,78.220000,15.650000,107.791425,62.537633
2010-06-15T09:30:00Z,78.220000,15.650000,155.483089,55.833654
2010-06-15T12:30:00Z,78.220000,15.650000,205.702181,55.921375
2010-06-15T15:30:00Z,78.220000,15.650000,253.296236,62.731393
2010-06-15T18:30:00Z,78.220000,15.650000,297.093417,71.633251
2010-06-15T21:30:00Z,78.220000,15.650000,339.394774,77.579648
2010-09-15T00:30:00Z,78.220000,15.650000,24.485816,97.596380
2010-09-15T03:30:00Z,78.220000,15.650000,69.114990,91.103337
2010-09-15T06:30:00Z,78.220000,15.650000,113.290254,82.077427
2010-09-15T09:30:00Z,78.220000,15.650000,158.696735,75.936890
2010-09-15T12:30:00Z,78.220000,15.650000,205.061527,76.278152
2010-09-15T15:30:00Z,78.220000,15.650000,250.310430,82.904854
2010-09-15T18:30:00Z,78.220000,15.650000,294.440276,92.030811
2010-09-15T21:30:00Z,78.220000,15.650000,339.176203,98.220594
2010-12-15T00:30:00Z,78.220000,15.650000,27.238589,123.862789
2010-12-15T03:30:00Z,78.220000,15.650000,74.684375,116.902452
2010-12-15T06:30:00Z,78.220000,15.650000,118.392727,108.008114
2010-12-15T09:30:00Z,78.220000,15.650000,160.680221,102.192985
2010-12-15T12:30:00Z,78.220000,15.650000,202.847721,102.475749
2010-12-15T15:30:00Z,78.220000,15.650000,245.174237,108.713828
2010-12-15T18:30:00Z,78.220000,15.650000,289.110415,117.667508
2010-12-15T21:30:00Z,78.220000,15.650000,336.911258,124.233866
2010-03-15T00:30:00Z,1.283333,103.833333,92.830890,70.962038
2010-03-15T03:30:00Z,1.283333,103.833333,97.647061,26.147108
2010-03-15T06:30:00Z,1.283333,103.833333,259.794538,19.383306
2010-03-15T09:30:00Z,1.283333,103.833333,267.033298,64.138730
2010-03-15T12:30:00Z,1.283333,103.833333,268.264016,109.134524
2010-03-15T15:30:00Z,1.283333,103.833333,268.038196,154.111824
2010-03-15T18:30:00Z,1.283333,103.833333,92.287120,160.877938
2010-03-15T21:30:00Z,1.283333,103.833333,91.502850,115.899906
2010-06-15T00:30:00Z,1.283333,103.833333,65.623548,69.984593
2010-06-15T03:30:00Z,1.283333,103.833333,44.499284,31.863390
2010-06-15T06:30:00Z,1.283333,103.833333,318.535156,30.140031
2010-06-15T09:30:00Z,1.283333,103.833333,294.743664,67.688009
2010-06-15T12:30:00Z,1.283333,103.833333,295.216470,108.870386
2010-06-15T15:30:00Z,1.283333,103.833333,318.220373,146.222907
2010-06-15T18:30:00Z,1.283333,103.833333,38.666742,147.890426
2010-06-15T21:30:00Z,1.283333,103.833333,64.304505,111.203218
2010-09-15T00:30:00Z,1.283333,103.833333,87.131439,67.448472
2010-09-15T03:30:00Z,1.283333,103.833333,85.023986,22.558624
2010-09-15T06:30:00Z,1.283333,103.833333,274.852472,22.547357
2010-09-15T09:30:00Z,1.283333,103.833333,272.712424,67.440895
2010-09-15T12:30:00Z,1.283333,103.833333,273.721222,112.417299
2010-09-15T15:30:00Z,1.283333,103.833333,280.577124,157.156823
2010-09-15T18:30:00Z,1.283333,103.833333,79.581587,157.085502
2010-09-15T21:30:00Z,1.283333,103.833333,86.438707,112.342758
2010-12-15T00:30:00Z,1.283333,103.833333,115.389032,69.810409
2010-12-15T03:30:00Z,1.283333,103.833333,139.765747,32.808439
2010-12-15T06:30:00Z,1.283333,103.833333,220.455211,32.936773
2010-12-15T09:30:00Z,1.283333,103.833333,244.624397,69.986212
2010-12-15T12:30:00Z,1.283333,103.833333,245.470436,111.173954
2010-12-15T15:30:00Z,1.283333,103.833333,223.012303,149.045094
2010-12-15T18:30:00Z,1.283333,103.833333,136.911785,148.992566
2010-12-15T21:30:00Z,1.283333,103.833333,114.539274,111.106866
1910-03-15T00:30:00Z,-36.840556,174.740000,0.188643,34.269919
1910-03-15T03:30:00Z,-36.840556,174.740000,298.894756,53.637925
1910-06-15T03:30:00Z,-15.793889,-47.882778,29.448320,171.347435
1910-12-15T15:30:00Z,-15.793889,-47.882778,215.571686,9.279282
1910-06-15T12:30:00Z,78.220000,15.650000,205.807954,55.952995
1910-03-15T06:30:00Z,1.283333,103.833333,258.853389,19.360615
2110-06-15T12:30:00Z,78.220000,15.650000,205.654410,55.940636
2110-12-15T15:30:00Z,-15.793889,-47.882778,215.819690,9.303901
"""


def _reference_rows():
    rows = [line.split(",") for line in NREL_SPA_C_REFERENCE.strip().splitlines()]
    when = np.array([r[0].rstrip("Z") for r in rows], dtype="datetime64[s]")
    vals = np.array([[float(x) for x in r[1:]] for r in rows])
    return when, vals[:, 0], vals[:, 1], vals[:, 2], vals[:, 3]


def test_against_nrel_spa_c_reference_table():
    when, lat, lon, az_ref, zen_ref = _reference_rows()
    unix = when.astype(np.int64).astype(float)
    el, az = solar_position_arrays(unix, lat, lon, elevation_m=0.0, pressure_hpa=1000.0,
                                   temperature_c=10.0, delta_t_s=0.0)
    zen = 90.0 - el
    assert len(unix) == 136
    # spa.c and this module implement the same equations in double precision
    assert np.max(np.abs(zen - zen_ref)) < 1e-4
    assert np.max(_angle_diff(az, az_ref)) < 1e-4


def test_reference_rows_one_by_one_match_vectorised():
    when, lat, lon, az_ref, zen_ref = _reference_rows()
    for i in range(0, len(when), 17):
        dt = when[i].astype(datetime).replace(tzinfo=UTC)
        p = sun_position(dt, lat[i], lon[i], pressure_hpa=1000.0, temperature_c=10.0,
                         delta_t_s=0.0)
        assert abs(p.zenith_deg - zen_ref[i]) < 1e-4
        assert _angle_diff(p.azimuth_deg, az_ref[i]) < 1e-4


def test_cross_check_with_pvlib_spa_if_installed():
    spa = pytest.importorskip("pvlib.spa")
    rng = np.random.default_rng(7)
    n = 500
    unix = rng.uniform(-631152000.0, 2524608000.0, n)  # 1950 .. 2050
    lat = rng.uniform(-89.0, 89.0, n)
    lon = rng.uniform(-180.0, 180.0, n)
    el, az = solar_position_arrays(unix, lat, lon, elevation_m=100.0, pressure_hpa=1013.25,
                                   temperature_c=12.0, delta_t_s=67.0)
    for i in range(0, n, 50):
        res = spa.solar_position_numpy(np.array([unix[i]]), lat[i], lon[i], 100.0, 1013.25,
                                       12.0, 67.0, 0.5667, 1, sst=False)
        zen_pv, az_pv = res[0][0], res[4][0]  # apparent zenith, azimuth
        assert abs((90.0 - el[i]) - zen_pv) < 1e-6
        assert _angle_diff(az[i], az_pv) < 1e-6


# ---------------------------------------------------------------------------------------
# Delta-T
# ---------------------------------------------------------------------------------------
def test_delta_t_espenak_meeus_anchor_values():
    # Polynomial constants of Espenak & Meeus (2006), NASA/TP-2006-214141: the value at
    # each polynomial's centre year is its constant term.
    assert delta_t_espenak_meeus(2000.0) == pytest.approx(63.86)
    assert delta_t_espenak_meeus(1950.0) == pytest.approx(29.07)
    assert delta_t_espenak_meeus(1975.0) == pytest.approx(45.45)
    assert delta_t_espenak_meeus(1900.0) == pytest.approx(-2.79)
    # observed (IERS) values are within a few seconds in 1955..2020
    observed = {1960.0: 33.15, 1980.0: 50.54, 2000.0: 63.83, 2010.0: 66.07}
    for year, value in observed.items():
        assert abs(delta_t_espenak_meeus(year) - value) < 1.5


def test_delta_t_vectorised_and_continuous():
    years = np.linspace(1600.0, 2150.0, 5501)
    dt = delta_t_espenak_meeus(years)
    assert dt.shape == years.shape
    assert np.all(np.isfinite(dt))
    # no jumps larger than a few seconds at the polynomial joins
    assert np.max(np.abs(np.diff(dt))) < 3.0


def test_default_delta_t_is_used():
    t = datetime(2020, 5, 1, 10, tzinfo=UTC)
    p_default = sun_position(t, 10.0, 20.0)
    p_model = sun_position(t, 10.0, 20.0, delta_t_s=delta_t_espenak_meeus(2020.0 + 4 / 12))
    p_zero = sun_position(t, 10.0, 20.0, delta_t_s=0.0)
    assert abs(p_default.elevation_deg - p_model.elevation_deg) < 1e-4
    assert abs(p_default.elevation_deg - p_zero.elevation_deg) > 1e-4


# ---------------------------------------------------------------------------------------
# API behaviour
# ---------------------------------------------------------------------------------------
def test_naive_datetime_is_refused_with_clear_message():
    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        sun_position(datetime(2020, 1, 1, 12), 0.0, 0.0)
    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        sun_position([datetime(2020, 1, 1, 12, tzinfo=UTC), datetime(2020, 1, 1, 13)], 0, 0)


def test_invalid_error_is_a_value_error():
    with pytest.raises(ValueError):
        sun_position(datetime(2020, 1, 1, 12), 0.0, 0.0)


@pytest.mark.parametrize("lat,lon", [(90.5, 0.0), (-91.0, 0.0), (0.0, 180.5), (0.0, -181.0),
                                     (float("nan"), 0.0), (0.0, float("inf"))])
def test_out_of_range_coordinates(lat, lon):
    with pytest.raises(InvalidArgumentError):
        sun_position(datetime(2020, 1, 1, 12, tzinfo=UTC), lat, lon)
    with pytest.raises(InvalidArgumentError):
        solar_position_arrays(np.array([0.0]), lat, lon)


@pytest.mark.parametrize("bad", ["noon", 12.0, None])
def test_non_time_when_is_refused(bad):
    with pytest.raises(InvalidArgumentError):
        sun_position(bad, 0.0, 0.0)


def test_bad_atmosphere_is_refused():
    t = datetime(2020, 1, 1, 12, tzinfo=UTC)
    with pytest.raises(InvalidArgumentError):
        sun_position(t, 0.0, 0.0, pressure_hpa=-1.0)
    with pytest.raises(InvalidArgumentError):
        sun_position(t, 0.0, 0.0, temperature_c=-300.0)
    with pytest.raises(InvalidArgumentError):
        sun_position(t, 0.0, 0.0, delta_t_s=float("nan"))


def test_array_of_aware_datetimes_and_datetime64_agree():
    zone = timezone(timedelta(hours=5, minutes=30))
    local = [datetime(2021, 3, 20, h, 15, tzinfo=zone) for h in range(6, 19)]
    p_local = sun_position(local, 28.6, 77.2)
    d64 = np.array([d.astimezone(UTC).replace(tzinfo=None) for d in local],
                   dtype="datetime64[us]")
    p64 = sun_position(d64, 28.6, 77.2)
    assert isinstance(p_local, SunPosition)
    assert p_local.elevation_deg.shape == (13,)
    np.testing.assert_allclose(p_local.elevation_deg, p64.elevation_deg, atol=1e-9)
    np.testing.assert_allclose(p_local.azimuth_deg, p64.azimuth_deg, atol=1e-9)
    assert np.all((p64.azimuth_deg >= 0) & (p64.azimuth_deg < 360))


def test_scalar_result_types_and_to_dict():
    p = sun_position(datetime(2022, 7, 1, 12, tzinfo=timezone(timedelta(hours=2))), 50.0, 8.0)
    assert isinstance(p.elevation_deg, float)
    assert p.when.tzinfo == UTC and p.when.hour == 10
    d = p.to_dict()
    assert d["when"] == "2022-07-01T10:00:00+00:00"
    assert set(d) == {"elevation_deg", "azimuth_deg", "zenith_deg", "when", "lat", "lon"}
    with pytest.raises(Exception):
        p.lat = 3.0  # frozen
    arr = sun_position(np.array(["2022-07-01T10:00"], dtype="datetime64[m]"), 50.0, 8.0)
    assert arr.to_dict()["when"] == ["2022-07-01T10:00:00.000000+00:00"]
    assert arr.to_dict()["elevation_deg"][0] == pytest.approx(p.elevation_deg)


def test_grid_broadcasting_matches_pointwise():
    lats = np.linspace(-80, 80, 9)
    lons = np.linspace(-170, 170, 11)
    t = np.array([1.6e9, 1.6e9 + 3600.0])
    el, az = solar_position_arrays(t[:, None, None], lats[None, :, None], lons[None, None, :])
    assert el.shape == (2, 9, 11)
    for k, i, j in [(0, 0, 0), (1, 4, 7), (0, 8, 10)]:
        e1, a1 = solar_position_arrays(np.array([t[k]]), lats[i], lons[j])
        assert el[k, i, j] == pytest.approx(e1[0], abs=1e-9)
        assert az[k, i, j] == pytest.approx(a1[0], abs=1e-9)


def test_shapes_that_do_not_broadcast_are_refused():
    with pytest.raises(InvalidArgumentError, match="broadcast"):
        solar_position_arrays(np.zeros(3), np.zeros(2), 0.0)
    with pytest.raises(InvalidArgumentError, match="broadcast"):
        solar_position_arrays(np.zeros(3), 0.0, 0.0, delta_t_s=np.zeros(2))


def test_refraction_raises_the_sun_and_can_be_switched_off():
    t = datetime(2023, 9, 1, 17, 30, tzinfo=UTC)
    with_refr = sun_position(t, 45.0, 0.0)
    without = sun_position(t, 45.0, 0.0, pressure_hpa=0.0)
    assert with_refr.elevation_deg > without.elevation_deg
    # near 10 deg elevation Bennett-type refraction is about 5 arcmin
    if 5 < without.elevation_deg < 20:
        assert 0.03 < with_refr.elevation_deg - without.elevation_deg < 0.2


def test_equinox_noon_at_equator_is_near_zenith_and_polar_night():
    # 2024 March equinox 03:06 UTC; equation of time -7.6 min puts the sub-solar point
    # near longitude 135.4 E
    p = sun_position(datetime(2024, 3, 20, 3, 6, tzinfo=UTC), 0.0, 135.4)
    assert p.elevation_deg > 88.5
    # Longyearbyen in mid-December: polar night all day
    day = np.arange("2023-12-15T00:00", "2023-12-16T00:00", 600, dtype="datetime64[s]")
    q = sun_position(day, 78.22, 15.65)
    assert np.all(q.elevation_deg < -5)
