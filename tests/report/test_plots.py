"""Plots (extra 'plot') and the interactive map (extra 'maps').

These tests skip when matplotlib (or folium) is not installed, with that reason; the
MissingExtraError path is tested either way by hiding the module.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timezone

import pytest
from reportkit import XSS, FakeMatch, sample_report

from provenance.errors import MissingExtraError

UTC = timezone.utc


@pytest.fixture()
def plt():
    mpl = pytest.importorskip("matplotlib", reason="matplotlib not installed: install the 'plot' extra to run plot tests")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_timeline_from_report(plt):
    from provenance.report.plots import plot_timeline

    r = sample_report()
    ax = plot_timeline(r)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "estimate (fused)" and len(labels) == 4  # estimate + 3 time items
    assert any(lbl == "claim" for lbl in ax.get_legend_handles_labels()[1])


def test_timeline_uses_given_ax_and_evidence_only(plt):
    from provenance.report.plots import plot_timeline

    fig, (a, b) = plt.subplots(2)
    r = sample_report()
    assert plot_timeline(list(r.evidence), ax=b) is b
    assert len(b.get_yticklabels()) == 3
    assert plot_timeline([], ax=a) is a  # nothing to draw is not an error
    fig.canvas.draw()


def test_report_methods(plt):
    r = sample_report()
    assert r.plot_timeline() is not None
    assert r.plot_matches() is not None


def test_sun_day(plt):
    from provenance.report.plots import plot_sun_day
    from provenance.scoring.shadow import ShadowObservation

    obs = ShadowObservation(sun_elevation_deg=40.0, elevation_uncertainty_deg=2.0, shadow_bearing_deg=300.0)
    fig, ax = plt.subplots()
    out = plot_sun_day(obs, 53.69, 23.83, date(2020, 8, 16), ax=ax)
    assert out is ax and hasattr(ax, "right_ax")
    # the fitting window is shaded: at least one green vertical span besides the horizontal band
    assert len(ax.patches) >= 2
    fig.canvas.draw()
    # no observation: just the curves; an aware datetime picks its UTC day
    plot_sun_day(None, 0.0, 0.0, datetime(2020, 3, 20, 23, 0, tzinfo=UTC))


def test_sun_day_rejects_naive(plt):
    from provenance.errors import InvalidArgumentError
    from provenance.report.plots import plot_sun_day

    with pytest.raises(InvalidArgumentError, match="aware"):
        plot_sun_day(None, 0, 0, datetime(2020, 1, 1))


def test_shadow_region(plt):
    from provenance.report.plots import plot_shadow_region
    from provenance.scoring.shadow import ShadowObservation, region_fitting

    obs = ShadowObservation(object_height=1.0, shadow_length=1.2)
    region = region_fitting(obs, datetime(2020, 8, 16, 9, 0, tzinfo=UTC), lat_range=(45, 60),
                            lon_range=(15, 40), step_deg=0.5)
    r = sample_report()
    ax = plot_shadow_region(region, claim=r.claim, places=[("Smolensk" + XSS, 54.78, 32.04)])
    assert ax.images and "Where the shadow fits" in ax.get_title()
    ax.figure.canvas.draw()


def test_match_alignment(plt):
    from provenance.report.plots import plot_match_alignment

    ax = plot_match_alignment([FakeMatch("a", 0.9, 0, 10, 5, 15), FakeMatch("b", 0.7, 2, 4, 0, 4, speed=2.0)])
    assert len(ax.lines) == 2
    assert plot_match_alignment(FakeMatch("a", 0.9, 0, 1, 0, 1)) is not None
    assert plot_match_alignment([]) is not None


def test_missing_matplotlib_names_the_extra(monkeypatch):
    from provenance.report import plots

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    monkeypatch.setitem(sys.modules, "matplotlib.dates", None)
    with pytest.raises(MissingExtraError, match=r"provenance\[plot\]"):
        plots.plot_timeline(sample_report())
    with pytest.raises(ImportError):  # also an ImportError, as promised
        plots.plot_match_alignment([])


# ---------------------------------------------------------------- maps

def test_place_map_escapes():
    pytest.importorskip("folium", reason="folium not installed: install the 'maps' extra to run map tests")
    from provenance.report.maps import place_map

    r = sample_report(hostile=True)
    m = r.map()
    doc = m.get_root().render()
    assert "<script>alert" not in doc and "<img src=x" not in doc
    assert "&lt;script&gt;alert" in doc  # shown to the reader as text
    assert place_map(list(r.evidence)) is not None
    assert place_map([]) is not None


def test_missing_folium_names_the_extra(monkeypatch):
    from provenance.report import maps

    monkeypatch.setitem(sys.modules, "folium", None)
    with pytest.raises(MissingExtraError, match=r"provenance\[maps\]"):
        maps.place_map(sample_report())
