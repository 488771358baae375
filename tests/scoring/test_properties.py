"""Scorer invariants (hypothesis)."""

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.scoring.claim import Claim, check_claim
from provenance.scoring.evidence import Evidence
from provenance.scoring.fusion import fuse_place, fuse_time
from provenance.scoring.timezones import zone_at

UTC = timezone.utc
BASE = datetime(2020, 1, 1, tzinfo=UTC)

truth_s = st.integers(0, 3 * 365 * 86400)
rel_s = st.floats(0.05, 0.99)


def item(truth, kind, rel, group, lo_s, hi_s):
    t = BASE + timedelta(seconds=truth)
    if kind == "upper":
        return Evidence("known_footage_published", "Published.", f"src:{group}", "upper_bound", rel, "r", group,
                        None, t + timedelta(seconds=hi_s))
    if kind == "lower":
        return Evidence("gps_time", "Fix.", f"src:{group}", "lower_bound", rel, "r", group,
                        t - timedelta(seconds=lo_s), None)
    return Evidence("metadata_time", "Clock.", f"src:{group}", "interval", rel, "r", group,
                    t - timedelta(seconds=lo_s), t + timedelta(seconds=hi_s), t)


true_items = st.lists(st.tuples(st.sampled_from(["upper", "lower", "interval"]), rel_s,
                                st.integers(0, 86400 * 30), st.integers(0, 86400 * 30)), min_size=0, max_size=5)


@settings(max_examples=150, deadline=None)
@given(truth_s, true_items, st.sampled_from(["upper", "lower", "interval"]), rel_s, st.integers(0, 86400),
       st.integers(0, 86400))
def test_corroborating_evidence_never_lowers_confidence(truth, specs, kind, rel, lo, hi):
    ev = [item(truth, k, r, f"g{i}", a, b) for i, (k, r, a, b) in enumerate(specs)]
    before = fuse_time(ev)
    after = fuse_time(ev + [item(truth, kind, rel, "new", lo, hi)])
    assert after.confidence >= before.confidence - 1e-9


@settings(max_examples=150, deadline=None)
@given(truth_s, true_items, st.integers(-11, 13), st.booleans())
def test_claim_matching_truth_never_contradicted(truth, specs, zone_h, with_place):
    """Evidence that holds for the truth never contradicts a claim that matches it."""
    ev = [item(truth, k, r, f"g{i}", a, b) for i, (k, r, a, b) in enumerate(specs)]
    ev.append(Evidence("gps_fix", "GPS.", "gps", "region", 0.85, "gps", "gps", lat=54.78, lon=32.04, radius_km=0.05))
    t = BASE + timedelta(seconds=truth)
    if with_place:  # the claimed day is the local day at the claimed place
        claim = Claim(time=t.astimezone(zone_at(54.78, 32.04)).date(), place=(54.78, 32.04))
    else:
        claim = Claim(time=t.astimezone(timezone(timedelta(hours=zone_h))))
    v = check_claim(claim, fuse_time(ev), fuse_place(ev), ev)
    assert v.status != "contradicted"


@given(truth_s, st.booleans())
def test_no_evidence_is_unverifiable(truth, with_place):
    t = BASE + timedelta(seconds=truth)
    claim = Claim(time=t, place=(54.78, 32.04) if with_place else None)
    v = check_claim(claim, fuse_time([]), fuse_place([]), [])
    assert v.status == "unverifiable"
