"""Bad input gets the library's own clear error, never a crash, hang or silent wrong answer."""


import pytest

import provenance
from provenance import (
    Claim,
    InvalidArgumentError,
    MediaNotFoundError,
    ProvenanceError,
    UnsupportedMediaError,
)
from provenance.cli import main

STEPS = [provenance.extract_metadata, provenance.fingerprint, provenance.extract_keyframes, provenance.analyze]


@pytest.mark.parametrize("step", STEPS, ids=lambda f: f.__name__)
def test_missing_file(step, tmp_path):
    with pytest.raises(MediaNotFoundError, match="no such file") as info:
        step(tmp_path / "nope.mp4")
    assert isinstance(info.value, FileNotFoundError)


@pytest.mark.parametrize("step", STEPS, ids=lambda f: f.__name__)
def test_text_file_named_mp4(step, tmp_path):
    p = tmp_path / "fake.mp4"
    p.write_text("this is not a video\n" * 50)
    with pytest.raises(UnsupportedMediaError) as info:
        step(p)
    assert "fake.mp4" in str(info.value)


@pytest.mark.parametrize("step", [provenance.fingerprint, provenance.extract_keyframes], ids=lambda f: f.__name__)
def test_truncated_mp4(step, tmp_path, corpus):
    data = (corpus / "footage" / "park_street_bus_1080p.mp4").read_bytes()
    p = tmp_path / "cut.mp4"
    p.write_bytes(data[: len(data) // 3])  # moov is at the end of this file: nothing is decodable
    with pytest.raises(ProvenanceError):
        step(p)


def test_truncated_mp4_metadata_lists_problem(tmp_path, corpus):
    data = (corpus / "metadata" / "apple_iphone6_with-gps.mov").read_bytes()
    p = tmp_path / "cut.mov"
    p.write_bytes(data[: len(data) // 2])
    try:
        md = provenance.extract_metadata(p)
    except ProvenanceError:
        return  # acceptable: nothing readable
    assert md.problems, "a truncated file must be reported as a problem"


def test_directory_and_wrong_type(tmp_path):
    with pytest.raises(MediaNotFoundError, match="not a regular file"):
        provenance.extract_metadata(tmp_path)
    with pytest.raises(InvalidArgumentError, match="file path"):
        provenance.analyze(12345)


def test_analyze_refuses_non_claim(tmp_path, corpus):
    with pytest.raises(InvalidArgumentError, match="Claim"):
        provenance.analyze(corpus / "metadata" / "android601_with-gps.mp4", claim="2020-08-16")


def test_cli_unknown_option_is_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["analyze", "x.mp4", "--no-such-option"])
    assert info.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_cli_missing_file_exit_1(tmp_path, capsys):
    assert main(["metadata", str(tmp_path / "nope.mp4")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_cli_bad_claim_time_exit_2(tmp_path, capsys, corpus):
    assert main(["analyze", str(corpus / "metadata" / "android601_with-gps.mp4"), "--claim-time", "16/08/2020"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_claim_unknown_place():
    with pytest.raises(provenance.PlaceNotFoundError):
        Claim(place="Qwxyzzy")


@pytest.mark.parametrize("step", STEPS + [provenance.extract_keyframes], ids=lambda f: f.__name__)
def test_fifo_named_mp4_is_refused_not_waited_on(step, tmp_path):
    import os
    import signal

    fifo = tmp_path / "clip.mp4"
    os.mkfifo(fifo)

    def hang(signum, frame):  # pragma: no cover - only when the call blocks
        raise TimeoutError(f"{step.__name__} blocked on a FIFO")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(20)
    try:
        with pytest.raises(provenance.MediaNotFoundError, match="FIFO"):
            step(fifo)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_still_without_metadata_parser_is_analysed(tmp_path, corpus):
    import cv2

    png = tmp_path / "grab.png"
    assert cv2.imwrite(str(png), cv2.imread(str(corpus / "footage" / "dashcam_highway_solidWhiteRight_frame.jpg")))
    report = provenance.analyze(png)
    assert report.metadata.width == 960 and any("no_metadata_parser" in p for p in report.problems)


def test_huge_still_is_media_too_large(tmp_path):
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    p = tmp_path / "huge.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0))
                  + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b""))
    with pytest.raises(provenance.MediaTooLargeError, match="40000x40000") as info:
        provenance.fingerprint(p)
    assert isinstance(info.value, ValueError) and info.value.path == str(p)
