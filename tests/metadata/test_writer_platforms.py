"""Platform re-encode rules of the writer fingerprint, on files made with the real FFmpeg.

No file downloaded from TikTok, X, YouTube, Telegram or Facebook may be redistributed here, so each
platform test writes a clip with FFmpeg (imageio-ffmpeg's binary) that *reproduces the documented
traits* of that platform's output (the sources are cited next to each rule in
``provenance/metadata/writer.py``) and checks the rule on the bytes our parsers read.  The negative
tests check that near misses (a person's comment, an Android camera layout, an FFmpeg remux) and every
real camera original in the corpus and in ``tests/data/real`` are not called a platform.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from provenance.errors import ProvenanceError
from provenance.metadata import extract_metadata
from provenance.metadata.writer import fingerprint_writer

REAL = Path(__file__).resolve().parents[1] / "data" / "real"


@pytest.fixture(scope="module")
def ffmpeg() -> str:
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def _clip(ffmpeg: str, out: Path, *args: str, audio: bool = True) -> Path:
    """A 1 s H.264 (+AAC) MP4 from FFmpeg's test sources with the given extra output options."""
    cmd = [ffmpeg, "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30"]
    if audio:
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]
    cmd += ["-t", "1", "-c:v", "libx264", "-preset", "ultrafast"]
    if audio:
        cmd += ["-c:a", "aac"]
    subprocess.run([*cmd, *args, str(out)], check=True, capture_output=True, timeout=120)
    return out


def _writer(path: Path):
    return extract_metadata(path).writer


# --- TikTok / Douyin -------------------------------------------------------------------------------------

def test_reproduces_the_documented_traits_of_tiktok_mdta_keys(ffmpeg, tmp_path):
    """TikTok download as ExifTool sees it: Keys:Comment 'vid:v0…', Keys:AigcInfo, Keys:VidMd5, Lavf encoder."""
    f = _clip(ffmpeg, tmp_path / "tiktok.mp4", "-movflags", "use_metadata_tags",
              "-metadata", "comment=vid:v0d00fg10000cbk2qm0ivfsko76kvric0",
              "-metadata", 'aigc_info={"aigc_label_type":0}',
              "-metadata", "vid_md5=6899efc8f52bffb08c5ac45deee24f64")
    w = _writer(f)
    assert (w.kind, w.name) == ("platform", "TikTok / Douyin (ByteDance)")
    assert w.confidence == 0.9  # the video id and ByteDance's own tags agree
    assert any(e.endswith("keys/comment: vid:v0d00fg10000cbk2qm0ivfsko76kvric0") for e in w.evidence)
    assert any("aigc_info" in e for e in w.evidence)
    # the platform's mvhd stamp is the re-encode's, so it may bound the filming time only from above
    assert all(t.meaning != "recording_start" for t in extract_metadata(f).times if "mvhd" in t.source)


def test_reproduces_the_documented_traits_of_douyin_itunes_comment(ffmpeg, tmp_path):
    """Douyin download as ffprobe shows it: comment 'vid:v0300…' (iTunes ©cmt) and encoder Lavf, nothing else."""
    f = _clip(ffmpeg, tmp_path / "douyin.mp4", "-metadata", "comment=vid:v0300fdb0000btbmkrhucgba10erkqn0")
    w = _writer(f)
    assert (w.kind, w.name, w.confidence) == ("platform", "TikTok / Douyin (ByteDance)", 0.8)
    assert any("©cmt: vid:v0300fdb0000btbmkrhucgba10erkqn0" in e for e in w.evidence)


def test_reproduces_the_documented_traits_of_a_bytedance_app_export(ffmpeg, tmp_path):
    """An export by one of ByteDance's apps: aigc_info without the platform's video id is a weaker finding."""
    f = _clip(ffmpeg, tmp_path / "app_export.mp4", "-movflags", "use_metadata_tags",
              "-metadata", 'aigc_info={"aigc_label_type":0,"source_info":"dreamina"}')
    w = _writer(f)
    assert (w.kind, w.confidence) == ("editor", 0.7) and w.name.startswith("ByteDance app export")


_VICUT = ('{"source_type":"vicut","data":{"appVersion":"7.7.2","editSource":"album","editType":"edit",'
          '"exportType":"export","os":"ios","product":"vicut","videoId":"3D322E87-4108-438D-88D9-2A99E1F9E886"}}')
_TEEDITOR = '{{"publicMode":"1"},{"TEEditor":"2"},{"isFastImport":"0"},{"transType":"2"},{"te_is_reencode":"1"}}'


