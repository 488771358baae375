"""Run the scorer scenario benchmark: ``python benchmarks/scenarios/run.py [-v] [--hand-built]``.

Prints, over the cases in ``cases.py``: the share of cases whose when-interval contains
the true filming time, the median interval width, the place error, the verdict accuracy
and the number of true claims called "contradicted" (must be 0).

By default, cases whose file exists are run through ``provenance.metadata.extract_metadata``,
so the parsers and the scorer are measured together; cases marked ``edited`` (simulated
manipulation) and cases whose file is missing use metadata built from the facts recorded in
the corpus README and fixtures manifest. ``--hand-built`` uses those facts for every case.
Known-footage matches are given per case (the matching benchmark measures matching).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
from datetime import timedelta
from types import SimpleNamespace

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from cases import CASES  # noqa: E402

from provenance.metadata.model import Location, Metadata, TimeTag, TrackPoint  # noqa: E402
from provenance.scoring.checks import cross_check  # noqa: E402
from provenance.scoring.claim import Claim, check_claim  # noqa: E402
from provenance.scoring.fusion import fuse_place, fuse_time  # noqa: E402
from provenance.scoring.observations import evidence_from_observation  # noqa: E402
from provenance.scoring.places import haversine_km  # noqa: E402
from provenance.scoring.shadow import ShadowObservation  # noqa: E402
from provenance.scoring.sources import evidence_from_matches, evidence_from_metadata  # noqa: E402
from provenance.scoring.sun import sun_position  # noqa: E402

CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")
FIXTURES = os.path.join(ROOT, "fixtures", "media")


def build_metadata(case: dict) -> Metadata:
    times = []
    for t in case.get("times", ()):
        value, state, meaning, source, raw = t[:5]
        times.append(TimeTag(value=value, tz_state=state, meaning=meaning, source=source, raw=raw,
                             utc_offset_s=t[5] if len(t) > 5 else None))
    loc = None
    if case.get("location"):
        lat, lon, *acc = case["location"]
        loc = Location(lat=lat, lon=lon, source="gps:position", raw=f"{lat:+.6f}{lon:+.6f}/",
                       accuracy_m=acc[0] if acc else None)
    track = tuple(TrackPoint(lat=la, lon=lo, media_time_s=mt, time=tt) for mt, tt, la, lo in case.get("track", ()))
    return Metadata(path=case["file"], container="hand-built", times=tuple(times), location=loc, track=track,
                    duration_s=case.get("duration_s"))


def real_metadata(case: dict) -> Metadata | None:
    # A case marked ``edited`` simulates a manipulated file: its hand-built metadata is the
    # point of the case and is not in the real file, so it is kept.
    if case.get("edited"):
        return None
    kind, rel = case["file"].split(":", 1)
    path = os.path.join(CORPUS if kind == "corpus" else FIXTURES, rel)
    if not os.path.exists(path):
        return None
    try:
        from provenance.metadata import extract_metadata
    except ImportError:
        return None
    return extract_metadata(path)


def synth_observation(spec, truth: dict) -> ShadowObservation:
    if not (isinstance(spec, tuple) and spec[0] == "truth"):
        return ShadowObservation(**spec)
    opt = spec[1]
    when = truth["time"] + timedelta(seconds=opt.get("frame_time_s", 0.0))
    p = sun_position(when, truth["lat"], truth["lon"])
    length = 1.0 / math.tan(math.radians(p.elevation_deg)) * (1.0 + opt.get("noise", 0.0))
    kw = dict(object_height=1.0, shadow_length=length, length_uncertainty=opt.get("length_uncertainty", 0.05),
              frame_time_s=opt.get("frame_time_s"), note="synthesised from the true sun position")
    if opt.get("bearing"):
        kw["shadow_bearing_deg"] = (p.azimuth_deg + 180.0 + opt.get("bearing_noise_deg", 0.0)) % 360.0
        kw["bearing_uncertainty_deg"] = opt.get("bearing_uncertainty_deg", 5.0)
    return ShadowObservation(**kw)


def run_case(case: dict, *, real: bool = False):
    md = (real_metadata(case) if real else None) or build_metadata(case)
    evidence = evidence_from_metadata(md)
    matches, records = [], {}
    for m in case.get("matches", ()):
        matches.append(SimpleNamespace(**{k: v for k, v in m.items() if k != "record"}))
        records[m["footage_id"]] = dict(m["record"])
    evidence += evidence_from_matches(matches, records, query_duration_s=case.get("duration_s"))
    evidence, _ = cross_check(evidence)
    for i, spec in enumerate(case.get("observations", ()), 1):
        evidence += evidence_from_observation(synth_observation(spec, case["truth"]), evidence, index=i)
    when, where = fuse_time(evidence), fuse_place(evidence)
    claim = Claim(**case["claim"])
    return evidence, when, where, check_claim(claim, when, where, evidence)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="print every case")
    ap.add_argument("--hand-built", action="store_true",
                    help="use the recorded facts instead of extract_metadata for every case")
    args = ap.parse_args(argv)

    rows = []
    for case in CASES:
        ev, when, where, verdict = run_case(case, real=not args.hand_built)
        t = case["truth"]["time"]
        contains = None
        width_h = None
        if t is not None:
            contains = (when.earliest is None or when.earliest <= t) and (when.latest is None or t <= when.latest)
            if contains and when.windows:
                contains = any(a <= t <= b for a, b in when.windows)
            if when.earliest is not None and when.latest is not None:
                width_h = (when.latest - when.earliest).total_seconds() / 3600.0
        place_err = None
        if where is not None and case["truth"]["lat"] is not None:
            place_err = haversine_km(where.lat, where.lon, case["truth"]["lat"], case["truth"]["lon"])
        rows.append(dict(id=case["id"], category=case["category"], contains=contains, bounded=width_h is not None,
                         width_h=width_h, place_err=place_err, place_in_radius=(
                             None if place_err is None else place_err <= where.radius_km + 1e-6),
                         status=verdict.status, expected=case["expected"], true=case["claim_true"],
                         grade=getattr(getattr(verdict, "grade", None), "label", verdict.status),
                         revised=bool(case.get("expected_why"))))
        if args.verbose:
            r = rows[-1]
            print(f"{r['id']:<36} {r['category']:<12} contains={str(r['contains']):<5} "
                  f"width={'-' if width_h is None else f'{width_h:9.3f} h'} "
                  f"place_err={'-' if place_err is None else f'{place_err:8.2f} km'} "
                  f"verdict={verdict.status:<13} expected={case['expected']:<13}"
                  + ("" if verdict.status == case["expected"] else "  <-- MISMATCH"))
            if verdict.status != case["expected"]:
                for reason in verdict.reasons:
                    print("      ", reason[:300])

    timed = [r for r in rows if r["contains"] is not None]
    contained = sum(1 for r in timed if r["contains"])
    widths = [r["width_h"] for r in rows if r["width_h"] is not None]
    errs = [r["place_err"] for r in rows if r["place_err"] is not None]
    in_radius = sum(1 for r in rows if r["place_in_radius"])
    correct = sum(1 for r in rows if r["status"] == r["expected"])
    true_contradicted = sum(1 for r in rows if r["true"] and r["status"] == "contradicted")
    false_contradicted = sum(1 for r in rows if not r["true"] and r["status"] == "contradicted")
    n_false = sum(1 for r in rows if not r["true"])
    print()
    print(f"cases                                  {len(rows)} ({sum(r['true'] for r in rows)} true claims, {n_false} false)")
    print(f"when-interval contains the truth       {contained}/{len(timed)} = {contained / len(timed):.1%}"
          f"  (cases with a known true time; {sum(1 for r in timed if not r['bounded'])} of them with an open interval)")
    print(f"median interval width (bounded)        {statistics.median(widths):.3f} h over {len(widths)} cases"
          f"  (quartiles {statistics.quantiles(widths, n=4)[0]:.3f} h / {statistics.quantiles(widths, n=4)[2]:.3f} h)")
    print(f"place error (where estimate)           median {statistics.median(errs):.3f} km, max {max(errs):,.1f} km over "
          f"{len(errs)} cases; truth inside the stated radius in {in_radius}/{len(errs)}")
    print(f"verdict accuracy                       {correct}/{len(rows)} = {correct / len(rows):.1%}")
    print(f"false claims called contradicted       {false_contradicted}/{n_false}")
    print(f"TRUE CLAIMS CALLED CONTRADICTED        {true_contradicted}")
    print(f"expectations revised by issue 12       {sum(r['revised'] for r in rows)} (see expected_why in cases.py)")
    print()
    print(f"{'grade':<44}{'true claims':>12}{'false claims':>14}")
    for g in sorted({r["grade"] for r in rows}):
        print(f"{g:<44}{sum(r['true'] and r['grade'] == g for r in rows):>12}"
              f"{sum((not r['true']) and r['grade'] == g for r in rows):>14}")
    by_cat: dict[str, list] = {}
    for r in rows:
        by_cat.setdefault(r["category"], []).append(r)
    print()
    print(f"{'category':<14}{'cases':>6}{'verdicts ok':>13}{'contains':>10}")
    for cat, rs in by_cat.items():
        ts = [r for r in rs if r["contains"] is not None]
        print(f"{cat:<14}{len(rs):>6}{sum(r['status'] == r['expected'] for r in rs):>13}"
              f"{(str(sum(r['contains'] for r in ts)) + '/' + str(len(ts))):>10}")
    return 1 if true_contradicted else 0


if __name__ == "__main__":
    raise SystemExit(main())
