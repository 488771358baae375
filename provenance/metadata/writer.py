"""Who wrote the file: camera original, editor export, platform re-encode or plain transcoder.

A pure function over the raw tags the parsers read (:func:`fingerprint_writer`).  Each rule names the
trait it looks for and the tags it read; the first rule that decides wins, in this order:

1. **Editors** by name in the writing-software fields: XMP ``CreatorTool`` and ``xmpMM:History``
   software agents, EXIF ``Software``, QuickTime ``©swr``/``©too``, Matroska ``WritingApp``, AVI ``ISFT``
   (Adobe Premiere Pro, After Effects, Media Encoder, Photoshop, Lightroom; Apple Final Cut Pro, iMovie;
   DaVinci Resolve; CapCut; GIMP and other still editors).
2. **Platforms**: YouTube's MP4 handler name ``"ISO Media file produced by Google Inc."`` (seen in the
   corpus file ``park_street_bus_1080p.mp4``, a YouTube-encoded sample; the same string is documented in
   ExifTool's and MediaInfo's sample reports of YouTube downloads).  Other platforms (Telegram, WhatsApp,
   X, TikTok, Instagram, VK) leave no trait we could verify offline on a real file or a public
   specification, so they are not guessed: such files fall through to the transcoder rule (most of them
   are written by FFmpeg's libavformat) or stay unknown.
3. **Transcoders**: FFmpeg's libavformat ``Lavf<version>`` in ``©too``/``encoder``/``ISFT``/``MuxingApp``,
   mkvmerge, MainConcept and other encoder SDK handler names, an x264/x265 settings string in the
   first video packet.
4. **Cameras**: device keys and structures only a recording device writes (Apple ``com.apple.quicktime.make``
   with Core Media handlers, Android ``com.android.version`` with ``VideoHandle``, GoPro handler names
   and GPMF, AVCHD MDPM, DJI SRT telemetry, Canon/Pentax AVI and MOV tags, EXIF ``Make`` with no editor
   in ``Software``).
5. Otherwise ``unknown``: nothing is guessed from a missing trait.

Apple AVFoundation ("Core Media" handler names) without the camera's device keys is the signature of
an export (Photos, iMovie, the share sheet) *or* of a third-party recording app: it is called an
export only when the file also carries no capture location or date; otherwise it stays unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .model import Writer

__all__ = ["EDITORS", "fingerprint_writer"]

#: (pattern, family name) of editing programs, matched in writing-software fields
EDITORS: tuple[tuple[str, str], ...] = (
    (r"premiere", "Adobe Premiere Pro"),
    (r"after effects", "Adobe After Effects"),
    (r"media encoder", "Adobe Media Encoder"),
    (r"final cut", "Apple Final Cut Pro"),
    (r"imovie", "Apple iMovie"),
    (r"davinci|resolve", "DaVinci Resolve"),
    (r"capcut", "CapCut"),
    (r"lightroom", "Adobe Lightroom"),
    (r"photoshop", "Adobe Photoshop"),
    (r"adobe bridge", "Adobe Bridge"),
    (r"gimp", "GIMP"),
    (r"paint\.net", "Paint.NET"),
    (r"acd ?s(ee|ystems)", "ACDSee"),
    (r"picasa", "Google Picasa"),
    (r"windows photo|microsoft windows", "Microsoft Windows Photos"),
    (r"snapseed", "Snapseed"),
    (r"vegas", "Sony/MAGIX Vegas"),
    (r"movavi", "Movavi"),
    (r"kdenlive", "Kdenlive"),
    (r"shotcut", "Shotcut"),
    (r"handbrake", "HandBrake"),
    (r"idimager|photo supreme", "IDimager Photo Supreme"),
    (r"digikam", "digiKam"),
    (r"photomechanic|photo mechanic", "Photo Mechanic"),
    (r"capture one", "Capture One"),
    (r"nikon transfer|viewnx|capture nx", "Nikon Transfer / ViewNX"),
    (r"flvtool", "FLVTool2"),
)
_TRANSCODER_HANDLERS = (("mainconcept", "MainConcept encoder SDK (Adobe Media Encoder, Premiere Pro, Vegas)"),
                        ("wowzastreamingengine", "Wowza Streaming Engine (live-stream recorder)"))
#: AVI FourCCs that name a software encoder (Xvid, DivX, FFmpeg's MPEG-4 encoder default 'FMP4')
_SOFTWARE_FOURCC = {"XVID": "Xvid encoder", "DIVX": "DivX encoder", "DX50": "DivX 5 encoder",
                    "FMP4": "FFmpeg MPEG-4 encoder (libavcodec)"}
#: camera apps that name themselves in 3GPP 'auth' (FLIR One thermal camera app)
_CAMERA_APPS = (("flir one", "FLIR One thermal camera (app)"),)
_CAMERA_SOFTWARE = re.compile(r"^(v|ver\.?\s*)?[\d._ -]+[a-z]?$|firmware|^[A-Z]{1,3}\d[\w.]*$|hdr\+|^\w+ v\d", re.I)


def _ev(source: str, value: Any) -> str:
    text = str(value).replace("\n", " ")
    return f"{source}: {text[:120]}"


def _find(tags: Mapping[str, Any], suffixes: Iterable[str]) -> list[tuple[str, str]]:
    out = []
    for k, v in tags.items():
        if isinstance(v, str) and v.strip() and any(k == s or k.endswith(s) for s in suffixes):
            out.append((k, v.strip()))
    return out


_SOFTWARE_FIELDS = ("/xmp:CreatorTool", "exif:Image Software", "/udta/©swr", "/udta/©too", "/ilst/©too",
                    "mkv:Info/WritingApp", "riff:INFO/ISFT", "/keys/com.apple.quicktime.software",
                    "flv:metadatacreator", "mxf:Identification/ProductName", "/tiff:Software",
                    "iptc:OriginatingProgram")


def fingerprint_writer(tags: Mapping[str, Any], extra: Mapping[str, Any], container: str, *,
                       claim_generator: str | None = None) -> Writer:
    """Decide who last wrote a file from its raw tags.

    Parameters
    ----------
    tags : mapping
        The parsers' raw tags, keyed by source path (``"mp4:moov/udta/©too"``, ``"exif:Image Software"``).
    extra : mapping
        The parsers' structured extras (``handlers``, ``mdpm``, ``xmp`` ...).
    container : str
        The detected container (``"mp4"``, ``"jpeg"``, ``"dji_srt"`` ...).
    claim_generator : str, optional
        The C2PA manifest's claim generator, when a manifest was read: the program that signed the file last.

    Returns
    -------
    Writer
        ``kind``, family ``name``, ``confidence`` (0-1), the ``rule`` in words and the ``evidence``
        (each ``"source: raw text"``).  ``kind="unknown"`` when no rule decides.
    """
    handlers = [str(h) for h in extra.get("handlers", []) if h]
    if claim_generator:
        return Writer("editor", f"C2PA claim generator: {claim_generator[:60]}", 0.85,
                      "a C2PA manifest names the program that wrote (signed) the file last",
                      (_ev("c2pa:claim_generator", claim_generator),))
    software = _find(tags, _SOFTWARE_FIELDS)
    history = [(k, v) for k, v in tags.items() if "/xmpMM:History[" in k and isinstance(v, str)]
    # 1. editors named in a writing-software field (the newest word wins: CreatorTool/Software first)
    for k, v in software + [(k, v.split(" | ")[2] if v.count(" | ") >= 2 else v) for k, v in history]:
        if k.endswith("/keys/com.apple.quicktime.software"):
            continue  # an iOS version number, the camera's
        for pat, name in EDITORS:
            if re.search(pat, v, re.I):
                ev = [_ev(k, v)] + [_ev(k2, v2) for k2, v2 in history[-3:] if k2 != k]
                kind = "transcoder" if name in ("HandBrake", "FLVTool2") else "editor"
                return Writer(kind, name, 0.9 if "History" not in k else 0.8,
                              f"{name} named in the writing-software field {k.rsplit('/', 1)[-1]}", tuple(ev))
    # 2. platforms
    for h in handlers:
        if "produced by google" in h.lower():
            return Writer("platform", "YouTube", 0.85,
                          "MP4 handler name written by YouTube's (Google's) encoder",
                          (_ev("hdlr/name", h),))
    # 3. transcoders
    for k, v in software + _find(tags, ("/keys/encoder", "mkv:Info/MuxingApp", "/ilst/encoder")):
        if re.match(r"lav[fc]\d", v, re.I):
            sei = tags.get("h264:SEI/encoder_settings")
            ev = [_ev(k, v)] + ([_ev("h264:SEI/encoder_settings", sei)] if sei else [])
            return Writer("transcoder", "FFmpeg (Lavf)", 0.9, "FFmpeg's libavformat signed the file (Lavf version)",
                          tuple(ev))
        if "mkvmerge" in v.lower() or "mkvtoolnix" in v.lower():
            return Writer("transcoder", "mkvmerge (MKVToolNix)", 0.9, "remuxed by mkvmerge (Matroska WritingApp)",
                          (_ev(k, v),))
    for h in handlers:
        for pat, name in _TRANSCODER_HANDLERS:
            if pat in h.lower().replace(" ", ""):
                return Writer("transcoder" if "wowza" in pat else "editor", name, 0.75,
                              "handler name of an encoder SDK, not of a camera", (_ev("hdlr/name", h),))
    fourcc = str(tags.get("riff:strf/Compression", "")).strip().upper()
    if fourcc in _SOFTWARE_FOURCC:
        return Writer("transcoder", _SOFTWARE_FOURCC[fourcc], 0.75,
                      "AVI video FourCC of a software encoder (cameras write MJPG, DVSD or their own)",
                      (_ev("riff:strf/Compression", fourcc),))
    sei = tags.get("h264:SEI/encoder_settings")
    if isinstance(sei, str) and sei:
        return Writer("transcoder", "x264" if "x264" in sei else "x265" if "x265" in sei else "software encoder",
                      0.8, "software encoder settings string in the first video packet (cameras use hardware "
                      "encoders that write none)", (_ev("h264:SEI/encoder_settings", sei),))
    # 4. cameras
    cam = _camera(tags, extra, container, handlers)
    if cam is not None:
        return cam
    # Apple AVFoundation without device keys: an export, or a third-party app's recording
    if any(h.startswith("Core Media") for h in handlers):
        ev_h = tuple(_ev("hdlr/name", h) for h in handlers[:3])
        if not any(k.endswith(("/udta/loci", "/udta/date", "/©xyz")) for k in tags):
            return Writer("editor", "Apple AVFoundation export (Photos, iMovie, share sheet)", 0.6,
                          "Core Media handler names without the camera's device keys or a capture place/date", ev_h)
        return Writer("unknown", "Apple AVFoundation (app recording or export)", 0.0,
                      "Core Media handler names without device keys, but with a capture place/date", ev_h)
    if any(h.startswith("Apple ") and "Media Handler" in h for h in handlers):
        return Writer("editor", "Apple QuickTime (export)", 0.7,
                      "QuickTime 'Apple ... Media Handler' names are written by QuickTime exports, not cameras",
                      tuple(_ev("hdlr/name", h) for h in handlers[:2]))
    return Writer("unknown", None, 0.0, "no rule matched", ())


def _camera(tags: Mapping[str, Any], extra: Mapping[str, Any], container: str, handlers: list[str]) -> Writer | None:
    keys = {k.rsplit("/keys/", 1)[1]: v for k, v in tags.items() if "/keys/" in k}
    for tk, v in _find(tags, ("/udta/auth", "/udta/©aut")):
        for pat, name in _CAMERA_APPS:
            if pat in v.lower():
                return Writer("camera", name, 0.8, "a camera app names itself as the author (3GPP 'auth')",
                              (_ev(tk, v),))
    if container == "dv" and tags.get("dv:DateTimeOriginal"):
        return Writer("camera", "DV camcorder", 0.7, "DV recording date/time packs are written by the camcorder",
                      (_ev("dv:DateTimeOriginal", tags["dv:DateTimeOriginal"]),))
    if any(k.endswith("/udta/smta") for k in tags):
        return Writer("camera", "Samsung camera", 0.8, "Samsung's 'smta' user-data box, written by its camera app",
                      tuple(_ev(k, v) for k, v in tags.items() if k.endswith(("/udta/smta", "/udta/SDLN")))[:2])
    if container == "dji_srt":
        return Writer("camera", "DJI drone", 0.9, "DJI SRT telemetry sidecar (written only by the drone)",
                      (_ev("srt:cues", tags.get("srt:cues")),))
    if "com.apple.quicktime.make" in keys and any(h.startswith("Core Media") for h in handlers):
        model = keys.get("com.apple.quicktime.model", "")
        return Writer("camera", f"Apple {model} camera".replace("  ", " "), 0.95,
                      "Apple device keys (make/model/software) with Core Media handlers: the Camera app's original",
                      (_ev("keys/com.apple.quicktime.make", keys["com.apple.quicktime.make"]),
                       _ev("keys/com.apple.quicktime.model", model)))
    if "com.android.version" in keys or any(k.startswith("samsung.android.") for k in keys):
        if any(h in ("VideoHandle", "SoundHandle") for h in handlers) or not handlers:
            return Writer("camera", "Android camera (MediaRecorder)", 0.85,
                          "com.android.version key with the 'VideoHandle'/'SoundHandle' names of Android's MPEG4Writer",
                          (_ev("keys/com.android.version", keys.get("com.android.version")),
                           *(_ev("hdlr/name", h) for h in handlers[:2])))
    if any(h.strip().startswith("GoPro") for h in handlers):
        return Writer("camera", "GoPro camera", 0.95, "GoPro handler names (GoPro AVC/AAC/MET)",
                      tuple(_ev("hdlr/name", h) for h in handlers[:3]))
    if extra.get("mdpm"):
        mk = extra["mdpm"].get("make") or extra["mdpm"].get("make_code")
        return Writer("camera", f"{mk} AVCHD camcorder", 0.9, "AVCHD MDPM record (written by the camcorder)",
                      (_ev("h264:MDPM/DateTimeOriginal", tags.get("h264:MDPM/DateTimeOriginal")),))
    for k in ("/udta/TAGS/Make", "riff:INFO/ISFT"):
        for tk, v in _find(tags, (k,)):
            m = re.match(r"(canon ?mvi|pentax|nikon|fujifilm|kodak|olympus|casio|sanyo|panasonic)", v, re.I)
            if m:
                maker = m.group(1).lower().replace("canonmvi", "canon").replace("canon mvi", "canon").capitalize()
                return Writer("camera", f"{maker} camera", 0.85,
                              "camera maker's own movie tag", (_ev(tk, v),))
    make = tags.get("exif:Image Make") or tags.get("h264:MDPM/Make")
    if isinstance(make, str) and make.strip():
        sw = tags.get("exif:Image Software")
        model = tags.get("exif:Image Model", "")
        ev = [_ev("exif:Image Make", make)] + ([_ev("exif:Image Model", model)] if model else [])
        if isinstance(sw, str) and sw.strip():
            ev.append(_ev("exif:Image Software", sw))
            if not _CAMERA_SOFTWARE.search(sw.strip()) and not sw.lower().startswith(make.split()[0].lower()) \
                    and not (model and str(model).split()[-1].lower() in sw.lower()):
                return Writer("camera", f"{make.strip()} camera", 0.6, "EXIF Make written; Software names no known "
                              "editor, but does not look like firmware either", tuple(ev))
        return Writer("camera", f"{make.strip()} camera", 0.8,
                      "EXIF Make written, no editor named in Software", tuple(ev))
    if keys.get("com.apple.quicktime.make"):
        return Writer("camera", "Apple camera", 0.7, "Apple device keys",
                      (_ev("keys/make", keys["com.apple.quicktime.make"]),))
    return None
