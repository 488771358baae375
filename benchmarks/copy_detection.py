"""Known-footage (copy) detection benchmark: ours vs vPDQ vs videohash, plus fingerprinting speed.

Run from the repository root::

    python benchmarks/copy_detection.py --calibrate --workers 1 --peers-python /tmp/venv-peers/bin/python
        # the full protocol in one command: every family, both halves, peers, padded index (10k, 1M
        # rows), corpus ground truth, still frames, speed test (~2 h on 2 shared cores the first
        # time; transformed clips and peer hashes are cached in benchmarks/.cache afterwards)
    python benchmarks/copy_detection.py --families pip,grid2x2,phonescreen   # only some families
        # (their positives and negatives; minutes), scored at the code's MATCH_THRESHOLD
    python benchmarks/copy_detection.py --half reporting   # query only the reporting half's sources
    python benchmarks/copy_detection.py --pad-10m          # also the 10M-row padded index (slow)
    python benchmarks/copy_detection.py --pad-sizes ""     # no padded-index table
    python benchmarks/copy_detection.py --quick            # a subset (a few minutes)

Protocol (issue 13 item 5). Every source, reference or negative, is assigned to a *tuning* or a
*reporting* half by a hash of its name (:func:`source_half`; a later stretch of an indexed clip
goes with that clip, stretches of one unindexed file together: :func:`source_group`), fixed
before any tuning. The main table is the reporting half: recall per family, FPR on the
reporting-half negatives, median reference-offset error of the hits and the share within 0.5 s,
time per query, and vPDQ and videohash side by side on the same files. The tuning half is
printed after it, labelled in-sample. The padded-index table matches the same reporting-half
positives against the index padded to 10k and 1M rows (10M with ``--pad-10m``) with
``index_scale.padded_table`` (synthetic clips drifting from real unindexed frames).

Threshold calibration: the single global threshold (:func:`calibrated_threshold`: the highest
score any tuning-half negative reached, times ``CALIBRATION_MARGIN``) is set on the tuning
half's negatives only (:func:`calibration_split`); the reporting half's FPR is measured on
distractors the threshold never saw. ``--families`` and ``--fixed-only`` runs have too few
negatives to calibrate on and use the code's ``MATCH_THRESHOLD`` (set from a full run).

Families (:data:`TRANSFORMS`, two strengths each, 23 families): reencode, downscale, framerate
(15 and 50 fps), crop, pad, reframe916, mirror, logo (small corner watermark, large
translucent), caption, colour (grayscale, eq), blurnoise, trim, subclip, speed, screenrec,
combo; rotation (3 deg zoomed to hide the corners, 5 deg with black corners), heavyblur
(gblur sigma 6, boxblur), pip (the footage fitted into 1/3 and 1/2 of the width in a corner of
another real clip), grid2x2 and grid3x3 (the footage in one cell, the other cells other real
clips, without and with white gaps), split (side by side, stacked), phonescreen (a phone filming
a monitor: bezel on a dim wall, perspective-warped, a drifting moire pattern, blur, noise and
an exposure change; mild and oblique). Insets, grids and split screens use unindexed clips
of the query source's own half as fillers (:data:`FILLERS`, :func:`fillers_for`), so a filler
never makes a positive and a grid of unindexed clips is a negative.

References are the distinct source clips of ``../shared/corpus/footage`` at full length
(normalised to at most 640 px; the fixed cameras' references end where their later,
non-indexed stretches begin: :data:`REF_END_S`), the 52 s multi-shot NASA promo (title cards,
logos on black, large captions) among them, plus synthetic distractors. Queries
are each natural reference under every transform family at two strengths; negatives are the
same transforms applied to clips that are not indexed (later segments of the same sources =
same-scene hard negatives, other road footage, the corpus's metadata/ videos, Ken Burns pans
over the corpus stills, synthetic patterns). Transformed files are cached in
``benchmarks/.cache`` (delete it to regenerate), and so are the peers' hashes of each
unchanged file (``peer_*.json``; the speed test always times vPDQ afresh).

Peers run in a separate virtual environment (``--peers-python``, default
``/work/venv-peers/bin/python``; videohash needs Pillow < 10) through a subprocess. vPDQ builds
from source against FFmpeg's development files, and videohash calls an ``ffmpeg`` binary: on
Debian, ``apt-get install libavdevice-dev libavfilter-dev libavformat-dev libavcodec-dev
libswresample-dev libswscale-dev libavutil-dev ffmpeg`` first, then ``python -m venv
/work/venv-peers && /work/venv-peers/bin/pip install vpdq 'Pillow<10' videohash``.

* vPDQ (``vpdq``): 1 hash/s, quality >= 50, frame distance <= 31, and a match when at least
  80% of the query's frames match (threatexchange's defaults);
* videohash: one 64-bit hash per video, similar when the distance <= 15% of 64 bits.

Fixed cameras (issue 18) are their own families: :data:`FIXED_CAMERAS` (the corpus's street,
parking, traffic, freeway and factory cameras, and four public fixed-camera clips gathered into
``benchmarks/.cache/extra``, see :data:`EXTRA_SOURCES`; skipped with a note when absent). Positives:
copies of a 10 s stretch inside the reference under every transform; negatives: later stretches
of the same cameras under every transform. Their sources are split into a tuning and a reporting
half by a hash of the name (:func:`source_half`), and the reporting half is printed. A
*scene-only* match (``Match.time_resolved`` False: the same fixed camera view, moment unresolved)
of a same-camera negative is not a false positive; a time-resolved one is. The main tables leave
the four extra cameras out (their positives copy a 10 s stretch); the corpus's five are in both.

Both are compared on the same queries (videohash, ~2 s per clip, runs on every positive and a
fixed one-in-``--videohash-neg-every`` sample of the negatives to keep the run short).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance import FootageIndex, analyze  # noqa: E402
from provenance.hashing.features import LocalFeatures  # noqa: E402
from provenance.hashing.fingerprinting import INDEX_FPS, fingerprint, reference_rows  # noqa: E402
from provenance.index.thumbnails import fingerprint_with_thumbnails  # noqa: E402
from provenance.matching.candidates import CandidateTable  # noqa: E402
from provenance.matching.match import MATCH_THRESHOLD, match_fingerprint  # noqa: E402
from provenance.media.tools import find_ffmpeg  # noqa: E402

CORPUS = ROOT / ".." / "shared" / "corpus"
CACHE = (ROOT / "benchmarks" / ".cache").resolve()  # one cache when run from a copy
REF_LEN_S = 10.0  # negatives and copy stretches
#: Fixed cameras' references end here [s]: their later stretches are the same-camera negatives.
REF_END_S = {"trafficcam": 18.0, "street": 14.0, "parking": 16.0, "freeway": 18.0, "factory": 14.0,
             "fixed_vtest": 44.0, "fixed_intel": 75.0, "fixed_bridge": 17.0, "fixed_crowd": 7.5}
EXTRA = CACHE / "extra"
#: Fixed-camera clips from public repositories (fetched once into ``benchmarks/.cache/extra``):
#: name -> (file, source repository / path @ commit, SHA-256 of the file).
EXTRA_SOURCES = {
    "fixed_vtest": ("opencv_vtest.avi", "arjun-234/OpenCVTutorial vtest.avi @ c6a0b7a9 (OpenCV's vtest "
                    "sample, pedestrians by a building, 80 s)",
                    "f6f676f1879eadf6b22abd0c2a1f6cecb5ae1ff2a63625512310356514048c5d"),
    "fixed_intel": ("intel_one-by-one-person-detection.mp4", "intel-iot-devkit/sample-videos "
                    "one-by-one-person-detection.mp4 @ 57978890 (CC-BY-4.0; office wall, 139 s)",
                    "a5964aa259099a482a8b360ffc2c57b5a30f84d5919236a4dad01f8e929ac07c"),
    "fixed_bridge": ("bridge_car_traffic_small.mp4", "arjun-234/OpenCVTutorial car_traffic_small.mp4 @ "
                     "c6a0b7a9 (bridge traffic camera, 30 s)",
                     "46f6637b2d52a4deb63b33f72cacb50bf37e1bb4fbd9648f2dff3166df7d69f6"),
    "fixed_crowd": ("crowd_overhead_vtest.avi", "lamminhthien/Motion_Detector_OpenCV vtest.avi @ 2b00577e "
                    "(overhead crowd camera, 14 s)",
                    "c860e62379d5bd066104516f386487e4adfcf8ddd88af4768c02507d77c79188"),
}
#: Start [s] of the 10 s stretch of an extra fixed camera's reference that its positives copy.
COPY_START_S = {"fixed_vtest": 17.0, "fixed_intel": 32.5, "fixed_bridge": 3.5, "fixed_crowd": 1.25}
#: Fixed-camera references, and the same-camera negatives of each.
FIXED_CAMERAS = ("trafficcam", "street", "parking", "freeway", "factory", *EXTRA_SOURCES)
FILLER_S = 3.0

# (name, corpus path, start [s]) of the indexed references
REFS = [
    ("chair", "footage/chair_orig-22_sd.mp4", 0.0),
    ("pattern", "footage/pattern_hd.mp4", 0.0),
    ("highway", "footage/highway_overhead_640x360.avi", 0.0),
    ("trafficcam", "footage/trafficcam_burned-in-timestamp_hq.avi", 0.0),
    ("dashcam", "footage/dashcam_highway_solidWhiteRight.mp4", 0.0),
    ("street", "footage/street_security-cam_cars.mp4", 0.0),
    ("parking", "footage/parking-lot_overhead_cars.mp4", 0.0),
    ("bus", "footage/park_street_bus_1080p.mp4", 0.0),
    ("nasa", "footage/nasa_artemis1_hotfire_vp9.mkv", 0.0),
    ("bbb", "footage/bbb_matroska_test1.mkv", 0.0),
    ("freeway", "footage/freeway_overhead_multilane.avi", 0.0),
    ("factory", "footage/factory_bottles_conveyor.mp4", 0.0),
]
FIXED_REFS = [(n, "extra:" + f, 0.0) for n, (f, _, _) in EXTRA_SOURCES.items()]
# Indexed synthetic distractors (never queried as positives).
DISTRACTOR_REFS = [
    ("syn_testsrc2", "testsrc2=s=640x360:r=25"),
    ("syn_mandelbrot", "mandelbrot=s=640x360:r=25"),
]
# Non-indexed clips used as negatives: (name, corpus path or lavfi/still spec, start [s]).
NEGS = [
    # same-scene hard negatives: later, non-indexed stretches of indexed sources (the chair and
    # NASA clips are indexed at full length now, so their later stretches are no longer negatives)
    ("hard_factory1", "footage/factory_bottles_conveyor.mp4", 14.0),
    ("hard_factory2", "footage/factory_bottles_conveyor.mp4", 27.0),
    ("hard_street1", "footage/street_security-cam_cars.mp4", 14.0),
    ("hard_street2", "footage/street_security-cam_cars.mp4", 26.0),
    ("hard_parking", "footage/parking-lot_overhead_cars.mp4", 16.0),
    ("hard_freeway", "footage/freeway_overhead_multilane.avi", 18.0),
    ("hard_trafficcam", "footage/trafficcam_burned-in-timestamp_hq.avi", 18.0),
    # other road scenes and unrelated corpus footage
    ("road_roadside1", "footage/highway_roadside.avi", 0.0),
    ("road_roadside2", "footage/highway_roadside.avi", 14.0),
    ("road_dashcam_test", "footage/dashcam_highway_test_video_1.5s.mp4", 0.0),
    ("doorknob", "footage/doorknob_hd.mp4", 0.0),
    ("meta_android601", "metadata/android601_with-gps.mp4", 0.0),
    ("meta_iphone6", "metadata/apple_iphone6_with-gps.mov", 0.0),
    ("meta_livephoto", "metadata/apple_iphone6s_livephoto_train.mov", 0.0),
    ("meta_canon", "metadata/canon_MVI_4823.avi", 0.0),
    ("meta_karma", "metadata/gopro_hero5_karma_drone.mp4", 0.0),
    ("meta_gopromax", "metadata/gopro_max_heromode.mp4", 0.0),
    ("meta_flashmob", "metadata/matroska_mkvmerge_flashmob.mkv", 0.0),
    ("meta_ipad", "metadata/apple_ipadmini_hevc.mov", 0.0),
    # Ken Burns pans over the corpus stills
    ("still_iphone13", "still:stills/apple_iphone13pro_TestImage.jpg", 0.0),
    ("still_iphone6", "still:stills/apple_iphone6_hdr.jpg", 0.0),
    ("still_train", "still:stills/apple_iphone6s_livephoto_train.jpg", 0.0),
    ("still_nokia", "still:stills/hmd_nokia-8.3-5g.jpg", 0.0),
    ("still_nexus", "still:stills/lge_nexus5x_aarhus.jpg", 0.0),
    ("still_nikon", "still:stills/nikon_coolpix-p6000_DSCN0010.jpg", 0.0),
    ("still_sony", "still:stills/sony_hdr-as300_DSC00001.jpg", 0.0),
    ("still_afp", "still:metadata/afp_c2pa_signed.jpg", 0.0),
    # synthetic
    ("syn_life", "lavfi:life=s=320x240:mold=10:r=25:ratio=0.1:death_color=#C83232:life_color=#00ff00,scale=640:480", 0.0),
    ("syn_cellauto", "lavfi:cellauto=s=640x360:rule=110:r=25", 0.0),
]
#: Later stretches of the extra fixed cameras (same-camera negatives).
FIXED_NEGS = [("hard_fixed_vtest1", "extra:opencv_vtest.avi", 48.0), ("hard_fixed_vtest2", "extra:opencv_vtest.avi", 62.0),
              ("hard_fixed_intel1", "extra:intel_one-by-one-person-detection.mp4", 80.0),
              ("hard_fixed_intel2", "extra:intel_one-by-one-person-detection.mp4", 110.0),
              ("hard_fixed_bridge", "extra:bridge_car_traffic_small.mp4", 19.0),
              ("hard_fixed_crowd", "extra:crowd_overhead_vtest.avi", 8.0)]


def camera_of(neg_name: str) -> str | None:
    """The fixed camera a same-camera negative comes from (None for other negatives)."""
    for cam in FIXED_CAMERAS:
        if neg_name.startswith(f"hard_{cam}"):
            return cam
    return None


def source_group(name: str) -> str:
    """The name the source split hashes: a later stretch of an indexed clip (a same-scene hard
    negative) goes with that reference, stretches of one unindexed file go with its first."""
    cam = camera_of(name)
    if cam:
        return cam
    spec = {n: sp for n, sp, _ in NEGS + FIXED_NEGS}.get(name)
    if spec is None:
        return name
    ref = next((n for n, sp, _ in REFS + FIXED_REFS if sp == spec), None)
    return ref or next(n for n, sp, _ in NEGS + FIXED_NEGS if sp == spec)


def source_half(name: str) -> str:
    """``"tuning"`` or ``"reporting"``, fixed by a hash of the source's group name (:func:`source_group`).

    Every source, reference or negative, falls in one half, chosen before any tuning: thresholds and
    parameters are chosen on the tuning half; the reporting half's figures are the ones reported."""
    import hashlib

    return "reporting" if hashlib.sha256(source_group(name).encode()).digest()[0] % 2 == 0 else "tuning"


