"""Rebuild this folder's small redistributable real-media samples from local mirrors of public repositories.

    python tests/data/real/make_samples.py [--mirrors /work/.mirror]

Every file is real device or software output, copied byte for byte, except where README.md says
"header-only" (ISO-BMFF files whose ``mdat`` media payload was replaced by an empty ``mdat`` box: every
metadata box is kept byte for byte) or "first N bytes"/"first N cues" (a prefix of the original).
ExifTool's view of the very bytes kept here is written to ``exiftool.json`` when ``exiftool`` is on PATH
(``exiftool -j -G1 -a -n -ee``), so the tests compare against ExifTool without needing it installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

EXIFTOOL = ("exiftool/exiftool", "Perl Artistic License or GPL, as ExifTool (t/images test files)")
MEI = ("drewnoakes/metadata-extractor-images", "README: 'You are free to use these media files however you wish.'")
DJI = ("JuanIrache/DJI_SRT_Parser", "MIT (repository LICENSE)")

#: (source repository, path in it, name here, how: "copy" | "header-only" | "bytes:N" | "cues:N")
SAMPLES: list[tuple[tuple[str, str], str, str, str]] = [
    *[(EXIFTOOL, f"t/images/{n}", f"exiftool_{n}", "copy") for n in (
        "CanonRaw.cr3", "Flash.flv", "IPTC.jpg", "XMP.jpg", "FLIR.jpg", "Sony.jpg", "Canon.jpg", "Nikon.jpg",
        "Pentax.jpg", "Olympus.jpg", "Panasonic.jpg", "FujiFilm.jpg", "Kodak.jpg", "Casio.jpg", "Ricoh.jpg",
        "Sanyo.jpg", "Sigma.jpg", "Minolta.jpg", "Motorola.jpg", "JVC.jpg", "GE.jpg", "GPS.jpg", "Apple.jpg",
        "QuickTime.heic", "MXF.mxf", "PhotoMechanic.jpg", "MWG.jpg")],  # QuickTime.mov and DV.dv are in ../shared/corpus
    (MEI, "mp4/FLIR Thermal.mp4", "flir_one_thermal_header-only.mp4", "header-only"),
    (MEI, "mp4/Issue 515 (java).mp4", "coremedia_loci_date_header-only.mp4", "header-only"),
    (MEI, "mov/xmp480qt.mov", "after_effects_xmp_header-only.mov", "header-only"),
    (MEI, "mp4/uuid540.mp4", "imovie_bridge_xmp_header-only.mp4", "header-only"),
    (MEI, "m4v/sample_iPod.m4v", "quicktime_export_ipod_header-only.m4v", "header-only"),
    (MEI, "jpg/Issue 266.jpg", "photoshop_derivedfrom_first-65536-bytes.jpg", "bytes:65536"),
    (MEI, "mts/Sony ILCE-7M3 (A7M3).mts", "sony_ilce-7m3_avchd_first-196608-bytes.mts", "bytes:196608"),
    (DJI, "samples/mavic_2_style.SRT", "dji_mavic2_style_no-timing.srt", "copy"),
    (DJI, "samples/mix_p4rtk_mavic2pro.srt", "dji_p4rtk_gimbal_attitude.srt", "copy"),
    (DJI, "samples/MAVIC3.srt", "dji_mavic3_first-40-cues.srt", "cues:40"),
]


def _mirror(mirrors: Path, repo: str) -> Path:
    base = mirrors / repo.replace("/", "+")
    return base / "repo" if (base / "repo" / "HEAD").is_file() else base


def _blob(gitdir: Path, path: str) -> tuple[bytes, str]:
    commit = subprocess.run(["git", "--git-dir", str(gitdir), "rev-parse", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    data = subprocess.run(["git", "--git-dir", str(gitdir), "show", f"HEAD:{path}"], check=True,
                          capture_output=True).stdout
    return data, commit


def header_only(data: bytes) -> bytes:
    """Keep every top-level ISO-BMFF box byte for byte except ``mdat``, which becomes an empty box."""
    out = bytearray()
    pos = 0
    while pos + 8 <= len(data):
        size, typ = struct.unpack_from(">I4s", data, pos)
        hdr = 8
        if size == 1:
            size, hdr = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif size == 0:
            size = len(data) - pos
        if size < hdr:
            break
        out += b"\x00\x00\x00\x08mdat" if typ == b"mdat" else data[pos:pos + size]
        pos += size
    return bytes(out)


def first_cues(data: bytes, n: int) -> bytes:
    text = data.decode("utf-8")
    blocks = text.replace("\r\n", "\n").split("\n\n")
    return ("\n\n".join(blocks[:n]) + "\n").encode("utf-8")


_README_HEAD = """# Small redistributable real-media samples

