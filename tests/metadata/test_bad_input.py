"""Bad input: missing, text, empty, truncated files, and a fast fuzz slice over hostile bytes."""

from __future__ import annotations

import random
import signal
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import MUTATORS, self_nesting_mkv, self_nesting_mp4

from provenance.errors import CorruptMediaError, MediaNotFoundError, ProvenanceError, UnsupportedMediaError
from provenance.metadata import Metadata, extract_metadata, sniff_format
from provenance.metadata.normalize import implied_accuracy_m, parse_iso6709


def test_missing_file(tmp_path):
    with pytest.raises(MediaNotFoundError) as ei:
        extract_metadata(tmp_path / "nope.mp4")
    assert isinstance(ei.value, FileNotFoundError) and "nope.mp4" in str(ei.value)


def test_directory_is_not_media(tmp_path):
    with pytest.raises(MediaNotFoundError):
        extract_metadata(tmp_path)


def test_text_named_mp4(tmp_path):
    f = tmp_path / "clip.mp4"
    f.write_text("hello, this is not a video\n" * 20)
    with pytest.raises(UnsupportedMediaError, match="text file"):
        extract_metadata(f)


def test_empty_file(tmp_path):
    f = tmp_path / "empty.mov"
    f.write_bytes(b"")
    with pytest.raises(CorruptMediaError):
        extract_metadata(f)


def test_unknown_binary(tmp_path):
    f = tmp_path / "x.mp4"
    f.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(UnsupportedMediaError):
        extract_metadata(f)


def test_truncated_mp4_lists_problem(tmp_path, corpus):
    data = (corpus / "metadata" / "apple_iphone6_with-gps.mov").read_bytes()
    moov = data.find(b"moov") - 4
    f = tmp_path / "cut.mov"
    f.write_bytes(data[: moov + 3000])  # moov cut short
    md = extract_metadata(f)
    assert isinstance(md, Metadata)
    assert any(p.code in ("truncated", "box_exceeds_parent") for p in md.problems)
    assert md.times  # mvhd comes first and survives


def test_truncated_to_header_only(tmp_path, corpus):
    data = (corpus / "metadata" / "gopro_max_heromode.mp4").read_bytes()
    f = tmp_path / "cut.mp4"
    f.write_bytes(data[:40])  # ftyp + start of mdat header
    md = extract_metadata(f)
    assert any(p.code in ("no_moov", "truncated") for p in md.problems)


def test_sniff_ignores_extension():
    assert sniff_format(b"\x00\x00\x00\x18ftypmp42") == "isobmff"
    assert sniff_format(b"\x1a\x45\xdf\xa3rest") == "matroska"
    assert sniff_format(b"1\n00:00:00,000 --> 00:00:01,000\nGPS(1,2,3)\n") == "dji_srt"


def test_iso6709_forms():
    assert parse_iso6709("+32.0929+034.8620+028.516/")[:3] == (32.0929, 34.862, 28.516)
    assert parse_iso6709("+51.4169-000.0806/")[:2] == (51.4169, -0.0806)
    lat, lon, _, _ = parse_iso6709("+4030.00-07330.00/")  # degrees+minutes form
    assert (lat, lon) == (pytest.approx(40.5), pytest.approx(-73.5))
    assert parse_iso6709("garbage") is None and parse_iso6709("+95.0+010.0/") is None
    assert implied_accuracy_m("51.4169") == pytest.approx(11.13, abs=0.01)


class _Timeout(Exception):
    pass


#: Wall time [s] after which one metadata extraction counts as hanging (one usually takes milliseconds;
#: the slowest seen, about 1 s, on a loaded 2-core machine).
HANG_GUARD_S = 10.0


def _run_bounded(path) -> None:
    """extract_metadata must give a Metadata or a ProvenanceError, and never hang.

    A hang guard, not a speed target (those live in benchmarks/fuzz.py): a parse that loops or
    reads without bound is stopped by the alarm and fails the test; a slow machine is no failure."""
    def _alarm(signum, frame):
        raise _Timeout()

    old = signal.signal(signal.SIGALRM, _alarm)
    t0 = time.perf_counter()
    try:
        signal.setitimer(signal.ITIMER_REAL, HANG_GUARD_S)
        try:
            md = extract_metadata(path, c2pa=False)
            assert isinstance(md, Metadata)
        except ProvenanceError:
            pass
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, old)
    # also when the library turned the alarm into one of its own errors
    assert time.perf_counter() - t0 < HANG_GUARD_S


SEEDS = ["metadata/gopro_max_heromode.mp4", "metadata/apple_iphone6_with-gps.mov", "metadata/canon_MVI_4823.avi",
         "metadata/matroska_mkvmerge_flashmob.mkv", "stills/hmd_nokia-8.3-5g.jpg", "metadata/dji_mavic_pro.srt",
         "stills/apple_iphone15pro.heic", "metadata/exiftool_stub_canon_avchd.mts", "metadata/exiftool_stub_asf.wmv"]


@pytest.mark.parametrize("maker", [self_nesting_mp4, self_nesting_mkv])
def test_self_nesting(tmp_path, maker):
    f = tmp_path / "nest.bin"
    f.write_bytes(maker())
    _run_bounded(f)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.sampled_from(SEEDS), mut=st.sampled_from(sorted(MUTATORS)), rnd=st.integers(0, 2**32 - 1))
def test_fuzz_slice(tmp_path, corpus, seed, mut, rnd):
    src = corpus / seed
    data = src.read_bytes()
    f = tmp_path / f"m{src.suffix}"
    f.write_bytes(MUTATORS[mut](data, random.Random(rnd)))
    _run_bounded(f)


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=0, max_size=2048), st.sampled_from([b"", b"\x00\x00\x00\x10ftypisom\x00\x00\x00\x00",
                                                             b"\x1a\x45\xdf\xa3", b"RIFF\xff\xff\xff\xffAVI "]))
def test_random_bytes(tmp_path_factory, body, prefix):
    f = tmp_path_factory.mktemp("rb") / "r.bin"
    f.write_bytes(prefix + body)
    _run_bounded(f)


def _set_avi_lengths(data: bytes, value: int) -> bytes:
    """Set avih.dwTotalFrames and the video strh.dwLength of an AVI to ``value`` (a crafted header)."""
    out = bytearray(data)
    i = out.find(b"avih")
    out[i + 8 + 16:i + 8 + 20] = value.to_bytes(4, "little")
    j = out.find(b"strh")
    assert out[j + 8:j + 12] == b"vids"
    out[j + 8 + 32:j + 8 + 36] = value.to_bytes(4, "little")
    return bytes(out)


def test_header_duration_of_years_is_ignored_not_reported(tmp_path):
    """4 bytes of an AVI claim 171,798,692 s: the duration is dropped with a listed problem."""
    import cv2
    import numpy as np

    from provenance import extract_metadata

    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (64, 48))
    rng = np.random.default_rng(3)
    for _ in range(10):
        writer.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    writer.release()
    honest = extract_metadata(path)
    assert honest.duration_s is not None and 0.2 < honest.duration_s < 1.0
    path.write_bytes(_set_avi_lengths(path.read_bytes(), 0xFFFFFFFF))
    crafted = extract_metadata(path)
    assert crafted.duration_s is None
    assert any(p.code == "implausible_duration" for p in crafted.problems)
