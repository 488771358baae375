"""Layout proposals (provenance.frames.layout) on frames of real corpus footage composed into
known layouts: boxes and corners must come back within a few pixels, plain clips give none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from provenance.errors import InvalidArgumentError
from provenance.frames import crop_frame, select_frames
from provenance.frames.layout import MAX_REGIONS, Region, propose_regions, rectify_quad, region_image
from provenance.hashing.fingerprinting import _hash_images
from provenance.hashing.phash import hamming
from provenance.media.source import open_media

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not available")

W, H = 320, 180
CLIPS = ["footage/dashcam_highway_solidWhiteRight.mp4", "metadata/gopro_hero5_karma_drone.mp4",
         "footage/nasa_artemis1_hotfire_vp9.mkv", "footage/factory_bottles_conveyor.mp4",
         "footage/parking-lot_overhead_cars.mp4", "metadata/gopro_max_heromode.mp4",
         "footage/park_street_bus_1080p.mp4", "footage/street_security-cam_cars.mp4",
         "footage/highway_roadside.avi"]
N = 10  # frames per clip


def _frames(rel: str) -> list[np.ndarray]:
    """N frames of a corpus clip as the pipeline decodes them (borders cut), resized to W x H."""
    with open_media(CORPUS / rel) as m:
        frames, b, _ = select_frames(m, fps=2.0)
    ims = [crop_frame(f[1], b) if b.any else f[1] for f in frames]
    idx = np.linspace(0, len(ims) - 1, N).round().astype(int)
    return [np.asarray(Image.fromarray(ims[i]).resize((W, H), Image.BILINEAR)) for i in idx]


@pytest.fixture(scope="module")
def clips() -> list[list[np.ndarray]]:
    return [_frames(rel) for rel in CLIPS]


def _resize(im: np.ndarray, w: int, h: int) -> np.ndarray:
    return np.asarray(Image.fromarray(im).resize((w, h), Image.BILINEAR))


def _near(box: tuple[int, int, int, int], want: tuple[int, int, int, int], tol: int = 3) -> bool:
    return max(abs(a - b) for a, b in zip(box, want)) <= tol


@pytest.mark.parametrize("x0, y0, share, bg", [(180, 10, 0.4, 3), (10, 100, 0.3, 3), (80, 45, 0.5, 3),
                                               (200, 105, 0.25, 6), (160, 90, 0.33, 4)])
def test_inset_box_is_found(clips, x0, y0, share, bg):
    w = int(W * share)
    h = int(round(w * 9 / 16))
    x0, y0 = min(x0, W - w - 4), min(y0, H - h - 4)
    frames = []
    for back, fg in zip(clips[bg], clips[0]):
        f = back.copy()
        f[y0:y0 + h, x0:x0 + w] = _resize(fg, w, h)
        frames.append(f)
    regions = propose_regions(frames)
    assert regions and regions[0].kind == "inset", regions
    assert _near(regions[0].box, (x0, y0, x0 + w, y0 + h)), (regions[0].box, (x0, y0, x0 + w, y0 + h))
    assert len(regions) <= 2


@pytest.mark.parametrize("n, gutter", [(2, 0), (2, 6), (3, 0), (3, 4)])
def test_grid_cells_are_found(clips, n, gutter):
    cw, ch = (W - gutter * (n - 1)) // n, (H - gutter * (n - 1)) // n
    frames = []
    for t in range(N):
        f = np.zeros((H, W, 3), np.uint8)
        for k in range(n * n):
            r, c = divmod(k, n)
            y, x = r * (ch + gutter), c * (cw + gutter)
            f[y:y + ch, x:x + cw] = _resize(clips[k % len(clips)][t], cw, ch)
        frames.append(f)
    regions = propose_regions(frames)
    assert len(regions) == n * n and {r.kind for r in regions} == {"grid_cell"}, regions
    want = sorted((c * (cw + gutter), r * (ch + gutter), c * (cw + gutter) + cw, r * (ch + gutter) + ch)
                  for r in range(n) for c in range(n))
    for box, exp in zip(sorted(r.box for r in regions), want):
        assert _near(box, exp, tol=3 + gutter), (box, exp)


@pytest.mark.parametrize("n", [2, 3])
def test_grid_of_pillarboxed_cells_is_completed(clips, n):
    """The top row's clips are 4:3, fitted into 16:9 cells with black bars: they meet bar to bar,
    so the dividers between columns show in the other rows only and are not seen across the
    frame; compilation grids are even, so every cell is proposed, and each holds its picture
    (insets are looked for as well: the completed grid may be a wrong guess)."""
    cw, ch = W // n, H // n
    frames = []
    for t in range(N):
        f = np.zeros((H, W, 3), np.uint8)
        for k in range(n * n):
            r, c = divmod(k, n)
            pw = (ch * 4 // 3) // 2 * 2 if r == 0 else cw
            x = c * cw + (cw - pw) // 2
            f[r * ch:(r + 1) * ch, x:x + pw] = _resize(clips[k % len(clips)][t], pw, ch)
        frames.append(f)
    regions = [g for g in propose_regions(frames) if g.kind == "grid_cell"]
    assert len(regions) == n * n, regions
    for r, c in [divmod(k, n) for k in range(n * n)]:
        pw = (ch * 4 // 3) // 2 * 2 if r == 0 else cw
        x = c * cw + (cw - pw) // 2
        picture = (x, r * ch, x + pw, (r + 1) * ch)
        holding = [g for g in regions if g.box[0] <= picture[0] + 3 and g.box[1] <= picture[1] + 3
                   and g.box[2] >= picture[2] - 3 and g.box[3] >= picture[3] - 3
                   and g.box[0] >= c * cw - 3 and g.box[2] <= (c + 1) * cw + 3]
        assert len(holding) == 1, (picture, regions)
    # two 16:9 pictures stacked: each side has a picture's aspect, so it stays a split in two
    stacked = [np.concatenate([a, b], axis=0) for a, b in zip(clips[1], clips[2])]
    assert [r.kind for r in propose_regions(stacked)] == ["split", "split"]


def test_split_screen_halves(clips):
    frames = [np.concatenate([_resize(a, W // 2, H), _resize(b, W // 2, H)], axis=1) for a, b in zip(clips[1], clips[2])]
    regions = propose_regions(frames)
    assert [r.kind for r in regions] == ["split", "split"]
    boxes = sorted(r.box for r in regions)
    assert _near(boxes[0], (0, 0, W // 2, H)) and _near(boxes[1], (W // 2, 0, W, H)), boxes


def test_screen_recording_inside_static_chrome(clips):
    chrome = np.full((H, W, 3), 232, np.uint8)
    chrome[:14] = 60
    chrome[20:170, 246:314] = 205
    chrome[150:156, 12:120] = (200, 30, 30)
    x0, y0, w, h = 12, 22, 224, 126
    frames = []
    for fg in clips[1]:
        f = chrome.copy()
        f[y0:y0 + h, x0:x0 + w] = _resize(fg, w, h)
        frames.append(f)
    regions = propose_regions(frames)
    assert regions and regions[0].kind == "screen", regions
    assert _near(regions[0].box, (x0, y0, x0 + w, y0 + h)), regions[0].box
    assert regions[0].motion_ratio >= 4.0


def _warp(im: np.ndarray, corners: list[tuple[float, float]], bg: int = 35) -> np.ndarray:
    """Put ``im`` on a dark W x H canvas with its corners at ``corners`` (PIL's perspective warp)."""
    h, w = im.shape[:2]
    # PIL wants the coefficients mapping output pixels to input pixels
    a, rhs = [], []
    for (u, v), (x, y) in zip(corners, [(0, 0), (w, 0), (w, h), (0, h)]):
        a.append([u, v, 1, 0, 0, 0, -x * u, -x * v])
        a.append([0, 0, 0, u, v, 1, -y * u, -y * v])
        rhs += [x, y]
    coeffs = np.linalg.solve(np.array(a, float), np.array(rhs, float))
    src = Image.fromarray(im).convert("RGBA")
    warped = src.transform((W, H), Image.Transform.PERSPECTIVE, tuple(coeffs), Image.Resampling.BILINEAR)
    canvas = Image.new("RGBA", (W, H), (bg, bg - 3, bg - 6, 255))
    canvas.alpha_composite(warped)
    return np.asarray(canvas.convert("RGB"))


QUAD = [(28.0, 14.0), (300.0, 30.0), (288.0, 160.0), (40.0, 170.0)]


def test_filmed_screen_corners_and_rectification(clips):
    rng = np.random.default_rng(3)
    frames = []
    for fg in clips[0]:
        f = _warp(np.clip(fg.astype(int) + 25, 0, 255).astype(np.uint8), QUAD).astype(np.int16)
        f += rng.normal(0, 3, f.shape).round().astype(np.int16)
        frames.append(np.clip(f, 0, 255).astype(np.uint8))
    regions = propose_regions(frames)
    assert len(regions) == 1 and regions[0].kind == "quad", regions
    got = np.array(regions[0].corners)
    assert np.abs(got - np.array(QUAD)).max() <= 3.0, got
    # the rectified screen hashes close to the footage itself
    rect = [region_image(f, regions[0]) for f in frames]
    d = hamming(_hash_images(rect), _hash_images(clips[0]))
    assert np.median(d) <= 40, d


def test_dark_screen_on_a_bright_wall_is_outlined_by_its_bezel(clips):
    """A portrait clip pillarboxed on a monitor (black bars, a black bezel) filmed at an angle
    against a bright wall: the screen is darker than the wall, its bezel gives the outline."""
    rng = np.random.default_rng(5)
    frames = []
    for fg in clips[5]:
        screen = np.full((126, 224, 3), 8, np.uint8)  # the bezel
        screen[6:120, 6:218] = 0  # the black picture area
        screen[6:120, 78:146] = _resize(fg[:, 100:220], 68, 114)  # the portrait picture, pillarboxed
        f = _warp(screen, QUAD, bg=150).astype(np.int16)
        f += rng.normal(0, 3, f.shape).round().astype(np.int16)
        frames.append(np.clip(f, 0, 255).astype(np.uint8))
    regions = [r for r in propose_regions(frames) if r.kind == "quad"]
    assert regions, propose_regions(frames)
    got = np.array(regions[0].corners)
    assert np.abs(got - np.array(QUAD)).max() <= 3.0, got


def test_rectify_quad_maps_corners():
    img = np.zeros((100, 100), np.uint8)
    img[10:20, 10:20] = 255  # a bright square near the top-left corner of the quad
    out = rectify_quad(img, [(10, 10), (90, 10), (90, 90), (10, 90)], size=(80, 80))
    assert out.shape == (80, 80)
    assert out[:10, :10].mean() > 200 and out[20:, 20:].max() == 0
    with pytest.raises(InvalidArgumentError):
        rectify_quad(img, [(0, 0), (1, 1)])
    with pytest.raises(InvalidArgumentError):
        rectify_quad(img, [(0, 0), (0, 0), (0, 0), (0, 0)])


@pytest.mark.parametrize("rel", CLIPS + ["footage/chair_orig-22_sd.mp4", "footage/pattern_hd.mp4",
                                         "footage/trafficcam_burned-in-timestamp_hq.avi",
                                         "footage/freeway_overhead_multilane.avi"])
def test_plain_clips_give_no_proposal(rel):
    with open_media(CORPUS / rel) as m:
        frames, b, _ = select_frames(m)
    ims = [crop_frame(f[1], b) if b.any else f[1] for f in frames]
    assert propose_regions(ims) == []


def test_bounded_and_refuses_bad_input(clips):
    assert propose_regions(clips[0][:2]) == []                       # too few frames to tell
    assert propose_regions([clips[0][0]] * 5) == []                  # nothing moves
    assert propose_regions(clips[0][:3] + [clips[0][3][:100]]) == []  # sizes differ
    with pytest.raises(InvalidArgumentError):
        propose_regions([np.zeros(5, np.uint8)] * 4)
    with pytest.raises(InvalidArgumentError):
        propose_regions(clips[0], max_regions=-1)
    assert MAX_REGIONS <= 9


def test_region_serialises():
    r = Region("quad", (1, 2, 30, 40), 0.9, 0.95, 3.0, ((1.0, 2.0), (30.0, 2.0), (30.0, 40.0), (1.0, 40.0)), (64, 48))
    d = r.to_dict()
    assert d["box"] == [1, 2, 30, 40] and d["corners"][2] == [30.0, 40.0] and d["frame_size"] == [64, 48]
    assert r.shares == pytest.approx((1 / 64, 2 / 48, 30 / 64, 40 / 48))
    with pytest.raises(InvalidArgumentError):
        region_image(np.zeros((10, 10, 3), np.uint8), r)
