"""Gather the wide real-media set of the metadata benchmark from local mirrors of public repositories.

One command (from the repository root)::

    python benchmarks/gather_metadata_samples.py [--mirrors /work/.mirror] [--out benchmarks/.cache/metadata]

The mirrors are bare git copies of public repositories (made with the ``fetch`` tool; nothing is
downloaded here).  Files are copied byte for byte from the snapshot commit into
``<out>/<owner+name>/<path>`` (gitignored), with a ``MANIFEST.tsv`` (repository, commit, path,
SHA-256, licence) and, when ``exiftool`` is on PATH, its reference output
``<out>/exiftool.json`` (``exiftool -j -G1 -a -n -ee``, one run over the whole set).

Sources and licences:

* ``exiftool/exiftool`` ``t/images``: ExifTool's own test images (same terms as Perl: Artistic or GPL).
* ``drewnoakes/metadata-extractor-images``: "You are free to use these media files however you wish"
  (README).
* ``ianare/exif-samples``: contributed images CC BY-SA 4.0, others from Wikimedia Commons (README).
* ``JuanIrache/DJI_SRT_Parser`` ``samples``: MIT.  ExifTool does not read SRT; these feed the SRT
  checks, not the ExifTool agreement.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: repository -> (folder prefixes taken, licence)
SOURCES: dict[str, tuple[tuple[str, ...], str]] = {
    "exiftool/exiftool": (("t/images/",), "Perl Artistic License or GPL (ExifTool)"),
    "drewnoakes/metadata-extractor-images": (
        ("jpg/", "heic/", "heif/", "avif/", "mp4/", "mov/", "m4v/", "3gp/", "3g2/", "avi/", "mts/", "m2ts/",
         "cr3/", "cr2/", "nef/", "arw/", "dng/", "pef/", "srw/"),
        "README: free to use however you wish"),
    "ianare/exif-samples": (("jpg/", "heic/"), "README: contributed images CC BY-SA 4.0; others Wikimedia Commons"),
    "JuanIrache/DJI_SRT_Parser": (("samples/",), "MIT"),
}
#: media suffixes kept (lower case); everything else in those folders (docs, dumps, scripts) is left out
SUFFIXES = {".jpg", ".jpeg", ".heic", ".heif", ".hif", ".avif", ".mp4", ".mov", ".m4v", ".3gp", ".3g2", ".avi",
            ".mts", ".m2ts", ".cr3", ".cr2", ".nef", ".arw", ".dng", ".pef", ".srw", ".tif", ".mkv", ".wmv",
            ".flv", ".dv", ".mxf", ".srt"}
#: ExifTool test files that are not camera/media files although their suffix is
SKIP = {"t/images/ExifTool.jpg", "t/images/Writer.jpg", "t/images/Unknown.jpg", "t/images/ExtendedXMP.jpg"}
#: folders of deliberately broken or fuzzed files (decoder test suites), not device output
SKIP_DIRS = ("jpg/ImageTestSuite/", "jpg/invalid/", "jpg/tests/")
#: file names of crash reproductions (named after the exception they trigger in a reader)
SKIP_NAME = re.compile(r"(Exception|Error)\.[A-Za-z]+\.")
MAX_BYTES = 12 * 1024 * 1024


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(repo), *args], check=True, capture_output=True).stdout


def _mirror(mirrors: Path, name: str) -> Path | None:
    base = mirrors / name.replace("/", "+")
    for cand in (base / "repo", base):
        if (cand / "HEAD").is_file() or (cand / ".git").exists():
            return cand if (cand / "HEAD").is_file() else cand / ".git"
    return None


def gather(mirrors: Path, out: Path) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for name, (prefixes, licence) in SOURCES.items():
        repo = _mirror(mirrors, name)
        if repo is None:
            print(f"- {name}: no mirror under {mirrors} (fetch it first); skipped", file=sys.stderr)
            continue
        commit = _git(repo, "rev-parse", "HEAD").decode().strip()
        listing = _git(repo, "ls-tree", "-r", "-l", "-z", "HEAD").split(b"\0")
        n = 0
        for rec in listing:
            if not rec:
                continue
            meta, path_b = rec.split(b"\t", 1)
            path = path_b.decode("utf-8", "replace")
            parts = meta.split()
            if len(parts) < 4 or parts[1] != b"blob" or not parts[3].isdigit():
                continue  # submodules, absent large files
            size = int(parts[3])
            if not path.startswith(prefixes) or Path(path).suffix.lower() not in SUFFIXES or path in SKIP \
                    or path.startswith(SKIP_DIRS) or SKIP_NAME.search(path):
                continue
            if size == 0 or size > MAX_BYTES:
                continue
            data = _git(repo, "cat-file", "blob", parts[2].decode())
            if data.startswith(b"version https://git-lfs"):
                continue
            dest = out / name.replace("/", "+") / path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            rows.append((str(dest.relative_to(out)), name, commit, hashlib.sha256(data).hexdigest(), licence))
            n += 1
        print(f"- {name}@{commit[:12]}: {n} files")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / ".cache" / "metadata")
    a = ap.parse_args(argv)
    if a.out.exists():
        shutil.rmtree(a.out)
    a.out.mkdir(parents=True)
    rows = gather(a.mirrors, a.out)
    with open(a.out / "MANIFEST.tsv", "w") as fh:
        fh.write("file\trepository\tcommit\tsha256\tlicence\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")
    exe = shutil.which("exiftool")
    if exe is None:
        print("exiftool not on PATH: no reference output (apt-get install libimage-exiftool-perl)", file=sys.stderr)
        return 0
    ver = subprocess.run([exe, "-ver"], capture_output=True, text=True).stdout.strip()
    files = [r[0] for r in rows if not r[0].lower().endswith(".srt")]
    refs: list[dict[str, object]] = []
    for i in range(0, len(files), 200):
        cp = subprocess.run([exe, "-j", "-G1", "-a", "-n", "-ee", "-api", "largefilesupport=1", *files[i:i + 200]],
                            cwd=a.out, capture_output=True)
        if cp.stdout.strip():
            refs.extend(json.loads(cp.stdout))
    (a.out / "exiftool.json").write_text(json.dumps({"version": ver, "files": refs}))
    print(f"{len(rows)} files, ExifTool {ver} references for {len(refs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
