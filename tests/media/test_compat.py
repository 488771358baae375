"""PyAV 12..19 behind one set of helpers, and every foreign exception turned into the library's error."""

from __future__ import annotations

import json
import math
import struct
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

import provenance
from provenance.errors import CorruptMediaError, MediaError, MediaTooLargeError, UnsupportedMediaError
from provenance.media import MediaFile, _av
from provenance.media.decode import iter_video_frames, video_layout
from provenance.media.probe import probe
from provenance.media.source import translate_error

ROOT = Path(__file__).resolve().parents[2]


def _matrix(angle_deg: float) -> bytes:
    """FFmpeg's av_display_rotation_set (libavutil/display.c): a clockwise rotation by ``angle_deg``."""
    r = -angle_deg * math.pi / 180.0
    c, s = math.cos(r), math.sin(r)
    m = [round(c * 65536), round(-s * 65536), 0, round(s * 65536), round(c * 65536), 0, 0, 0, 1 << 30]
    return struct.pack("<9i", *m)


@pytest.mark.parametrize("angle", [0, 90, 180, 270, -90])
def test_display_matrix_rotation_matches_ffmpeg(angle):
    # av_display_rotation_get returns the counter-clockwise angle of a matrix set as clockwise
    got = _av._matrix_rotation(_matrix(angle))
    assert got is not None
    assert ((got + angle + 180) % 360) - 180 == pytest.approx(0.0, abs=1e-3)
    assert _av._matrix_rotation(b"\x00" * 36) is None and _av._matrix_rotation(b"") is None


def test_rotation_of_a_rotated_phone_clip_on_this_pyav(corpus):
    """-90 (ffprobe's sign) on every PyAV: frame.rotation (>= 13) or the display matrix (12)."""
    with MediaFile(corpus / "metadata" / "apple_ipadmini_hevc.mov") as m, m.container() as c:
        stream = c.streams.video[0]
        frame = next(iter(c.decode(stream)))
        assert _av.rotation(frame, stream) == pytest.approx(-90.0)
        assert _av.rotation(frame) == pytest.approx(-90.0)  # without the stream's side data too
        assert _av.is_key(frame)
    assert probe(corpus / "metadata" / "apple_ipadmini_hevc.mov").rotation_deg == -90
    frames = list(iter_video_frames(corpus / "metadata" / "apple_ipadmini_hevc.mov", keyframes_only=True,
                                    max_side=160))
    assert frames and frames[0].image.shape[0] > frames[0].image.shape[1]  # portrait after rotation


class _Named:
    def __init__(self, name):
        self.name = name


class _Frame:
    def __init__(self, key_frame, pict_type):
        self.key_frame = key_frame
        self.pict_type = pict_type


@pytest.mark.parametrize("frame, expected", [
    (_Frame(1, None), True),                 # PyAV 12: key_frame is an int
    (_Frame(False, _Named("I")), True),      # PyAV 12: pict_type is an av.enum item
    (_Frame(False, 1), True),                # PyAV >= 13: a plain int (AV_PICTURE_TYPE_I)
    (_Frame(False, 2), False),
    (_Frame(False, _Named("P")), False),
    (_Frame(0, None), False),
])
def test_is_key_across_versions(frame, expected):
    assert _av.is_key(frame) is expected


def test_open_without_metadata_errors_keyword(corpus, monkeypatch):
    """PyAV 19 removed av.open's ``metadata_errors``: the media object opens without it."""
    real = av.open
    seen = []

    def pyav19_open(file, *args, **kwargs):
        seen.append(sorted(kwargs))
        if "metadata_errors" in kwargs:
            raise TypeError("open() got an unexpected keyword argument 'metadata_errors'")
        return real(file, *args, **kwargs)

    monkeypatch.setattr(av, "open", pyav19_open)
    monkeypatch.setattr(_av, "_accepts_metadata_errors", None)
    fp = provenance.fingerprint(corpus / "footage" / "chair_orig-22_sd.mp4")
    assert len(fp) > 5
    assert ["metadata_errors", "mode"] in seen and ["mode"] in seen


@pytest.mark.parametrize("exc, expected", [
    (AttributeError("'VideoFrame' object has no attribute 'key_frame'"), CorruptMediaError),  # API drift
    (TypeError("an integer is required"), CorruptMediaError),
    (MemoryError(), MediaTooLargeError),
    (OSError(5, "Input/output error"), CorruptMediaError),
    (RecursionError(), CorruptMediaError),
])
def test_foreign_errors_in_decoding_become_media_errors(exc, expected, corpus, monkeypatch):
    def boom(frame):
        raise exc

    monkeypatch.setattr(_av, "is_key", boom)
    clip = corpus / "footage" / "chair_orig-22_sd.mp4"
    with pytest.raises(expected) as info:
        provenance.fingerprint(clip)
    assert info.value.path == str(clip) and clip.name in str(info.value)


