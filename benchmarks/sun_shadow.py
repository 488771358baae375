"""Benchmark of provenance.scoring.sun and provenance.scoring.shadow.

Run: ``python benchmarks/sun_shadow.py`` (about half a minute). Prints

1. sun position accuracy against published NREL SPA values (the paper's worked example
   and spa.c reference output) and, if pvlib is installed, against pvlib's SPA on
   random instants 1950-2050; plus timing;
2. shadow -> time inversion on 100 random scenes with exact measurements;
3. the same with noisy measurements: how wide the windows are with and without a
   shadow bearing, against the band that ShadowFinder's altitude-only method
   (20 % relative tolerance) leaves, in time and on the map.

pvlib is a dev-only cross-check here, never a dependency of the library.
"""

from __future__ import annotations

import importlib.util
import math
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance.scoring.shadow import (  # noqa: E402
    ShadowObservation,
    altitude_only_band,
    region_fitting,
    times_fitting,
)
from provenance.scoring.sun import solar_position_arrays, sun_position  # noqa: E402

UTC = timezone.utc
SEED = 20240601
N_CASES = 100
N_REGION_CASES = 20


def _angle_diff(a, b):
    return np.abs((np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0)


def _load_reference_rows():
    path = ROOT / "tests" / "scoring" / "test_sun.py"
    spec = importlib.util.spec_from_file_location("_ref_test_sun", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod._reference_rows()


def table(title, header, rows):
    print(f"\n## {title}\n")
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(header)]
    print("| " + " | ".join(str(h).ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |")


def bench_sun():
    rows = []
    # 1. Reda & Andreas (2008) Table A5.1/A5.2 worked example
    t = datetime(2003, 10, 17, 12, 30, 30, tzinfo=timezone(timedelta(hours=-7)))
    p = sun_position(t, 39.742476, -105.1786, elevation_m=1830.14, pressure_hpa=820,
                     temperature_c=11, delta_t_s=67)
    rows.append(["NREL/TP-560-34302 worked example", 1, f"{abs(p.zenith_deg - 50.11162):.2e}",
                 f"{abs(p.azimuth_deg - 194.34024):.2e}"])
    # 2. spa.c reference output (solarpositioning test data)
    when, lat, lon, az_ref, zen_ref = _load_reference_rows()
    unix = when.astype(np.int64).astype(float)
    el, az = solar_position_arrays(unix, lat, lon, pressure_hpa=1000.0, temperature_c=10.0,
                                   delta_t_s=0.0)
    rows.append(["NREL spa.c reference table (4 cities, 1910-2110)", len(unix),
                 f"{np.max(np.abs(90 - el - zen_ref)):.2e}",
                 f"{np.max(_angle_diff(az, az_ref)):.2e}"])
    # 3. pvlib's SPA, random instants and places, 1950..2050
    rng = np.random.default_rng(SEED)
    n = 2000
    unix = rng.uniform(-631152000.0, 2524608000.0, n)
    lat = rng.uniform(-89.0, 89.0, n)
    lon = rng.uniform(-180.0, 180.0, n)
    el, az = solar_position_arrays(unix, lat, lon, delta_t_s=69.0)
    try:
        from pvlib import spa
    except ImportError:
        rows.append(["pvlib.spa (not installed)", 0, "-", "-"])
    else:
        zen_pv = np.empty(n)
        az_pv = np.empty(n)
        for i in range(n):
            res = spa.solar_position_numpy(np.array([unix[i]]), lat[i], lon[i], 0.0, 1013.25,
                                           12.0, 69.0, 0.5667, 1)
            zen_pv[i], az_pv[i] = res[0][0], res[4][0]
        import pvlib

        rows.append([f"pvlib {pvlib.__version__} spa (random places, 1950-2050)", n,
                     f"{np.max(np.abs(90 - el - zen_pv)):.2e}",
                     f"{np.max(_angle_diff(az, az_pv)):.2e}"])
    table("Sun position: max |error| [deg]", ["reference", "points", "zenith", "azimuth"], rows)

    trows = []
    ts = 1.7e9 + np.arange(100_000) * 60.0
    t0 = time.perf_counter()
    solar_position_arrays(ts, 48.85, 2.35)
    dt = time.perf_counter() - t0
    trows.append(["100k instants, one place", f"{dt * 1e3:.0f} ms", f"{dt / 1e5 * 1e6:.1f} us"])
    lats = np.arange(-90, 90.01, 0.5)[:, None]
    lons = np.arange(-180, 180.01, 0.5)[None, :]
    t0 = time.perf_counter()
    solar_position_arrays(np.asarray(1.7e9), lats, lons)
    dt = time.perf_counter() - t0
    trows.append(["0.5 deg world grid (361 x 721), one instant", f"{dt * 1e3:.0f} ms",
                  f"{dt / lats.size / lons.size * 1e9:.0f} ns"])
    t0 = time.perf_counter()
    for _ in range(200):
        sun_position(datetime(2024, 6, 1, 12, tzinfo=UTC), 48.85, 2.35)
    dt = (time.perf_counter() - t0) / 200
    trows.append(["sun_position, one datetime", f"{dt * 1e6:.0f} us", "-"])
    table("Sun position: timing", ["workload", "total", "per point"], trows)


def random_scenes(rng, n):
    scenes = []
    while len(scenes) < n:
        lat = float(rng.uniform(-60, 60))
        lon = float(rng.uniform(-180, 180))
        truth = datetime(1950, 1, 1, tzinfo=UTC) + timedelta(
            days=int(rng.integers(0, 36524)), seconds=int(rng.integers(0, 86400)))
        p = sun_position(truth, lat, lon)
        if p.elevation_deg > 5.0:
            scenes.append((lat, lon, truth, p))
    return scenes


def observe(p, *, length_error=0.0, bearing_error=None, **kw):
    h = 1.0
    length = h / math.tan(math.radians(p.elevation_deg)) * (1.0 + length_error)
    extra = {}
    if bearing_error is not None:
        extra["shadow_bearing_deg"] = (p.azimuth_deg + 180.0 + bearing_error) % 360.0
    return ShadowObservation(object_height=h, shadow_length=length, **extra, **kw)


def invert(obs, lat, lon, truth):
    wins = times_fitting(obs, lat, lon, start=truth - timedelta(hours=12),
                         end=truth + timedelta(hours=12))
    hit = [w for w in wins if w.contains(truth)]
    if hit:
        err = abs((hit[0].best - truth).total_seconds())
    elif wins:
        err = min(abs((w.best - truth).total_seconds()) for w in wins)
    else:
        err = math.inf
    return wins, bool(hit), err


def shadowfinder_span_s(obs, lat, lon, truth, tol=0.2, step=30.0):
    """Time ShadowFinder's |relative length error| <= 20 % holds at the true place [s]."""
    t = truth.timestamp() + np.arange(-43200.0, 43200.0 + step, step)
    el, _ = solar_position_arrays(t, lat, lon)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (obs.object_height / np.tan(np.radians(el)) - obs.shadow_length) / obs.shadow_length
    ok = (el > 0) & (np.abs(r) <= tol)
    return float(np.count_nonzero(ok) * step)


def bench_shadow():
    rng = np.random.default_rng(SEED)
    scenes = random_scenes(rng, N_CASES)

    rows = []
    for label, bearing in (("exact, elevation only", False), ("exact, with bearing", True)):
        errs, hits, nwin = [], 0, []
        t0 = time.perf_counter()
        for lat, lon, truth, p in scenes:
            obs = observe(p, bearing_error=0.0 if bearing else None, length_uncertainty=0.0,
                          bearing_uncertainty_deg=1.0)
            wins, hit, err = invert(obs, lat, lon, truth)
            errs.append(err / 60.0)
            hits += hit
            nwin.append(len(wins))
        dt = (time.perf_counter() - t0) / len(scenes)
        rows.append([label, len(scenes), f"{np.median(errs):.3f}", f"{np.max(errs):.3f}",
                     f"{100 * hits / len(scenes):.0f} %", f"{np.mean(nwin):.2f}",
                     f"{dt * 1e3:.0f} ms"])
    table("Shadow -> time, exact measurements (24 h search, 60 s step)",
          ["case", "n", "median abs(best - truth) [min]", "max [min]", "contains truth",
           "windows/case", "time/case"], rows)

    # noisy: length off by N(0, 2 %) (clipped to 4.5 %) with u = 5 %; bearing off by
    # N(0, 2 deg) (clipped to 4.5 deg) with +/-5 deg
    rows = []
    w_b, w_nb, w_sf, ratio_b, ratio_nb = [], [], [], [], []
    hits_b = hits_nb = hits_sf = 0
    errs_b = []
    for lat, lon, truth, p in scenes:
        le = float(np.clip(rng.normal(0, 0.02), -0.045, 0.045))
        be = float(np.clip(rng.normal(0, 2.0), -4.5, 4.5))
        ob = observe(p, length_error=le, bearing_error=be, length_uncertainty=0.05,
                     bearing_uncertainty_deg=5.0)
        onb = observe(p, length_error=le, length_uncertainty=0.05)
        wins_b, hit_b, err_b = invert(ob, lat, lon, truth)
        wins_nb, hit_nb, _ = invert(onb, lat, lon, truth)
        hits_b += hit_b
        hits_nb += hit_nb
        errs_b.append(err_b / 60.0)
        total_b = sum(w.duration_s for w in wins_b) / 60.0
        total_nb = sum(w.duration_s for w in wins_nb) / 60.0
        sf = shadowfinder_span_s(onb, lat, lon, truth) / 60.0
        hits_sf += abs(1.0 / (1.0 + le) - 1.0) <= 0.2  # truth passes the 20 % test
        w_b.append(total_b)
        w_nb.append(total_nb)
        w_sf.append(sf)
        if total_b > 0 and sf > 0:
            ratio_b.append(sf / total_b)
        if total_nb > 0 and sf > 0:
            ratio_nb.append(sf / total_nb)
    rows.append(["ShadowFinder altitude-only (abs(r) <= 20 %)", f"{np.median(w_sf):.0f}",
                 f"{np.percentile(w_sf, 90):.0f}", f"{100 * hits_sf / len(scenes):.0f} %",
                 "1.0x"])
    rows.append(["ours, elevation only (u = 5 %)", f"{np.median(w_nb):.0f}",
                 f"{np.percentile(w_nb, 90):.0f}", f"{100 * hits_nb / len(scenes):.0f} %",
                 f"{np.median(ratio_nb):.1f}x narrower"])
    rows.append(["ours, elevation + bearing (+/-5 deg)", f"{np.median(w_b):.0f}",
                 f"{np.percentile(w_b, 90):.0f}", f"{100 * hits_b / len(scenes):.0f} %",
                 f"{np.median(ratio_b):.1f}x narrower"])
    table(f"Shadow -> time, noisy measurements ({len(scenes)} scenes; total window width "
          "per 24 h at the true place)",
          ["method", "median width [min]", "p90 width [min]", "contains truth",
           "median vs ShadowFinder"], rows)
    print(f"\nnoisy, with bearing: median abs(best - truth) = {np.median(errs_b):.1f} min, "
          f"max = {np.max(errs_b):.1f} min")

    # on the map, at the true time
    rows = []
    a_sf, a_b, a_nb, inside = [], [], [], [0, 0, 0]
    t0 = time.perf_counter()
    for lat, lon, truth, p in scenes[:N_REGION_CASES]:
        le = float(np.clip(rng.normal(0, 0.02), -0.045, 0.045))
        be = float(np.clip(rng.normal(0, 2.0), -4.5, 4.5))
        ob = observe(p, length_error=le, bearing_error=be)
        onb = observe(p, length_error=le)
        sf = altitude_only_band(onb, truth)
        rb = region_fitting(ob, truth, lat_range=(-60, 85))
        rnb = region_fitting(onb, truth, lat_range=(-60, 85))
        for k, r in enumerate((sf, rnb, rb)):
            inside[k] += r.contains(lat, lon)
        a_sf.append(sf.area_km2)
        a_b.append(rb.area_km2)
        a_nb.append(rnb.area_km2)
    dt = (time.perf_counter() - t0) / N_REGION_CASES / 3
    n = N_REGION_CASES
    rows.append(["ShadowFinder altitude-only (abs(r) <= 20 %)", f"{np.median(a_sf) / 1e6:.2f}",
                 f"{100 * inside[0] / n:.0f} %", "1.0x"])
    rows.append(["ours, elevation only (u = 5 %)", f"{np.median(a_nb) / 1e6:.2f}",
                 f"{100 * inside[1] / n:.0f} %",
                 f"{np.median(np.array(a_sf) / np.maximum(a_nb, 1)):.1f}x smaller"])
    rows.append(["ours, elevation + bearing", f"{np.median(a_b) / 1e6:.2f}",
                 f"{100 * inside[2] / n:.0f} %",
                 f"{np.median(np.array(a_sf) / np.maximum(a_b, 1)):.1f}x smaller"])
    table(f"Shadow -> place at the true time ({n} noisy scenes, 0.5 deg grid, lat -60..85; "
          f"{dt * 1e3:.0f} ms per map)",
          ["method", "median area [M km^2]", "contains truth", "median vs ShadowFinder"], rows)


def main():
    t0 = time.perf_counter()
    print("# provenance.scoring sun/shadow benchmark")
    bench_sun()
    bench_shadow()
    print(f"\ntotal runtime: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
