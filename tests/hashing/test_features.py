"""Local features (provenance.hashing.features) on real corpus frames: shapes, determinism, the
downscale rule, empty results for flat pictures, rotation-steered descriptors, and the
serialisation's refusal of malformed bytes."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from provenance.errors import InvalidArgumentError
from provenance.hashing.features import (
    FEATURE_SIDE,
    MAX_FEATURE_BYTES,
    MAX_FEATURES,
    QUERY_FEATURE_SIDE,
    LocalFeatures,
    local_features,
)
from provenance.media.decode import iter_video_frames

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not available")


def _frame(rel: str, t: float, side: int = 1920) -> np.ndarray:
    return next(iter(iter_video_frames(CORPUS / rel, times_s=[t], include_keyframes=False, max_side=side))).image


@pytest.fixture(scope="module")
def bus() -> np.ndarray:
    return _frame("footage/park_street_bus_1080p.mp4", 2.0)


@pytest.fixture(scope="module")
def dashcam() -> np.ndarray:
    return _frame("footage/dashcam_highway_solidWhiteRight.mp4", 3.0)


def test_shapes_downscale_and_spread(bus: np.ndarray) -> None:
    assert bus.shape[:2] == (1080, 1920)
    f = local_features(bus)
    assert f.size == (FEATURE_SIDE, 270)
    assert 200 <= len(f) <= MAX_FEATURES
    assert f.xy.dtype == np.float32 and f.xy.shape == (len(f), 2)
    assert f.desc.dtype == np.uint8 and f.desc.shape == (len(f), 32)
    assert (f.xy[:, 0] >= 0).all() and (f.xy[:, 0] < 480).all() and (f.xy[:, 1] >= 0).all() and (f.xy[:, 1] < 270).all()
    # Spread: keypoints in at least 3 of the 4 quadrants, none holding 70 % of them.
    quad = (f.xy[:, 0] >= 240).astype(int) + 2 * (f.xy[:, 1] >= 135).astype(int)
    share = np.bincount(quad, minlength=4) / len(f)
    assert (share > 0.05).sum() >= 3 and share.max() < 0.7
    # Descriptors are not degenerate: bits are used (near half set) and rows differ.
    bits = np.unpackbits(f.desc, axis=1).mean()
    assert 0.3 < bits < 0.7
    assert len(np.unique(f.desc, axis=0)) > 0.95 * len(f)
    q = local_features(bus, max_side=QUERY_FEATURE_SIDE, max_features=1000)
    assert q.size == (QUERY_FEATURE_SIDE, 540) and len(q) > len(f)


def test_never_upscales_and_is_deterministic(dashcam: np.ndarray) -> None:
    small = dashcam[::4, ::4].copy()  # 240 x 135
    f = local_features(small, max_side=FEATURE_SIDE)
    assert f.size == (small.shape[1], small.shape[0])
    a = local_features(dashcam)
    b = local_features(dashcam.copy())
    assert np.array_equal(a.xy, b.xy) and np.array_equal(a.desc, b.desc) and a.size == b.size


def test_grey_input_matches_rgb(dashcam: np.ndarray) -> None:
    from provenance.media.imageops import rgb_to_grey

    small = dashcam[::2, ::2].copy()  # 480 x 270: the exact OpenCV luma path
    rgb = local_features(small)
    grey = local_features(rgb_to_grey(small))
    assert np.array_equal(rgb.xy, grey.xy) and np.array_equal(rgb.desc, grey.desc)


@pytest.mark.parametrize("image", [
    np.zeros((720, 1280, 3), np.uint8),
    np.full((720, 1280), 200, np.uint8),
    np.full((1080, 1920, 3), 37, np.uint8),
    np.zeros((20, 30, 3), np.uint8),
    (np.arange(40 * 40) % 251).astype(np.uint8).reshape(40, 40),  # textured but tiny
])
def test_flat_or_tiny_pictures_give_no_keypoints(image: np.ndarray) -> None:
    f = local_features(image)
    assert len(f) == 0 and f.xy.shape == (0, 2) and f.desc.shape == (0, 32)
    g = LocalFeatures.from_bytes(f.to_bytes())
    assert len(g) == 0 and g.size == f.size


def test_faint_noise_gives_few_keypoints() -> None:
    """Compression-like noise of +-2 grey levels on a flat card is not a texture."""
    rng = np.random.default_rng(0)
    card = np.clip(100 + rng.normal(0, 1.0, (720, 1280)), 0, 255).astype(np.uint8)
    assert len(local_features(card)) < 10


@pytest.mark.parametrize("bad", [
    np.zeros((100, 100), np.float32), np.zeros((100, 100, 4), np.uint8), np.zeros((100,), np.uint8),
    np.zeros((0, 100), np.uint8), [[1, 2], [3, 4]],
])
def test_bad_images_are_refused(bad: object) -> None:
    with pytest.raises(InvalidArgumentError):
        local_features(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [{"max_side": 0}, {"max_side": 10_000}, {"max_features": 0},
                                    {"max_features": 10**6}, {"max_side": True}])
def test_bad_arguments_are_refused(dashcam: np.ndarray, kwargs: dict[str, int]) -> None:
    with pytest.raises(InvalidArgumentError):
        local_features(dashcam, **kwargs)


def test_descriptors_are_rotation_steered(dashcam: np.ndarray) -> None:
    """A picture turned by 90 deg (exact pixel permutation) gives the same corners, rotated, with
    nearly the same descriptors: the orientation steers the pattern."""
    f = local_features(dashcam)
    r = local_features(np.rot90(dashcam).copy())  # counter-clockwise: (x, y) -> (y, W - 1 - x)
    w = f.size[0]
    mapped = np.stack([f.xy[:, 1], w - 1 - f.xy[:, 0]], axis=1)
    d = np.hypot(mapped[:, None, 0] - r.xy[None, :, 0], mapped[:, None, 1] - r.xy[None, :, 1])
    near = d.min(axis=1) <= 1.0
    assert near.mean() > 0.6
    j = d.argmin(axis=1)[near]
    ham = np.unpackbits(f.desc[near] ^ r.desc[j], axis=1).sum(axis=1)
    assert np.median(ham) < 30  # of 256 bits; unrelated descriptors differ by ~128
    rng = np.random.default_rng(1)
    other = np.unpackbits(f.desc ^ f.desc[rng.permutation(len(f))], axis=1).sum(axis=1)
    assert np.median(other) > 75


def test_round_trip(bus: np.ndarray) -> None:
    f = local_features(bus, max_side=QUERY_FEATURE_SIDE, max_features=1000)
    data = f.to_bytes()
    assert data[:4] == b"PVLF" and data[4] == 1 and len(data) == 20 + 40 * len(f) <= MAX_FEATURE_BYTES
    g = LocalFeatures.from_bytes(data)
    assert np.array_equal(g.xy, f.xy) and np.array_equal(g.desc, f.desc) and g.size == f.size and len(g) == len(f)
    assert g == f and hash(g) == hash(f) and g != local_features(bus) and g != data
    assert LocalFeatures.from_bytes(bytearray(data)).size == f.size


def _blob(n: int, w: int = 100, h: int = 80, magic: bytes = b"PVLF", version: int = 1,
          xy: np.ndarray | None = None) -> bytes:
    pts = np.full((n, 2), 10.0, "<f4") if xy is None else xy.astype("<f4")
    return struct.pack("<4sBxxxIII", magic, version, w, h, n) + pts.tobytes() + bytes(32 * n)


def test_blob_helper_is_valid() -> None:
    assert len(LocalFeatures.from_bytes(_blob(3))) == 3


@pytest.mark.parametrize("data", [
    b"", b"PVLF", _blob(3)[:-1], _blob(3) + b"\0", _blob(3, magic=b"XXXX"), _blob(3, version=2),
    _blob(3, w=0), _blob(3, h=70_000),
    struct.pack("<4sBxxxIII", b"PVLF", 1, 100, 80, 10**9),  # claims a huge n, no payload
    _blob(3, xy=np.array([[10, 10], [np.nan, 5], [1, 1]])),
    _blob(3, xy=np.array([[10, 10], [np.inf, 5], [1, 1]])),
    _blob(3, xy=np.array([[10, 10], [150, 5], [1, 1]])),  # x beyond the 100 px width
    _blob(3, xy=np.array([[10, -3], [5, 5], [1, 1]])),
    b"\0" * (MAX_FEATURE_BYTES + 1),
    "PVLF",
])
def test_malformed_bytes_are_refused(data: object) -> None:
    with pytest.raises(InvalidArgumentError):
        LocalFeatures.from_bytes(data)  # type: ignore[arg-type]


def test_fuzzed_bytes_never_crash(bus: np.ndarray) -> None:
    """Random corruption of a real blob either parses to valid features or raises InvalidArgumentError."""
    data = bytearray(local_features(bus).to_bytes())
    rng = np.random.default_rng(5)
    for _ in range(300):
        b = bytearray(data)
        for i in rng.integers(0, len(b), size=int(rng.integers(1, 6))):
            b[int(i)] = int(rng.integers(0, 256))
        if rng.random() < 0.3:
            b = b[: int(rng.integers(0, len(b)))]
        try:
            g = LocalFeatures.from_bytes(bytes(b))
        except InvalidArgumentError:
            continue
        assert np.isfinite(g.xy).all() and len(g) <= 2048


def test_constructor_checks_fields() -> None:
    with pytest.raises(InvalidArgumentError):
        LocalFeatures(np.zeros((2, 2), np.float64), np.zeros((2, 32), np.uint8), (10, 10))
    with pytest.raises(InvalidArgumentError):
        LocalFeatures(np.zeros((2, 2), np.float32), np.zeros((3, 32), np.uint8), (10, 10))
    with pytest.raises(InvalidArgumentError):
        LocalFeatures(np.full((1, 2), 20, np.float32), np.zeros((1, 32), np.uint8), (10, 10))
