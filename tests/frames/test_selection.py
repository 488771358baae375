"""Tests of frame selection, border removal and decoding (provenance.frames, media.decode)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from provenance.errors import CorruptMediaError, InvalidArgumentError, MediaNotFoundError, UnsupportedMediaError
from provenance.frames import (
    Borders,
    Keyframe,
    crop_frame,
    detect_borders,
    extract_keyframes,
    is_informative,
    plan_grid_times,
    select_frames,
)
from provenance.media.decode import iter_video_frames, read_still, video_layout

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not available")


def _texture(h: int, w: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (h // 3 + 1, w // 3 + 1, 3), dtype=np.uint8)
    return cv2.GaussianBlur(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), (0, 0), 0.8)


# ---------------------------------------------------------------- frame plan
def test_plan_dense_keyframes_needs_no_grid():
    assert plan_grid_times(np.arange(0, 10, 1.0), 10.0).size == 0


def test_plan_fills_long_gaps_only():
    grid = plan_grid_times([0.0, 4.0, 5.0], 6.0, max_gap_s=1.0)
    assert np.allclose(grid, [1.0, 2.0, 3.0])


def test_plan_fixed_grid_and_cap():
    assert np.allclose(plan_grid_times([0.0], 2.0, fps=2.0), [0.0, 0.5, 1.0, 1.5])
    assert plan_grid_times([], 3600.0, fps=4.0, max_frames=100).size <= 101
    with pytest.raises(InvalidArgumentError):
        plan_grid_times([], 1.0, fps=0.0)


# ---------------------------------------------------------------- borders
@pytest.mark.parametrize("colour", [0, 40, 255])
def test_letterbox_bars_of_any_colour(colour):
    frames = []
    for i in range(6):
        img = np.full((180, 320, 3), colour, np.uint8)
        img[30:150] = _texture(120, 320, seed=i)
        frames.append(img)
    b = detect_borders(frames)
    assert abs(b.top - 30) <= 2 and abs(b.bottom - 30) <= 2 and b.left == 0 and b.right == 0
    assert crop_frame(frames[0], b).shape[0] == 180 - b.top - b.bottom


def test_pillarbox():
    frames = []
    for i in range(4):
        img = np.zeros((180, 320, 3), np.uint8)
        img[:, 40:280] = _texture(180, 240, seed=i)
        frames.append(img)
    b = detect_borders(frames)
    assert abs(b.left - 40) <= 2 and abs(b.right - 40) <= 2 and b.top == 0


def test_blurred_fill_of_a_vertical_reframe():
    frames = []
    for i in range(5):
        content = _texture(90, 160, seed=i)
        bg = cv2.GaussianBlur(cv2.resize(content, (160, 284)), (0, 0), 12)
        img = bg.copy()
        img[97:187] = content
        frames.append(img)
    b = detect_borders(frames)
    assert abs(b.top - 97) <= 4 and abs(b.bottom - (284 - 187)) <= 4
    assert "blur" in b.kind


def test_blurred_fill_around_a_zoomed_picture_of_no_standard_shape():
    """A 9:16 reframe that zooms in (the picture is cropped to 180 x 120, aspect 1.5)."""
    frames = []
    for i in range(5):
        content = _texture(120, 180, seed=i)
        bg = cv2.GaussianBlur(cv2.resize(content, (180, 320)), (0, 0), 12)
        img = bg.copy()
        img[100:220] = content
        frames.append(img)
    b = detect_borders(frames)
    assert abs(b.top - 100) <= 4 and abs(b.bottom - 100) <= 4 and b.left == b.right == 0


def _low_detail_scene(h: int, w: int, seed: int) -> np.ndarray:
    """A plain sky over a plain wall with a few small objects: almost no detail anywhere."""
    rng = np.random.default_rng(seed)
    img = np.empty((h, w, 3), np.uint8)
    img[: h // 2] = np.linspace(150, 190, h // 2, dtype=np.uint8)[:, None, None]
    img[h // 2:] = (120, 118, 110)
    for _ in range(3):
        y, x = int(rng.integers(h // 2, h - 12)), int(rng.integers(0, w - 10))
        img[y:y + 12, x:x + 10] = rng.integers(0, 256, 3, dtype=np.uint8)
    return img


@pytest.mark.parametrize("bonnet", [False, True])
def test_blurred_fill_around_a_picture_with_little_detail(bonnet):
    """Fill made from a low-detail picture is as smooth as the picture's centre: the picture's
    straight, symmetric edges find it, also when flat picture content (a clear sky, a car's
    bonnet) runs on from the fill on one side."""
    frames = []
    for i in range(6):
        content = _low_detail_scene(100, 180, seed=i)
        if bonnet:
            content[80:] = 40
        bg = cv2.GaussianBlur(cv2.resize(content, (180, 320)), (0, 0), 12)
        img = (bg.astype(np.int16) + 25).clip(0, 255).astype(np.uint8)  # fill brighter than the picture
        img[110:210] = content
        frames.append(img)
    b = detect_borders(frames)
    assert (b.top, b.bottom, b.left, b.right) == (110, 110, 0, 0), b


def test_block_artefacts_are_not_picture_edges():
    """Low-bitrate blocking draws straight steps on a regular grid across a portrait frame."""
    rng = np.random.default_rng(3)
    frames = [cv2.resize(rng.integers(60, 200, (20, 12, 3), dtype=np.uint8), (180, 320),
                         interpolation=cv2.INTER_NEAREST) for _ in range(6)]
    assert detect_borders(frames) == Borders()


def test_screen_recording_bars_across_a_progress_bar():
    """Player chrome: a grey top bar, dark padding, and a thin progress bar in the bottom pad."""
    frames = []
    for i in range(5):
        img = np.full((180, 320, 3), 0x20, np.uint8)
        img[:12] = 0x3A
        img[27:153, 48:272] = _texture(126, 224, seed=i)
        img[168:170, 16:200] = (255, 0, 0)
        img[168:170, 200:300] = 128
        frames.append(img)
    b = detect_borders(frames)
    assert (b.top, b.left, b.right) == (27, 48, 48)
    assert abs(b.bottom - 27) <= 1


def test_natural_frame_is_not_cropped():
    frames = [_texture(180, 320, seed=i) for i in range(5)]
    assert detect_borders(frames) == Borders()
    assert detect_borders([]) == Borders()


def test_uninformative_frames():
    assert not is_informative(np.zeros((90, 160, 3), np.uint8))
    assert not is_informative(np.full((90, 160, 3), 128, np.uint8))
    assert is_informative(_texture(90, 160))
    faded = (_texture(90, 160).astype(float) * 0.03).astype(np.uint8)
    assert not is_informative(faded)


# ---------------------------------------------------------------- decoding and extraction
@needs_corpus
def test_ipad_rotation_is_applied():
    path = CORPUS / "metadata" / "apple_ipadmini_hevc.mov"
    frames = list(iter_video_frames(path, keyframes_only=True, max_side=160))
    assert frames and frames[0].image.shape[0] > frames[0].image.shape[1]  # coded 1280x720, shown portrait
    export = list(iter_video_frames(CORPUS / "metadata" / "apple_coremedia_export_avc.mp4", keyframes_only=True,
                                    max_side=160))
    assert export[0].image.shape[0] > export[0].image.shape[1]


@needs_corpus
def test_extract_keyframes_times_and_reasons():
    path = CORPUS / "footage" / "chair_22_trim-2.0s.mp4"
    kfs = extract_keyframes(path)
    times = [k.time_s for k in kfs]
    assert times == sorted(times) and times[0] == pytest.approx(0.0, abs=0.05)
    assert max(np.diff(times)) <= 1.05  # gaps between the 2 s GOP's keyframes are filled
    assert {k.reason for k in kfs} <= {"keyframe", "grid"} and "keyframe" in {k.reason for k in kfs}
    assert all(isinstance(k, Keyframe) and k.image.dtype == np.uint8 and k.image.ndim == 3 for k in kfs)
    # the chair clips carry pillarbox bars, removed per clip
    assert kfs[0].image.shape[1] < kfs[0].image.shape[0] * 480 / 720 - 4
    dense = extract_keyframes(path, fps=4.0, max_frames=30)
    assert len(dense) == 30


@needs_corpus
def test_keyframe_layout_matches_reference_counts():
    layout = video_layout(CORPUS / "footage" / "chair_orig-22_sd.mp4")
    assert layout.keyframe_times_s.size == 12  # README: 12 K-flagged packets
    assert layout.duration_s == pytest.approx(22.486, abs=0.05)


@needs_corpus
def test_still_is_a_one_frame_clip():
    kfs = extract_keyframes(CORPUS / "footage" / "dashcam_highway_solidWhiteRight_frame.jpg")
    assert len(kfs) == 1 and kfs[0].time_s == 0.0 and kfs[0].reason == "still"
    assert read_still(CORPUS / "footage" / "dashcam_highway_solidWhiteRight_frame.jpg").image.shape == (180, 320, 3)


def test_errors_are_mapped(tmp_path):
    with pytest.raises(MediaNotFoundError):
        extract_keyframes(tmp_path / "missing.mp4")
    text = tmp_path / "not_a_video.mp4"
    text.write_text("hello, this is not a video\n" * 20)
    with pytest.raises(UnsupportedMediaError):
        extract_keyframes(text)
    bad_jpg = tmp_path / "broken.jpg"
    bad_jpg.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 50)
    with pytest.raises(CorruptMediaError, match="broken.jpg"):  # a JPEG by its magic bytes, but damaged
        extract_keyframes(bad_jpg)
    with pytest.raises(InvalidArgumentError):
        extract_keyframes(tmp_path / "missing.mp4", max_frames=0)


@needs_corpus
def test_truncated_video_is_corrupt_or_partial(tmp_path):
    src = (CORPUS / "footage" / "doorknob_hd.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(src[: len(src) // 3])
    try:
        kfs = extract_keyframes(cut)
    except (CorruptMediaError, UnsupportedMediaError):
        return
    assert isinstance(kfs, list)


@pytest.mark.parametrize("count", [-1, 2.5, True, "8"])
def test_detail_count_must_be_a_count(corpus, count):
    from provenance.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="detail_count"):
        select_frames(corpus / "footage/street_security-cam_cars.mp4", detail_count=count)


def test_detail_pictures_are_spread_over_the_clip(corpus):
    frames, _, duration = select_frames(corpus / "footage/dashcam_highway_solidWhiteRight.mp4", detail_count=4,
                                        detail_side=480)
    detailed = [f for f in frames if f[3] is not None]
    assert len(detailed) == 4 and duration  # one in each quarter of the clip
    for k, f in enumerate(detailed):
        assert (k + 0.5) * duration / 4 <= f[0] + 0.05 <= (k + 1) * duration / 4
    assert all(max(f[3].shape) == 480 for f in detailed)
