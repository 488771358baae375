"""Fuzz the public pipeline with mutated real media and crafted bombs, each call in its own process.

Run from the repository root::

    nice -n 10 python benchmarks/fuzz.py --inputs 1250        # 1,250 inputs x 4 calls = 5,000 calls
    nice -n 10 python benchmarks/fuzz.py --inputs 1250 --max-minutes 60 --json results.jsonl  # time-boxed
    python benchmarks/fuzz.py --quick                         # the bounded slice the test suite runs

Inputs are

* **crafted bombs** (always all of them): JPEG/PNG/GIF/BMP/TIFF/WebP headers claiming huge
  dimensions, an AVI whose ``strh.dwLength``/``avih.dwTotalFrames`` are 0xFFFFFFFF, an MP4 whose
  ``mvhd``/``mdhd``/``tkhd`` durations are 0xFFFFFFFF (and 0: zero duration), a FIFO named
  ``.mp4``, an empty file, a 1-byte file;
* **mutations** of the small real files of ``../shared/corpus`` (seeds of at most 1.2 MB):
  bit flips, truncations, box/chunk/element/segment size fields set to 0, 2^32-1 and 2^62 (a
  64-bit ``largesize``), and self-nesting (a container box/chunk/element repeated inside itself
  hundreds of levels deep).

Each input goes through ``extract_metadata``, ``fingerprint``, ``FootageIndex.add`` (on a copy
of a one-item index) and ``analyze`` (against a copy of that index), each call in a process
forked from a warmed-up parent, under ``RLIMIT_AS`` (``--mem-mb``) and a wall-clock timeout
(``--timeout``; a call still running then is a *hang*). A call ends as ``ok``, a *library*
error (a ``ProvenanceError``), a *foreign* error (any other exception, or the process dying
from a signal), or a hang; ``add`` that raises but changed the index is a *stored-on-refusal*
fault. The table prints calls, library errors, foreign errors, hangs and peak RSS per call and
per bomb; foreign errors and hangs are listed with a reproducer (the input is kept under
``--workdir``). Nothing is tuned on these results: the mutation seed is fixed per run
(``--seed``).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import zlib  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

CALLS = ("extract_metadata", "fingerprint", "add", "analyze")
SEED_MAX_BYTES = 1_200_000
ISO_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts", b"dinf", b"meta", b"ilst"}


# ---------------------------------------------------------------------------- crafted inputs
def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int, height: int) -> bytes:
    """A valid-looking PNG whose IHDR claims ``width`` x ``height`` (CRCs correct, one small IDAT)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def jpeg_bomb(seed_jpeg: bytes, width: int, height: int) -> bytes:
    """A real JPEG with its SOF dimensions replaced (every SOF marker found)."""
    data = bytearray(seed_jpeg)
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            data[pos + 5:pos + 7] = height.to_bytes(2, "big")
            data[pos + 7:pos + 9] = width.to_bytes(2, "big")
        if marker == 0xDA:
            break
        pos += 2 + length
    return bytes(data)


def gif_bomb() -> bytes:
    return b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\x00\x00\x00" + b",\x00\x00\x00\x00\xff\xff\xff\xff\x00\x02\x02D\x01\x00;"


def bmp_bomb() -> bytes:
    header = b"BM" + struct.pack("<IHHI", 54 + 16, 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, 50000, 50000, 1, 24, 0, 16, 2835, 2835, 0, 0)
    return header + info + b"\x00" * 16


def tiff_bomb() -> bytes:
    entries = [(256, 4, 1, 100000), (257, 4, 1, 100000), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 8 + 2 + 12 * 8 + 4), (277, 3, 1, 1), (279, 4, 1, 16)]
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHI", t, ty, n) + (struct.pack("<HH", v, 0) if ty == 3 else struct.pack("<I", v))
        for t, ty, n, v in entries) + b"\x00\x00\x00\x00"
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00" * 16


