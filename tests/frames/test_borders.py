"""Border decisions that cannot lose a match (issue 13.1): content is not taken for borders, the
decision does not depend on which frames were sampled, and index and query meet the same picture."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from provenance.frames import Borders, detect_borders, select_frames
from provenance.hashing.fingerprinting import (
    INDEX_FPS,
    REFERENCE_VARIANT_NAMES,
    fingerprint,
    fingerprint_images,
    reference_rows,
    split_reference_times,
)
from provenance.matching.candidates import CandidateTable
from provenance.matching.match import MATCH_THRESHOLD, match_fingerprint
from provenance.media.tools import find_ffmpeg

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not available")
NASA = CORPUS / "footage" / "nasa_artemis1_hotfire_vp9.mkv"  # 52 s multi-shot promo: title cards, logos on black


def _frames(path: Path, fps: float | None = None) -> list[np.ndarray]:
    frames, _, _ = select_frames(path, fps=fps, crop_borders=False)
    return [f[1] for f in frames]


def _title_card(h: int, w: int, lines: int, seed: int) -> np.ndarray:
    """A dark title card with large white 'text': blocks of letter-like strokes across the middle."""
    rng = np.random.default_rng(seed)
    card = np.full((h, w, 3), 12, np.uint8)
    top = h // 2 - lines * h // 10
    for k in range(lines):
        y = top + k * h // 5
        x = w // 8
        while x < w - w // 8:
            lw = int(rng.integers(w // 40, w // 16))
            cv2.rectangle(card, (x, y), (x + lw, y + h // 8), (235, 235, 235), -1)
            cv2.rectangle(card, (x + lw // 3, y + h // 32), (x + 2 * lw // 3, y + h // 10), (12, 12, 12), -1)
            x += lw + int(rng.integers(2, w // 30))
    return card


# ---------------------------------------------------------------- content is not a border
@needs_corpus
def test_multishot_promo_with_title_cards_has_no_border():
    """The real 52 s promo: captions and dark cards used to be taken for fill (a symmetric cut
    above and below a landscape picture); index sampling and query sampling agree now."""
    assert detect_borders(_frames(NASA)) == Borders()
    assert detect_borders(_frames(NASA, fps=INDEX_FPS)) == Borders()


@needs_corpus
def test_decision_does_not_depend_on_the_sampled_frames():
    """Issue 13: 48 different cuts over 200 samples of one clip. Random halves of the frames
    must give one decision."""
    frames = _frames(NASA, fps=INDEX_FPS)
    rng = np.random.default_rng(7)
    cuts = {detect_borders([frames[i] for i in np.sort(rng.choice(len(frames), len(frames) // 2, replace=False))])
            for _ in range(30)}
    assert cuts == {Borders()}


@needs_corpus
def test_generated_compilation_with_title_cards_has_no_border():
    """Real fixed-camera shots of the corpus cut together with dark title cards of large text."""
    shots = [_frames(CORPUS / "footage" / name)[:6] for name in
             ("street_security-cam_cars.mp4", "parking-lot_overhead_cars.mp4", "factory_bottles_conveyor.mp4")]
    h, w = 180, 320
    frames: list[np.ndarray] = []
    for k, shot in enumerate(shots):
        frames += [_title_card(h, w, 2 + k % 2, k)] * 3
        frames += [cv2.resize(f, (w, h), interpolation=cv2.INTER_AREA) for f in shot]
    assert detect_borders(frames) == Borders()


@needs_corpus
@pytest.mark.parametrize("name", ["street_security-cam_cars.mp4", "parking-lot_overhead_cars.mp4",
                                  "trafficcam_burned-in-timestamp_hq.avi", "freeway_overhead_multilane.avi",
                                  "factory_bottles_conveyor.mp4", "doorknob_hd.mp4"])
def test_fixed_cameras_and_plain_walls_have_no_border(name):
    """Fixed cameras (a still half of the view is no 'static overlay') and a plain wall."""
    assert detect_borders(_frames(CORPUS / "footage" / name)) == Borders()


@needs_corpus
def test_bokeh_is_not_blurred_fill():
    """A sharp subject over a background out of focus to every edge (a portrait shot) keeps its
    background: blur that is not fill around a picture of another shape is picture."""
    still = cv2.cvtColor(cv2.imread(str(CORPUS / "stills" / "nikon_coolpix-p6000_DSCN0010.jpg")), cv2.COLOR_BGR2RGB)
    base = cv2.resize(still, (320, 180), interpolation=cv2.INTER_AREA)
    background = cv2.GaussianBlur(base, (0, 0), 7)
    frames = []
    for k in range(16):
        frame = background.copy()
        cx = 150 + 2 * k
        mask = np.zeros((180, 320), np.uint8)
        cv2.ellipse(mask, (cx, 95), (60, 75), 0, 0, 360, 255, -1)
        sharp = np.roll(base, 2 * k, axis=1)
        frame[mask > 0] = sharp[mask > 0]
        frames.append(frame)
    assert detect_borders(frames) == Borders()


# ---------------------------------------------------------------- real borders are still found
@needs_corpus
def test_real_bars_are_found_on_every_sampling():
    """The corpus chair clip is pillarboxed (flat bars): found from keyframes and from the 4 fps grid."""
    path = CORPUS / "footage" / "chair_orig-22_sd.mp4"
    a, b = detect_borders(_frames(path)), detect_borders(_frames(path, fps=INDEX_FPS))
    assert a.left > 0 and a.right > 0 and a.top == a.bottom == 0
    assert abs(a.left - b.left) <= 2 and abs(a.right - b.right) <= 2


# ---------------------------------------------------------------- index and query meet the same picture
@needs_corpus
def test_plain_reencode_of_a_long_multishot_clip_matches_its_original(tmp_path):
    """Issue 13: a plain re-encode of the 52 s promo did not match its indexed original (0.28
    for the original itself)."""
    table = CandidateTable(32)
    table.add("nasa", *reference_rows(fingerprint(NASA, variants=False, fps=INDEX_FPS)))
    itself = match_fingerprint(fingerprint(NASA), table)
    assert itself and itself[0].footage_id == "nasa" and itself[0].score >= 0.95
    copy = tmp_path / "nasa_480p.mp4"
    subprocess.run([find_ffmpeg(), "-v", "error", "-y", "-i", str(NASA), "-vf", "scale=-2:480", "-c:v", "libx264",
                    "-crf", "30", "-preset", "veryfast", "-an", str(copy)], check=True, capture_output=True)
    ms = match_fingerprint(fingerprint(copy), table)
    assert ms and ms[0].footage_id == "nasa" and ms[0].score >= 0.95
    assert abs(ms[0].ref_start_s - ms[0].query_start_s) <= 0.5
    assert ms[0].query_end_s - ms[0].query_start_s >= 40.0


def test_reference_keeps_uncropped_rows_when_it_cut_borders():
    """When the index cuts borders, the uncropped frames are stored too (``full`` rows), and a
    query that cut none (or others) still meets the same picture."""
    rng = np.random.default_rng(3)
    pics = [cv2.GaussianBlur(cv2.resize(rng.integers(0, 256, (12, 20, 3), dtype=np.uint8), (320, 180)), (0, 0), 2)
            for _ in range(8)]
    times = np.arange(8) * 0.25
    cut = Borders(top=30, bottom=30, kind="blur+flat")  # a wrong cut the index made
    ref = fingerprint_images(times, pics, borders=cut, variants=False)
    rt, _ = reference_rows(ref)
    _, kind = split_reference_times(rt)
    full_k = REFERENCE_VARIANT_NAMES.index("full") + 1
    assert (kind == full_k).sum() == len(pics)
    plain = fingerprint_images(times, pics, variants=False)
    assert "full" not in plain.variants  # nothing cut: no extra rows
    table = CandidateTable(32)
    table.add("ref", *reference_rows(ref))
    query = fingerprint_images(times, pics, variants=True)  # the query cut nothing
    ms = match_fingerprint(query, table)
    assert ms and ms[0].score >= MATCH_THRESHOLD and ms[0].variant.endswith("+full")
