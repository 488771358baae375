"""Tests of crop fitting (provenance.matching.cropfit) on synthetic frames."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from provenance.errors import InvalidArgumentError
from provenance.hashing import SMALL_FRAME_SIZE, hamming, phash256_batch, window_hashes
from provenance.matching.cropfit import crop_hypotheses, fit_crop, target_windows


def _scene(seed: int, size: int = 400) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = cv2.resize(rng.integers(0, 256, (size // 16, size // 16), dtype=np.uint8), (size, size),
                     interpolation=cv2.INTER_CUBIC)
    return cv2.GaussianBlur(img, (0, 0), 2.0)


def _crop(img: np.ndarray, ax: float, bx: float, ay: float, by: float) -> np.ndarray:
    h, w = img.shape
    return img[int(round(ay * h)):int(round(by * h)), int(round(ax * w)):int(round(bx * w))]


def _small(img: np.ndarray) -> np.ndarray:
    return cv2.resize(img, (SMALL_FRAME_SIZE, SMALL_FRAME_SIZE), interpolation=cv2.INTER_AREA)


def _zoom70_hash(img: np.ndarray) -> np.ndarray:
    centre = _crop(img, 0.15, 0.85, 0.15, 0.85)
    return phash256_batch(cv2.resize(centre, (64, 64), interpolation=cv2.INTER_AREA).astype(np.float64)[None])[0]


def test_hypotheses_frame_the_centre_band():
    hyp = crop_hypotheses()
    assert hyp.shape == (256, 4)
    win = target_windows(hyp)
    # mapping each window back into footage coordinates gives the band 0.15..0.85 on both axes
    x0 = hyp[:, 0] + win[:, 0] * (hyp[:, 1] - hyp[:, 0])
    y1 = hyp[:, 2] + win[:, 3] * (hyp[:, 3] - hyp[:, 2])
    assert np.allclose(x0, 0.15) and np.allclose(y1, 0.85)


def test_window_hashes_agree_with_cutting_the_window_out():
    frames = np.stack([_small(_scene(i)) for i in range(3)])
    windows = np.array([[0.0, 1.0, 0.0, 1.0], [0.125, 0.875, 0.25, 0.75], [0.1, 0.9, 0.0, 0.8]])
    got = window_hashes(frames, windows)
    assert got.shape == (3, 3, 32)
    for j, (x0, x1, y0, y1) in enumerate((windows * SMALL_FRAME_SIZE).round().astype(int)):
        cut = np.stack([cv2.resize(f[y0:y1, x0:x1], (64, 64), interpolation=cv2.INTER_AREA) for f in frames])
        assert hamming(got[:, j], phash256_batch(cut.astype(np.float64))).max() <= 16


@pytest.mark.parametrize("crop", [(0.0, 1.0, 0.0, 0.9), (0.1, 1.0, 0.0, 1.0), (0.05, 0.85, 0.15, 0.95)])
def test_fit_recovers_the_crop(crop):
    scenes = [_scene(i) for i in range(6)]
    targets = np.stack([_zoom70_hash(s) for s in scenes])
    query = np.stack([_small(_crop(s, *crop)) for s in scenes])
    window, gain = fit_crop(query, targets)
    expected = target_windows(np.array([crop]))[0]
    assert np.allclose(window, expected, atol=0.02), (window, expected)
    assert gain >= 30.0


def test_uncropped_or_unrelated_frames_gain_nothing():
    scenes = [_scene(i) for i in range(6)]
    targets = np.stack([_zoom70_hash(s) for s in scenes])
    _, gain_same = fit_crop(np.stack([_small(s) for s in scenes]), targets)
    assert gain_same <= 4.0  # "no crop" is (about) the best hypothesis already
    _, gain_other = fit_crop(np.stack([_small(_scene(100 + i)) for i in range(6)]), targets)
    assert gain_other < 16.0


def test_nothing_to_compare():
    window, gain = fit_crop(np.zeros((0, SMALL_FRAME_SIZE, SMALL_FRAME_SIZE), np.uint8), np.zeros((0, 32), np.uint8))
    assert gain == 0.0 and window.shape == (4,)


@pytest.mark.parametrize("frames, windows", [
    (np.zeros((2, 128, 96), np.uint8), [[0.0, 1.0, 0.0, 1.0]]),   # not square
    (np.zeros((2, 128, 128), np.float32), [[0.0, 1.0, 0.0, 1.0]]),  # not uint8
    (np.zeros((2, 128, 128), np.uint8), [[0.5, 0.5, 0.0, 1.0]]),   # empty window
    (np.zeros((2, 128, 128), np.uint8), [[-0.1, 0.9, 0.0, 1.0]]),  # outside the frame
    (np.zeros((2, 128, 128), np.uint8), [[0.0, 1.0, 0.0]]),        # not (x0, x1, y0, y1)
])
def test_window_hashes_refuse_bad_input(frames, windows):
    with pytest.raises(InvalidArgumentError):
        window_hashes(frames, np.asarray(windows))


def test_fit_refuses_bad_hashes():
    frames = np.zeros((2, SMALL_FRAME_SIZE, SMALL_FRAME_SIZE), np.uint8)
    with pytest.raises(InvalidArgumentError):
        fit_crop(frames, np.zeros((3, 30), np.uint8))
    with pytest.raises(InvalidArgumentError):
        fit_crop(frames, np.zeros((3, 32), np.int64))