def test_reproduces_the_documented_traits_of_a_capcut_export(ffmpeg, tmp_path):
    """CapCut iOS export as ExifTool dumps it: a 'vicut' JSON in a text tag, the TikTok editor string, Lavf."""
    f = _clip(ffmpeg, tmp_path / "capcut.mp4", "-metadata", f"artist={_VICUT}", "-metadata", f"comment={_TEEDITOR}")
    w = _writer(f)
    assert (w.kind, w.name, w.confidence) == ("editor", "CapCut (ByteDance)", 0.85)
    assert '"source_type":"vicut"' in w.evidence[0]
    # an edited export's own times bound the filming from above
    assert all(t.meaning != "recording_start" for t in extract_metadata(f).times if "mvhd" in t.source)


def test_reproduces_the_documented_traits_of_the_tiktok_app_editor(ffmpeg, tmp_path):
    f = _clip(ffmpeg, tmp_path / "tiktok_editor.mp4", "-metadata", f"comment={_TEEDITOR}")
    assert (_writer(f).kind, _writer(f).name) == ("editor", "TikTok app editor (ByteDance)")


def test_tiktok_platform_id_wins_over_the_capcut_export(ffmpeg, tmp_path):
    """Edited in CapCut, then uploaded: the platform's re-encode is the last write."""
    f = _clip(ffmpeg, tmp_path / "capcut_then_tiktok.mp4", "-metadata", f"artist={_VICUT}",
              "-metadata", "comment=vid:v0d00fg10000cbk2qm0ivfsko76kvric0")
    assert _writer(f).name == "TikTok / Douyin (ByteDance)"


def test_a_persons_vid_comment_is_not_tiktok(ffmpeg, tmp_path):
    f = _clip(ffmpeg, tmp_path / "holiday.mp4", "-metadata", "comment=vid: holiday at the lake")
    w = _writer(f)
    assert (w.kind, w.name) == ("transcoder", "FFmpeg (Lavf)")


# --- X (Twitter) -----------------------------------------------------------------------------------------

def test_reproduces_the_documented_traits_of_x_twitter(ffmpeg, tmp_path):
    """X's progressive MP4: every track's handler is 'Twitter-vork muxer' (govd issue #29, ExifTool output)."""
    f = _clip(ffmpeg, tmp_path / "x.mp4", "-fflags", "+bitexact",
              "-metadata:s:v", "handler_name=Twitter-vork muxer", "-metadata:s:a", "handler_name=Twitter-vork muxer")
    w = _writer(f)
    assert (w.kind, w.name, w.confidence) == ("platform", "X (Twitter)", 0.95)
    assert w.evidence == ("hdlr/name: Twitter-vork muxer",)


def test_x_handler_wins_over_the_lavf_tag(ffmpeg, tmp_path):
    """Downloaders that keep the file as served still carry FFmpeg's tags; the platform is the last writer."""
    f = _clip(ffmpeg, tmp_path / "x_lavf.mp4", "-metadata:s:v", "handler_name=Twitter-vork muxer", audio=False)
    md = extract_metadata(f)
    assert any(str(v).startswith("Lavf") for v in md.raw.values())
    assert md.writer.name == "X (Twitter)"


# --- YouTube ---------------------------------------------------------------------------------------------

def test_reproduces_the_documented_traits_of_youtube(ffmpeg, tmp_path):
    f = _clip(ffmpeg, tmp_path / "yt.mp4", "-metadata:s:v", "handler_name=ISO Media file produced by Google Inc.",
              "-metadata:s:a", "handler_name=ISO Media file produced by Google Inc.")
    assert (_writer(f).kind, _writer(f).name) == ("platform", "YouTube")


def test_real_youtube_sample_in_the_corpus(corpus):
    w = extract_metadata(corpus / "footage" / "park_street_bus_1080p.mp4").writer
    assert (w.kind, w.name) == ("platform", "YouTube")
    assert w.evidence[0].startswith("hdlr/name: ISO Media file produced by Google Inc.")


# --- Telegram for Android --------------------------------------------------------------------------------

_TELEGRAM = ("-bsf:v", "filter_units=remove_types=6",  # MediaCodec writes no x264 settings SEI
             "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",  # no Lavf/Lavc tags
             "-video_track_timescale", "90000", "-metadata:s:v", "encoder=",  # Track.java: 90 kHz, no compressor
             "-metadata:s:v", "handler_name=VideoHandle", "-metadata:s:a", "handler_name=SoundHandle",
             "-metadata:s:v", "language=eng", "-metadata:s:a", "language=eng")