def webp_bomb() -> bytes:
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (16383).to_bytes(3, "little") * 2
    body = b"WEBP" + vp8x
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _riff_chunks(data: bytes, start: int, end: int, depth: int = 0) -> Iterator[tuple[int, bytes, int]]:
    """(offset, fourcc, size) of RIFF chunks, descending into LIST/RIFF."""
    pos = start
    while pos + 8 <= end and depth < 8:
        cc = data[pos:pos + 4]
        size = int.from_bytes(data[pos + 4:pos + 8], "little")
        yield pos, cc, size
        if cc in (b"RIFF", b"LIST") and size >= 4:
            yield from _riff_chunks(data, pos + 12, min(end, pos + 8 + size), depth + 1)
        pos += 8 + size + (size & 1)


def avi_huge_length(seed_avi: bytes, value: int = 0xFFFFFFFF) -> bytes:
    """Set every video ``strh.dwLength`` and ``avih.dwTotalFrames`` to ``value``."""
    data = bytearray(seed_avi)
    for pos, cc, _size in _riff_chunks(seed_avi, 0, len(seed_avi)):
        if cc == b"avih":
            data[pos + 8 + 16:pos + 8 + 20] = value.to_bytes(4, "little")
        elif cc == b"strh" and seed_avi[pos + 8:pos + 12] == b"vids":
            data[pos + 8 + 32:pos + 8 + 36] = value.to_bytes(4, "little")
    return bytes(data)


def _iso_boxes(data: bytes, start: int, end: int, depth: int = 0) -> Iterator[tuple[int, bytes, int, int]]:
    """(offset, type, size, header length) of ISO-BMFF boxes, descending into the usual containers."""
    pos = start
    while pos + 8 <= end and depth < 10:
        size = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        hdr = 8
        if size == 1 and pos + 16 <= end:
            size = int.from_bytes(data[pos + 8:pos + 16], "big")
            hdr = 16
        elif size == 0:
            size = end - pos
        if size < hdr:
            return
        yield pos, kind, size, hdr
        if kind in ISO_CONTAINERS:
            inner = pos + hdr + (4 if kind == b"meta" else 0)
            yield from _iso_boxes(data, inner, min(end, pos + size), depth + 1)
        pos += size


def mp4_durations(seed_mp4: bytes, value: int) -> bytes:
    """Set the durations of ``mvhd``, ``tkhd`` and ``mdhd`` (version 0 and 1) to ``value``."""
    data = bytearray(seed_mp4)
    for pos, kind, _size, hdr in _iso_boxes(seed_mp4, 0, len(seed_mp4)):
        body = pos + hdr
        version = seed_mp4[body] if body < len(seed_mp4) else 0
        if kind in (b"mvhd", b"mdhd"):
            off, n = (body + 4 + 16, 4) if version == 0 else (body + 4 + 24, 8)
        elif kind == b"tkhd":
            off, n = (body + 4 + 16, 4) if version == 0 else (body + 4 + 24, 8)
        else:
            continue
        data[off:off + n] = min(value, (1 << (8 * n)) - 1).to_bytes(n, "big")
    return bytes(data)


