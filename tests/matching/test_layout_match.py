"""Layout search end to end: known footage as an inset, a grid cell, one side of a split screen,
the picture of a screen recording and a monitor filmed in perspective is matched through the
region variants (provenance.frames.layout, provenance.hashing.fingerprinting).

Every query is made with ffmpeg (imageio-ffmpeg's binary) from real corpus footage; the known
clips are indexed as reference footage, the other clips in the layouts are not.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from provenance.hashing.fingerprinting import INDEX_FPS, fingerprint, reference_rows
from provenance.matching.candidates import CandidateTable
from provenance.matching.match import MATCH_THRESHOLD, Match, match_fingerprint
from provenance.media.tools import find_ffmpeg

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not available")

#: Indexed footage: id -> (corpus file, start [s] of the 6 s reference cut).
KNOWN = {
    "dashcam": ("footage/dashcam_highway_solidWhiteRight.mp4", 1.0),
    "drone": ("metadata/gopro_hero5_karma_drone.mp4", 4.0),
    "nasa": ("footage/nasa_artemis1_hotfire_vp9.mkv", 20.0),
}
#: Footage that is never indexed (backgrounds, other cells, negatives): file, start [s].
OTHER = {
    "factory": ("footage/factory_bottles_conveyor.mp4", 5.0),
    "parking": ("footage/parking-lot_overhead_cars.mp4", 5.0),
    "street": ("footage/street_security-cam_cars.mp4", 5.0),
    "gopro": ("metadata/gopro_max_heromode.mp4", 2.0),
    "highway": ("footage/highway_overhead_640x360.avi", 2.0),
    "bus": ("footage/park_street_bus_1080p.mp4", 0.0),
    "roadside": ("footage/highway_roadside.avi", 5.0),
    "freeway": ("footage/freeway_overhead_multilane.avi", 5.0),
    "nasa_late": ("footage/nasa_artemis1_hotfire_vp9.mkv", 40.0),
    "bbb": ("footage/bbb_matroska_test1.mkv", 0.0),
}
DUR = 5.0  # query length [s]
QUERY_START = 0.5  # queries start this far into the reference cut [s]
_ENC = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p", "-an", "-r", "25"]


def _ff(*args: str) -> None:
    subprocess.run([find_ffmpeg(), "-y", "-v", "error", *args], check=True, capture_output=True)


def _inputs(names: list[str], start_shift: float = QUERY_START) -> list[str]:
    out: list[str] = []
    for n in names:
        rel, start = KNOWN[n] if n in KNOWN else OTHER[n]
        shift = start_shift if n in KNOWN else 0.0
        out += ["-ss", f"{start + shift:.2f}", "-t", f"{DUR:.2f}", "-i", str(CORPUS / rel)]
    return out


def make_reference(name: str, out: Path) -> Path:
    rel, start = KNOWN[name]
    _ff("-ss", f"{start:.2f}", "-t", "6", "-i", str(CORPUS / rel), "-vf", "scale=640:360,setsar=1", *_ENC, str(out))
    return out


def make_pip(inset: str, background: str, out: Path, *, width_share: float = 0.4, corner: str = "tr",
             border: int = 0) -> Path:
    """``inset`` scaled to ``width_share`` of the width over ``background`` (640 x 360)."""
    w = int(round(640 * width_share / 2)) * 2
    h = int(round(w * 9 / 16 / 2)) * 2
    x = {"tl": "16", "tr": f"{640 - w - 16 - 2 * border}", "bl": "16", "br": f"{640 - w - 16 - 2 * border}",
         "c": f"{(640 - w) // 2 - border}"}[corner]
    y = {"tl": "16", "tr": "16", "bl": f"{360 - h - 16 - 2 * border}", "br": f"{360 - h - 16 - 2 * border}",
         "c": f"{(360 - h) // 2 - border}"}[corner]
    pad = f",pad={w + 2 * border}:{h + 2 * border}:{border}:{border}:color=white" if border else ""
    _ff(*_inputs([background, inset]), "-filter_complex",
        f"[0]scale=640:360,setsar=1[bg];[1]scale={w}:{h},setsar=1{pad}[in];[bg][in]overlay={x}:{y}:shortest=1",
        *_ENC, str(out))
    return out


def make_grid(cells: list[str], out: Path, *, gutter: int = 0) -> Path:
    """A 2 x 2 (4 cells) or 3 x 3 (9 cells) compilation grid, 640 x 360 (plus gutters)."""
    n = {4: 2, 9: 3}[len(cells)]
    cw, ch = (320, 180) if n == 2 else (214, 120)
    chains = [f"[{i}]scale={cw}:{ch},setsar=1,pad={cw + gutter}:{ch + gutter}:{gutter // 2}:{gutter // 2}[c{i}]"
              for i in range(len(cells))]
    layout = "|".join(f"{c * (cw + gutter)}_{r * (ch + gutter)}" for r in range(n) for c in range(n))
    _ff(*_inputs(cells), "-filter_complex",
        ";".join(chains) + ";" + "".join(f"[c{i}]" for i in range(len(cells)))
        + f"xstack=inputs={len(cells)}:layout={layout}:shortest=1,scale=trunc(iw/2)*2:trunc(ih/2)*2",
        *_ENC, str(out))
    return out


def make_split(left: str, right: str, out: Path) -> Path:
    """Side by side, each clip fitted into its half (320 x 180 on black), 640 x 360."""
    _ff(*_inputs([left, right]), "-filter_complex",
        "[0]scale=320:180,setsar=1,pad=320:360:0:90[a];[1]scale=320:180,setsar=1,pad=320:360:0:90[b];"
        "[a][b]hstack=inputs=2:shortest=1", *_ENC, str(out))
    return out


def make_screen_recording(clip: str, out: Path) -> Path:
    """The clip playing at 448 x 252 in a static player window (title bar, sidebar, controls)."""
    _ff(*_inputs([clip]), "-filter_complex",
        "[0]scale=448:252,setsar=1[v];"
        "color=c=0xe8e8e8:s=640x360:d=5:r=25[win];"
        "[win]drawbox=x=0:y=0:w=640:h=28:color=0x3c3c3c:t=fill,"
        "drawbox=x=484:y=40:w=144:h=300:color=0xd0d0d0:t=fill,"
        "drawbox=x=496:y=52:w=120:h=60:color=0x9aa7b8:t=fill,drawbox=x=496:y=124:w=120:h=60:color=0xb8a89a:t=fill,"
        "drawbox=x=24:y=300:w=448:h=10:color=0x808080:t=fill,drawbox=x=24:y=300:w=170:h=10:color=0xcc2222:t=fill,"
        "drawbox=x=24:y=318:w=30:h=24:color=0x505050:t=fill[chrome];"
        "[chrome][v]overlay=24:40:shortest=1", *_ENC, str(out))
    return out


def make_phone_filming(clip: str, out: Path) -> Path:
    """A monitor showing the clip, filmed at an angle: bezel, perspective, moire, blur, noise."""
    _ff(*_inputs([clip]), "-filter_complex",
        "[0]scale=464:261,setsar=1,eq=brightness=0.06:contrast=0.9,"
        "pad=488:285:12:12:color=0x141414,pad=640:360:76:37:color=0x2a2622,"
        "perspective=x0=40:y0=18:x1=610:y1=52:x2=70:y2=344:x3=586:y3=318:sense=destination,"
        "geq=lum='clip(lum(X,Y)+5*sin(X*0.9+Y*0.35),0,255)':cb='cb(X,Y)':cr='cr(X,Y)',"
        "gblur=sigma=0.7,noise=alls=6:allf=t", *_ENC, str(out))
    return out


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("layouts")
    m: dict[str, Path] = {f"ref_{k}": make_reference(k, d / f"ref_{k}.mp4") for k in KNOWN}
    m["pip_tr"] = make_pip("dashcam", "factory", d / "pip_tr.mp4", width_share=0.4, corner="tr")
    m["pip_bl_border"] = make_pip("drone", "bus", d / "pip_bl.mp4", width_share=0.33, corner="bl", border=3)
    m["pip_c_half"] = make_pip("nasa", "gopro", d / "pip_c.mp4", width_share=0.5, corner="c")
    m["grid2"] = make_grid(["factory", "parking", "street", "dashcam"], d / "grid2.mp4")
    m["grid2_gutter"] = make_grid(["drone", "gopro", "bus", "street"], d / "grid2g.mp4", gutter=8)
    m["grid3"] = make_grid(["factory", "parking", "street", "gopro", "nasa", "bus", "roadside", "freeway",
                            "bbb"], d / "grid3.mp4")
    m["split"] = make_split("gopro", "dashcam", d / "split.mp4")
    m["screen"] = make_screen_recording("drone", d / "screen.mp4")
    m["phone"] = make_phone_filming("dashcam", d / "phone.mp4")
    m["grid2_unindexed"] = make_grid(["factory", "parking", "street", "gopro"], d / "grid2_neg.mp4")
    m["grid3_unindexed"] = make_grid(["factory", "parking", "street", "gopro", "bus", "roadside", "freeway",
                                      "bbb", "nasa_late"], d / "grid3_neg.mp4")
    m["pip_unindexed"] = make_pip("bus", "factory", d / "pip_neg.mp4", width_share=0.4, corner="tr")
    m["phone_unindexed"] = make_phone_filming("gopro", d / "phone_neg.mp4")
    return m


@pytest.fixture(scope="module")
def table(media) -> CandidateTable:
    t = CandidateTable(32)
    for k in KNOWN:
        t.add(k, *reference_rows(fingerprint(media[f"ref_{k}"], variants=False, fps=INDEX_FPS)))
    return t


def _matches(path: Path, table: CandidateTable) -> list[Match]:
    return match_fingerprint(fingerprint(path), table)


@pytest.mark.parametrize("query, footage, kind", [
    ("pip_tr", "dashcam", "inset"),
    ("pip_bl_border", "drone", "inset"),
    ("pip_c_half", "nasa", "inset"),
    ("grid2", "dashcam", "grid_cell"),
    ("grid2_gutter", "drone", "grid_cell"),
    ("grid3", "nasa", "grid_cell"),
    ("split", "dashcam", None),  # the halves "left"/"right" or a split region: either is right
    ("screen", "drone", None),  # border removal may already cut the chrome; else a "screen" region
    ("phone", "dashcam", "quad"),
])
def test_known_footage_in_a_layout_is_matched(query, footage, kind, media, table):
    ms = _matches(media[query], table)
    assert ms and ms[0].footage_id == footage, ms
    m = ms[0]
    assert m.score >= MATCH_THRESHOLD
    # the query starts QUERY_START s into the reference cut, at 1x
    assert abs(m.ref_start_s - (m.query_start_s + QUERY_START)) <= 0.6, m
    assert m.speed == pytest.approx(1.0, abs=0.05)
    if kind is not None:
        assert m.variant.startswith("region") and f"_{kind}" in m.variant, m
        assert {"inset": "inset", "grid_cell": "grid cell", "quad": "screen"}[kind] in m.describe()


@pytest.mark.parametrize("query", ["grid2_unindexed", "grid3_unindexed", "pip_unindexed", "phone_unindexed"])
def test_layouts_of_unindexed_footage_match_nothing(query, media, table):
    assert _matches(media[query], table) == []


def test_plain_reference_clips_give_no_region_variants(media):
    for k in KNOWN:
        fp = fingerprint(media[f"ref_{k}"])
        assert not [v for v in fp.variants if v.startswith("region")], (k, sorted(fp.variants))