def test_reproduces_the_documented_traits_of_telegram_android(ffmpeg, tmp_path):
    """MP4Builder.java/Track.java: ftyp isom/512/isom,iso2,avc1,mp41, VideoHandle/SoundHandle, 90 kHz video."""
    f = _clip(ffmpeg, tmp_path / "telegram.mp4", *_TELEGRAM)
    md = extract_metadata(f)
    assert md.raw["mp4:ftyp/compatible_brands"] == ["isom", "iso2", "avc1", "mp41"]
    w = md.writer
    assert (w.kind, w.name, w.confidence) == ("platform", "Telegram for Android (MP4Builder)", 0.7)
    assert "hdlr/name: VideoHandle" in w.evidence and "mdhd/timescale: 90000" in w.evidence


def test_android_camera_layout_is_not_telegram(ffmpeg, tmp_path):
    """Same handler names as Telegram, but Android's MPEG4Writer ftyp (mp42/0/isom,mp42) and device keys."""
    f = _clip(ffmpeg, tmp_path / "android.mp4", *_TELEGRAM, "-brand", "mp42", "-movflags", "use_metadata_tags",
              "-metadata", "com.android.version=13")
    md = extract_metadata(f)
    assert md.raw["mp4:ftyp/major_brand"] == "mp42"
    assert md.writer.kind == "camera"


def test_ffmpeg_remux_with_copied_handlers_is_not_telegram(ffmpeg, tmp_path):
    """FFmpeg keeps the source's handler names when it remuxes; its Lavf/Lavc tags say who wrote the file."""
    f = _clip(ffmpeg, tmp_path / "remux.mp4", "-video_track_timescale", "90000",
              "-metadata:s:v", "handler_name=VideoHandle", "-metadata:s:a", "handler_name=SoundHandle")
    assert _writer(f).kind == "transcoder"


def test_telegram_rule_needs_the_90khz_video_track(ffmpeg, tmp_path):
    args = list(_TELEGRAM)
    args[args.index("90000")] = "15360"
    assert _writer(_clip(ffmpeg, tmp_path / "not_telegram.mp4", *args)).kind != "platform"


# --- Facebook (FBMD IPTC marker) --------------------------------------------------------------------------

def test_facebook_fbmd_marker():
    """IPTC Special Instructions 'FBMD01…' (as ExifTool prints it for Facebook CDN JPEGs)."""
    tags = {"iptc:SpecialInstructions": "FBMD01000a8c01000084810000e5040100d82e0100c84d010014c40100f4520200",
            "exif:Image Make": "Canon"}
    w = fingerprint_writer(tags, {}, "jpeg")
    assert (w.kind, w.name, w.confidence) == ("platform", "Facebook (Meta)", 0.9)
    assert w.evidence[0].startswith("iptc:SpecialInstructions: FBMD01")
    person = fingerprint_writer({"iptc:SpecialInstructions": "FBMD is my band's name", "exif:Image Make": "Canon"},
                                {}, "jpeg")
    assert person.kind == "camera"


# --- negatives on every real file -------------------------------------------------------------------------

def _real_files(corpus: Path) -> list[Path]:
    roots = [corpus / "footage", corpus / "metadata", corpus / "stills", REAL]
    skip = {".json", ".tsv", ".md", ".py", ".txt"}
    return sorted(p for r in roots if r.is_dir() for p in r.rglob("*") if p.is_file() and p.suffix.lower() not in skip)


def test_no_real_file_is_called_a_platform_except_the_youtube_sample(corpus):
    """None of the real camera originals, editor exports or transcodes trips a platform rule."""
    files = _real_files(corpus)
    assert len(files) > 60
    platform, cameras = [], 0
    for p in files:
        try:
            w = extract_metadata(p).writer
        except ProvenanceError:  # unreadable samples are the bad-input tests' business
            continue
        cameras += w.kind == "camera"
        if w.kind == "platform":
            platform.append((p.name, w.name))
    assert platform == [("park_street_bus_1080p.mp4", "YouTube")]
    assert cameras >= 40


def test_facebook_marker_read_from_a_jpeg_file(tmp_path):
    """The whole path: a real JPEG with an APP13 Photoshop/IPTC block holding the FBMD marker."""
    import struct

    import cv2
    import numpy as np

    from provenance import extract_metadata

    rng = np.random.default_rng(7)
    ok, jpeg = cv2.imencode(".jpg", rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    assert ok
    marker = b"FBMD01000a8c01000084810000e5040100d82e0100c84d010014c40100f4520200"
    iptc = b"\x1c\x02\x28" + struct.pack(">H", len(marker)) + marker
    irb = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    body = b"Photoshop 3.0\x00" + irb
    app13 = b"\xff\xed" + struct.pack(">H", len(body) + 2) + body
    data = jpeg.tobytes()
    path = tmp_path / "fb.jpg"
    path.write_bytes(data[:2] + app13 + data[2:])  # right after SOI
    w = extract_metadata(path).writer
    assert (w.kind, w.name) == ("platform", "Facebook (Meta)")
