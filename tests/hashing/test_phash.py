"""Tests of the frame hasher and Fingerprint (provenance.hashing)."""

from __future__ import annotations

from pathlib import Path

import imagehash
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from provenance.errors import InvalidArgumentError
from provenance.hashing import (
    DEFAULT_HASHER,
    HASH_BITS,
    Fingerprint,
    hamming,
    phash256,
    phash256_batch,
    prepare_phash_input,
)

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


def _images() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    imgs = [rng.integers(0, 256, (90, 160, 3), dtype=np.uint8)]
    yy, xx = np.mgrid[0:120, 0:200]
    imgs.append(np.stack([(xx * 255 // 200), (yy * 255 // 120), ((xx + yy) % 256)], -1).astype(np.uint8))
    still = CORPUS / "footage" / "dashcam_highway_solidWhiteRight_frame.jpg"
    if still.exists():
        imgs.append(np.asarray(Image.open(still).convert("RGB")))
    return imgs


@pytest.mark.parametrize("idx", range(3))
def test_phash256_has_imagehash_bits(idx):
    imgs = _images()
    if idx >= len(imgs):
        pytest.skip("corpus still not available")
    img = imgs[idx]
    ours = phash256(img)
    ref = imagehash.phash(Image.fromarray(img), hash_size=16)
    assert ours.shape == (HASH_BITS // 8,)
    assert bytes(ours).hex() == str(ref)


def test_batch_matches_single():
    imgs = _images()
    batch = phash256_batch(np.stack([prepare_phash_input(i) for i in imgs]))
    for row, img in zip(batch, imgs):
        assert np.array_equal(row, phash256(img))


def test_grey_input_and_invalid_input():
    grey = (np.arange(64 * 80) % 256).astype(np.uint8).reshape(64, 80)
    assert phash256(grey).shape == (32,)
    with pytest.raises(InvalidArgumentError):
        phash256(np.zeros((10, 10, 4), dtype=np.uint8))
    with pytest.raises(InvalidArgumentError):
        phash256(np.zeros((10, 10, 3), dtype=np.float32))
    with pytest.raises(InvalidArgumentError):
        phash256_batch(np.zeros((2, 32, 32)))


def _scene(h: int = 360, w: int = 640) -> np.ndarray:
    """A frame-sized picture with natural-image structure (smooth shapes at several scales)."""
    rng = np.random.default_rng(11)
    layers = [np.asarray(Image.fromarray(rng.integers(0, 256, (h // s, w // s, 3), dtype=np.uint8))
                         .resize((w, h), Image.Resampling.BICUBIC), dtype=np.float64) for s in (40, 12, 4)]
    return np.clip(0.55 * layers[0] + 0.3 * layers[1] + 0.15 * layers[2], 0, 255).astype(np.uint8)


def test_hash_is_robust_to_mild_edits_and_not_to_other_content():
    img = _scene()
    h = phash256(img)
    brighter = np.clip(img.astype(int) + 20, 0, 255).astype(np.uint8)
    small = np.asarray(Image.fromarray(img).resize((img.shape[1] // 3, img.shape[0] // 3)))
    assert hamming(h, phash256(brighter)) <= 16
    assert hamming(h, phash256(small)) <= 16
    other = _images()[0]
    assert hamming(h, phash256(other)) >= 60


_hashes = st.binary(min_size=32, max_size=32).map(lambda b: np.frombuffer(b, dtype=np.uint8))


@settings(max_examples=60, deadline=None)
@given(_hashes, _hashes, _hashes)
def test_hamming_is_a_metric(a, b, c):
    assert hamming(a, a) == 0
    assert hamming(a, b) == hamming(b, a)
    assert hamming(a, c) <= hamming(a, b) + hamming(b, c)
    assert 0 <= hamming(a, b) <= 256


@settings(max_examples=30, deadline=None)
@given(st.lists(_hashes, min_size=1, max_size=5))
def test_fingerprint_round_trip(hs):
    arr = np.stack(hs)
    fp = Fingerprint(np.arange(len(hs), dtype=float) * 0.5, arr, variants={"mirror": arr[:, ::-1].copy()})
    d = fp.to_dict()
    back = np.array([np.frombuffer(bytes.fromhex(x), dtype=np.uint8) for x in d["hashes"]])
    assert np.array_equal(back, arr)
    assert d["hasher"] == DEFAULT_HASHER
    assert len(fp) == len(hs) and fp.nbytes == 32


def test_fingerprint_validation():
    with pytest.raises(InvalidArgumentError):
        Fingerprint(np.zeros(2), np.zeros((3, 32), np.uint8))
    with pytest.raises(InvalidArgumentError):
        Fingerprint(np.zeros(1), np.zeros((1, 32), np.uint8), variants={"mirror": np.zeros((1, 8), np.uint8)})
    with pytest.raises(InvalidArgumentError):
        Fingerprint(np.array([np.nan]), np.zeros((1, 32), np.uint8))


def test_fingerprint_refuses_small_frames_that_do_not_fit():
    times, hashes = np.array([0.0, 1.0]), np.zeros((2, 32), np.uint8)
    for small in (np.zeros((2, 128, 96), np.uint8), np.zeros((3, 128, 128), np.uint8),
                  np.zeros((2, 128, 128), np.float32)):
        with pytest.raises(InvalidArgumentError):
            Fingerprint(times, hashes, small_frames=small)
    assert Fingerprint(times, hashes, small_frames=np.zeros((2, 128, 128), np.uint8)).small_frames is not None
