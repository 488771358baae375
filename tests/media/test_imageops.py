"""OpenCV left the core: its area resize and RGB -> grey are reproduced in numpy
(provenance.media.imageops), and stills are decoded by Pillow. These tests hold the
replacement to OpenCV (installed with the ``test`` extra) on real frames: equal pixels, hence
equal hashes; a regression shows the pixel difference and the Hamming distances it causes."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from provenance.errors import InvalidArgumentError
from provenance.frames import crop_frame, select_frames
from provenance.hashing.fingerprinting import WINDOW_NAMES, _small_frame, _window_box
from provenance.hashing.phash import SMALL_FRAME_SIZE, phash256_batch, prepare_phash_input, window_hashes
from provenance.media.decode import DEFAULT_MAX_SIDE, _target_size, read_still
from provenance.media.imageops import resize_area, rgb_to_grey
from provenance.media.thumbnails import make_thumbnail

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".avi"}
STILL = "stills/apple_iphone13pro_TestImage.jpg"


def _diff(ref: np.ndarray, got: np.ndarray) -> str:
    if ref.shape != got.shape:
        return f"shape {got.shape}, OpenCV {ref.shape}"
    d = np.abs(ref.astype(np.int64) - got.astype(np.int64))
    return f"max abs difference {d.max()}, {100 * (d > 0).mean():.3f}% of pixels differ"


def _hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bits that differ between packed hashes, per row."""
    return np.unpackbits(np.bitwise_xor(a, b), axis=-1).sum(axis=-1)


def _cv2_small_frame(image: np.ndarray) -> np.ndarray:
    """The small frame as the library computed it with OpenCV (before it left the core)."""
    grey = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    return cv2.resize(grey, (SMALL_FRAME_SIZE, SMALL_FRAME_SIZE), interpolation=cv2.INTER_AREA)


def test_grey_equals_opencv_for_every_colour():
    rg = np.stack(np.meshgrid(np.arange(256), np.arange(256), indexing="ij"), axis=-1).reshape(256, 256, 2)
    for b0 in range(0, 256, 32):
        block = np.concatenate([np.concatenate([rg, np.full((256, 256, 1), b)], axis=2)
                                for b in range(b0, b0 + 32)]).astype(np.uint8)  # all R, G for 32 B values
        ref = cv2.cvtColor(block, cv2.COLOR_RGB2GRAY)
        got = rgb_to_grey(block)
        assert np.array_equal(got, ref), f"B {b0}..{b0 + 31}: {_diff(ref, got)}"


@pytest.fixture(scope="module")
def real_picture(corpus: Path) -> np.ndarray:
    """A real camera picture (4032 x 3024 px), RGB."""
    return cv2.cvtColor(cv2.imread(str(corpus / STILL)), cv2.COLOR_BGR2RGB)


# (source width, height) -> (target width, height), one per branch of OpenCV's INTER_AREA:
# whole-factor blocks (2 x 2 is rounded apart), fractional shrink, growth, one axis each way.
BRANCHES = [((256, 256), (128, 128)), ((384, 256), (128, 128)), ((640, 384), (128, 128)), ((4, 4), (2, 2)),
            ((320, 180), (128, 128)), ((1920, 1080), (320, 180)), ((2048, 1536), (320, 240)),
            ((160, 90), (128, 128)), ((100, 60), (129, 127)), ((300, 88), (128, 128)), ((88, 300), (128, 128)),
            ((128, 128), (128, 128)), ((1, 1), (3, 2)), ((7, 3), (1, 1))]


@pytest.mark.parametrize(("src", "dst"), BRANCHES)
@pytest.mark.parametrize("channels", [1, 3])
def test_area_resize_equals_opencv_per_branch(real_picture, src, dst, channels):
    img = cv2.resize(real_picture, src, interpolation=cv2.INTER_AREA)
    img = img if channels == 3 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    ref = cv2.resize(img, dst, interpolation=cv2.INTER_AREA)
    got = resize_area(img, dst)
    assert np.array_equal(got, ref), _diff(ref, got)