Real device and software output for the metadata tests, small enough to ship with the repository so that
a clean clone exercises real files without `../shared/corpus` (which stays the full set). Rebuilt by
`python tests/data/real/make_samples.py` from local mirrors of the public repositories named below;
`exiftool.json` is ExifTool 12.57's view of these exact bytes (`exiftool -j -G1 -a -n -ee`).

How each file was taken: **copy** = byte for byte; **header-only** = every ISO-BMFF box byte for byte
except the `mdat` media payload, replaced by an empty `mdat` box (metadata intact, not decodable);
**bytes:N** = the first N bytes; **cues:N** = the first N SRT cues.

Licences: ExifTool test images are distributed under ExifTool's terms (Perl Artistic License or GPL);
drewnoakes/metadata-extractor-images states "You are free to use these media files however you wish";
JuanIrache/DJI_SRT_Parser is MIT-licensed (its LICENSE applies to the excerpts).

| file | source (repository @ commit: path) | how | bytes | SHA-256 | licence |
|---|---|---|---|---|---|
"""


def write_readme(rows: list[tuple[str, str, str, str, str, str, int, str]]) -> None:
    lines = [f"| `{n}` | {repo} @ {commit[:12]}: `{path}` | {how} | {size} | `{sha}` | {lic} |"
             for n, repo, commit, path, how, sha, size, lic in rows]
    (HERE / "README.md").write_text(_README_HEAD + "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    a = ap.parse_args(argv)
    rows = []
    for (repo, licence), path, name, how in SAMPLES:
        data, commit = _blob(_mirror(a.mirrors, repo), path)
        if how == "header-only":
            data = header_only(data)
        elif how.startswith("bytes:"):
            data = data[:int(how[6:])]
        elif how.startswith("cues:"):
            data = first_cues(data, int(how[5:]))
        (HERE / name).write_bytes(data)
        rows.append((name, repo, commit, path, how, hashlib.sha256(data).hexdigest(), len(data), licence))
    with open(HERE / "MANIFEST.tsv", "w") as fh:
        fh.write("file\trepository\tcommit\tpath\thow\tsha256\tbytes\tlicence\n")
        for r in rows:
            fh.write("\t".join(str(x) for x in r) + "\n")
    write_readme(rows)
    exe = shutil.which("exiftool")
    if exe is None:
        print("exiftool not on PATH: exiftool.json not rebuilt", file=sys.stderr)
        return 0
    names = [r[0] for r in rows if not r[0].endswith(".srt")]
    cp = subprocess.run([exe, "-j", "-G1", "-a", "-n", "-ee", *names], cwd=HERE, capture_output=True)
    refs = json.loads(cp.stdout)
    for r in refs:  # machine-specific file-system facts
        for k in [k for k in r if k.startswith("System:")]:
            del r[k]
    ver = subprocess.run([exe, "-ver"], capture_output=True, text=True).stdout.strip()
    (HERE / "exiftool.json").write_text(json.dumps({"version": ver, "files": refs}, indent=0, ensure_ascii=False))
    print(f"{len(rows)} samples, {sum(r[6] for r in rows)} bytes; ExifTool {ver} references for {len(refs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