#: Unindexed real clips that insets, grids and split screens put around the footage (never a
#: positive: none is indexed, none is a later stretch of an indexed clip). A query only uses
#: fillers of its own source's half (:func:`fillers_for`).
FILLERS = ("meta_karma", "road_roadside1", "still_nikon", "doorknob", "meta_canon", "still_sony", "still_afp",
           "still_train", "still_iphone13", "still_iphone6", "still_nokia", "road_roadside2", "meta_gopromax",
           "meta_flashmob", "still_nexus", "meta_iphone6", "meta_livephoto", "road_dashcam_test", "syn_cellauto")


def fillers_for(name: str, k: int = 8) -> list[str]:
    """``k`` filler clips (cycled when the half has fewer) for a query of source ``name``: its own
    half's fillers other than itself, in an order rotated by a hash of the name."""
    import hashlib

    pool = [f for f in FILLERS if source_half(f) == source_half(name) and f != name]
    r = hashlib.sha256(name.encode()).digest()[1] % len(pool)
    pool = pool[r:] + pool[:r]
    return [pool[i % len(pool)] for i in range(k)]

# Transform families, two strengths each: (family, name, kind, argument).
# kind "vf": a plain filter chain; others are handled in _transform_cmd.
_LOGO_S = ("drawbox=x=iw*0.80:y=ih*0.04:w=iw*0.16:h=ih*0.10:color=red@0.9:t=fill,"
           "drawbox=x=iw*0.82:y=ih*0.06:w=iw*0.12:h=ih*0.06:color=white@0.9:t=fill")
_LOGO_L = ("drawbox=x=iw*0.2:y=ih*0.25:w=iw*0.6:h=ih*0.5:color=white@0.35:t=fill,"
           "drawbox=x=iw*0.3:y=ih*0.35:w=iw*0.4:h=ih*0.3:color=blue@0.3:t=fill")
_CAPTION = ("drawbox=x=0:y=ih*0.78:w=iw:h=ih*0.16:color=black@0.7:t=fill,"
            "drawbox=x=iw*0.1:y=ih*0.81:w=iw*0.5:h=ih*0.04:color=white:t=fill,"
            "drawbox=x=iw*0.1:y=ih*0.87:w=iw*0.7:h=ih*0.04:color=white:t=fill")
_EVEN = "scale=trunc(iw/2)*2:trunc(ih/2)*2"


def _screen(frac: float) -> str:
    return (f"scale=trunc(iw*{frac}/2)*2:-2,pad=w=trunc(iw/{frac}/2)*2:h=trunc(ih/{frac}/2)*2:"
            f"x=(ow-iw)/2:y=(oh-ih)/2:color=0x202020,"
            f"drawbox=x=0:y=0:w=iw:h=ih*0.07:color=0x3a3a3a:t=fill,"
            f"drawbox=x=iw*0.02:y=ih*0.015:w=ih*0.04:h=ih*0.04:color=white:t=fill,"
            f"drawbox=x=iw*0.05:y=ih*0.94:w=iw*0.6:h=ih*0.012:color=red:t=fill,"
            f"drawbox=x=iw*0.65:y=ih*0.94:w=iw*0.3:h=ih*0.012:color=gray:t=fill")


def _reframe(zoom: float) -> str:
    return (f"split[a][b];[a]scale=360:640:force_original_aspect_ratio=increase,crop=360:640,"
            f"boxblur=20[bg];[b]scale=trunc({360 * zoom}/2)*2:-2,crop=min(iw\\,360):min(ih\\,640)[fg];"
            f"[bg][fg]overlay=(W-w)/2:(H-h)/2")


def _rotate(deg: float, *, zoom: bool) -> str:
    """Rotate by ``deg``; ``zoom``: scale up just enough to hide the black corners (any aspect up to 16:9)."""
    rot = f"rotate={deg}*PI/180:fillcolor=black"
    if not zoom:
        return rot
    import math

    k = math.cos(math.radians(deg)) + 16 / 9 * math.sin(math.radians(deg)) + 0.005
    return f"{rot},scale=trunc(iw*{k:.4f}/2)*2:-2,crop=trunc(iw/{k:.4f}/2)*2:trunc(ih/{k:.4f}/2)*2"