def test_area_resize_equals_opencv_on_random_cuts_of_a_real_picture(real_picture):
    """600 cuts of any size and place, to any size (a whole factor every seventh), grey and colour."""
    rng = np.random.default_rng(20261202)
    h, w = real_picture.shape[:2]
    failures = []
    for i in range(600):
        dw, dh = (SMALL_FRAME_SIZE, SMALL_FRAME_SIZE) if i % 5 == 0 else (int(rng.integers(1, 400)),
                                                                          int(rng.integers(1, 400)))
        if i % 7 == 0:  # whole factors per axis, up to 4
            dw, dh = int(rng.integers(1, 300)), int(rng.integers(1, 300))
            sw, sh = dw * int(rng.integers(1, 5)), dh * int(rng.integers(1, 5))
        else:
            sw, sh = int(rng.integers(1, 800)), int(rng.integers(1, 600))
        y, x = int(rng.integers(0, h - sh + 1)), int(rng.integers(0, w - sw + 1))
        cut = np.ascontiguousarray(real_picture[y:y + sh, x:x + sw])
        if i % 2:
            cut = cv2.cvtColor(cut, cv2.COLOR_RGB2GRAY)
        ref = cv2.resize(cut, (dw, dh), interpolation=cv2.INTER_AREA)
        got = resize_area(cut, (dw, dh))
        if not np.array_equal(got, ref):
            failures.append(f"{cut.shape} -> {(dw, dh)}: {_diff(ref, got)}")
    assert not failures, failures[:10]


def _corpus_videos(corpus: Path) -> list[Path]:
    return sorted(p for p in (corpus / "footage").iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)


def test_small_frames_and_window_hashes_unchanged_on_every_corpus_clip(corpus):
    """Every footage clip of the corpus, frames chosen and cropped as ``fingerprint`` does: the
    small frames equal OpenCV's, and the 18 window hashes per frame (plain and mirrored) are 0
    bits from those computed on OpenCV's small frames."""
    windows = np.array([_window_box(name) for name in WINDOW_NAMES])
    clips = _corpus_videos(corpus)
    assert len(clips) >= 20
    n_frames = 0
    report = []
    for clip in clips:
        frames, borders, _ = select_frames(clip)
        cropped = [crop_frame(f[1], borders) if borders.any else f[1] for f in frames]
        if not cropped:
            continue
        ours = np.stack([_small_frame(im) for im in cropped])
        theirs = np.stack([_cv2_small_frame(im) for im in cropped])
        bits = np.concatenate([_hamming(window_hashes(a, windows), window_hashes(b, windows)).ravel()
                               for a, b in ((ours, theirs), (ours[:, :, ::-1], theirs[:, :, ::-1]))])
        n_frames += len(cropped)
        if not np.array_equal(ours, theirs) or bits.max() > 0:
            report.append(f"{clip.name}: {_diff(theirs, ours)}; window hashes up to {bits.max()} bits apart, "
                          f"{int((bits > 0).sum())} of {bits.size} differ")
    assert n_frames >= 200
    assert not report, report


# EXIF orientation (0x0112) -> the turn that displays the stored picture upright
_ORIENT = {2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
           5: lambda a: a.transpose(1, 0, 2), 6: lambda a: np.rot90(a, -1), 7: lambda a: a.transpose(1, 0, 2)[::-1, ::-1],
           8: lambda a: np.rot90(a, 1)}


def _cv2_read_still(data: bytes, max_side: int) -> np.ndarray:
    """A still as the library decoded it with OpenCV (imdecode, INTER_AREA to ``max_side``), RGB.

    OpenCV's pixels, turned upright by the file's EXIF orientation here rather than by OpenCV
    (OpenCV 4.12 ignores the orientation of WebP files, later releases apply it)."""
    rgb = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)[:, :, ::-1]
    orientation = Image.open(io.BytesIO(data)).getexif().get(0x0112, 1)
    rgb = _ORIENT.get(orientation, lambda a: a)(rgb)
    h, w = rgb.shape[:2]
    size = _target_size(w, h, max_side)
    return np.ascontiguousarray(rgb if size == (w, h) else cv2.resize(rgb, size, interpolation=cv2.INTER_AREA))


