"""Checks that fixtures/manifest.json describes fixtures/media/ truthfully.

Regenerate the fixtures with ``python fixtures/make_fixtures.py`` if these fail after
editing the generator.
"""

from __future__ import annotations

import hashlib
import json
import struct
from datetime import datetime
from functools import cache
from pathlib import Path

import av
import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MEDIA = FIXTURES / "media"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text())
ENTRIES = {e["name"]: e for e in MANIFEST["files"]}
NAMES = sorted(ENTRIES)


def entry_ids():
    return pytest.mark.parametrize("name", NAMES)


# ------------------------------------------------------------------ inventory
def test_manifest_lists_every_file_and_nothing_else():
    on_disk = sorted(p.name for p in MEDIA.iterdir() if p.is_file())
    assert on_disk == NAMES


def test_total_size_is_small():
    assert sum(p.stat().st_size for p in MEDIA.iterdir()) < 4_200_000


def test_roles():
    roles = [e["role"] for e in MANIFEST["files"]]
    assert roles.count("source") >= 4 and roles.count("negative") >= 1
    assert [e["name"] for e in MANIFEST["files"] if e["role"] == "demo"] == ["viral_convoy_2020.mp4"]
    for e in MANIFEST["files"]:
        assert e["indexed"] == (e["role"] == "source")
        d = e["expected"]["derived_from"]
        if e["role"] in ("source", "negative"):
            assert d is None
        else:
            assert ENTRIES[d]["role"] == "source"


@entry_ids()
def test_size_and_hash(name):
    e = ENTRIES[name]
    data = (MEDIA / name).read_bytes()
    assert len(data) == e["size_bytes"]
    assert hashlib.sha256(data).hexdigest() == e["sha256"], "stale fixture: rerun make_fixtures.py"


# ------------------------------------------------------------------ decoding
@cache
def decode(name, step=1):
    """All frames (every `step`-th) as RGB arrays, plus stream facts."""
    frames = []
    with av.open(str(MEDIA / name)) as c:
        v = c.streams.video[0]
        facts = dict(width=v.codec_context.width, height=v.codec_context.height, codec=v.codec_context.name,
                     fps=float(v.average_rate), has_audio=bool(c.streams.audio),
                     duration=float(c.duration) / av.time_base if c.duration else None,
                     format_tags=dict(c.metadata), stream_tags=[dict(s.metadata) for s in c.streams])
        n = 0
        for i, f in enumerate(c.decode(v)):
            if i % step == 0:
                frames.append(f.to_ndarray(format="rgb24"))
            n += 1
    facts["frames"] = n
    return frames, facts


@entry_ids()
def test_stream_properties(name):
    e = ENTRIES[name]
    frames, facts = decode(name, 10)
    v = e["video"]
    assert (facts["width"], facts["height"]) == (v["width"], v["height"])
    assert facts["codec"] == v["codec"] == "h264"
    assert facts["fps"] == pytest.approx(v["fps"]) == pytest.approx(30.0)
    assert facts["frames"] == v["frames"]
    assert facts["frames"] / facts["fps"] == pytest.approx(v["duration_s"], abs=1e-3)
    assert facts["duration"] == pytest.approx(v["duration_s"], abs=0.1)
    assert facts["has_audio"] == (e["audio"] is not None)
    assert frames[0].shape == (v["height"], v["width"], 3)


@entry_ids()
def test_derived_timing_fits_source(name):
    e = ENTRIES[name]["expected"]
    if e["derived_from"] is None:
        return
    src = ENTRIES[e["derived_from"]]["video"]["duration_s"]
    for seg in e.get("segments") or [{"query_start_s": 0.0, "query_end_s": ENTRIES[name]["video"]["duration_s"],
                                      "ref_offset_s": e["ref_offset_s"]}]:
        assert seg["query_start_s"] + seg["ref_offset_s"] >= 0
        assert seg["query_end_s"] + seg["ref_offset_s"] <= src + 1e-6


# ------------------------------------------------------------------ metadata
def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@entry_ids()
def test_expected_format_tags_present(name):
    meta = ENTRIES[name]["expected"]["metadata"]
    _, facts = decode(name, 10)
    got = facts["format_tags"]
    for k, v in meta["format_tags"].items():
        # FFmpeg 8 (PyAV 19) joins a tag stored twice (mvhd and the keys atom) with ';'; each copy must be right
        values = str(got.get(k)).split(";") if k == "creation_time" else [got.get(k)]
        assert v in values, (k, got)
        if k == "creation_time":
            assert all(_instant(x) == _instant(v) for x in values), (k, got)


@entry_ids()
def test_creation_time(name):
    meta = ENTRIES[name]["expected"]["metadata"]
    _, facts = decode(name, 10)
    tags = [facts["format_tags"], *facts["stream_tags"]]
    if meta["creation_time_utc"] is None:
        assert all("creation_time" not in t for t in tags)
    else:
        want = meta["creation_time_utc"].replace("Z", "")
        assert facts["format_tags"]["creation_time"].startswith(want)