# ---------------------------------------------------------------------------- mutations
def _size_fields(data: bytes) -> list[tuple[int, int, str]]:
    """(offset, width in bytes, byte order) of size fields of the file's structure."""
    out: list[tuple[int, int, str]] = []
    if len(data) >= 8 and data[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
        out += [(pos, 4, "big") for pos, _k, _s, _h in _iso_boxes(data, 0, len(data))]
    elif data[:4] == b"RIFF":
        out += [(pos + 4, 4, "little") for pos, _c, _s in _riff_chunks(data, 0, len(data))]
    elif data[:3] == b"\xff\xd8\xff":
        pos = 2
        while pos + 4 <= len(data) and data[pos] == 0xFF and len(out) < 64:
            out.append((pos + 2, 2, "big"))
            if data[pos + 1] == 0xDA:
                break
            pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    elif data[:4] == b"\x1a\x45\xdf\xa3":
        # EBML: the size vint after the first IDs; mutate a few plausible size bytes
        out += [(i, 1, "big") for i in range(4, min(len(data), 256))]
    return out


def _self_nest(data: bytes, rng: random.Random) -> bytes | None:
    """Repeat a container's header inside itself hundreds of levels deep (each level claims the rest)."""
    if len(data) >= 8 and data[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide"):
        boxes = [(p, k, s, h) for p, k, s, h in _iso_boxes(data, 0, len(data)) if k in ISO_CONTAINERS]
        if not boxes:
            return None
        pos, kind, size, hdr = rng.choice(boxes)
        depth = rng.choice([50, 500, 5000])
        headers = b"".join(struct.pack(">I", size + (depth - i) * 8) + kind for i in range(depth))
        return data[:pos] + headers + data[pos + hdr:]
    if data[:4] == b"RIFF":
        lists = [(p, s) for p, c, s in _riff_chunks(data, 0, len(data)) if c == b"LIST"]
        if not lists:
            return None
        pos, size = rng.choice(lists)
        kind = data[pos + 8:pos + 12]
        depth = rng.choice([50, 500, 5000])
        headers = b"".join(b"LIST" + struct.pack("<I", size + (depth - i) * 12) + kind for i in range(depth))
        return data[:pos] + headers + data[pos + 12:]
    if data[:4] == b"\x1a\x45\xdf\xa3":
        seg = data.find(b"\x18\x53\x80\x67")
        if seg < 0:
            return None
        depth = rng.choice([50, 500])
        nest = b"".join(b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" for _ in range(depth))
        return data[:seg] + nest + data[seg:]
    return None


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One mutation of ``data``: (description, mutated bytes)."""
    kind = rng.choice(["bitflip", "bitflip", "truncate", "size", "size", "size", "nest"])
    if kind == "size":
        fields = _size_fields(data)
        if fields:
            off, width, order = rng.choice(fields)
            value = rng.choice([0, 2**32 - 1, 2**62, 1, 7])
            if width == 4 and value == 2**62 and order == "big":
                # a 64-bit largesize: size field 1 followed by 2^62 in place of the next 8 bytes
                mutated = bytearray(data)
                mutated[off:off + 4] = (1).to_bytes(4, "big")
                return f"size@{off}=largesize 2^62", bytes(mutated[:off + 8]) + (2**62).to_bytes(8, "big") + bytes(
                    mutated[off + 8:])
            value = min(value, (1 << (8 * width)) - 1)
            mutated = bytearray(data)
            mutated[off:off + width] = value.to_bytes(width, order)  # type: ignore[arg-type]
            return f"size@{off}={value}", bytes(mutated)
        kind = "bitflip"
    if kind == "nest":
        nested = _self_nest(data, rng)
        if nested is not None:
            return "self-nest", nested
        kind = "truncate"
    if kind == "truncate":
        cut = rng.randrange(1, max(2, len(data)))
        return f"truncate@{cut}", data[:cut]
    mutated = bytearray(data)
    n = rng.choice([1, 4, 32, 256])
    # flips concentrate in the headers half of the time: that is where the structure is
    span = min(len(data), 65536) if rng.random() < 0.5 else len(data)
    for _ in range(n):
        i = rng.randrange(span)
        mutated[i] ^= 1 << rng.randrange(8)
    return f"bitflip x{n}", bytes(mutated)


# ---------------------------------------------------------------------------- running
@dataclass
class Result:
    input: str
    call: str
    outcome: str  # ok, library, foreign, hang, stored_on_refusal
    error: str
    seconds: float
    maxrss_mb: float


def seeds(corpus: Path) -> list[Path]:
    files = [p for sub in ("metadata", "footage", "stills") for p in sorted((corpus / sub).glob("*"))
             if p.is_file() and 0 < p.stat().st_size <= SEED_MAX_BYTES and p.suffix.lower() != ".srt"]
    return files


def crafted(workdir: Path, corpus: Path) -> list[tuple[str, Path]]:
    """Write the crafted bombs into ``workdir``: (name, path)."""
    out: list[tuple[str, Path]] = []

    def put(name: str, data: bytes) -> None:
        p = workdir / name
        p.write_bytes(data)
        out.append((name, p))

    jpg = (corpus / "footage" / "dashcam_highway_solidWhiteRight_frame.jpg").read_bytes()
    put("bomb_jpeg_30000.jpg", jpeg_bomb(jpg, 30000, 30000))
    put("bomb_jpeg_60000.jpg", jpeg_bomb(jpg, 60000, 60000))
    put("bomb_png_30000.png", png_bomb(30000, 30000))
    put("bomb_png_2e31.png", png_bomb(2**31 - 1, 2**31 - 1))
    put("bomb_gif_65535.gif", gif_bomb())
    put("bomb_bmp_50000.bmp", bmp_bomb())
    put("bomb_tiff_100000.tif", tiff_bomb())
    put("bomb_webp_16384.webp", webp_bomb())
    avi = (corpus / "footage" / "trafficcam_burned-in-timestamp.avi").read_bytes()
    put("bomb_avi_dwlength_ffffffff.avi", avi_huge_length(avi))
    put("bomb_avi_dwlength_0.avi", avi_huge_length(avi, 0))
    mp4 = (corpus / "metadata" / "android601_with-gps.mp4").read_bytes()
    put("bomb_mp4_duration_ffffffff.mp4", mp4_durations(mp4, 0xFFFFFFFF))
    put("bomb_mp4_duration_0.mp4", mp4_durations(mp4, 0))
    put("empty.mp4", b"")
    put("one_byte.mp4", b"\x00")
    fifo = workdir / "fifo.mp4"
    if not fifo.exists():
        os.mkfifo(fifo)
    out.append(("fifo.mp4", fifo))
    return out


def _run_call(call: str, path: Path, index_template: Path, tmp: Path) -> str:
    """Run one call in this (child) process; returns 'ok', 'library:Type' or raises."""
    import provenance

    if call == "extract_metadata":
        provenance.extract_metadata(path)
    elif call == "fingerprint":
        provenance.fingerprint(path)
    elif call == "add":
        db = tmp / "add.db"
        shutil.copy(index_template, db)
        idx = provenance.FootageIndex(db)
        before = (len(idx), idx.stats().n_frames if hasattr(idx.stats(), "n_frames") else None)
        try:
            idx.add(path, footage_id="fuzz", published_at=datetime(2020, 1, 1, tzinfo=timezone.utc))
        except provenance.ProvenanceError:
            idx.close()
            idx = provenance.FootageIndex(db, mode="r")
            after = (len(idx), idx.stats().n_frames if hasattr(idx.stats(), "n_frames") else None)
            idx.close()
            if after != before:
                return "stored_on_refusal"
            raise
        idx.close()
    elif call == "analyze":
        db = tmp / "analyze.db"
        shutil.copy(index_template, db)
        provenance.analyze(path, index=db)
    else:  # pragma: no cover
        raise ValueError(call)
    return "ok"


def run_one(call: str, path: Path, index_template: Path, *, timeout_s: float, mem_mb: int) -> tuple[str, str, float, float]:
    """Fork, run ``call`` on ``path`` under the caps; (outcome, error, seconds, peak RSS [MB])."""
    r, w = os.pipe()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        code = 0
        try:
            limit = mem_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            with tempfile.TemporaryDirectory(prefix="fuzzcall") as tmp:
                try:
                    msg = _run_call(call, path, index_template, Path(tmp))
                except BaseException as exc:  # noqa: BLE001 - the harness classifies everything
                    import provenance

                    if isinstance(exc, provenance.ProvenanceError):
                        msg = f"library:{type(exc).__name__}"
                    else:
                        tb = traceback.format_exc().strip().splitlines()
                        msg = f"foreign:{type(exc).__module__}.{type(exc).__name__}: {str(exc)[:200]} | {tb[-3:]}"
            os.write(w, msg.encode("utf-8", "replace")[:4000])
        except BaseException:  # noqa: BLE001
            code = 3
        finally:
            os.close(w)
            os._exit(code)
    os.close(w)
    deadline = t0 + timeout_s
    status = None
    usage = None
    while True:
        wpid, st, ru = os.wait4(pid, os.WNOHANG)
        if wpid == pid:
            status, usage = st, ru
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            os.close(r)
            return "hang", f"no answer within {timeout_s:.0f} s", time.monotonic() - t0, usage.ru_maxrss / 1024
        time.sleep(0.005)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    seconds = time.monotonic() - t0
    rss = usage.ru_maxrss / 1024 if usage is not None else 0.0
    msg = b"".join(chunks).decode("utf-8", "replace")
    if os.WIFSIGNALED(status):
        return "foreign", f"killed by signal {os.WTERMSIG(status)}", seconds, rss
    if not msg:
        return "foreign", f"child exited {os.WEXITSTATUS(status)} without a result", seconds, rss
    if msg == "ok":
        return "ok", "", seconds, rss
    if msg == "stored_on_refusal":
        return "stored_on_refusal", "add raised but the index changed", seconds, rss
    kind, _, err = msg.partition(":")
    return kind, err, seconds, rss


def make_index_template(workdir: Path, corpus: Path) -> Path:
    """A one-item index, built in a child process: the parent never decodes, so it forks with no
    decoder threads (a fork of a process with live FFmpeg threads can deadlock)."""
    import provenance

    db = workdir / "template.db"
    if db.exists():
        db.unlink()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            idx = provenance.FootageIndex(db, mode="c")
            idx.add(corpus / "footage" / "doorknob_hd.mp4", footage_id="doorknob",
                    published_at=datetime(2019, 1, 1, tzinfo=timezone.utc))
            idx.close()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if status != 0 or not db.is_file():
        raise RuntimeError("could not build the template index")
    return db


def warm_up() -> None:
    """Import and initialise the heavy libraries once, in the parent, so forks start fast."""
    import av  # noqa: F401
    import cv2

    import provenance  # noqa: F401
    import provenance.index  # noqa: F401
    import provenance.metadata.normalize  # noqa: F401
    import provenance.pipeline  # noqa: F401

    cv2.setNumThreads(1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--inputs", type=int, default=1250, help="mutated inputs (the bombs come on top)")
    ap.add_argument("--quick", action="store_true", help="a bounded slice: every bomb and 8 mutations")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--calls", default=",".join(CALLS))
    ap.add_argument("--timeout", type=float, default=45.0, help="seconds before a call counts as a hang")
    ap.add_argument("--mem-mb", type=int, default=3072, help="RLIMIT_AS of each call [MB]")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--workdir", type=Path, default=None, help="where inputs are written (kept for reproducing)")
    ap.add_argument("--json", type=Path, default=None, help="also write every result here (one JSON line per call, "
                    "written as the run goes)")
    ap.add_argument("--max-minutes", type=float, default=None,
                    help="start no new input after this many minutes; the table covers what ran")
    args = ap.parse_args(argv)
    calls = [c for c in args.calls.split(",") if c]
    for c in calls:
        if c not in CALLS:
            ap.error(f"unknown call {c!r}; choose from {CALLS}")
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    n_inputs = 8 if args.quick else args.inputs
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="provenance-fuzz-"))
    workdir.mkdir(parents=True, exist_ok=True)
    warm_up()
    template = make_index_template(workdir, args.corpus)
    rng = random.Random(args.seed)
    pool = seeds(args.corpus)
    blobs = {p: p.read_bytes() for p in pool}
    inputs: list[tuple[str, Path, bool]] = [(n, p, True) for n, p in crafted(workdir, args.corpus)]
    for i in range(n_inputs):
        src = rng.choice(pool)
        desc, data = mutate(blobs[src], rng)
        p = workdir / f"m{i:05d}_{src.stem[:40]}{src.suffix}"
        p.write_bytes(data)
        inputs.append((f"{src.name} {desc}", p, False))
    results: list[Result] = []
    t_start = time.monotonic()
    log = args.json.open("w", encoding="utf-8") if args.json else None
    done = 0
    for k, (name, path, bomb) in enumerate(inputs):
        if args.max_minutes is not None and time.monotonic() - t_start > 60 * args.max_minutes:
            print(f"  time budget of {args.max_minutes:g} min reached after {k} inputs", flush=True)
            break
        for call in calls:
            outcome, err, secs, rss = run_one(call, path, template, timeout_s=args.timeout, mem_mb=args.mem_mb)
            res = Result(f"{name} [{path.name}]" if not bomb else name, call, outcome, err, secs, rss)
            results.append(res)
            if log is not None:
                log.write(json.dumps(res.__dict__) + "\n")
                log.flush()
            if outcome in ("foreign", "hang", "stored_on_refusal"):
                print(f"  {outcome.upper()}: {call}({path}) <- {name}: {err}", flush=True)
        done = k + 1
        if not args.quick and done % 50 == 0:
            bad = sum(r.outcome in ("foreign", "hang", "stored_on_refusal") for r in results)
            print(f"  ... {done}/{len(inputs)} inputs, {len(results)} calls, {bad} foreign/hang/stored, "
                  f"{time.monotonic() - t_start:.0f} s", flush=True)
    if log is not None:
        log.close()
    report(results, [n for n, _p, b in inputs[:done] if b], time.monotonic() - t_start, done)
    bad = sum(r.outcome in ("foreign", "hang", "stored_on_refusal") for r in results)
    return 1 if bad else 0


def report(results: list[Result], bombs: list[str], wall_s: float, n_inputs: int) -> None:
    print(f"\nfuzz: {n_inputs} inputs ({len(bombs)} crafted), {len(results)} calls, {wall_s:.0f} s")
    print(f"{'call':<18}{'calls':>7}{'ok':>7}{'library':>9}{'foreign':>9}{'hangs':>7}{'stored':>8}"
          f"{'peak RSS MB':>13}{'max s':>8}")
    for call in CALLS + ("all",):
        rs = [r for r in results if call == "all" or r.call == call]
        if not rs:
            continue
        cnt = {k: sum(r.outcome == k for r in rs) for k in ("ok", "library", "foreign", "hang", "stored_on_refusal")}
        print(f"{call:<18}{len(rs):>7}{cnt['ok']:>7}{cnt['library']:>9}{cnt['foreign']:>9}{cnt['hang']:>7}"
              f"{cnt['stored_on_refusal']:>8}{max(r.maxrss_mb for r in rs):>13.0f}{max(r.seconds for r in rs):>8.1f}")
    print("\ncrafted bombs (peak RSS over the four calls, outcomes):")
    for b in bombs:
        rs = [r for r in results if r.input == b]
        outs = ", ".join(f"{r.call}={r.outcome}" + (f"({r.error})" if r.outcome == "library" else "") for r in rs)
        print(f"  {b:<34}{max(r.maxrss_mb for r in rs):>7.0f} MB  {outs}")
    errs: dict[str, int] = {}
    for r in results:
        if r.outcome == "library":
            errs[r.error] = errs.get(r.error, 0) + 1
    print("\nlibrary errors by type: " + ", ".join(f"{k} {v}" for k, v in sorted(errs.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["CALLS", "avi_huge_length", "crafted", "jpeg_bomb", "main", "mp4_durations", "mutate",
           "png_bomb", "run_one"]
