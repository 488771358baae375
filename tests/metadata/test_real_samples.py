"""The formerly missed metadata families, on the small redistributable real samples in tests/data/real.

Every expected value comes from ExifTool 12.57's view of the same bytes (tests/data/real/exiftool.json)
or from the sample's public source; these tests run on a clean clone (no ../shared/corpus needed).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import pytest

from provenance.metadata import extract_metadata
from provenance.metadata.mpegts import parse_mdpm, unescape_rbsp

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
#: samples that are byte copies of corpus files: read from ../shared/corpus, not committed twice
IN_CORPUS = {"exiftool_QuickTime.mov": "metadata/exiftool_stub_pentax.mov", "exiftool_DV.dv": "metadata/exiftool_stub_dv.dv"}


def _corpus_copy(name: str) -> Path:
    path = CORPUS / IN_CORPUS[name]
    if not path.is_file():
        pytest.skip(f"real-media corpus not found at {CORPUS}")
    return path


@lru_cache(maxsize=1)
def _refs() -> dict[str, dict]:
    return {r["SourceFile"]: r for r in json.loads((REAL / "exiftool.json").read_text())["files"]}


def ref(name: str) -> dict:
    return _refs()[name]


def _et(text: str) -> datetime:
    """ExifTool date text with an offset -> aware UTC."""
    t = text.replace(" DST", "")
    return datetime.strptime(t.replace("Z", "+00:00"), "%Y:%m:%d %H:%M:%S%z").astimezone(timezone.utc)


def _one(md, source_part: str):
    (t,) = [t for t in md.times if source_part in t.source]
    return t


def test_sample_set_is_small_and_pinned():
    import hashlib

    rows = [line.split("\t") for line in (REAL / "MANIFEST.tsv").read_text().splitlines()[1:]]
    assert len(rows) >= 35
    total = 0
    for name, _repo, _commit, _path, _how, sha, size, _lic in rows:
        data = (REAL / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha and len(data) == int(size), name
        total += len(data)
    assert total < 2_000_000  # a few hundred kB: fine to ship in a clone


def test_sony_avchd_mdpm_needs_emulation_prevention_removed():
    path = REAL / "sony_ilce-7m3_avchd_first-196608-bytes.mts"
    data = path.read_bytes()
    i = data.find(b"MDPM")
    assert b"\x00\x00\x03" in data[i:i + 200]  # the real SEI carries emulation-prevention bytes
    md = extract_metadata(path)
    r = ref(path.name)
    t = _one(md, "MDPM")
    assert t.value == _et(r["H264:DateTimeOriginal"]) == datetime(2019, 4, 24, 20, 24, tzinfo=timezone.utc)
    assert t.utc_offset_s == 7200 and "DST" in t.note and r["H264:DateTimeOriginal"].endswith("DST")
    assert (md.device.make, md.device.model) == ("Sony", r["H264:Model"]) and r["H264:Make"] == 0x108
    assert md.writer.kind == "camera"


def test_unescape_rbsp_inverts_h264_escaping():
    payload = bytes([0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x10, 0x00, 0x00, 0x03])
    escaped = bytearray()
    zeros = 0
    for byte in payload:  # H.264 7.4.1: insert 03 after two zeros when the next byte is 00..03
        if zeros >= 2 and byte <= 3:
            escaped.append(3)
            zeros = 0
        escaped.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    assert bytes(escaped) != payload and unescape_rbsp(bytes(escaped)) == payload
    assert unescape_rbsp(b"abc") == b"abc"
    assert parse_mdpm(b"") == {}


def test_3gpp_loci_date_and_author_flir_one():
    name = "flir_one_thermal_header-only.mp4"
    md = extract_metadata(REAL / name)
    r = ref(name)
    assert "Lat=34.07539 Lon=-118.25430" in r["UserData:LocationInformation"]
    assert md.location.source.endswith("/udta/loci")
    assert (md.location.lat, md.location.lon) == (pytest.approx(34.07539, abs=1e-5),
                                                  pytest.approx(-118.2543, abs=1e-5))
    assert md.location.alt_m == pytest.approx(0.0)
    t = _one(md, "/udta/date")
    assert t.value == _et(r["UserData:DateTimeOriginal"]) and t.tz_state == "utc"
    assert md.device.author == r["UserData:Author"] == "FLIR One"


def test_3gpp_date_with_offset_and_altitude():
    name = "coremedia_loci_date_header-only.mp4"
    md = extract_metadata(REAL / name)
    r = ref(name)
    t = _one(md, "/udta/date")
    assert t.utc_offset_s == 3600 and t.value == _et(r["UserData:DateTimeOriginal"])
    assert md.location.alt_m == pytest.approx(r["Composite:GPSAltitude"], abs=0.01)
    assert md.location.lat == pytest.approx(r["Composite:GPSLatitude"], abs=1e-5)


def test_pentax_inf_make_and_mac_roman_strings_as_text():
    name = "exiftool_QuickTime.mov"
    md = extract_metadata(_corpus_copy(name))
    r = ref(name)
    assert md.device.make == r["Pentax:Make"] == "PENTAX DIGITAL CAMERA"
    assert md.raw["mp4:moov/udta/©inf"].strip() == r["UserData:Information"].strip()
    # '©alb' etc. use a Macintosh language code: Mac Roman text, shown as text, not a hex dump
    assert md.raw["mp4:moov/udta/©alb"] == r["UserData:Album"] == "ålbum"
    assert md.raw["mp4:moov/udta/©cmt"] == r["UserData:Comment"]


def test_control_characters_are_shown_as_text():
    from provenance.metadata.isobmff import _qt_string

    body = b"\x00\x0a\x15\xc7Canon\x01EOS\x00"
    assert _qt_string(body) == "Canon\\x01EOS"


def test_canon_cr3_cmt_boxes():
    name = "exiftool_CanonRaw.cr3"
    md = extract_metadata(REAL / name)
    r = ref(name)
    assert md.container == "cr3"
    assert (md.device.make, md.device.model) == (r["IFD0:Make"], r["IFD0:Model"])
    assert md.device.serial == str(r["ExifIFD:SerialNumber"])  # -n prints the digits as a number
    t = _one(md, "EXIF DateTimeOriginal")
    assert t.tz_state == "offset" and t.utc_offset_s == 0 and r["ExifIFD:OffsetTimeOriginal"] == "+00:00"
    assert t.value.replace(microsecond=0) == _et(r["ExifIFD:DateTimeOriginal"] + "+00:00")
    assert t.value.microsecond == int(str(r["ExifIFD:SubSecTimeOriginal"]).ljust(6, "0"))


def test_xmp_history_creator_tool_after_effects():
    name = "after_effects_xmp_header-only.mov"
    md = extract_metadata(REAL / name)
    r = ref(name)
    hist = [t for t in md.times if "/xmpMM:History[" in t.source]
    assert [t.note.split(" by ", 1)[1] for t in hist] == r["XMP-xmpMM:HistorySoftwareAgent"]
    assert [t.value for t in hist] == [_et(x) for x in r["XMP-xmpMM:HistoryWhen"]]
    assert all(t.meaning == "export" for t in hist)  # 'saved' by an editor: never a filming time
    assert md.writer.kind == "editor" and md.writer.name == "Adobe After Effects"
    assert any(r["XMP-xmp:CreatorTool"] in e for e in md.writer.evidence)
    # the movie header of an After Effects render is its export time, an upper bound for filming
    mv = _one(md, "mvhd/creation_time")
    assert mv.meaning == "export" and "upper bound" in mv.note


def test_xmp_derived_from_chain():
    name = "photoshop_derivedfrom_first-65536-bytes.jpg"
    md = extract_metadata(REAL / name)
    r = ref(name)
    derived = [v for k, v in md.raw.items() if "/xmpMM:DerivedFrom[" in k]
    assert derived and r["XMP-xmpMM:DerivedFromDocumentID"] in derived[0]
    assert md.raw["xmp:packet/xmp:CreatorTool"] == r["XMP-xmp:CreatorTool"]
    agents = [t.note for t in md.times if "/xmpMM:History[" in t.source]
    assert any("Lightroom" in a for a in agents) and any("Photoshop CC 2017" in a for a in agents)
    # a photo editor's xmp:CreateDate is the capture time it copied: not re-marked as an export
    assert _one(md, "/xmp:CreateDate").meaning == "recording_start"
    assert md.writer.kind == "editor"


def test_hostile_xmp_is_refused_without_expansion():
    from provenance.metadata.xmp import parse_xmp

    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="&b;"/></rdf:RDF></x:xmpmeta>')
    info = parse_xmp(bomb)
    assert info.error and not info.fields
    assert parse_xmp(b"<x:xmpmeta><rdf:RDF").error  # cut packet: no exception


def test_iptc_date_created_with_offset():
    name = "exiftool_PhotoMechanic.jpg"
    md = extract_metadata(REAL / name)
    r = ref(name)
    t = _one(md, "iptc:DateCreated")
    assert r["IPTC:TimeCreated"] == "06:27:51-05:00"
    assert t.tz_state == "offset" and t.utc_offset_s == -5 * 3600
    assert t.value == _et(r["Composite:DateTimeCreated"])
    date_only = extract_metadata(REAL / "exiftool_IPTC.jpg")
    d = _one(date_only, "iptc:DateCreated")
    assert d.value.date().isoformat() == ref("exiftool_IPTC.jpg")["IPTC:DateCreated"].replace(":", "-")
    assert d.tz_state == "local_unknown" and "date only" in d.note


def test_flv_metadata_date_and_creator():
    name = "exiftool_Flash.flv"
    md = extract_metadata(REAL / name)
    r = ref(name)
    assert md.container == "flv" and (md.width, md.height) == (r["Flash:ImageWidth"], r["Flash:ImageHeight"])
    assert md.duration_s == pytest.approx(r["Flash:Duration"])
    t = _one(md, "flv:metadatadate")
    # AMF0 dates are ms since 1970 UTC; ExifTool prints that UTC clock followed by the writer's offset
    assert t.value == datetime(2007, 6, 12, 15, 3, 11, 528553, tzinfo=timezone.utc)
    assert r["Flash:MetadataDate"].startswith("2007:06:12 15:03:11.528553") and t.utc_offset_s == -4 * 3600
    assert md.writer.name == "FLVTool2" and md.writer.kind == "transcoder"
    assert t.meaning == "file_written"


def test_dv_recording_date():
    name = "exiftool_DV.dv"
    md = extract_metadata(_corpus_copy(name))
    r = ref(name)
    t = _one(md, "dv:DateTimeOriginal")
    assert t.value == datetime.strptime(r["DV:DateTimeOriginal"], "%Y:%m:%d %H:%M:%S") and t.tz_state == "local_unknown"
    assert (md.width, md.height, md.video_codec) == (r["DV:ImageWidth"], r["DV:ImageHeight"], "dvvideo")
    assert md.frame_rate == r["DV:FrameRate"]


def test_mxf_identification_and_dates():
    name = "exiftool_MXF.mxf"
    md = extract_metadata(REAL / name)
    r = ref(name)
    assert md.container == "mxf"
    assert md.raw["mxf:Identification/VersionString"] == r["MXF:ApplicationVersionString"]
    assert md.raw["mxf:Identification/Platform"] == r["MXF:ApplicationPlatform"]
    t = _one(md, "PackageCreationDate")
    assert t.tz_state == "utc" and t.value == datetime(2010, 12, 20, 0, 14, 40, 224000, tzinfo=timezone.utc)
    assert r["MXF:CreateDate"] == "2010:12:20 00:14:40.224"


def test_dji_mavic2_layout_without_cue_timings():
    md = extract_metadata(REAL / "dji_mavic2_style_no-timing.srt")
    assert md.container == "dji_srt" and len(md.track) == 468  # the 468 samples once rejected as text
    assert (md.track[0].lat, md.track[0].lon) == (-20.2533, 149.0251)
    assert md.track[0].time == datetime(2017, 8, 5, 14, 11, 51, 393525)
    assert md.track[1].media_time_s == pytest.approx(
        (md.track[1].time - md.track[0].time).total_seconds())
    assert any(p.code == "srt_no_timing" for p in md.problems)
    assert all(t.tz_state == "local_unknown" for t in md.times)


def test_dji_mavic3_abs_alt_inside_rel_alt_bracket():
    md = extract_metadata(REAL / "dji_mavic3_first-40-cues.srt")
    assert len(md.track) == 40
    text = (REAL / "dji_mavic3_first-40-cues.srt").read_text()
    assert "[rel_alt: -2.400 abs_alt: 0.401]" in text
    assert md.track[0].alt_m == pytest.approx(0.401) and md.track[0].height_m == pytest.approx(-2.4)


def test_dji_gimbal_and_flight_yaw():
    md = extract_metadata(REAL / "dji_p4rtk_gimbal_attitude.srt")
    p0 = md.track[0]
    # "F.PRY (-8.9°, 2.9°, -75.0°), G.PRY (-27.3°, 0.0°, -76.0°)": pitch, roll, yaw
    assert (p0.flight_yaw_deg, p0.gimbal_yaw_deg, p0.gimbal_pitch_deg) == (-75.0, -76.0, -27.3)
    assert md.location.heading_deg == -76.0  # camera direction of the first fix
    assert p0.height_m == pytest.approx(17.39)


def test_stills_writer_camera_and_editor():
    for name in ("exiftool_Sony.jpg", "exiftool_Canon.jpg", "exiftool_Nikon.jpg", "exiftool_Pentax.jpg"):
        md = extract_metadata(REAL / name)
        assert md.writer.kind == "camera", (name, md.writer)
        assert md.writer.evidence and md.writer.confidence >= 0.6
    ps = extract_metadata(REAL / "exiftool_XMP.jpg")
    assert ref("exiftool_XMP.jpg")["IFD0:Software"] == "Adobe Photoshop 7.0"
    assert (ps.writer.kind, ps.writer.name) == ("editor", "Adobe Photoshop")
    assert _one(ps, "EXIF DateTimeOriginal").meaning == "recording_start"  # copied capture time kept
    assert _one(ps, "exif:Image DateTime").meaning == "modified"


def test_quicktime_export_handlers():
    md = extract_metadata(REAL / "quicktime_export_ipod_header-only.m4v")
    assert md.writer.kind == "editor" and "QuickTime" in md.writer.name
    assert any("Apple" in e and "Media Handler" in e for e in md.writer.evidence)


def _ffmpeg(tmp_path: Path, name: str, *args: str) -> Path:
    import subprocess

    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    out = tmp_path / name
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=size=160x120:rate=10", "-t", "0.5", *args, str(out)], check=True)
    return out


def test_matroska_per_track_encoder_written_by_ffmpeg(tmp_path):
    # generated with the real ffmpeg (imageio-ffmpeg): FFmpeg writes a per-track ENCODER tag in Matroska
    md = extract_metadata(_ffmpeg(tmp_path, "t.mkv", "-c:v", "mpeg4"))
    track = [v for k, v in md.raw.items() if k.startswith("mkv:Tags/uid") and k.endswith("/ENCODER")]
    assert track and track[0].startswith("Lavc") and "mpeg4" in track[0]
    assert md.device.encoder == track[0]
    assert (md.writer.kind, md.writer.name) == ("transcoder", "FFmpeg (Lavf)")


def test_x264_settings_read_from_first_packet(tmp_path):
    # generated with the real ffmpeg and libx264; the muxer tag is removed so only the SEI tells the encoder
    path = _ffmpeg(tmp_path, "x.mp4", "-c:v", "libx264", "-map_metadata", "-1", "-fflags", "+bitexact")
    md = extract_metadata(path)
    sei = md.raw.get("h264:SEI/encoder_settings", "")
    assert sei.startswith("x264 - core") and "options:" in sei
    assert md.writer.kind == "transcoder"
    assert any("x264 - core" in e for e in md.writer.evidence)


def test_editor_times_are_upper_bounds_not_capture(tmp_path):
    md = extract_metadata(REAL / "imovie_bridge_xmp_header-only.mp4")
    assert md.writer.kind == "editor"
    mv = _one(md, "mvhd/creation_time")
    assert mv.meaning == "export"
    assert not [t for t in md.times if t.meaning == "recording_start" and "mvhd" in t.source]
    # camera originals keep their meaning
    sony = extract_metadata(REAL / "sony_ilce-7m3_avchd_first-196608-bytes.mts")
    assert _one(sony, "MDPM").meaning == "recording_start"


def test_unknown_stays_unknown(tmp_path):
    md = extract_metadata(REAL / "exiftool_QuickTime.heic")
    assert md.writer.kind == "unknown" and md.writer.confidence == 0.0 and md.writer.name is None