def _still_variants(corpus: Path) -> dict[str, bytes]:
    """Real JPEGs of the corpus, and one real picture in every other still format the library reads
    (grey, palette, alpha, 16-bit, EXIF-rotated, lossy and lossless)."""
    out = {p.name: p.read_bytes() for p in sorted(corpus.rglob("*.jpg"))}
    pic = Image.open(corpus / STILL).convert("RGB").resize((401, 301))
    arr = np.asarray(pic)
    rotated = Image.Exif()
    rotated[0x0112] = 6  # "turn 90 degrees clockwise to display"

    def save(name: str, img: Image.Image, fmt: str, **kw: object) -> None:
        buf = io.BytesIO()
        img.save(buf, fmt, **kw)
        out[name] = buf.getvalue()

    rgba = pic.copy()
    rgba.putalpha(Image.fromarray(arr[:, :, 0] // 2))
    for name, img in (("rgb", pic), ("grey", pic.convert("L")), ("palette", pic.convert("P")), ("rgba", rgba),
                      ("bilevel", pic.convert("1"))):
        save(f"{name}.png", img, "PNG")
    out["rgb16.png"] = cv2.imencode(".png", arr[:, :, ::-1].astype(np.uint16) * 257 + 3)[1].tobytes()
    out["grey16.png"] = cv2.imencode(".png", arr[:, :, 0].astype(np.uint16) * 257 + 100)[1].tobytes()
    save("a.gif", pic, "GIF")
    save("a.bmp", pic, "BMP")
    save("lossy.webp", pic, "WEBP", quality=80)
    save("lossless.webp", pic, "WEBP", lossless=True)
    save("lzw.tiff", pic, "TIFF", compression="tiff_lzw")
    save("grey.jpg", pic.convert("L"), "JPEG", quality=85)
    for orientation in range(2, 9):
        turn = Image.Exif()
        turn[0x0112] = orientation
        save(f"orientation{orientation}.jpg", pic, "JPEG", quality=90, exif=turn.tobytes())
    save("rotated.png", pic, "PNG", exif=rotated.tobytes())
    save("rotated.webp", pic, "WEBP", exif=rotated.tobytes())
    return out


def test_still_decoding_equals_opencv_and_keeps_the_hashes(corpus, tmp_path):
    """Pillow's decode plus the numpy resize give OpenCV's pixels for every corpus JPEG and every
    other format, so the still's 256-bit hash is 0 bits from the one computed on OpenCV's pixels."""
    report = []
    variants = _still_variants(corpus)
    assert len(variants) >= 30
    for name, data in variants.items():
        path = tmp_path / name
        path.write_bytes(data)
        for side in (DEFAULT_MAX_SIDE, 8192):  # as fingerprint() reads it, and (about) as decoded
            got = read_still(path, max_side=side).image
            ref = _cv2_read_still(data, side)
            if not np.array_equal(got, ref):
                bits = int(_hamming(*(phash256_batch(prepare_phash_input(x)[None]) for x in (got, ref)))[0]) \
                    if got.shape == ref.shape else None
                report.append(f"{name} at {side} px: {_diff(ref, got)}; hash {bits} bits apart")
    assert not report, report


def test_thumbnails_are_opencv_sized_jpegs():
    frame = np.random.default_rng(3).integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    jpeg = make_thumbnail(frame, 160, quality=70)
    dec = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert dec.shape == (90, 160, 3)
    smooth = cv2.GaussianBlur(frame, (0, 0), 8)
    thumb = cv2.imdecode(np.frombuffer(make_thumbnail(smooth, 160, quality=95), np.uint8), cv2.IMREAD_COLOR)
    ref = cv2.resize(smooth, (160, 90), interpolation=cv2.INTER_AREA)[:, :, ::-1]
    assert np.abs(thumb.astype(int) - ref.astype(int)).mean() < 2.0  # JPEG at quality 95, same picture
    grey = make_thumbnail(smooth[:, :, 0], 64)
    assert Image.open(io.BytesIO(grey)).mode == "L" and Image.open(io.BytesIO(grey)).size == (64, 36)


@pytest.mark.parametrize(("image", "size"), [
    (np.zeros((4, 4), np.float32), (2, 2)),
    (np.zeros((0, 4), np.uint8), (2, 2)),
    (np.zeros((4, 4, 3, 1), np.uint8), (2, 2)),
    ([[0, 1], [2, 3]], (1, 1)),
    (np.zeros((4, 4), np.uint8), (0, 2)),
    (np.zeros((4, 4), np.uint8), (2,)),
    (np.zeros((4, 4), np.uint8), (2.0, 2)),
    (np.zeros((4, 4), np.uint8), (True, 2)),
])
def test_resize_refuses_what_it_cannot_resample(image, size):
    with pytest.raises(InvalidArgumentError):
        resize_area(image, size)


@pytest.mark.parametrize("image", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8),
                                   np.zeros((4, 4, 3), np.int16)])
def test_grey_refuses_anything_but_rgb_bytes(image):
    with pytest.raises(InvalidArgumentError):
        rgb_to_grey(image)
