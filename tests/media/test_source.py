"""The media object: validated once, opened once, shared; special files refused before any open."""

from __future__ import annotations

import builtins
import os
import signal
import socket
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

import provenance
from provenance.errors import CorruptMediaError, InvalidArgumentError, MediaNotFoundError
from provenance.media import MediaFile, open_media
from provenance.media.source import sniff_still, still_dimensions

PUBLISHED = datetime(2019, 1, 1, tzinfo=timezone.utc)


def _add(db: Path, path: Path, fid: str = "ref") -> None:
    idx = provenance.FootageIndex(db, mode="c")
    try:
        idx.add(path, footage_id=fid, published_at=PUBLISHED)
    finally:
        idx.close()


@pytest.fixture()
def alarm():
    """Fail instead of hanging: a FIFO that is opened blocks forever."""
    def handler(signum, frame):  # pragma: no cover - only on failure
        raise TimeoutError("call blocked on a special file")

    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


CALLS = {
    "extract_metadata": lambda p, tmp: provenance.extract_metadata(p),
    "fingerprint": lambda p, tmp: provenance.fingerprint(p),
    "extract_keyframes": lambda p, tmp: provenance.extract_keyframes(p),
    "analyze": lambda p, tmp: provenance.analyze(p),
    "add": lambda p, tmp: provenance.FootageIndex(tmp / "i.db", mode="c").add(p, footage_id="x", published_at=PUBLISHED),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_fifo_is_refused_before_any_open(call, tmp_path, alarm, monkeypatch):
    fifo = tmp_path / "clip.mp4"
    os.mkfifo(fifo)
    opened = []
    real_open = os.open

    def spy(path, *a, **k):
        if os.fspath(path) == str(fifo):
            opened.append(path)
        return real_open(path, *a, **k)

    monkeypatch.setattr(os, "open", spy)
    with pytest.raises(MediaNotFoundError, match="not a regular file|no such file"):
        CALLS[call](fifo, tmp_path)
    assert opened == []


@pytest.mark.parametrize("special", ["/dev/null", "/dev/zero"])
def test_devices_are_refused(special, alarm):
    if not os.path.exists(special):
        pytest.skip(f"{special} missing")
    with pytest.raises(MediaNotFoundError, match="device"):
        MediaFile(special)
    with pytest.raises(MediaNotFoundError):
        provenance.fingerprint(special)


def test_socket_and_directory_are_refused(tmp_path, alarm):
    sock_path = tmp_path / "s.mp4"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.bind(str(sock_path))
        with pytest.raises(MediaNotFoundError, match="socket"):
            provenance.extract_metadata(sock_path)
    finally:
        s.close()
    with pytest.raises(MediaNotFoundError, match="directory"):
        MediaFile(tmp_path)


def test_bad_paths(tmp_path):
    with pytest.raises(InvalidArgumentError, match="file path"):
        MediaFile(b"/tmp/x.mp4")  # type: ignore[arg-type]
    with pytest.raises(MediaNotFoundError, match="no such file"):
        MediaFile(tmp_path / "missing.mp4")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(CorruptMediaError, match="empty"):
        MediaFile(empty)
    with pytest.raises(MediaNotFoundError):
        MediaFile(str(tmp_path / "a\x00b"))


def test_views_are_independent_and_bounded(tmp_path):
    p = tmp_path / "bytes.bin"
    data = bytes(range(256)) * 64
    p.write_bytes(data)
    with MediaFile(p) as m:
        a, b = m.stream(), m.stream()
        assert a.read(10) == data[:10]
        b.seek(1000)
        assert b.read(4) == data[1000:1004]
        assert a.read(5) == data[10:15]  # b's seek did not move a
        assert m.read(len(data) - 3, 100) == data[-3:]
        assert m.read(len(data) + 5, 10) == b"" and m.read(-1, 10) == b""
        a.close()
        assert m.read(0, 2) == data[:2]  # closing a view leaves the file open
        assert m.sha256() == __import__("hashlib").sha256(data).hexdigest()
    assert m.closed
    with pytest.raises(InvalidArgumentError, match="closed"):
        m.read(0, 1)


def test_open_media_shares_an_open_file(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(b"abc" * 10)
    with MediaFile(p) as m:
        with open_media(m) as same:
            assert same is m
        assert not m.closed  # a shared media object is left open for its owner


def test_still_sniffing_and_header_dimensions(corpus, tmp_path):
    import cv2

    img = (np.random.default_rng(0).random((37, 53, 3)) * 255).astype(np.uint8)
    for ext, fmt in ((".png", "png"), (".bmp", "bmp"), (".tif", "tiff"), (".webp", "webp"), (".jpg", "jpeg")):
        ok, buf = cv2.imencode(ext, img)
        assert ok
        data = buf.tobytes()
        assert sniff_still(data[:64]) == fmt
        assert still_dimensions(fmt, lambda o, n, d=data: d[o:o + n]) == (53, 37), fmt
    jpg = (corpus / "footage" / "dashcam_highway_solidWhiteRight_frame.jpg")
    with MediaFile(jpg) as m:
        h, w = cv2.imread(str(jpg)).shape[:2]
        assert m.is_still and m.still_format == "jpeg" and m.still_size() == (w, h)
    with MediaFile(corpus / "footage" / "doorknob_hd.mp4") as m:
        assert not m.is_still and m.still_size() is None


def test_a_still_is_a_still_whatever_its_name(corpus, tmp_path):
    fake = tmp_path / "frame.mp4"
    fake.write_bytes((corpus / "footage" / "dashcam_highway_solidWhiteRight_frame.jpg").read_bytes())
    fp = provenance.fingerprint(fake)
    assert len(fp) == 1 and fp.duration_s is None


class _OpenCounter:
    """Counts every way a Python process can open the media path: os.open, builtins.open, av.open."""

    def __init__(self, monkeypatch, target: Path):
        import av

        self.target = str(target)
        self.count = 0
        real_os_open, real_open, real_av_open = os.open, builtins.open, av.open

        def hit(path) -> None:
            if isinstance(path, (str, os.PathLike)) and os.path.abspath(os.fspath(path)) == self.target:
                self.count += 1

        def os_open(path, *a, **k):
            hit(path)
            return real_os_open(path, *a, **k)

        def py_open(file, *a, **k):
            hit(file)
            return real_open(file, *a, **k)

        def av_open(file, *a, **k):
            hit(file)
            return real_av_open(file, *a, **k)

        monkeypatch.setattr(os, "open", os_open)
        monkeypatch.setattr(builtins, "open", py_open)
        monkeypatch.setattr(av, "open", av_open)


@pytest.mark.parametrize("name", ["footage/chair_22_sepia.mp4", "metadata/apple_iphone6_with-gps.mov",
                                  "metadata/afp_c2pa_signed.jpg", "footage/highway_overhead_320x176.avi"])
def test_analyze_against_an_index_opens_the_media_once(name, corpus, tmp_path, monkeypatch):
    db = tmp_path / "known.db"
    _add(db, corpus / "footage" / "chair_orig-22_sd.mp4")
    target = (corpus / name).resolve()
    counter = _OpenCounter(monkeypatch, target)
    report = provenance.analyze(target, index=db)
    assert report.path == str(target)
    assert 1 <= counter.count <= 2, counter.count
    assert counter.count == 1  # measured: one open serves metadata, C2PA, layout and decode


def test_each_public_step_opens_once(corpus, monkeypatch, tmp_path):
    target = (corpus / "metadata" / "apple_ipadmini_hevc.mov").resolve()
    counter = _OpenCounter(monkeypatch, target)
    provenance.extract_metadata(target)
    provenance.fingerprint(target)
    provenance.extract_keyframes(target)
    assert counter.count == 3
    idx = provenance.FootageIndex(tmp_path / "i.db", mode="c")
    idx.add(target, footage_id="ipad", published_at=PUBLISHED)  # content hash and decode share the open
    idx.close()
    assert counter.count == 4


def test_matching_finds_the_reference_through_the_shared_file(corpus, tmp_path):
    db = tmp_path / "known.db"
    _add(db, corpus / "footage" / "chair_orig-22_sd.mp4", "chair")
    with MediaFile(corpus / "footage" / "chair_22_sepia.mp4") as media:
        report = provenance.analyze(media, index=db)
        assert not media.closed  # the caller's media object stays the caller's
    assert [m.footage_id for m in report.matches][:1] == ["chair"]
    assert report.keyframe_times_s
