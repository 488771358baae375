"""Reference tests: extract_metadata against ExifTool 12.57 output and the corpus README facts."""

from __future__ import annotations

import importlib.util
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from provenance.metadata import extract_metadata


def _times(md, source_suffix):
    return [t for t in md.times if t.source.endswith(source_suffix)]


def test_iphone6_clip(corpus, exiftool_ref):
    md = extract_metadata(corpus / "metadata" / "apple_iphone6_with-gps.mov")
    ref = exiftool_ref("apple_iphone6_with-gps.mov")
    assert md.container == "mov"
    (mvhd,) = _times(md, "mvhd/creation_time")
    assert mvhd.tz_state == "utc" and mvhd.meaning == "file_written"
    assert mvhd.value == datetime(2019, 7, 24, 8, 25, 57, tzinfo=timezone.utc)
    assert ref["QuickTime:CreateDate"] == "2019:07:24 08:25:57"
    (cd,) = _times(md, "com.apple.quicktime.creationdate")
    assert cd.tz_state == "offset" and cd.utc_offset_s == 3 * 3600 and cd.meaning == "recording_start"
    assert cd.value == datetime(2019, 7, 24, 8, 25, 40, tzinfo=timezone.utc)  # 11:25:40+03:00
    assert md.location.lat == pytest.approx(ref["Composite:GPSLatitude"]) == pytest.approx(32.0929)
    assert md.location.lon == pytest.approx(34.862)
    assert md.location.alt_m == pytest.approx(ref["Composite:GPSAltitude"], abs=0.01)
    assert md.location.accuracy_m == pytest.approx(11.1, abs=0.1)  # 4 decimals, no accuracy key
    assert md.rotation_deg == -90 and ref["Composite:Rotation"] == 90
    assert (md.device.make, md.device.model, md.device.software) == ("Apple", "iPhone 6", "12.3")
    assert (md.width, md.height, md.video_codec) == (568, 320, "h264")
    assert md.duration_s == pytest.approx(ref["QuickTime:Duration"], abs=1e-3)


def test_ipad_hevc(corpus, exiftool_ref):
    md = extract_metadata(corpus / "metadata" / "apple_ipadmini_hevc.mov")
    ref = exiftool_ref("apple_ipadmini_hevc.mov")
    (cd,) = _times(md, "creationdate")
    assert cd.value == datetime(2023, 9, 22, 16, 34, 5, tzinfo=timezone.utc) and cd.utc_offset_s == 7200
    assert md.location.accuracy_m == 35.0
    assert md.location.lat == pytest.approx(ref["Composite:GPSLatitude"])
    assert md.video_codec == "hevc" and md.rotation_deg == -90
    assert md.device.model == "iPad mini" and md.device.software == "17.0"


def test_android601_xyz(corpus, exiftool_ref):
    md = extract_metadata(corpus / "metadata" / "android601_with-gps.mp4")
    ref = exiftool_ref("android601_with-gps.mp4")
    assert md.location.source.endswith("©xyz")
    assert (md.location.lat, md.location.lon) == (pytest.approx(51.4169), pytest.approx(-0.0806))
    assert md.location.accuracy_m == pytest.approx(11.13, abs=0.01)
    assert md.device.os_version == "6.0.1" and md.device.make is None
    (end,) = [t for t in md.times if t.meaning == "recording_end"]
    (start,) = [t for t in md.times if t.meaning == "recording_start"]
    assert end.tz_state == "utc" and end.value == datetime(2017, 2, 22, 8, 20, 28, tzinfo=timezone.utc)
    assert ref["QuickTime:CreateDate"] == "2017:02:22 08:20:28"
    assert (end.value - start.value).total_seconds() == pytest.approx(0.171)