TRANSFORMS: list[tuple[str, str, str, str]] = [
    ("reencode", "h264_crf40", "enc", "-c:v libx264 -crf 40 -preset veryfast"),
    ("reencode", "mpeg4_200k", "enc", "-c:v mpeg4 -b:v 200k"),
    ("downscale", "360p", "vf", "scale=-2:360"),
    ("downscale", "240p", "vf", "scale=-2:240"),
    ("framerate", "15fps", "vf", "fps=15"),
    ("framerate", "50fps", "vf", "fps=50"),
    ("crop", "centre10", "vf", "crop=trunc(iw*0.9/2)*2:trunc(ih*0.9/2)*2"),
    ("crop", "offcentre20", "vf", "crop=trunc(iw*0.8/2)*2:trunc(ih*0.8/2)*2:iw*0.15:ih*0.05"),
    ("pad", "letterbox", "vf", "pad=w=iw:h=trunc(ih*1.4/2)*2:x=0:y=(oh-ih)/2:color=black"),
    ("pad", "pillarbox", "vf", "pad=w=trunc(iw*1.5/2)*2:h=ih:x=(ow-iw)/2:y=0:color=0x303030"),
    ("reframe916", "blurfill", "fc", _reframe(1.0)),
    ("reframe916", "blurfill_zoom", "fc", _reframe(1.15)),
    ("mirror", "hflip", "vf", "hflip"),
    ("mirror", "hflip_360p", "vf", "hflip,scale=-2:360"),
    ("logo", "small_corner", "vf", _LOGO_S),
    ("logo", "large_translucent", "vf", _LOGO_L),
    ("caption", "band", "vf", _CAPTION),
    ("caption", "ticker", "ticker", ""),
    ("colour", "grayscale", "vf", "hue=s=0"),
    ("colour", "eq", "vf", "eq=brightness=0.12:contrast=1.4:gamma=1.3:saturation=1.3"),
    ("blurnoise", "gblur", "vf", "gblur=sigma=2.5"),
    ("blurnoise", "noise", "vf", "noise=alls=25:allf=t"),
    ("trim", "head2", "trim", "2.0:0.0"),
    ("trim", "head1.5_tail2.5", "trim", "1.5:2.5"),
    ("subclip", "5s", "subclip", "2.0:5.0"),
    ("subclip", "7s", "subclip", "1.0:7.0"),
    ("speed", "0.75x", "speed", "0.75"),
    ("speed", "1.5x", "speed", "1.5"),
    ("screenrec", "70pct", "vf", _screen(0.7)),
    ("screenrec", "50pct", "vf", _screen(0.5)),
    ("combo", "crop10_mirror_crf32", "vf+enc", "crop=trunc(iw*0.9/2)*2:trunc(ih*0.9/2)*2,hflip|-c:v libx264 -crf 32"),
    ("combo", "reframe_caption", "fc", _reframe(1.0) + "," + _CAPTION),
    # issue 13 item 5: small rotations, heavy blur, insets, layouts and phones filming a screen
    ("rotation", "rot3_zoom", "vf", _rotate(3.0, zoom=True)),
    ("rotation", "rot5_black", "vf", _rotate(5.0, zoom=False)),
    ("heavyblur", "gblur6", "vf", "gblur=sigma=6"),
    ("heavyblur", "boxblur", "vf", "boxblur=luma_radius=6:luma_power=2:chroma_radius=6:chroma_power=2"),
    ("pip", "third_br", "pip", "0.3333:br"),
    ("pip", "half_tl", "pip", "0.5:tl"),
    ("grid2x2", "cell1", "grid", "2:1:0"),
    ("grid2x2", "cell2_gaps", "grid", "2:2:8"),
    ("grid3x3", "centre", "grid", "3:4:0"),
    ("grid3x3", "corner_gaps", "grid", "3:8:4"),
    ("split", "side_left", "split", "h:0"),
    ("split", "stacked_bottom", "split", "v:1"),
    ("phonescreen", "mild", "phone", "1"),
    ("phonescreen", "oblique", "phone", "2"),
]
FAMILIES = tuple(dict.fromkeys(t[0] for t in TRANSFORMS))
#: Kinds of :func:`make_query` that compose the footage with other (filler) clips.
LAYOUT_KINDS = ("pip", "grid", "split")


#: Calibrated threshold = highest calibration-split negative score times this margin.
CALIBRATION_MARGIN = 1.25


def calibration_split(neg_names: list[str]) -> tuple[set[str], set[str]]:
    """(calibration, test) halves of the negative sources: the tuning and the reporting half of
    :func:`source_half` (both hold same-scene hard negatives, road scenes, phone clips, stills and
    synthetics)."""
    cal = {n for n in neg_names if source_half(n) == "tuning"}
    return cal, set(neg_names) - cal


def calibrated_threshold(calibration_scores: list[float]) -> float:
    """The single global threshold implied by the calibration negatives (rounded up to 0.01)."""
    top = max(calibration_scores, default=0.0)
    return float(min(0.99, np.ceil(top * CALIBRATION_MARGIN * 100.0) / 100.0))


@dataclass
class Query:
    path: str
    family: str
    transform: str
    source: str
    positive: bool
    speed: float = 1.0   # truth: t_ref = speed * t_query + offset
    offset: float = 0.0


def _run(cmd: list[str]) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:12])} ... failed: {r.stderr.strip().splitlines()[-1:]}")


def _ffmpeg() -> str:
    return find_ffmpeg()


