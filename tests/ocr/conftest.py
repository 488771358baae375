"""Generated clips with burned-in clocks (fixtures/make_ocr_clips.py), made once per test session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"


def _gen():
    sys.path.insert(0, str(ROOT / "fixtures"))
    try:
        import make_ocr_clips
    finally:
        sys.path.pop(0)
    return make_ocr_clips


@pytest.fixture(scope="session")
def gen():
    return _gen()


def _spec(gen, seed, **kw):
    base = dict(seed=seed, width=640, height=360, fps=25, duration_s=6.0, gop=50, background="texture",
                fmt="iso", font=gen._font_files()[0], text_px=20, position="top-left", style="outline",
                start="2019-06-12T14:03:11.400000")
    base.update(kw)
    spec = gen.ClipSpec(**base)
    if spec.has_clock:
        from datetime import datetime

        spec.expected_dates = gen.expected_dates(datetime.fromisoformat(spec.start), spec.fmt)
    return spec


@pytest.fixture(scope="session")
def make_spec(gen):
    """A ClipSpec with test defaults: ``make_spec(seed, **fields)``."""
    return lambda seed, **kw: _spec(gen, seed, **kw)


@pytest.fixture(scope="session")
def clips(tmp_path_factory, gen):
    """name -> (path, spec): varied formats, fonts, sizes, places, styles and backgrounds."""
    fonts = {Path(f).name: f for f in gen._font_files()}
    mono = fonts.get("DejaVuSansMono.ttf", "<pillow-default>")
    serif = fonts.get("DejaVuSerif.ttf", "<pillow-default>")
    bold = fonts.get("DejaVuSans-Bold.ttf", "<pillow-default>")
    specs = {
        "iso_mono": _spec(gen, 901, fmt="iso", font=mono, position="top-left", style="outline"),
        "dmy2_serif_box": _spec(gen, 902, fmt="dmy2_slash", font=serif, position="bottom-right", style="box",
                                background="night", start="2017-09-07T12:04:11.300000", text_px=22),
        "month12h_aileron": _spec(gen, 903, fmt="month_en_12h", font="<pillow-default>", position="top-right",
                                  style="yellow", background="sky", width=854, height=480, text_px=24,
                                  start="2021-11-03T19:45:58.800000"),
        "two_line_bold": _spec(gen, 904, fmt="two_line", font=bold, position="bottom-left",
                               style="dark_on_light", background="street", text_px=18,
                               start="2008-02-29T23:10:05.000000"),
        "handle_only": _spec(gen, 905, has_clock=False, extra="@kyiv_news24", extra_position="top-right",
                             background="street"),
        "frozen": _spec(gen, 906, fmt="compact", rate=0.0, position="bottom", style="box"),
        "fast": _spec(gen, 907, fmt="iso", rate=2.0, position="top", style="plain", background="night"),
    }
    out = tmp_path_factory.mktemp("ocr_clips")
    return {name: (gen.make_clip(spec, out / f"{name}.mp4"), spec) for name, spec in specs.items()}