def _ee_track(path: Path) -> list[dict]:
    """Per-sample GPS rows from an `exiftool -ee -G3:1 -s` dump (one dict per GPSLatitude)."""
    rows: list[dict] = []
    cur_time = None
    for line in path.read_text().splitlines():
        m = re.match(r"\[Doc\d+:Track\d+\]\s+(\w+)\s+:\s+(.*)$", line)
        if not m:
            continue
        tag, val = m.groups()
        if tag == "GPSDateTime":
            cur_time = val
        elif tag == "GPSLatitude":
            rows.append({"lat": float(val), "time": cur_time})
            cur_time = None
        elif tag == "GPSLongitude" and rows:
            rows[-1]["lon"] = float(val)
        elif tag == "GPSAltitude" and rows:
            rows[-1]["alt"] = float(val)
    return rows


def _et_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y:%m:%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)


def test_gopro_max_offset_and_track(corpus):
    md = extract_metadata(corpus / "metadata" / "gopro_max_heromode.mp4")
    (c,) = _times(md, "mvhd/creation_time")
    assert c.tz_state == "offset" and c.utc_offset_s == -8 * 3600  # derived from GPS, not written
    assert c.value == datetime(2019, 11, 18, 23, 45, 32, tzinfo=timezone.utc)
    assert md.device.model == "GoPro Max" and md.device.firmware == "H19.03.01.30.00"
    ref = _ee_track(corpus / "reference" / "exiftool_ee_tracks" / "gopro_max_heromode.mp4.txt")
    assert len(md.track) == len(ref) == 191
    for ours, theirs in zip(md.track, ref):
        assert ours.lat == pytest.approx(theirs["lat"], abs=1e-7)
        assert ours.lon == pytest.approx(theirs["lon"], abs=1e-7)
        assert ours.alt_m == pytest.approx(theirs["alt"], abs=1e-3)
        if theirs["time"]:  # ExifTool prints GPSU once per sample, before its first row
            assert ours.time == _et_time(theirs["time"])
    assert md.track[0].time == datetime(2019, 11, 18, 23, 45, 14, tzinfo=timezone.utc)


def test_gopro_karma_track(corpus):
    md = extract_metadata(corpus / "metadata" / "gopro_hero5_karma_drone.mp4")
    ref = _ee_track(corpus / "reference" / "exiftool_ee_tracks" / "gopro_hero5_karma_drone.mp4.txt")
    assert len(md.track) == len(ref) == 47
    for ours, theirs in zip(md.track, ref):
        assert (ours.lat, ours.lon) == (pytest.approx(theirs["lat"], abs=1e-7), pytest.approx(theirs["lon"], abs=1e-7))
        assert ours.alt_m == pytest.approx(theirs["alt"], abs=1e-3)
        assert abs((ours.time - _et_time(theirs["time"])).total_seconds()) < 1e-4
    (c,) = _times(md, "mvhd/creation_time")
    assert c.utc_offset_s == 0  # HERO5 clock was set to UTC
    assert md.device.firmware == "HD5.02.02.00.00"


def test_matroska_flashmob(corpus, exiftool_ref):
    md = extract_metadata(corpus / "metadata" / "matroska_mkvmerge_flashmob.mkv")
    (mux,) = [t for t in md.times if t.meaning == "mux"]
    assert mux.value == datetime(2006, 8, 16, 11, 4, 36, tzinfo=timezone.utc) and mux.tz_state == "utc"
    (rec,) = [t for t in md.times if t.source.endswith("DATE_RECORDED")]
    assert rec.value == datetime(2006, 6, 9) and rec.tz_state == "local_unknown"
    assert {"TITLE", "URL", "COPYRIGHT"} <= {k.rsplit("/", 1)[-1] for k in md.raw if k.startswith("mkv:Tags/")}
    assert md.device.software == exiftool_ref("matroska_mkvmerge_flashmob.mkv")["Matroska:WritingApp"]
    assert any(p.code == "times_disagree" for p in md.problems)
    assert (md.width, md.height, md.video_codec) == (384, 288, "h264")
    assert md.duration_s == pytest.approx(17.844, abs=1e-3)