_X264 = ["-c:v", "libx264", "-crf", "23", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-an"]
_FIT = "scale='if(gt(iw,ih),min(640,iw),-2)':'if(gt(iw,ih),-2,min(640,ih))',setsar=1," + _EVEN


def make_source(name: str, spec: str, start: float, out: Path, length: float | None = REF_LEN_S) -> None:
    """Cut and normalise a source clip (reference or negative) into ``out`` (``length`` None: to its end)."""
    if out.exists():
        return
    if spec.startswith("extra:"):
        spec = str(EXTRA / spec[6:])
        if not Path(spec).exists():
            return
    dur = [] if length is None else ["-t", str(length)]
    length = REF_LEN_S if length is None else length  # generated sources need a length
    ff = _ffmpeg()
    tmp = out.with_suffix(".tmp.mp4")
    if spec.startswith("lavfi:"):
        cmd = [ff, "-y", "-v", "error", "-f", "lavfi", "-i", spec[6:], "-t", str(length), "-vf", _FIT, *_X264,
               "-g", "50", str(tmp)]
    elif spec.startswith("still:"):
        img = str(CORPUS / spec[6:])
        frames = int(length * 25)
        cmd = [ff, "-y", "-v", "error", "-loop", "1", "-i", img, "-t", str(length), "-vf",
               f"scale=1280:-2,zoompan=z='1.0+0.004*on':x='iw/2-(iw/zoom/2)+on*0.8':y='ih/2-(ih/zoom/2)':"
               f"d={frames}:s=640x360:fps=25", "-frames:v", str(frames), *_X264, str(tmp)]
    else:
        # no input seek from 0: some AVIs then repeat their first frame for seconds
        seek = ["-ss", str(start)] if start > 0 else []
        cmd = [ff, "-y", "-v", "error", *seek, "-i", str(CORPUS / spec), *dur,
               "-vf", _FIT, "-r", "25", *_X264, "-crf", "18", "-g", "50", str(tmp)]
    _run(cmd)
    tmp.rename(out)


def _duration(path: Path) -> float:
    import av

    with av.open(str(path)) as c:
        return c.duration / 1e6 if c.duration else REF_LEN_S


def _fit_cell(label: str, w: int, h: int, gap: int = 0, gap_colour: str = "white") -> str:
    """Filter: input ``label`` at 25 fps fitted (aspect kept, black bars) into a ``w`` x ``h`` cell
    with a ``gap`` px border."""
    iw, ih = w - 2 * gap, h - 2 * gap
    chain = (f"[{label}]fps=25,scale={iw}:{ih}:force_original_aspect_ratio=decrease:force_divisible_by=2,"
             f"pad={iw}:{ih}:(ow-iw)/2:(oh-ih)/2:black")
    if gap:
        chain += f",pad={w}:{h}:{gap}:{gap}:color={gap_colour}"
    return chain + ",setsar=1"


def layout_filter(kind: str, arg: str, n_fillers: int) -> str:
    """``filter_complex`` of a layout query: input 0 is the footage, inputs 1.. are filler clips.

    pip ``frac:corner``: the footage fitted into ``frac`` of the width (and at most 94% of the
    height) in a corner (``tl``, ``tr``, ``bl``, ``br``) over a 640x360 filler; grid ``n:cell:gap``:
    an n x n grid on a 640x360 canvas, the footage in cell ``cell`` (row-major), ``gap`` px white
    borders; split ``h|v:pos``: side by side (``h``, 1280x360) or stacked (``v``, 640x720), the
    footage at position ``pos``.
    """
    if kind == "pip":
        frac_s, corner = arg.split(":")
        w, h = 2 * int(640 * float(frac_s) / 2), 2 * int(360 * 0.94 / 2)
        m = 14
        x = f"W-w-{m}" if corner[1] == "r" else str(m)
        y = f"H-h-{m}" if corner[0] == "b" else str(m)
        return ("[1:v]fps=25,scale=640:360:force_original_aspect_ratio=increase,crop=640:360,setsar=1[bg];"
                f"[0:v]fps=25,scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1[fg];"
                f"[bg][fg]overlay=x={x}:y={y}:shortest=1")
    if kind == "grid":
        n, cell, gap = (int(v) for v in arg.split(":"))
        cw, ch = 2 * (640 // n // 2), 2 * (360 // n // 2)
        cells, fill = [], 1
        for i in range(n * n):
            if i == cell:
                cells.append(_fit_cell("0:v", cw, ch, gap) + f"[c{i}]")
            else:
                cells.append(_fit_cell(f"{1 + (fill - 1) % n_fillers}:v", cw, ch, gap) + f"[c{i}]")
                fill += 1
        layout = "|".join(f"{(i % n) * cw}_{(i // n) * ch}" for i in range(n * n))
        return ";".join(cells) + ";" + "".join(f"[c{i}]" for i in range(n * n)) + (
            f"xstack=inputs={n * n}:layout={layout}:shortest=1")
    if kind == "split":
        axis, pos = arg.split(":")
        a, b = (_fit_cell("0:v", 640, 360) + "[a]", _fit_cell("1:v", 640, 360) + "[b]")
        order = "[a][b]" if pos == "0" else "[b][a]"
        return f"{a};{b};{order}{'hstack' if axis == 'h' else 'vstack'}=inputs=2:shortest=1"
    raise ValueError(kind)


def phone_filter(strength: int) -> str:
    """``filter_complex`` of a phone filming a monitor: the footage in a dark bezel on a dim wall,
    perspective-warped into a quadrilateral, a drifting moire pattern (multiplied into the luma),
    slight blur, sensor noise and an exposure change. ``strength`` 1: mild keystone, the screen
    75% of the width; 2: oblique, 62% of the width, stronger moire, blur and brightness shift."""
    sw, sh, amp, blur, noise, eq = ((480, 270, 18, 1.0, 10, "brightness=-0.04:contrast=0.9") if strength == 1 else
                                    (400, 224, 28, 1.6, 14, "brightness=0.06:contrast=0.8:gamma=1.15"))
    # destination corners (top-left, top-right, bottom-left, bottom-right) of the 640x400 canvas
    q = ((24, 36, 626, 8, 40, 380, 600, 360) if strength == 1 else (70, 20, 600, 70, 20, 396, 560, 330))
    corners = ":".join(f"x{i}={q[2 * i]}:y{i}={q[2 * i + 1]}" for i in range(4))
    pattern = (f"color=c=white:s=680x400:r=25:d=1,format=gray,"
               f"geq=lum='{255 - amp}+{amp}*sin(0.21*X+0.07*Y+0.00012*X*X)',loop=loop=-1:size=1,"
               f"crop=640:400:x='mod(t*9\\,30)':y=0,format=yuv420p[p]")
    return (f"[0:v]fps=25,scale={sw}:{sh}:force_original_aspect_ratio=decrease:force_divisible_by=2,"
            f"pad={sw}:{sh}:(ow-iw)/2:(oh-ih)/2:black,pad=iw+20:ih+20:10:10:color=0x0c0c0c,"
            f"pad=640:400:(ow-iw)/2:(oh-ih)/2:color=0x2a2622,"
            f"perspective={corners}:sense=destination:interpolation=linear,format=yuv420p[s];{pattern};"
            f"[s][p]blend=c0_mode=multiply:c1_mode=normal:c2_mode=normal:shortest=1,"
            f"gblur=sigma={blur},noise=alls={noise}:allf=t,eq={eq}")


def make_query(src: Path, filler: Path | list[Path], kind: str, arg: str, out: Path) -> tuple[float, float]:
    """Write the transformed clip; return the truth (speed, offset): t_ref = speed*t_q + offset.

    ``filler``: the clip(s) of unindexed footage that sub-clips, insets and layouts put around
    the footage (looped when shorter; the output lasts as long as ``src``)."""
    ff = _ffmpeg()
    fillers = [filler] if isinstance(filler, Path) else list(filler)
    filler = fillers[0]
    truth = (1.0, 0.0)
    base = [ff, "-y", "-v", "error"]
    if kind in LAYOUT_KINDS:
        n_in = {"pip": 1, "split": 1}.get(kind, len(fillers))
        ins = [a for f in fillers[:n_in] for a in ("-stream_loop", "-1", "-i", str(f))]
        cmd = base + ["-i", str(src), *ins, "-filter_complex", layout_filter(kind, arg, n_in) + "," + _EVEN,
                      "-t", f"{_duration(src):.3f}", *_X264, str(out)]
    elif kind == "phone":
        cmd = base + ["-i", str(src), "-filter_complex", phone_filter(int(arg)) + "," + _EVEN, *_X264, str(out)]
    elif kind == "vf":
        cmd = base + ["-i", str(src), "-vf", arg + "," + _EVEN, *_X264, str(out)]
    elif kind == "enc":
        cmd = base + ["-i", str(src), "-vf", _EVEN, *arg.split(), "-pix_fmt", "yuv420p", "-an", str(out)]
    elif kind == "vf+enc":
        vf, enc = arg.split("|")
        cmd = base + ["-i", str(src), "-vf", vf + "," + _EVEN, *enc.split(), "-pix_fmt", "yuv420p", "-an", str(out)]
    elif kind == "fc":
        cmd = base + ["-i", str(src), "-filter_complex", arg + "," + _EVEN, *_X264, str(out)]
    elif kind == "ticker":
        fc = ("[1:v]scale=2*main_w:ih*0[x];" if False else "") + (
            "[1:v]format=yuv420p[t];[0:v][t]overlay=x='-mod(t*90\\,640)':y=H-h-6:shortest=1,"
            "drawbox=x=0:y=ih-ih*0.12:w=iw:h=2:color=yellow:t=fill," + _EVEN)
        cmd = base + ["-i", str(src), "-f", "lavfi", "-i", "testsrc2=s=1280x32:r=25", "-filter_complex", fc,
                      *_X264, str(out)]
    elif kind == "trim":
        head, tail = (float(x) for x in arg.split(":"))
        total = _duration(src)
        if head + tail > 0.5 * total:  # a short source: trim in the same proportions, keep half of it
            k = 0.5 * total / (head + tail)
            head, tail = head * k, tail * k
        dur = total - head - tail
        cmd = base + ["-ss", str(head), "-i", str(src), "-t", f"{dur:.3f}", "-vf", _EVEN, *_X264, str(out)]
        truth = (1.0, head)
    elif kind == "speed":
        s = float(arg)
        cmd = base + ["-i", str(src), "-vf", f"setpts=PTS/{s}," + _EVEN, *_X264, str(out)]
        truth = (s, 0.0)
    elif kind == "subclip":
        a, length = (float(x) for x in arg.split(":"))
        fc = ("[1:v]scale2ref=w=iw:h=ih[f][m];"
              f"[f]split[f1][f2];[f1]trim=0:{FILLER_S},setpts=PTS-STARTPTS,fps=25,setsar=1[p];"
              f"[f2]trim={FILLER_S}:{2 * FILLER_S},setpts=PTS-STARTPTS,fps=25,setsar=1[q];"
              f"[m]trim={a}:{a + length},setpts=PTS-STARTPTS,fps=25,setsar=1[c];"
              "[p][c][q]concat=n=3:v=1:a=0," + _EVEN)
        cmd = base + ["-i", str(src), "-i", str(filler), "-filter_complex", fc, *_X264, str(out)]
        truth = (1.0, a - FILLER_S)
    else:  # pragma: no cover
        raise ValueError(kind)
    tmp = out.with_suffix(".tmp.mp4")
    cmd[-1] = str(tmp)
    _run(cmd)
    tmp.rename(out)
    return truth


#: Local features of each indexed reference's stored frames (empty with ``--no-verify``).
REF_FEATURES: dict[str, list[tuple[float, LocalFeatures]]] = {}


def _ref_features(footage_id: str) -> list[tuple[float, LocalFeatures]]:
    return REF_FEATURES.get(footage_id, [])


def _make_query_job(job: tuple) -> tuple[str, float, float] | None:
    src, filler, kind, arg, out = job
    try:
        s, o = make_query(Path(src), [Path(f) for f in filler], kind, arg, Path(out))
        return out, s, o
    except Exception as exc:  # noqa: BLE001 - benchmark keeps going, reports the failure
        print(f"  ! could not make {Path(out).name}: {exc}", file=sys.stderr)
        return None


def _fingerprint_job(path: str):
    """Fingerprint one query; a query the library refuses (e.g. every frame black) matches nothing."""
    from provenance.errors import ProvenanceError

    t = time.perf_counter()
    try:
        fp = fingerprint(path, variants=True)
    except ProvenanceError:
        fp = None
    return path, fp, time.perf_counter() - t


_PEER_SCRIPT = r"""
import json, sys, time, os
out = {}
paths = json.load(open(sys.argv[1]))
which = sys.argv[2]
if which == "vpdq":
    import vpdq
    for p in paths:
        try:
            t = time.perf_counter()
            feats = vpdq.computeHash(p, seconds_per_hash=1.0)
            out[p] = {"t": time.perf_counter() - t,
                      "h": [[f.hex, f.quality, f.timestamp] for f in feats]}
        except Exception as e:
            out[p] = {"err": str(e)}
else:
    from videohash import VideoHash
    for p in paths:
        try:
            t = time.perf_counter()
            h = VideoHash(path=p)
            out[p] = {"t": time.perf_counter() - t, "h": h.hash_hex}
            h.delete_storage_path()
        except Exception as e:
            out[p] = {"err": str(e)[:200]}
json.dump(out, open(sys.argv[3], "w"))
"""


def run_peer(python: str, which: str, paths: list[str], workers: int = 2,
             use_cache: bool = True) -> tuple[dict, str | None]:
    """Hash ``paths`` with a peer in its own venv; returns (results, reason it is n/a)."""
    if not Path(python).exists():
        return {}, (f"no peer interpreter at {python} (create it as the module docstring says: FFmpeg's "
                    "development files, then python -m venv /work/venv-peers; pip install vpdq 'Pillow<10' videohash)")
    probe = subprocess.run([python, "-c", f"import {'vpdq' if which == 'vpdq' else 'videohash'}"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return {}, f"{which} not importable: {probe.stderr.strip().splitlines()[-1:]}"
    env = dict(os.environ)
    bindir = CACHE / "bin"
    bindir.mkdir(parents=True, exist_ok=True)
    link = bindir / "ffmpeg"
    if not link.exists():
        link.symlink_to(_ffmpeg())
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    # Peer hashes of unchanged files are reused from the cache (their timings with them).
    cache_file = CACHE / f"peer_{which}.json"
    cached = json.loads(cache_file.read_text()) if cache_file.exists() else {}

    def key(p: str) -> str:
        st = Path(p).stat()
        return f"{p}|{st.st_size}|{st.st_mtime_ns}"

    res: dict = {p: cached[key(p)] for p in paths if use_cache and key(p) in cached}
    todo = [p for p in paths if p not in res]
    if todo:
        fresh, why = _run_peer_workers(python, which, todo, workers, env)
        if why:
            return {}, why
        res.update(fresh)
        cached.update({key(p): fresh[p] for p in todo if p in fresh and "err" not in fresh[p]})
        cache_file.write_text(json.dumps(cached))
    return res, None


def _run_peer_workers(python: str, which: str, paths: list[str], workers: int, env: dict) -> tuple[dict, str | None]:
    with tempfile.TemporaryDirectory() as td:
        script = Path(td) / "peer.py"
        script.write_text(_PEER_SCRIPT)
        chunks = [paths[i::workers] for i in range(workers)]
        procs = []
        for i, chunk in enumerate(chunks):
            inp, outp = Path(td) / f"in{i}.json", Path(td) / f"out{i}.json"
            inp.write_text(json.dumps(chunk))
            procs.append((subprocess.Popen([python, str(script), str(inp), which, str(outp)], env=env,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True), outp))
        res: dict = {}
        for p, outp in procs:
            _, err = p.communicate()
            if p.returncode != 0 or not outp.exists():
                return {}, f"{which} worker failed: {err.strip().splitlines()[-1:] if err else p.returncode}"
            res.update(json.loads(outp.read_text()))
    return res, None


def _pdq_bits(hexes: list[str]) -> np.ndarray:
    return np.unpackbits(np.array([np.frombuffer(bytes.fromhex(h), dtype=np.uint8) for h in hexes]), axis=1)


def vpdq_match(query: list, ref: list, distance_tolerance: int = 31, quality_tolerance: int = 50,
               query_match_pct: float = 80.0) -> tuple[bool, float]:
    """threatexchange's brute-force vPDQ match: quality filter, dedupe, % of query frames matched."""
    q = sorted({h for h, qual, _ in query if qual >= quality_tolerance})
    r = sorted({h for h, qual, _ in ref if qual >= quality_tolerance})
    if not q or not r:
        return False, 0.0
    qb, rb = _pdq_bits(q), _pdq_bits(r)
    d = (qb[:, None, :] != rb[None, :, :]).sum(axis=2)
    pct = 100.0 * float((d.min(axis=1) <= distance_tolerance).mean())
    return pct >= query_match_pct, pct


def _vh_dist(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


#: Still-frame queries: (frame time [s], JPEG quality, scale) per source clip.
STILL_FRAMES = ((1.32, 80, 1.0), (8.04, 70, 0.5))


def make_stills(src: Path, out_dir: Path) -> list[tuple[Path, float]]:
    """JPEG frames of ``src`` (:data:`STILL_FRAMES`); returns (path, true media time [s])."""
    import av
    from PIL import Image

    out_dir.mkdir(parents=True, exist_ok=True)
    todo = {i: spec for i, spec in enumerate(STILL_FRAMES)}
    paths = {i: out_dir / f"{src.stem}__{t:.2f}_q{q}_x{sc}.jpg" for i, (t, q, sc) in todo.items()}
    times_file = out_dir / f"{src.stem}.times.json"
    if all(p.exists() for p in paths.values()) and times_file.exists():
        times = json.loads(times_file.read_text())
        return [(paths[i], float(times[str(i)])) for i in todo]
    times = {}
    with av.open(str(src)) as c:
        for f in c.decode(video=0):
            for i, (t, q, sc) in list(todo.items()):
                if f.time is not None and f.time >= t:
                    im = Image.fromarray(f.to_ndarray(format="rgb24"))
                    if sc != 1.0:
                        im = im.resize((max(2, int(im.width * sc)), max(2, int(im.height * sc))))
                    im.save(paths[i], quality=q)
                    times[str(i)] = float(f.time)
                    del todo[i]
            if not todo:
                break
    times_file.write_text(json.dumps(times))
    return [(paths[i], float(times[str(i)])) for i in range(len(STILL_FRAMES)) if str(i) in times]


def still_queries(refs: list, negs: list, src_dir: Path, table: CandidateTable, thr: float) -> None:
    """Still-image queries: JPEG frames of the references (positives: the right footage within
    0.5 s of the frame's time) and of the negative sources (a match is a false positive)."""
    out_dir = CACHE / "stills"
    pos_ok, pos_n, neg_hits, neg_scores = 0, 0, 0, []
    for positive, items in ((True, refs), (False, negs)):
        for n, *_ in items:
            src = src_dir / f"{n}.mp4"
            if not src.exists():
                continue
            for path, t_true in make_stills(src, out_dir):
                ms = match_fingerprint(fingerprint(path), table, threshold=0.0, reference_features=_ref_features)
                if positive:
                    pos_n += 1
                    hit = [m for m in ms if m.score >= thr and m.footage_id == n]
                    pos_ok += bool(hit and abs(hit[0].ref_start_s - t_true) <= 0.5)
                else:
                    top = max([m.score for m in ms] or [0.0])
                    neg_scores.append((top, path.name))
                    neg_hits += top >= thr
    neg_scores.sort(reverse=True)
    print(f"\nstill-frame queries (JPEG frames, {', '.join(f'{t} s q{q} x{sc}' for t, q, sc in STILL_FRAMES)}): "
          f"recall {pos_ok}/{pos_n} = {pos_ok / max(1, pos_n):.3f} (right footage, offset <= 0.5 s), "
          f"FPR {neg_hits}/{len(neg_scores)} = {neg_hits / max(1, len(neg_scores)):.3f}; highest negative "
          f"{neg_scores[0][0] if neg_scores else 0:.3f} ({neg_scores[0][1] if neg_scores else '-'})")


def speed_test(peers_python: str, table: CandidateTable, ref_paths: list[Path]) -> dict:
    """Time a 60 s 1080p phone-like clip: ffmpeg keyframe-only decode (the floor), our
    fingerprint, fingerprint + match, ``provenance.analyze`` end to end against an on-disk
    index of ``ref_paths``, and vPDQ."""
    clip = CACHE / "speed_1080p_60s.mp4"
    ff = _ffmpeg()
    if not clip.exists():
        tmp = clip.with_suffix(".tmp.mp4")
        _run([ff, "-y", "-v", "error", "-stream_loop", "-1", "-i", str(CORPUS / "footage/park_street_bus_1080p.mp4"),
              "-t", "60", "-vf", "noise=alls=6:allf=t,hue=H=0.3*sin(t/3)", "-r", "30",
              "-c:v", "libx264", "-preset", "veryfast", "-b:v", "12M", "-maxrate", "12M", "-bufsize", "12M",
              "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-an", str(tmp)])
        tmp.rename(clip)
    out: dict = {}
    t = time.perf_counter()
    _run([ff, "-v", "error", "-skip_frame", "nokey", "-i", str(clip), "-f", "null", "-"])
    out["ffmpeg_keyframes_s"] = time.perf_counter() - t
    t = time.perf_counter()
    fp = fingerprint(clip, variants=True)
    out["ours_fingerprint_s"] = time.perf_counter() - t
    match_fingerprint(fp, table)
    out["ours_query_s"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as td:
        index = FootageIndex(Path(td) / "speed.sqlite", mode="c")
        for ref in ref_paths:
            index.add(ref, footage_id=ref.stem, published_at=datetime(2020, 1, 1, tzinfo=timezone.utc))
        # the default mode: the core install, without the 'ocr' extra's on-screen text reader
        t = time.perf_counter()
        analyze(clip, index=index, ocr=False)
        out["ours_analyze_s"] = time.perf_counter() - t
        if importlib.util.find_spec("rapidocr") is not None:
            t = time.perf_counter()
            analyze(clip, index=index)
            out["ours_analyze_ocr_s"] = time.perf_counter() - t
        index.close()
    # the thorough path: a copy the hashes leave unsure (turned 4 deg), so local features are
    # compared, against an index holding the clip itself
    turned = CACHE / "speed_1080p_60s_turned4.mp4"
    if not turned.exists():
        tmp = turned.with_suffix(".tmp.mp4")
        _run([ff, "-y", "-v", "error", "-i", str(clip), "-vf", "rotate=4*PI/180:c=black", "-c:v", "libx264",
              "-preset", "veryfast", "-b:v", "12M", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0",
              "-pix_fmt", "yuv420p", "-an", str(tmp)])
        tmp.rename(turned)
    t = time.perf_counter()
    _run([ff, "-v", "error", "-skip_frame", "nokey", "-i", str(turned), "-f", "null", "-"])
    out["turned_floor_s"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as td:
        index = FootageIndex(Path(td) / "speed.sqlite", mode="c")
        index.add(clip, footage_id="speed", published_at=datetime(2020, 1, 1, tzinfo=timezone.utc))
        t = time.perf_counter()
        rep = analyze(turned, index=index, ocr=False)
        out["turned_analyze_s"] = time.perf_counter() - t
        out["turned_verified"] = [m.verified_frames for m in rep.matches if m.footage_id == "speed"]
        index.close()
    res, why = run_peer(peers_python, "vpdq", [str(clip)], workers=1, use_cache=False)
    if why or "err" in res.get(str(clip), {"err": 1}):
        out["vpdq_s"] = None
        out["vpdq_why"] = why or res.get(str(clip), {}).get("err")
    else:
        out["vpdq_s"] = res[str(clip)]["t"]
    return out


def print_speed(sp: dict) -> None:
    """Print the speed test's table."""
    print("\nfingerprinting speed, 60 s 1080p H.264 (1 s GOP, 12 Mbps)")
    print(f"  ffmpeg keyframes-only decode (floor): {sp['ffmpeg_keyframes_s']:.2f} s")
    print(f"  ours fingerprint (with variants):     {sp['ours_fingerprint_s']:.2f} s "
          f"({sp['ours_fingerprint_s'] / sp['ffmpeg_keyframes_s']:.2f}x floor)")
    print(f"  ours fingerprint + match:             {sp['ours_query_s']:.2f} s "
          f"({sp['ours_query_s'] / sp['ffmpeg_keyframes_s']:.2f}x floor)")
    print(f"  ours analyze() end to end:            {sp['ours_analyze_s']:.2f} s "
          f"({sp['ours_analyze_s'] / sp['ffmpeg_keyframes_s']:.2f}x floor; metadata, fingerprint, "
          f"SQLite index search, thumbnails, scoring; the core install, no on-screen text)")
    if "ours_analyze_ocr_s" in sp:
        print(f"  ours analyze(), with the 'ocr' extra: {sp['ours_analyze_ocr_s']:.2f} s "
              f"({sp['ours_analyze_ocr_s'] / sp['ffmpeg_keyframes_s']:.2f}x floor; the same and the on-screen text "
              f"reader, which decodes its own frames at 1280 px)")
    if "turned_analyze_s" in sp:
        print(f"  ours analyze(), a copy turned 4 deg:  {sp['turned_analyze_s']:.2f} s "
              f"({sp['turned_analyze_s'] / sp['turned_floor_s']:.2f}x its floor of {sp['turned_floor_s']:.2f} s; "
              f"verified frames of its match: {sp['turned_verified'] or 'none'})")
    if sp.get("vpdq_s"):
        print(f"  vPDQ computeHash:                     {sp['vpdq_s']:.2f} s "
              f"(ours = {sp['ours_fingerprint_s'] / sp['vpdq_s']:.2f} of vPDQ)")
    else:
        print(f"  vPDQ: n/a ({sp.get('vpdq_why')})")


def padded_index_table(ref_rows: dict[str, tuple[np.ndarray, np.ndarray]], src_dir: Path, positives: list[Query],
                       negatives: list[Query], fps: dict, fams: list[str], sizes: list[int], thr: float) -> None:
    """Recall per family of ``positives``, and false positives of ``negatives``, with the index padded
    to each of ``sizes`` rows.

    Padding reuses ``index_scale``'s machinery (:func:`index_scale.padded_table`): synthetic clips
    drifting from real frames of unindexed sources of the *tuning* half, so the padded rows have real
    hash statistics and no reporting query shows a source they come from (a padding clip is a copy
    of its source in hash space). A hit is the true footage at ``thr``; "pad top" counts positives
    whose best match is padding. A negative is a false positive as in the main table (any match but
    a scene-only one of its own camera, padding included); negatives are matched in the seeded sizes
    only (above ``SEEDED_ABOVE_ROWS``: below, the lookup is the main table's exhaustive one).
    """
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import index_scale

    from provenance.matching.match import SEEDED_ABOVE_ROWS

    pool = index_scale.padding_pool(src_dir, keep=lambda name: source_half(name) == "tuning")
    n_real = sum(len(t) for t, _ in ref_rows.values())
    cols: list[tuple[int, dict[str, list[int]], int, float, tuple[int, int, int] | None]] = []
    for size in [n_real, *sizes]:
        t0 = time.perf_counter()
        tab = index_scale.padded_table(ref_rows, size, pool)
        built = time.perf_counter() - t0
        found = {f: [0, 0] for f in fams}
        pad_top, spent = 0, []
        for q in positives:
            fp = fps.get(q.path)
            c0 = time.perf_counter()
            ms = [] if fp is None else [m for m in match_fingerprint(fp, tab, threshold=0.0,
                                                                     reference_features=_ref_features)
                                        if m.score >= thr]
            spent.append(time.perf_counter() - c0)
            found[q.family][1] += 1
            found[q.family][0] += any(m.footage_id == q.source for m in ms)
            pad_top += bool(ms) and ms[0].footage_id.startswith("pad")
        false: tuple[int, int, int] | None = None
        if len(tab) > SEEDED_ABOVE_ROWS:
            n_fp = n_pad = 0
            for q in negatives:
                fp = fps.get(q.path)
                ms = [] if fp is None else match_fingerprint(fp, tab, threshold=thr, reference_features=_ref_features)
                ms = [m for m in ms if getattr(m, "time_resolved", True) or m.footage_id != camera_of(q.source)]
                n_fp += bool(ms)
                n_pad += any(m.footage_id.startswith("pad") for m in ms)
            false = (n_fp, n_pad, len(negatives))
        cols.append((len(tab), found, pad_top, float(np.median(spent)) if spent else float("nan"), false))
        print(f"      padded index {len(tab):,} rows: built in {built:.0f} s, {len(positives)} positives matched "
              f"in {sum(spent):.0f} s", flush=True)
        del tab
    print(f"\npadded index (reporting-half positives at threshold {thr:.2f}; padding: synthetic clips drifting "
          f"from real frames of unindexed tuning-half sources, index_scale.padded_table; the first column is the "
          f"unpadded index)")
    hdr = ["family", "pos", *[f"{n:,} rows" for n, *_ in cols]]
    w = [12, 5, *[14] * len(cols)]
    print(" ".join(h.ljust(x) for h, x in zip(hdr, w)))
    for fam in fams + ["POOLED"]:
        cells = []
        for _, found, _, _, _ in cols:
            a = sum(v[0] for f, v in found.items() if fam in ("POOLED", f))
            b = sum(v[1] for f, v in found.items() if fam in ("POOLED", f))
            cells.append(f"{a / b:.3f} ({a}/{b})" if b else "n/a")
        n_pos = sum(v[1] for f, v in cols[0][1].items() if fam in ("POOLED", f))
        print(" ".join(str(c).ljust(x) for c, x in zip([fam, n_pos, *cells], w)))
    print(" ".join(str(c).ljust(x) for c, x in zip(["pad top", "", *[c[2] for c in cols]], w)))
    print(" ".join(str(c).ljust(x) for c, x in zip(["match s p50", "", *[f"{c[3]:.3f}" for c in cols]], w)))
    fpr = [f"{c[4][0] / max(1, c[4][2]):.3f} ({c[4][0]}/{c[4][2]})" if c[4] else "-" for c in cols]
    print(" ".join(str(c).ljust(x) for c, x in zip(["FPR", len(negatives), *fpr], w)))
    print(" ".join(str(c).ljust(x) for c, x in zip(["FP padding", "", *[c[4][1] if c[4] else "-" for c in cols]], w)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="4 references, 10 negatives, no speed test")
    ap.add_argument("--calibrate", action="store_true", help="print the threshold the negatives imply")
    ap.add_argument("--peers-python", default="/work/venv-peers/bin/python")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--speed-only", action="store_true", help="only the 60 s 1080p speed test")
    ap.add_argument("--fixed-only", action="store_true",
                    help="only the fixed-camera table's reporting half, one strength per family (every "
                         "reference is still indexed)")
    ap.add_argument("--videohash-neg-every", type=int, default=3,
                    help="run videohash on every k-th negative (all positives)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--top-negatives", type=int, default=8, help="print this many highest-scoring negatives")
    ap.add_argument("--families", type=lambda v: [f.strip() for f in v.split(",") if f.strip()], default=None,
                    help=f"comma-separated families to run (positives and negatives); default all: {','.join(FAMILIES)}")
    ap.add_argument("--pad-sizes", type=lambda v: [int(float(x)) for x in v.split(",") if x], default=[10_000, 1_000_000],
                    help="index sizes [rows] of the padded-index table (comma-separated; empty: no such table)")
    ap.add_argument("--half", choices=("both", "reporting", "tuning"), default="both",
                    help="query only one half's sources (every reference is still indexed)")
    ap.add_argument("--pad-10m", action="store_true", help="also pad the index to 10M rows (slow, ~1 GB)")
    ap.add_argument("--no-verify", action="store_true",
                    help="hashes only: no geometric verification on stored local features")
    args = ap.parse_args(argv)
    if args.families:
        unknown = sorted(set(args.families) - set(FAMILIES))
        if unknown:
            ap.error(f"unknown families {unknown}; known: {', '.join(FAMILIES)}")
    if args.pad_10m:
        args.pad_sizes = [*args.pad_sizes, 10_000_000]

    t_start = time.perf_counter()
    refs = REFS[:4] if args.quick else REFS
    negs = NEGS[::3] if args.quick else NEGS
    missing = [n for n, (f, _, _) in EXTRA_SOURCES.items() if not (EXTRA / f).exists()]
    if missing and not args.quick:
        print(f"note: extra fixed-camera sources absent from {EXTRA} (see EXTRA_SOURCES), skipped: {missing}")
    if not args.quick:
        refs = refs + [r for r in FIXED_REFS if r[0] not in missing]
        negs = negs + [n for n in FIXED_NEGS if camera_of(n[0]) not in missing]
    src_dir, q_dir = CACHE / "sources", CACHE / "queries"
    src_dir.mkdir(parents=True, exist_ok=True)
    q_dir.mkdir(parents=True, exist_ok=True)

    print(f"[1/5] sources: {len(refs)} references + {len(DISTRACTOR_REFS)} indexed distractors, "
          f"{len(negs)} negative sources", flush=True)
    jobs = [(n, s, st, src_dir / f"{n}.mp4", REF_END_S.get(n)) for n, s, st in refs]
    jobs += [(n, "lavfi:" + s, 0.0, src_dir / f"{n}.mp4", REF_LEN_S) for n, s in DISTRACTOR_REFS]
    jobs += [(n, s, st, src_dir / f"{n}.mp4", REF_LEN_S) for n, s, st in negs]
    have = {j[0] for j in jobs}
    jobs += [(n, s, st, src_dir / f"{n}.mp4", REF_LEN_S) for n, s, st in NEGS if n in FILLERS and n not in have]
    with ProcessPoolExecutor(args.workers) as ex:
        list(ex.map(make_source, *zip(*jobs)))
    # positives of the extra fixed cameras copy a 10 s stretch inside their reference
    for n in COPY_START_S:
        if (src_dir / f"{n}.mp4").exists() and not (src_dir / f"{n}__copy.mp4").exists():
            _run([_ffmpeg(), "-y", "-v", "error", "-ss", str(COPY_START_S[n]), "-i", str(src_dir / f"{n}.mp4"),
                  "-t", str(REF_LEN_S), *_X264, "-crf", "18", "-g", "50", str(src_dir / f"{n}__copy.mp4")])

    print("[2/5] indexing references", flush=True)
    table = CandidateTable(32)
    ref_rows = {}  # footage id -> (times [s], hashes), for the padded-index table
    for n, *_ in refs + [(n, s, 0.0) for n, s in DISTRACTOR_REFS]:
        # as FootageIndex.add stores them: frame rows and the local features of a few frames
        fp, _, feats = fingerprint_with_thumbnails(src_dir / f"{n}.mp4")
        ref_rows[n] = reference_rows(fp)
        table.add(n, *ref_rows[n])
        if not args.no_verify:
            REF_FEATURES[n] = [(t, LocalFeatures.from_bytes(b)) for t, b in feats]
    if args.speed_only:
        print_speed(speed_test(args.peers_python, table, [src_dir / f"{n}.mp4" for n, *_ in refs]))
        return 0

    print("[3/5] transformed queries", flush=True)
    transforms = [t for t in TRANSFORMS if not args.families or t[0] in args.families]
    queried_refs, queried_negs = refs, negs
    if args.half != "both":
        queried_refs = [r for r in refs if source_half(r[0]) == args.half]
        queried_negs = [n for n in negs if source_half(n[0]) == args.half]
    if args.fixed_only:
        transforms = [t for i, t in enumerate(TRANSFORMS) if (i == 0 or t[0] != TRANSFORMS[i - 1][0])
                      and (not args.families or t[0] in args.families)]
        queried_refs = [r for r in refs if r[0] in FIXED_CAMERAS and source_half(r[0]) == "reporting"]
        queried_negs = [n for n in negs if camera_of(n[0]) and source_half(n[0]) == "reporting"]
    filler_pos = src_dir / f"{negs[0][0]}.mp4"
    filler_neg = src_dir / f"{negs[-1][0]}.mp4"
    qjobs, meta = [], {}
    for positive, items in ((True, queried_refs), (False, queried_negs)):
        for n, *_ in items:
            for fam, tname, kind, arg in transforms:
                out = q_dir / f"{'pos' if positive else 'neg'}__{n}__{fam}__{tname}.mp4"
                filler = filler_pos if positive else (filler_neg if n != negs[-1][0] else filler_pos)
                fillers = [str(filler)]
                if kind in LAYOUT_KINDS:  # unindexed clips of the source's own half
                    fillers = [str(src_dir / f"{f}.mp4") for f in fillers_for(n)]
                meta[str(out)] = Query(str(out), fam, tname, n, positive)
                src_name = f"{n}__copy" if positive and n in COPY_START_S else n
                qjobs.append((str(src_dir / f"{src_name}.mp4"), fillers, kind, arg, str(out)))
    todo = [j for j in qjobs if not Path(j[4]).exists()]
    truth_file = CACHE / "truth.json"
    truths = json.loads(truth_file.read_text()) if truth_file.exists() else {}
    with ProcessPoolExecutor(args.workers) as ex:
        for made in ex.map(_make_query_job, todo, chunksize=4):
            if made:
                truths[made[0]] = [made[1], made[2]]
    truth_file.write_text(json.dumps(truths))
    queries = [meta[j[4]] for j in qjobs if Path(j[4]).exists()]
    for q in queries:
        q.speed, q.offset = truths.get(q.path, [1.0, 0.0])
        if q.positive:
            q.offset += COPY_START_S.get(q.source, 0.0)
    n_pos = sum(q.positive for q in queries)
    print(f"      {n_pos} positive and {len(queries) - n_pos} negative queries", flush=True)

    print("[4/5] ours", flush=True)
    ours: dict[str, dict] = {}
    fps_times = []
    kept_fps = {}  # reporting-half fingerprints, kept for the padded-index table
    source_of = {q.path: q.source for q in queries}
    with ProcessPoolExecutor(args.workers) as ex:
        for path, fp, dt in ex.map(_fingerprint_job, [q.path for q in queries], chunksize=4):
            fps_times.append(dt)
            t_match = time.perf_counter()
            ms = [] if fp is None else match_fingerprint(fp, table, threshold=0.0, reference_features=_ref_features)
            ours[path] = {"matches": ms, "t": dt + time.perf_counter() - t_match}
            if args.pad_sizes and source_half(source_of[path]) == "reporting":
                kept_fps[path] = fp

    peers: dict[str, tuple[dict, str | None]] = {}
    if not args.no_peers:
        print("[5/5] peers (vPDQ, videohash)", flush=True)
        ref_paths = [str(src_dir / f"{n}.mp4") for n, *_ in refs + [(n, s, 0.0) for n, s in DISTRACTOR_REFS]]
        qpaths = [q.path for q in queries]
        peers["vpdq"] = run_peer(args.peers_python, "vpdq", ref_paths + qpaths, args.workers)
        negs_q = [q.path for q in queries if not q.positive]
        vh_paths = [q.path for q in queries if q.positive] + negs_q[::max(1, args.videohash_neg_every)]
        peers["videohash"] = run_peer(args.peers_python, "videohash", ref_paths + vh_paths, args.workers)

    # ------------------------------------------------------------------ scoring
    ref_ids = [n for n, *_ in refs] + [n for n, _ in DISTRACTOR_REFS]
    def counts_against(q: Query, m) -> bool:
        """Would this match of a negative be a false positive? A scene-only match of the same
        fixed camera is right (the same view, moment unresolved)."""
        return not (not getattr(m, "time_resolved", True) and m.footage_id == camera_of(q.source))

    def top_score(q: Query) -> float:
        ms = ours[q.path]["matches"]
        if not q.positive:
            ms = [m for m in ms if counts_against(q, m)]
        return max([m.score for m in ms] or [0.0])

    neg_scores = sorted((top_score(q) for q in queries if not q.positive), reverse=True)
    top_negs = sorted((q for q in queries if not q.positive), key=top_score, reverse=True)[:args.top_negatives]
    if top_negs:
        print("highest-scoring negatives (clip -> best footage, score, variant):")
        for q in top_negs:
            ms = ours[q.path]["matches"]
            m = ms[0] if ms else None
            print(f"  {Path(q.path).name:60s} -> {m.footage_id if m else '-':14s} {top_score(q):.3f} "
                  f"{m.variant if m else ''} q {m.query_start_s if m else 0:.1f}-{m.query_end_s if m else 0:.1f} s "
                  f"ref {m.ref_start_s if m else 0:.1f} s" if m else f"  {Path(q.path).name:60s} -> -")
    cal_names, test_names = calibration_split([n for n, *_ in negs])
    cal_scores = [top_score(q) for q in queries if not q.positive and q.source in cal_names]
    thr_cal = calibrated_threshold(cal_scores)
    if args.calibrate:
        print(f"calibration split ({len(cal_names)} sources, {len(cal_scores)} clips): highest score "
              f"{max(cal_scores, default=0):.4f} -> calibrated threshold {thr_cal:.2f} "
              f"(x{CALIBRATION_MARGIN}); MATCH_THRESHOLD in the code: {MATCH_THRESHOLD}")

    # The table is scored at the threshold this run's calibration split implies (the protocol:
    # calibrate on distractors, test on others); MATCH_THRESHOLD in the code is set from it.
    # --fixed-only queries too few negatives to calibrate on, and --families only some families:
    # the code's global threshold (set from a full run's calibration) decides
    thr_used = MATCH_THRESHOLD if args.fixed_only or args.families or not cal_scores else thr_cal

    def ours_decision(q: Query) -> tuple[bool, float | None]:
        ms = [m for m in ours[q.path]["matches"] if m.score >= thr_used]
        if not q.positive:
            return any(counts_against(q, m) for m in ms), None
        hit = [m for m in ms if m.footage_id == q.source]
        if not hit:
            return False, None
        m = hit[0]
        if not getattr(m, "time_resolved", True):
            return True, None  # the right camera view; no moment to check
        true_ref = q.speed * m.query_start_s + q.offset
        return True, abs(m.ref_start_s - true_ref)

    def resolved_hit(q: Query) -> bool:
        ok, err = ours_decision(q)
        return ok and err is not None and err <= 0.5

    def scene_only(q: Query) -> bool:
        return any(m.score >= thr_used and not getattr(m, "time_resolved", True)
                   and m.footage_id == (q.source if q.positive else camera_of(q.source))
                   for m in ours[q.path]["matches"])

    def vpdq_decision(q: Query) -> bool | None:
        res, why = peers.get("vpdq", ({}, "not run"))
        if why or q.path not in res or "err" in res[q.path]:
            return None
        hits = []
        for rid in ref_ids:
            rp = str(src_dir / f"{rid}.mp4")
            if rp in res and "h" in res[rp]:
                ok, _ = vpdq_match(res[q.path]["h"], res[rp]["h"])
                if ok:
                    hits.append(rid)
        return (q.source in hits) if q.positive else bool(hits)

    def vh_decision(q: Query) -> bool | None:
        res, why = peers.get("videohash", ({}, "not run"))
        if why or q.path not in res or "err" in res[q.path]:
            return None
        hits = [rid for rid in ref_ids if "h" in res.get(str(src_dir / f"{rid}.mp4"), {})
                and _vh_dist(res[q.path]["h"], res[str(src_dir / f"{rid}.mp4")]["h"]) <= 10]
        return (q.source in hits) if q.positive else bool(hits)

    extra_names = set(COPY_START_S) | {n for n, *_ in FIXED_NEGS}
    all_queries, queries = queries, [q for q in queries if q.source not in extra_names]
    fams = sorted({q.family for q in queries}, key=list(FAMILIES).index)

    def rate(xs: list) -> str:
        xs = [x for x in xs if x is not None]
        return f"{np.mean(xs):.3f}" if xs else "n/a"

    def peer_time(which: str, qs: list[Query]) -> str:
        res = peers.get(which, ({}, "not run"))[0]
        ts = [res[q.path]["t"] for q in qs if "t" in res.get(q.path, {})]
        return f"{np.median(ts):.2f}" if ts else "n/a"

    def family_rows(half: str) -> list[tuple]:
        """One row per family and a pooled row, over the positives and negatives of one half."""
        rows = []
        for fam in fams + ["POOLED"]:
            sel = [q for q in queries if (fam == "POOLED" or q.family == fam) and source_half(q.source) == half]
            pos = [q for q in sel if q.positive]
            neg = [q for q in sel if not q.positive]
            dec = [ours_decision(q) for q in pos]
            errs = [d[1] for d in dec if d[0] and d[1] is not None]
            rows.append((fam, len(pos), len(neg), rate([d[0] for d in dec]), rate([ours_decision(q)[0] for q in neg]),
                         f"{np.median(errs):.2f}" if errs else "-", rate([e <= 0.5 for e in errs]),
                         f"{np.median([ours[q.path]['t'] for q in sel]):.2f}" if sel else "-",
                         rate([vpdq_decision(q) for q in pos]), rate([vpdq_decision(q) for q in neg]),
                         peer_time("vpdq", sel), rate([vh_decision(q) for q in pos]),
                         rate([vh_decision(q) for q in neg]), peer_time("videohash", sel)))
        return rows

    print()
    print(f"single global threshold used below: {thr_used:.2f}, "
          + ("the code's MATCH_THRESHOLD (--families/--fixed-only/--half reporting: too few negatives to calibrate on)"
             if args.families or args.fixed_only or not cal_scores else
             f"calibrated on this run's tuning-half negatives (highest score {max(cal_scores, default=0):.3f} x "
             f"{CALIBRATION_MARGIN})") + f"; MATCH_THRESHOLD in the code = {MATCH_THRESHOLD}; highest score of any "
          f"negative {neg_scores[0] if neg_scores else 0:.3f}")
    if abs(thr_used - MATCH_THRESHOLD) > 1e-9:
        pos_rep = [q for q in queries if q.positive and source_half(q.source) == "reporting"]
        neg_rep = [q for q in queries if not q.positive and source_half(q.source) == "reporting"]
        thr_used, keep = MATCH_THRESHOLD, thr_used
        print(f"  at MATCH_THRESHOLD = {MATCH_THRESHOLD}: reporting-half pooled recall "
              f"{rate([ours_decision(q)[0] for q in pos_rep])}, FPR {rate([ours_decision(q)[0] for q in neg_rep])}")
        thr_used = keep
    hdr = ("family", "pos", "neg", "recall", "FPR", "med|dOff|s", "off<=0.5", "s/query", "vPDQ rec",
           "vPDQ FPR", "vPDQ s/q", "vh rec", "vh FPR", "vh s/q")
    widths = [12, 5, 5, 7, 7, 10, 9, 8, 9, 9, 9, 7, 7, 7]
    if args.fixed_only:
        print("(--fixed-only: the tables below cover only the fixed-camera queries of this run)")
    for half in ("reporting", "tuning"):
        refs_h = sorted({q.source for q in queries if q.positive and source_half(q.source) == half})
        negs_h = sorted({q.source for q in queries if not q.positive and source_half(q.source) == half})
        if not refs_h and not negs_h:
            print(f"\n{half} half: not queried in this run (--half)")
            continue
        if half == "reporting":
            print(f"\nREPORTING HALF (sources never used to choose thresholds or parameters): references "
                  f"{', '.join(refs_h)}; {len(negs_h)} negative sources ({', '.join(negs_h)})")
        else:
            print(f"\ntuning half (IN-SAMPLE: the threshold is calibrated on its negatives, parameters are "
                  f"chosen on it; not a prediction): references {', '.join(refs_h)}; {len(negs_h)} negative "
                  f"sources ({', '.join(negs_h)})")
        print(" ".join(h.ljust(w) for h, w in zip(hdr, widths)))
        for row in family_rows(half):
            print(" ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    print("recall: the right footage at the threshold; FPR: negatives (unindexed sources under the same "
          "families) matched to any footage; |dOff|: reference offset error of the hits; s/query: ours "
          "fingerprint + match, peers hashing only (median, cached peer timings reused)")
    for name in ("vpdq", "videohash"):
        if name in peers and peers[name][1]:
            print(f"{name}: n/a ({peers[name][1]})")
    if args.no_peers:
        print("peers: n/a (--no-peers)")
    if not args.no_peers:
        print(f"(videohash ran on all positives and every {args.videohash_neg_every}th negative)")
    print(f"mean fingerprint time per query: {np.mean(fps_times):.3f} s")
    if args.pad_sizes:
        rep = [q for q in queries if source_half(q.source) == "reporting"]
        padded_index_table(ref_rows, src_dir, [q for q in rep if q.positive], [q for q in rep if not q.positive],
                           kept_fps, fams, args.pad_sizes, thr_used)

    # fixed cameras (issue 18): copies and other moments of the same cameras, by half
    print("\nfixed cameras: copies of a stretch of the reference vs later stretches of the same camera "
          "(every transform family pooled)")
    hdr2 = ("half", "cameras", "pos", "recall", "resolved", "scene-only", "neg", "FP", "scene-only",
            "vPDQ rec", "vPDQ FPR", "vh rec", "vh FPR")
    w2 = [10, 48, 5, 7, 9, 11, 5, 7, 11, 9, 9, 7, 7]
    print(" ".join(h.ljust(w) for h, w in zip(hdr2, w2)))
    for half in ("reporting", "tuning"):
        cams = [c for c in FIXED_CAMERAS if source_half(c) == half and any(q.source == c for q in all_queries)]
        pos = [q for q in all_queries if q.positive and q.source in cams]
        neg = [q for q in all_queries if not q.positive and camera_of(q.source) in cams]

        def rate2(xs: list) -> str:
            xs = [x for x in xs if x is not None]
            return f"{np.mean(xs):.3f}" if xs else "n/a"

        print(" ".join(str(c).ljust(w) for c, w in zip((
            half, ",".join(cams), len(pos), rate2([ours_decision(q)[0] for q in pos]),
            rate2([resolved_hit(q) for q in pos]), rate2([scene_only(q) for q in pos]), len(neg),
            rate2([ours_decision(q)[0] for q in neg]), rate2([scene_only(q) for q in neg]),
            rate2([vpdq_decision(q) for q in pos]), rate2([vpdq_decision(q) for q in neg]),
            rate2([vh_decision(q) for q in pos]), rate2([vh_decision(q) for q in neg])), w2)))
        for fam in fams if half == "reporting" else []:
            fp_ = [q for q in pos if q.family == fam]
            fn_ = [q for q in neg if q.family == fam]
            print(f"    {fam:16s} recall {rate2([ours_decision(q)[0] for q in fp_])} resolved "
                  f"{rate2([resolved_hit(q) for q in fp_])}  FP {rate2([ours_decision(q)[0] for q in fn_])} "
                  f"scene-only {rate2([scene_only(q) for q in fn_])}")
    print("recall: the right footage at the threshold; resolved: and its moment within 0.5 s; "
          "scene-only: a match that says only 'same camera view, moment unresolved'; FP: a negative "
          "matched other than as a scene-only match of its own camera")

    if args.fixed_only or args.families:
        print(f"\n(--fixed-only/--families: corpus ground truth, still frames and the speed test skipped)\n"
              f"total benchmark time {time.perf_counter() - t_start:.0f} s")
        return 0
    # corpus ground truth
    print("\ncorpus ground truth (reference -> query, ours at the global threshold)")
    gt = [("footage/chair_orig-22_sd.mp4", q, o) for q, o in (
        ("footage/chair_22_grey.mp4", 0.0), ("footage/chair_22_sepia.mp4", 0.0),
        ("footage/chair_22_small-logo.mp4", 0.0), ("footage/chair_22_large-logo.mp4", 0.0),
        ("footage/chair_22_trim-2.0s.mp4", 2.0), ("footage/chair_22_trim-3.7s.mp4", 3.7),
        ("footage/doorknob_hd.mp4", None))]
    gt += [("footage/pattern_hd.mp4", "footage/pattern_sd_grey.mp4", 0.0),
           ("footage/pattern_hd.mp4", "footage/pattern_sd_small-logo.mp4", 0.0),
           ("footage/highway_overhead_640x360.avi", "footage/highway_overhead_320x176.avi", 0.0),
           ("footage/highway_overhead_640x360.avi", "footage/highway_roadside.avi", None),
           ("footage/trafficcam_burned-in-timestamp_hq.avi", "footage/trafficcam_burned-in-timestamp.avi", 0.0),
           ("footage/dashcam_highway_solidWhiteRight.mp4", "footage/dashcam_highway_solidWhiteRight_frame.jpg", 0.72),
           ("metadata/apple_ipadmini_hevc.mov", "metadata/apple_coremedia_export_avc.mp4", 0.0)]
    ctab = CandidateTable(32)
    for rel in sorted({g[0] for g in gt}):
        fp = fingerprint(CORPUS / rel, variants=False, fps=INDEX_FPS)
        ctab.add(rel, *reference_rows(fp))
    for ref, gq, off in gt:
        ms = match_fingerprint(fingerprint(CORPUS / str(gq)), ctab, threshold=thr_used)
        hit = [m for m in ms if m.footage_id == ref]
        if off is None:
            verdict = "OK (no match)" if not ms else f"FALSE MATCH {ms[0]!r}"
        elif hit:
            err = abs(hit[0].ref_start_s - (hit[0].query_start_s + off))
            verdict = f"{'OK' if err <= 0.5 else 'OFFSET'} score={hit[0].score:.3f} offset err={err:.2f} s"
        else:
            verdict = "MISSED"
        print(f"  {Path(str(gq)).name:44s} -> {Path(str(ref)).name:38s} {verdict}")

    still_queries(refs, negs, src_dir, table, thr_used)

    if not args.quick:
        print_speed(speed_test(args.peers_python, table, [src_dir / f"{n}.mp4" for n, *_ in refs]))
    print(f"\ntotal benchmark time {time.perf_counter() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
