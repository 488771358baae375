"""Known truth of every corpus and fixture file: when and where it was filmed.

Sources of truth, independent of this library's parsers:

- corpus files: the ExifTool references in ``../shared/corpus/reference/exiftool`` and the
  corpus MANIFEST.tsv notes (which read those references and the files' documentation);
  the capture tag is chosen by what the MANIFEST says it means (e.g. GoPro MAX ``mvhd`` is
  local time, the GPMF GPS clock is UTC; Matroska DateUTC is the mux date, DATE_RECORDED the
  recording day; the Core Media export keeps none of the original's capture tags, so its
  truth is the original's);
- fixtures: ``recorded_start_utc`` and the GPS of ``fixtures/manifest.json`` (derived files
  take their source's truth).

Each entry: ``utc`` (aware instant of the recording start, or None), ``local`` (naive wall-clock
reading when only that is known, zone unknown), ``lat``/``lon`` (or None). Files with neither
a time nor a place (CCTV clips, test patterns) are listed with ``None`` everywhere: claims about
them have no truth and are reported apart (they must come out unverifiable).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

UTC = timezone.utc


def _u(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(UTC)


def _n(s: str) -> datetime:
    return datetime.fromisoformat(s)


def T(utc: str | None = None, lat: float | None = None, lon: float | None = None, local: str | None = None,
      note: str = "") -> dict:
    return {"utc": _u(utc) if utc else None, "local": _n(local) if local else None, "lat": lat, "lon": lon,
            "note": note}


NONE = T(note="no capture time or place in the file or its documentation")

CORPUS: dict[str, dict] = {
    "metadata/apple_iphone6_with-gps.mov": T("2019-07-24T08:25:40Z", 32.0929, 34.862, note="Keys 11:25:40+03:00"),
    "metadata/apple_iphone6s_livephoto_train.mov": T("2021-04-10T10:43:59Z", 52.2097, -0.8955),
    "metadata/apple_ipadmini_hevc.mov": T("2023-09-22T16:34:05Z", 52.4597, 13.322),
    "metadata/apple_coremedia_export_avc.mp4": T("2023-09-22T16:34:05Z", 52.4597, 13.322,
                                                  note="export of the iPad original; its own time is the export"),
    "metadata/android601_with-gps.mp4": T("2017-02-22T08:20:28Z", 51.4169, -0.0806,
                                          note="mvhd UTC (start or end: the clip is a few seconds)"),
    "metadata/android712_keyed_moov-only.mp4": T("2017-07-13T19:16:30Z", 33.9951, -118.4762,
                                                 note="mvhd 19:16:41 UTC is the end; 11.4 s long"),
    "metadata/gopro_hero5_karma_drone.mp4": T("2017-04-17T19:27:57Z", 33.125369, -117.331067, note="GPMF GPS clock"),
    "metadata/gopro_max_heromode.mp4": T("2019-11-18T23:45:14Z", 33.12677, -117.327344, note="GPMF GPS clock"),
    "metadata/matroska_mkvmerge_flashmob.mkv": T(local="2006-06-09T12:00:00", note="DATE_RECORDED day only"),
    "metadata/exiftool_stub_matroska.mkv": T(local="2010-02-03T21:17:48", note="DateUTC is the mux time: bound only"),
    "metadata/exiftool_stub_canon_avchd.mts": T("2008-12-31T22:16:24Z", note="MDPM 23:16:24+01:00"),
    "metadata/canon_MVI_4823.avi": T(local="2012-09-10T20:52:00"),
    "metadata/exiftool_stub_canon_riff.avi": T(local="2003-03-10T15:04:43"),
    "metadata/exiftool_stub_pentax_k-x.avi": T(local="2009-10-27T12:14:00"),
    "metadata/exiftool_stub_pentax.mov": T(local="2005-08-11T14:03:54", note="CreateDate; ModifyDate 2010 is an edit"),
    "metadata/exiftool_stub_dv.dv": T(local="2010-02-16T21:36:28"),
    "metadata/exiftool_stub_asf.wmv": T(local="2004-10-28T17:23:34", note="ASF CreationDate is the file's write time"),
    "metadata/samsung_galaxy_s22plus_motionphoto.heic": T("2024-01-13T05:38:53Z", note="21:38:53-08:00"),
    "metadata/afp_c2pa_signed.jpg": NONE,
    "metadata/dji_air2s.srt": T(local="2022-08-07T13:40:40", lat=41.424724, lon=2.234156),
    "metadata/dji_mavic_air2.srt": T(local="2022-05-01T15:01:58", lat=41.420684, lon=2.162162),
    "metadata/dji_mavic_mini.srt": T(lat=48.0771, lon=-121.7458),
    "metadata/dji_p4_rtk.srt": T(lat=-34.237922, lon=-58.851745),
    "metadata/dji_matrice_300.srt": T(local="2022-06-21T16:06:17", lat=36.6146, lon=-6.1120),
    "metadata/dji_mavic_pro.srt": T(local="2017-08-05T14:11:51", lat=-20.2533, lon=149.0251),
    "stills/nikon_coolpix-p6000_DSCN0010.jpg": T("2008-10-23T14:27:07Z", 43.467448, 11.885127,
                                                 note="GPS clock; the camera clock is a day behind"),
    "stills/apple_iphone6_hdr.jpg": T("2015-04-10T18:12:23Z", 40.446972, -3.724753),
    "stills/hmd_nokia-8.3-5g.jpg": T("2022-08-14T11:12:31Z", 60.146706, 24.906772),
    "stills/apple_iphone11promax_IMG_5195.heic": T("2021-04-11T20:47:53Z", 39.051344, -94.288772),
    "stills/kddi_toshiba_a5301t_gps.jpg": T(local="2003-05-24T22:21:01", lat=35.616019, lon=139.697317,
                                            note="the GPS stamp is local JST, not UTC (non-compliant phone)"),
    "stills/apple_iphone6s_livephoto_train.jpg": T("2021-04-10T10:44:00Z", 52.209678, -0.895531),
    "stills/apple_iphone12pro_classic-car.heic": T("2023-10-22T07:39:48Z", 41.843403, 3.066228),
    "stills/lge_nexus5x_aarhus.jpg": T("2018-05-30T19:25:39Z", 56.153775, 10.199317),
    "stills/apple_iphone15pro.heic": T("2023-10-31T10:44:43Z", 52.459606, 13.321842),
    "stills/apple_iphone7_IMG_2682.heic": T("2019-03-21T16:04:22Z", 41.2203, -96.071625),
    "stills/sony_hdr-as300_DSC00001.jpg": T("2018-06-08T20:24:10Z", 45.516903, -122.572765),
    "stills/apple_iphone13pro_TestImage.jpg": T("2024-09-13T23:21:05Z", 36.053653, -112.083244),
    "stills/exiftool_stub_gopro_hero6.jpg": T("2017-10-03T14:58:29Z", 40.658419, -73.993354,
                                              note="10:58:29 local, GPS UTC implies -04:00"),
    "stills/exiftool_stub_google_pixel8pro.jpg": T("2023-10-06T20:53:51Z", 40.400069, -3.714647),
}
#: The remaining corpus files (footage: CCTV, dashcams, test patterns) carry no trustworthy capture time or place.
for _name in ("footage/street_security-cam_cars.mp4", "footage/highway_overhead_640x360.avi",
              "footage/highway_overhead_320x176.avi", "footage/trafficcam_burned-in-timestamp.avi",
              "footage/highway_roadside.avi", "footage/dashcam_highway_solidWhiteRight.mp4",
              "footage/dashcam_highway_solidWhiteRight_frame.jpg", "footage/parking-lot_overhead_cars.mp4",
              "footage/park_street_bus_1080p.mp4", "footage/chair_orig-22_sd.mp4", "footage/chair_22_grey.mp4",
              "footage/chair_22_sepia.mp4", "footage/chair_22_small-logo.mp4", "footage/chair_22_large-logo.mp4",
              "footage/chair_22_trim-3.7s.mp4", "footage/chair_22_trim-2.0s.mp4", "footage/doorknob_hd.mp4",
              "footage/pattern_hd.mp4", "footage/pattern_sd_grey.mp4", "footage/pattern_sd_small-logo.mp4",
              "footage/nasa_artemis1_hotfire_vp9.mkv", "footage/bbb_matroska_test1.mkv",
              "footage/freeway_overhead_multilane.avi", "footage/trafficcam_burned-in-timestamp_hq.avi",
              "footage/dashcam_highway_test_video_1.5s.mp4", "footage/factory_bottles_conveyor.mp4"):
    CORPUS[_name] = NONE


def fixtures(root: str) -> dict[str, dict]:
    """Truth of the fixture files from their manifest (derived files inherit their source's)."""
    with open(os.path.join(root, "fixtures", "manifest.json"), encoding="utf-8") as f:
        man = json.load(f)
    items = man["files"] if isinstance(man, dict) and "files" in man else man
    items = list(items.values()) if isinstance(items, dict) else items
    by_name = {it["name"]: it for it in items if isinstance(it, dict) and "name" in it}
    out = {}
    for name, it in by_name.items():
        exp = it.get("expected", {})
        src = by_name.get(exp.get("derived_from") or "", it)
        sexp = src.get("expected", {})
        gps = (sexp.get("metadata") or {}).get("gps")
        utc = sexp.get("recorded_start_utc")
        lat = lon = None
        if isinstance(gps, (list, tuple)) and len(gps) >= 2:
            lat, lon = float(gps[0]), float(gps[1])
        elif isinstance(gps, dict) and "lat" in gps:
            lat, lon = float(gps["lat"]), float(gps["lon"])
        if exp.get("segments"):  # only part of it is the source's footage: the video's own truth is unknown
            utc, lat, lon = None, None, None
        entry = T(utc, lat, lon, note=f"fixture manifest ({'source ' + src['name'] if src is not it else 'original'})")
        entry["derived_from"] = exp.get("derived_from")
        entry["segments"] = exp.get("segments")
        entry["published"] = sexp.get("first_published")
        entry["duration_s"] = (it.get("made") or {}).get("duration_s")
        out[name] = entry
    return out