def test_canon_avi(corpus):
    md = extract_metadata(corpus / "metadata" / "canon_MVI_4823.avi")
    (t,) = md.times
    assert t.value == datetime(2012, 9, 10, 20, 52, 0) and t.tz_state == "local_unknown" and t.value.tzinfo is None
    assert md.device.software == "CanonMVI06"
    assert (md.width, md.height, md.video_codec) == (640, 480, "mjpeg")
    assert md.duration_s == pytest.approx(2.6, abs=0.01)


def test_long_avi_duration_where_exiftool_stops(corpus):
    md = extract_metadata(corpus / "footage" / "highway_roadside.avi")
    assert md.duration_s == pytest.approx(28.333, abs=0.01)  # ExifTool says 1.13 s (README)


def test_avchd_mdpm_zone(corpus):
    md = extract_metadata(corpus / "metadata" / "exiftool_stub_canon_avchd.mts")
    (t,) = [t for t in md.times if t.source.startswith("h264:MDPM")]
    assert t.utc_offset_s == 3600 and t.value == datetime(2008, 12, 31, 22, 16, 24, tzinfo=timezone.utc)
    assert md.device.make == "Canon"


DJI = {  # README facts: first position, cue count
    "dji_air2s.srt": (41.424724, 2.234156, 17),
    "dji_mavic_air2.srt": (41.420684, 2.162162, 25),
    "dji_mavic_mini.srt": (48.0771, -121.7458, 117),
    "dji_p4_rtk.srt": (-34.237922, -58.851745, 55),
    "dji_matrice_300.srt": (36.6146, -6.1120, 381),
    "dji_mavic_pro.srt": (-20.2533, 149.0251, 468),
}


@pytest.mark.parametrize("name", sorted(DJI))
def test_dji_srt(corpus, name):
    lat, lon, cues = DJI[name]
    md = extract_metadata(corpus / "metadata" / name)
    assert md.container == "dji_srt"
    assert len(md.track) == cues
    assert (md.track[0].lat, md.track[0].lon) == (pytest.approx(lat, abs=1e-6), pytest.approx(lon, abs=1e-6))
    assert md.location.lat == pytest.approx(lat, abs=1e-6)
    for t in md.times:
        assert t.tz_state == "local_unknown" and t.value.tzinfo is None


def test_dji_air2s_altitude_and_time(corpus):
    md = extract_metadata(corpus / "metadata" / "dji_air2s.srt")
    assert md.track[0].alt_m == pytest.approx(117.0)
    assert md.times[0].value == datetime(2022, 8, 7, 13, 40, 40, 774808)


def test_srt_sidecar_found_next_to_video(tmp_path, corpus):
    video = tmp_path / "DJI_0001.MP4"
    video.write_bytes((corpus / "metadata" / "android601_with-gps.mp4").read_bytes())
    (tmp_path / "DJI_0001.SRT").write_bytes((corpus / "metadata" / "dji_mavic_air2.srt").read_bytes())
    md = extract_metadata(video)
    assert len(md.track) == 25
    assert any(t.source.startswith("sidecar:srt") for t in md.times)
    assert len(extract_metadata(video, sidecar=False).track) == 0


def test_nokia_offset(corpus, exiftool_ref):
    md = extract_metadata(corpus / "stills" / "hmd_nokia-8.3-5g.jpg")
    ref = exiftool_ref("hmd_nokia-8.3-5g.jpg")
    (dto,) = _times(md, "DateTimeOriginal")
    assert ref["ExifIFD:OffsetTimeOriginal"] == "+03:00"
    assert dto.tz_state == "offset" and dto.utc_offset_s == 10800
    assert dto.value == datetime(2022, 8, 14, 11, 12, 31, tzinfo=timezone.utc)
    assert md.location.lat == pytest.approx(ref["Composite:GPSLatitude"], abs=1e-6)