def test_pyav_errors_become_media_errors(corpus, monkeypatch):
    clip = corpus / "footage" / "chair_orig-22_sd.mp4"

    def broken_open(*a, **k):
        raise av.error.InvalidDataError(1094995529, "Invalid data found when processing input")

    monkeypatch.setattr(av, "open", broken_open)
    with pytest.raises(UnsupportedMediaError) as info:
        video_layout(clip)
    assert info.value.path == str(clip)


def test_pillow_errors_become_media_errors(corpus, monkeypatch, tmp_path):
    """Stills are decoded by Pillow: its decompression-bomb refusal is a MediaTooLargeError, a
    truncated JPEG a CorruptMediaError (never a partly grey picture)."""
    from PIL import Image

    jpg = corpus / "footage" / "dashcam_highway_solidWhiteRight_frame.jpg"

    def bomb(*a, **k):
        raise Image.DecompressionBombError("Image size (300000000 pixels) exceeds limit of 178956970 pixels")

    with monkeypatch.context() as m:
        m.setattr(Image, "open", bomb)
        with pytest.raises(MediaTooLargeError, match="too large"):
            provenance.fingerprint(jpg)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(jpg.read_bytes()[: jpg.stat().st_size // 2])
    with pytest.raises(CorruptMediaError) as info:
        provenance.fingerprint(cut)
    assert info.value.path == str(cut)


def test_opencv_errors_are_mapped_by_name_without_importing_it():
    """The optional OCR still uses OpenCV: its errors are recognised by module name, so the
    mapping works (and imports nothing) when OpenCV is not installed."""
    err = type("error", (Exception,), {"__module__": "cv2"})
    out = translate_error(err("OpenCV(5.0.0) error: (-215:Assertion failed) pixels <= CV_IO_MAX_IMAGE_PIXELS"),
                          "/x/big.png", "decode")
    assert isinstance(out, MediaTooLargeError) and out.path == "/x/big.png"
    assert isinstance(translate_error(err("bad"), "/x/a.png"), CorruptMediaError)


def test_truncated_and_flipped_real_files_give_library_errors_only(corpus, tmp_path):
    rng = np.random.default_rng(7)
    src = (corpus / "metadata" / "android601_with-gps.mp4").read_bytes()
    for i in range(6):
        data = bytearray(src[: int(len(src) * rng.uniform(0.05, 0.95))])
        for j in rng.integers(0, min(len(data), 4096), 8):
            data[int(j)] ^= 0xFF
        p = tmp_path / f"m{i}.mp4"
        p.write_bytes(bytes(data))
        for step in (provenance.extract_metadata, provenance.fingerprint):
            try:
                step(p)
            except MediaError:
                pass


def test_fuzz_slice_runs_clean(tmp_path):
    """The bounded slice of benchmarks/fuzz.py: every crafted bomb and 8 mutations through the four calls,
    each forked under a memory cap: no foreign error, no hang, no record stored on refusal, peak RSS <= 1.5 GB."""
    results = tmp_path / "results.jsonl"
    # a generous per-call timeout: a loaded CI machine must not turn a slow call into a "hang"
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fuzz.py"), "--quick", "--timeout", "240",
                          "--workdir", str(tmp_path), "--json", str(results)],
                         capture_output=True, text=True, timeout=1500, cwd=ROOT)
    assert "fuzz: 23 inputs" in out.stdout, out.stdout + out.stderr[-2000:]
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    assert len(rows) == 92
    assert {r["outcome"] for r in rows} <= {"ok", "library"}, [r for r in rows if r["outcome"] not in ("ok", "library")]
    assert max(r["maxrss_mb"] for r in rows) <= 1536
    bombs = {r["input"]: r for r in rows if r["input"].startswith("bomb_jpeg") and r["call"] == "fingerprint"}
    assert bombs and all(r["error"] == "MediaTooLargeError" for r in bombs.values())
    assert out.returncode == 0, out.stdout


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_no_decoder_threads_outlive_a_call(corpus):
    """PyAV 12 frees decoder threads only when a reference cycle is collected: none may be left
    running after a call (a long-lived process, or one that forks, would carry them)."""
    def decoder_threads():
        names = []
        for t in Path("/proc/self/task").iterdir():
            try:
                names.append((t / "comm").read_text().strip())
            except OSError:  # the thread ended while we looked
                pass
        return [n for n in names if n.startswith("av:")]

    import gc

    gc.collect()  # threads of containers that earlier tests' kept tracebacks still reference
    before = len(decoder_threads())
    provenance.fingerprint(corpus / "footage" / "doorknob_hd.mp4", variants=False, fps=4.0)
    assert len(decoder_threads()) <= before