@entry_ids()
def test_stripped_files_have_no_device_tags(name):
    meta = ENTRIES[name]["expected"]["metadata"]
    if meta["family"] not in ("none", "reupload"):
        return
    _, facts = decode(name, 10)
    keys = set(facts["format_tags"]) - {"major_brand", "minor_version", "compatible_brands", "creation_time"}
    assert not keys, keys
    assert "location" not in facts["format_tags"]


def boxes(path):
    b = Path(path).read_bytes()
    out = set()

    def walk(o, e, prefix):
        while o + 8 <= e:
            size, typ = struct.unpack(">I4s", b[o:o + 8])
            hdr = 8
            if size == 1:
                size, hdr = struct.unpack(">Q", b[o + 8:o + 16])[0], 16
            p = prefix + "/" + typ.decode("latin1") if prefix else typ.decode("latin1")
            out.add(p)
            if typ in (b"moov", b"udta"):
                walk(o + hdr, o + size, p)
            elif typ == b"meta":
                s = o + hdr + (0 if b[o + hdr + 4:o + hdr + 8] == b"hdlr" else 4)
                walk(s, o + size, p)
            o += size
    walk(0, len(b), "")
    return out


@entry_ids()
def test_box_layout(name):
    meta = ENTRIES[name]["expected"]["metadata"]
    got = boxes(MEDIA / name)
    where = meta.get("box_paths")
    if meta["family"] == "apple":
        assert f"{where}/keys" in got and f"{where}/ilst" in got
        raw = (MEDIA / name).read_bytes()
        assert b"mdtacom.apple.quicktime.creationdate" in raw
    elif meta["family"] == "android":
        assert {"moov/udta/\xa9xyz", "moov/meta/keys", "moov/meta/ilst"} <= got
        assert "moov/udta/loci" not in got
    else:
        assert not any(p.endswith("/keys") or p.endswith("\xa9xyz") for p in got)


# ------------------------------------------------------------------ perceptual ground truth
imagehash = pytest.importorskip("imagehash")
from PIL import Image  # noqa: E402  (imagehash depends on Pillow)


def phash(rgb):
    return imagehash.phash(Image.fromarray(np.ascontiguousarray(rgb)), hash_size=16)


def crop(img, rect):
    x, y, w, h = rect
    return img[y:y + h, x:x + w]


def test_known_clips_are_perceptually_distinct():
    clips = [n for n in NAMES if ENTRIES[n]["role"] in ("source", "negative")]
    hashes = {n: [phash(f) for f in decode(n, 30)[0]] for n in clips}
    for i, a in enumerate(clips):
        for b in clips[i + 1:]:
            d = min(x - y for x in hashes[a] for y in hashes[b])
            assert d > 80, (a, b, d)


def _pairs(name):
    """(query frame, expected source frame) pairs implied by the manifest."""
    e = ENTRIES[name]["expected"]
    q_frames, _ = decode(name)
    s_frames, _ = decode(e["derived_from"])
    segs = e.get("segments") or [{"query_start_s": 0.0, "query_end_s": len(q_frames) / 30,
                                  "ref_offset_s": e["ref_offset_s"]}]
    for seg in segs:
        for qt in np.arange(seg["query_start_s"] + 0.25, seg["query_end_s"] - 0.25, 1.0):
            qi = int(round(qt * 30))
            si = int(round((qt + seg["ref_offset_s"]) * 30))
            q = crop(q_frames[qi], e["content_rect"])
            s = s_frames[si]
            if e.get("crop_in_source"):
                s = crop(s, e["crop_in_source"])
            if e["mirrored"]:
                q = q[:, ::-1]
            if e.get("caption_rect"):  # compare only the picture above the caption band
                top = e["caption_rect"][1]
                q, s = q[:top], s[:top]
            yield qi, q, s


@pytest.mark.parametrize("name", [n for n in NAMES if ENTRIES[n]["expected"]["derived_from"]])
def test_derived_frames_match_source_at_ref_offset(name):
    other = [n for n in NAMES if ENTRIES[n]["role"] in ("source", "negative")
             and n != ENTRIES[name]["expected"]["derived_from"]]
    for qi, q, s in _pairs(name):
        hq = phash(q)
        d_true = hq - phash(np.asarray(Image.fromarray(s).resize((q.shape[1], q.shape[0]))))
        assert d_true <= 40, (name, qi, d_true)
        # a wrong alignment (1 s off) or a wrong clip is clearly farther
        d_other = min(hq - phash(f) for n in other for f in decode(n, 30)[0][:3])
        assert d_other > d_true + 30, (name, qi, d_true, d_other)


def test_inserted_clip_filler_is_unrelated():
    name = next(n for n in NAMES if ENTRIES[n]["expected"].get("segments"))
    e = ENTRIES[name]
    filler = e["made"]["transforms"][0]["filler"]
    q_frames, _ = decode(name)
    f_frames, _ = decode(filler)
    top = e["expected"]["caption_rect"][1]
    (a0, a1), (b0, b1) = e["expected"]["unrelated_ranges_s"]
    (f0, f1), (g0, g1) = e["made"]["transforms"][0]["filler_ranges_s"]
    for qt, ft in ((a0 + 0.5, f0 + 0.5), (b0 + 0.5, g0 + 0.5)):
        d = phash(q_frames[int(qt * 30)][:top]) - phash(f_frames[int(ft * 30)][:top])
        assert d <= 40, (qt, d)