def test_iphone6_still_gps_time_gives_offset(corpus, exiftool_ref):
    md = extract_metadata(corpus / "stills" / "apple_iphone6_hdr.jpg")
    ref = exiftool_ref("apple_iphone6_hdr.jpg")
    (gps,) = [t for t in md.times if t.meaning == "gps_fix"]
    assert gps.value == datetime(2015, 4, 10, 18, 12, 23, 60000, tzinfo=timezone.utc)
    assert ref["Composite:GPSDateTime"] == "2015:04:10 18:12:23.06Z"
    (dto,) = _times(md, "DateTimeOriginal")
    assert dto.utc_offset_s == 7200 and "inferred from GPS" in dto.note
    assert md.location.alt_m == pytest.approx(ref["Composite:GPSAltitude"], abs=0.01)
    assert (md.device.make, md.device.model) == ("Apple", "iPhone 6")


def test_untrustworthy_clocks_are_problems(corpus):
    nikon = extract_metadata(corpus / "stills" / "nikon_coolpix-p6000_DSCN0010.jpg")
    assert any(p.code == "gps_time_disagrees" for p in nikon.problems)
    live = extract_metadata(corpus / "stills" / "apple_iphone6s_livephoto_train.jpg")
    assert any(p.code == "gps_time_disagrees" for p in live.problems)


def test_heic_exif(corpus):
    md = extract_metadata(corpus / "metadata" / "samsung_galaxy_s22plus_motionphoto.heic")
    assert md.container == "heic"
    (dto,) = _times(md, "DateTimeOriginal")
    assert dto.value == datetime(2024, 1, 13, 5, 38, 53, 853000, tzinfo=timezone.utc)
    # Samsung Motion Photo (README gotcha 11): the mpvd payload is an MP4 starting with ftyp
    off = md.raw["mp4:mpvd/offset"]
    assert abs(off - 452280) <= 8
    with open(corpus / "metadata" / "samsung_galaxy_s22plus_motionphoto.heic", "rb") as fh:
        fh.seek(off)
        assert fh.read(8)[4:8] == b"ftyp"
    assert (md.width, md.height) == (4000, 3000)


def test_c2pa(corpus):
    if importlib.util.find_spec("c2pa") is None:
        pytest.skip("c2pa-python is not installed (optional extra video-provenance[c2pa])")
    md = extract_metadata(corpus / "metadata" / "afp_c2pa_signed.jpg")
    assert md.c2pa is not None
    assert md.c2pa.claim_generator == "Agence France-Press c2patool/0.9.7 c2pa-rs/0.34.0"
    assert "c2pa.repackaged" in md.c2pa.actions
    assert "A4WH9CQ.jpg" in md.c2pa.ingredients
    assert md.c2pa.signer == "AGENCE FRANCE-PRESSE"
    assert md.c2pa.state not in ("none_found", "unavailable")


def test_c2pa_none_found_is_not_negative(corpus):
    md = extract_metadata(corpus / "stills" / "hmd_nokia-8.3-5g.jpg")
    assert md.c2pa is not None and md.c2pa.state == "none_found"


def test_unset_dates_are_problems_not_times(corpus):
    md = extract_metadata(corpus / "footage" / "chair_orig-22_sd.mp4")
    assert not [t for t in md.times if t.source.startswith("mp4:moov/mvhd")]
    assert any(p.code == "time_unset" for p in md.problems)


def test_to_dict_is_json(corpus):
    import json

    md = extract_metadata(corpus / "metadata" / "gopro_max_heromode.mp4")
    d = json.loads(json.dumps(md.to_dict()))
    assert set(d) >= {"times", "location", "track", "device", "duration_s", "width", "height", "rotation_deg",
                      "video_codec", "c2pa", "problems"}
    assert "raw" not in d and "raw" in md.to_dict(raw=True)
    json.dumps(md.to_dict(raw=True))


def test_json_times_carry_tz_known(corpus):
    md = extract_metadata(corpus / "stills" / "kddi_toshiba_a5301t_gps.jpg")
    d = md.to_dict()
    states = {(t["tz_state"], t["tz_known"]) for t in d["times"]}
    assert ("utc", True) in states and ("local_unknown", False) in states
    # a zone-less time stays naive in JSON (no offset suffix): never silently localised
    (dto,) = [t for t in d["times"] if t["source"] == "exif:EXIF DateTimeOriginal"]
    assert dto["value"] == "2003-05-24T22:21:01"