@pytest.mark.parametrize("name", ["footage/street_security-cam_cars.mp4", "metadata/apple_iphone6_with-gps.mov",
                                  "metadata/gopro_max_heromode.mp4", "footage/nasa_artemis1_hotfire_vp9.mkv",
                                  "footage/highway_overhead_640x360.avi", "metadata/canon_MVI_4823.avi"])
def test_decoding_chosen_keyframes_alone_gives_the_same_pictures(corpus, name):
    """``keyframes_at_s`` feeds the decoder only the chosen keyframe packets (H.264, HEVC, VP9, and the
    AVI codecs of a traffic camera and a Canon compact): the pictures and times are those of a full keyframe decode, and nothing else comes out."""
    path = corpus / name
    every = list(iter_video_frames(path, keyframes_only=True, max_side=320, max_frames=10_000))
    kf = video_layout(path).keyframe_times_s
    assert len(every) >= 3 and len(kf) >= 3
    chosen = [float(kf[0]), float(kf[len(kf) // 2]), float(kf[-1])]
    some = list(iter_video_frames(path, keyframes_only=True, keyframes_at_s=chosen, max_side=320, max_frames=10))
    assert [round(f.time_s, 3) for f in some] == [round(t, 3) for t in chosen]
    by_time = {round(f.time_s, 3): f.image for f in every}
    for f in some:
        assert np.array_equal(f.image, by_time[round(f.time_s, 3)])


@pytest.mark.parametrize("kwargs", [{"keyframes_at_s": [0.0]},                           # not keyframes_only
                                    {"keyframes_only": True, "keyframes_at_s": [float("nan")]},
                                    {"keyframes_only": True, "keyframes_at_s": [[0.0, 1.0]]},
                                    {"keyframes_only": True, "keyframes_at_s": ["soon"]}])
def test_chosen_keyframes_refuse_wrong_arguments(corpus, kwargs):
    from provenance.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError):
        list(iter_video_frames(corpus / "footage/street_security-cam_cars.mp4", max_side=160, **kwargs))


@pytest.mark.parametrize("name", ["footage/park_street_bus_1080p.mp4", "metadata/apple_iphone6_with-gps.mov",
                                  "footage/nasa_artemis1_hotfire_vp9.mkv"])
def test_detail_pictures_come_from_the_same_decoded_frames(corpus, name):
    """``detail_at_s``: the first yielded frame at or after each time also comes greyscale at
    ``detail_side``, the same picture as the small image (displayed the same way up), no other frame."""
    from provenance.media.imageops import resize_area, rgb_to_grey

    path = corpus / name
    frames = list(iter_video_frames(path, times_s=[0.0, 1.0, 2.0, 3.0], include_keyframes=False, max_side=320,
                                    detail_at_s=[0.0, 2.0], detail_side=640))
    with_detail = [f for f in frames if f.detail is not None]
    assert [round(f.time_s) for f in with_detail] == [0, 2]
    for f in with_detail:
        assert max(f.detail.shape) == min(640, max(f.detail.shape)) and f.detail.ndim == 2
        # landscape stays landscape, portrait portrait (rotation applied to both pictures)
        assert (f.detail.shape[0] > f.detail.shape[1]) == (f.image.shape[0] > f.image.shape[1])
        small = resize_area(f.detail, (f.image.shape[1], f.image.shape[0])).astype(np.int16)
        assert float(np.abs(small - rgb_to_grey(f.image).astype(np.int16)).mean()) < 4.0


@pytest.mark.parametrize("kwargs", [{"detail_at_s": [float("inf")]}, {"detail_at_s": "now"},
                                    {"detail_at_s": [0.0], "detail_side": 8}, {"detail_at_s": [0.0], "detail_side": 2.5}])
def test_detail_pictures_refuse_wrong_arguments(corpus, kwargs):
    from provenance.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError):
        list(iter_video_frames(corpus / "footage/street_security-cam_cars.mp4", max_side=160, **kwargs))
