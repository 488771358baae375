"""Scale benchmark of the known-footage index: 1M and 10M realistic frame hashes.

Hashes are realistic, not uniform bits: a pool of 256-bit pHashes (imagehash, hash_size
16) of real decoded frames of ../shared/corpus/footage under random crops, mirroring and
brightness changes; each synthetic clip takes a pooled scene hash, perturbs it into a new
scene, and lets it drift a few bits per frame like a moving camera, with cuts.

Measured per backend: build time (store inserts + candidate-table load), RAM (table
arrays and process peak RSS), disk, and per-query-video candidate retrieval latency
(p50/p95) at the radius and ``max_per_query`` that matching uses, and at a tighter radius.
A query video is 60 frames of a known clip, re-encoded (5% bits flipped), plus the
variants matching sends (one further hash set per name of ``VARIANT_NAMES``). Timed for the two-stage
``CandidateTable.query_seeded`` (seed radii ``--seed-radii``, verify at matching's radius;
wall and CPU p50, the machine may be shared) and for the single-stage ``query``.

"Seed recall" (printed first): for the corpus ground-truth cases and generated transforms
of ``tests/index/test_matching.py``, the distance from each true-match query frame (best
query variant) to its nearest true reference frame (any reference row within 0.5 s of the
true time): which seed radius still seeds the true footage. FAISS ``IndexBinaryFlat`` answers the same
queries on the same data as the peer; results are checked identical to an exhaustive scan
on a sample.

"Recall at scale" (``--scale-recall``): real edited corpus clips of the hard families (off-centre
crop + mirror + speed, 9:16 reframes, heavy crops, blur+noise; the copy_detection queries plus
extra transforms) matched with ``match_fingerprint`` against the copy_detection references in a
table padded to 10k, 1M and 10M rows with synthetic clips drifting from real frames of sources
never indexed or queried; found = the top match is the true source at the calibrated threshold.
Sources are split by ``copy_detection.source_half``: choose on ``--half tuning``, report the default
reporting half. Before (one exact 24-bit seed per hash set) and after (reach, one pooled seed stage)
side by side; the candidate stage is timed per query video. Needs one run of copy_detection.py.

Usage::

    python benchmarks/index_scale.py --scale-recall   # recall at 10k / 1M / 10M rows (reporting half)
    python benchmarks/index_scale.py --quick          # 1M only
    python benchmarks/index_scale.py                  # 1M and 10M
    python benchmarks/index_scale.py --postgres URL   # also PostgreSQL
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance.hashing import Fingerprint  # noqa: E402
from provenance.hashing.fingerprinting import VARIANT_NAMES  # noqa: E402
from provenance.index import FootageIndex  # noqa: E402
from provenance.matching.candidates import CandidateTable, exhaustive_query, exhaustive_query_seeded  # noqa: E402

log = logging.getLogger("index_scale")
CORPUS = ROOT.parent / "shared" / "corpus" / "footage"
FRAMES_PER_CLIP = 100
T0 = datetime(2022, 1, 1, tzinfo=timezone.utc)


def real_hash_pool(n: int, seed: int = 0) -> np.ndarray:
    """pHash-256 of real corpus frames under random crops, mirroring and brightness."""
    import av
    import imagehash
    from PIL import Image, ImageEnhance, ImageOps

    frames: list[Image.Image] = []
    for path in sorted(CORPUS.glob("*.mp4")) + sorted(CORPUS.glob("*.mkv")) + sorted(CORPUS.glob("*.mov")):
        try:
            with av.open(str(path)) as c:
                for i, fr in enumerate(c.decode(video=0)):
                    if i % 6 == 0:
                        frames.append(fr.to_image().convert("L").resize((192, 108)))
                    if i > 600:
                        break
        except Exception as exc:  # noqa: BLE001 - skip undecodable corpus files
            log.info("skip %s: %s", path.name, exc)
    if not frames:
        raise SystemExit(f"no decodable footage in {CORPUS}")
    rng = np.random.default_rng(seed)
    out = np.zeros((n, 32), np.uint8)
    for k in range(n):
        im = frames[int(rng.integers(len(frames)))]
        w, h = im.size
        s = rng.uniform(0.5, 1.0)
        cw, ch = int(w * s), int(h * s)
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        im2 = im.crop((x, y, x + cw, y + ch))
        if rng.random() < 0.5:
            im2 = ImageOps.mirror(im2)
        im2 = ImageEnhance.Brightness(im2).enhance(rng.uniform(0.6, 1.4))
        out[k] = np.packbits(imagehash.phash(im2, hash_size=16).hash.ravel())
    log.info("hash pool: %d hashes from %d real frames", n, len(frames))
    return out


def synth_clips(pool: np.ndarray, n_frames: int, seed: int):
    """Yield (times_s, hashes) of clips of FRAMES_PER_CLIP frames until n_frames in total."""
    rng = np.random.default_rng(seed)
    made = 0
    while made < n_frames:
        n = min(FRAMES_PER_CLIP, n_frames - made)
        bits = np.unpackbits(pool[int(rng.integers(len(pool)))]).astype(bool)
        bits ^= rng.random(256) < 0.12  # a new scene near a real one
        flips = rng.random((n, 256)) < 0.012  # camera drift per frame
        cuts = rng.random(n) < 0.02
        rows = np.empty((n, 256), bool)
        for i in range(n):
            if cuts[i]:
                bits = np.unpackbits(pool[int(rng.integers(len(pool)))]).astype(bool) ^ (rng.random(256) < 0.12)
            bits = bits ^ flips[i]
            rows[i] = bits
        yield np.arange(n, dtype=np.float64) * 0.5, np.packbits(rows, axis=1)
        made += n


def query_video(times: np.ndarray, hashes: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """60 re-encoded frames of a clip plus one hash set per query variant (as matching sends)."""
    base = hashes[:60]
    out = []
    for flip in (0.05, *[(0.30, 0.35, 0.40)[i % 3] for i in range(len(VARIANT_NAMES))]):
        bits = np.unpackbits(base, axis=1).astype(bool) ^ (rng.random((base.shape[0], 256)) < flip)
        out.append(np.packbits(bits, axis=1))
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def time_queries(table: CandidateTable, videos: list[list[np.ndarray]], radius: int, k: int,
                 seed_radius: int | None = None) -> tuple[float, float, float, int]:
    """p50, p95 wall [ms] and p50 CPU [ms] per query video (8 calls, one per hash set), and hits.

    ``seed_radius`` None times :meth:`CandidateTable.query`, else :meth:`~CandidateTable.query_seeded`.
    """
    ts, cpu, hits = [], [], 0
    for v in videos:
        t0, c0 = time.perf_counter(), time.process_time()
        for h in v:
            if seed_radius is None:
                hits += len(table.query(h, radius, max_per_query=k))
            else:
                hits += len(table.query_seeded(h, seed_radius=seed_radius, max_distance=radius, max_per_query=k))
        ts.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return (float(np.percentile(ts, 50) * 1000), float(np.percentile(ts, 95) * 1000),
            float(np.percentile(cpu, 50) * 1000), hits)


def run(n_frames: int, args: argparse.Namespace, pool: np.ndarray) -> list[dict]:
    from provenance.matching.match import MAX_FRAME_DISTANCE, MAX_PER_QUERY

    rows = []
    rng = np.random.default_rng(7)
    work = Path(tempfile.mkdtemp(prefix="index_scale_"))
    db = work / "ix.db"
    locations = [("sqlite", str(db))]
    if args.postgres:
        locations.append(("postgresql", args.postgres))
    sample_clips = []
    for backend, loc in locations:
        t0 = time.perf_counter()
        with FootageIndex(loc, mode="c") as ix:
            for i, (times, hashes) in enumerate(synth_clips(pool, n_frames, seed=n_frames)):
                ix.add_fingerprint(Fingerprint(times_s=times, hashes=hashes), footage_id=f"clip{i:07d}",
                                   published_at=T0)
                if backend == "sqlite" and i % max(1, (n_frames // FRAMES_PER_CLIP) // args.queries) == 0:
                    sample_clips.append((f"clip{i:07d}", times, hashes))
        t_insert = time.perf_counter() - t0
        rss0 = current_rss_mb()
        t0 = time.perf_counter()
        ix = FootageIndex(loc)
        table = ix.candidate_table()
        t_load = time.perf_counter() - t0
        disk = ix.stats().disk_bytes
        videos = [query_video(t, h, rng) for _, t, h in sample_clips[: args.queries]]
        rec = {"backend": backend, "frames": len(table), "insert_s": t_insert, "load_s": t_load,
               "table_mb": table.memory_bytes() / 1e6, "rss_delta_mb": current_rss_mb() - rss0,
               "disk_mb": (disk or 0) / 1e6}
        for seed_r in args.seed_radii:
            p50, p95, c50, hits = time_queries(table, videos, MAX_FRAME_DISTANCE, MAX_PER_QUERY, seed_r)
            rec[f"seeded{seed_r}_p50_ms"], rec[f"seeded{seed_r}_p95_ms"] = p50, p95
            rec[f"seeded{seed_r}_cpu_p50_ms"] = c50
        for radius in sorted({args.tight_radius, MAX_FRAME_DISTANCE}):
            vids = videos if radius <= 40 else videos[: max(3, args.queries // 5)]
            p50, p95, _, hits = time_queries(table, vids, radius, MAX_PER_QUERY)
            rec[f"query_r{radius}_p50_ms"], rec[f"query_r{radius}_p95_ms"] = p50, p95
        rows.append(rec)
        if backend == "sqlite" and n_frames <= 1_000_000:
            check_exact(ix, table, videos[:2], args.tight_radius, MAX_PER_QUERY)
            check_exact_seeded(ix, table, videos[:3], args.seed_radii, MAX_FRAME_DISTANCE, MAX_PER_QUERY)
        ix.close()
        if backend == "postgresql":
            import psycopg

            with psycopg.connect(args.postgres, autocommit=True) as con:
                for t in ("provenance_footage", "provenance_changes", "provenance_meta"):
                    con.execute(f"DROP TABLE IF EXISTS {t}")
        if backend == "sqlite" and args.faiss and (n_frames <= 1_000_000 or args.faiss_10m):
            rows.append(run_faiss(table, videos, args, MAX_FRAME_DISTANCE, MAX_PER_QUERY))
        del table
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return rows


def check_exact(ix: FootageIndex, table: CandidateTable, videos, radius: int, k: int) -> None:
    recs = list(ix.records())
    fps = [ix.frames(r.footage_id) for r in recs]
    for v in videos:
        for h in v[:2]:
            got = table.query(h, radius, max_per_query=k)
            want = exhaustive_query([r.footage_id for r in recs], [f.times_s for f in fps], [f.hashes for f in fps],
                                    h, radius, max_per_query=k)
            for name in ("query_row", "footage_id", "ref_time_s", "distance"):
                if not np.array_equal(getattr(got, name), getattr(want, name)):
                    raise SystemExit(f"MISMATCH with exhaustive scan in {name}")
    log.info("exactness check passed (%d queries)", 2 * len(videos))


def check_exact_seeded(ix: FootageIndex, table: CandidateTable, videos, seed_radii, radius: int, k: int) -> None:
    """query_seeded in exact mode equals its exhaustive reference (exhaustive_query_seeded) on a sample."""
    recs = list(ix.records())
    fps = [ix.frames(r.footage_id) for r in recs]
    n = 0
    for v in videos:
        for h in v[:2]:
            for sr in seed_radii:
                got = table.query_seeded(h, seed_radius=sr, max_distance=radius, max_per_query=k, reach_radius=None)
                want = exhaustive_query_seeded([r.footage_id for r in recs], [f.times_s for f in fps],
                                               [f.hashes for f in fps], h, seed_radius=sr, max_distance=radius,
                                               max_per_query=k)
                for name in ("query_row", "footage_id", "ref_time_s", "distance"):
                    if not np.array_equal(getattr(got, name), getattr(want, name)):
                        raise SystemExit(f"MISMATCH of query_seeded with its exhaustive reference in {name}")
                n += 1
    log.info("seeded exactness check passed (%d queries)", n)


def run_faiss(table: CandidateTable, videos, args, radius: int, k: int) -> dict:
    try:
        import faiss
    except ImportError:
        return {"backend": "faiss (not installed)"}
    table.flush()
    words = np.concatenate([s.words for s in table._segments])
    data = np.ascontiguousarray(words.view(np.uint8).reshape(words.shape[0], -1))
    rss0 = current_rss_mb()
    t0 = time.perf_counter()
    fx = faiss.IndexBinaryFlat(256)
    fx.add(data)
    t_build = time.perf_counter() - t0
    rec = {"backend": "faiss IndexBinaryFlat", "frames": int(fx.ntotal), "insert_s": 0.0, "load_s": t_build,
           "table_mb": data.nbytes / 1e6, "rss_delta_mb": current_rss_mb() - rss0, "disk_mb": 0.0}
    for r in sorted({args.tight_radius, radius}):
        vids = videos if r <= 40 else videos[: max(3, args.queries // 5)]
        ts = []
        for v in vids:
            t0 = time.perf_counter()
            for h in v:
                d, _ = fx.search(h, k)  # k nearest, then keep those within r
                _ = d <= r
            ts.append(time.perf_counter() - t0)
        rec[f"query_r{r}_p50_ms"], rec[f"query_r{r}_p95_ms"] = float(np.percentile(ts, 50) * 1000), float(np.percentile(ts, 95) * 1000)
    del fx, data
    return rec


# ---------------------------------------------------------------- seed recall (corpus truth)
#: (query, reference, truth speed, truth offset [s]) as in tests/index/test_matching.py.
SEED_CASES = [
    ("footage/chair_22_grey.mp4", "footage/chair_orig-22_sd.mp4", 1.0, 0.0),
    ("footage/chair_22_sepia.mp4", "footage/chair_orig-22_sd.mp4", 1.0, 0.0),
    ("footage/chair_22_small-logo.mp4", "footage/chair_orig-22_sd.mp4", 1.0, 0.0),
    ("footage/chair_22_large-logo.mp4", "footage/chair_orig-22_sd.mp4", 1.0, 0.0),
    ("footage/chair_22_trim-2.0s.mp4", "footage/chair_orig-22_sd.mp4", 1.0, 2.0),
    ("footage/chair_22_trim-3.7s.mp4", "footage/chair_orig-22_sd.mp4", 1.0, 3.7),
    ("footage/pattern_sd_grey.mp4", "footage/pattern_hd.mp4", 1.0, 0.0),
    ("footage/pattern_sd_small-logo.mp4", "footage/pattern_hd.mp4", 1.0, 0.0),
    ("footage/highway_overhead_320x176.avi", "footage/highway_overhead_640x360.avi", 1.0, 0.0),
    ("footage/trafficcam_burned-in-timestamp.avi", "footage/trafficcam_burned-in-timestamp_hq.avi", 1.0, 0.0),
    ("footage/dashcam_highway_solidWhiteRight_frame.jpg", "footage/dashcam_highway_solidWhiteRight.mp4", 1.0, 0.72),
    ("metadata/apple_coremedia_export_avc.mp4", "metadata/apple_ipadmini_hevc.mov", 1.0, 0.0),
]
_ENC = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-pix_fmt", "yuv420p", "-an"]
_EVEN = "scale=trunc(iw/2)*2:trunc(ih/2)*2"
#: Generated transforms of an 8 s cut of the chair clip (as the matching tests): name -> (filter, speed).
SEED_TRANSFORMS = {
    "reencode": (None, 1.0),
    "downscale": ("scale=-2:180", 1.0),
    "framerate": ("fps=15", 1.0),
    "crop10": ("crop=trunc(iw*0.9/2)*2:trunc(ih*0.9/2)*2", 1.0),
    "crop20": ("crop=trunc(iw*0.8/2)*2:trunc(ih*0.8/2)*2", 1.0),
    "crop10+mirror": ("crop=trunc(iw*0.9/2)*2:trunc(ih*0.9/2)*2,hflip", 1.0),
    "letterbox": ("pad=w=trunc(iw*1.5/2)*2:h=ih:x=(ow-iw)/2:y=0:color=black", 1.0),
    "reframe916": ("split[a][b];[a]scale=360:640,boxblur=20[bg];[b]scale=360:-2[fg];"
                   "[bg][fg]overlay=(W-w)/2:(H-h)/2", 1.0),
    "mirror": ("hflip", 1.0),
    "logo": ("drawbox=x=iw*0.2:y=ih*0.25:w=iw*0.6:h=ih*0.5:color=white@0.35:t=fill", 1.0),
    "caption": ("drawbox=x=0:y=ih*0.8:w=iw:h=ih*0.14:color=black@0.7:t=fill", 1.0),
    "colour": ("hue=s=0,eq=contrast=1.3:gamma=1.2", 1.0),
    "blurnoise": ("gblur=sigma=2,noise=alls=20:allf=t", 1.0),
    "speed1.5": ("setpts=PTS/1.5", 1.5),
    "screenrec": ("scale=trunc(iw*0.6/2)*2:-2,pad=w=trunc(iw/0.6/2)*2:h=trunc(ih/0.6/2)*2:x=(ow-iw)/2:"
                  "y=(oh-ih)/2:color=0x202020,drawbox=x=0:y=0:w=iw:h=ih*0.07:color=0x3a3a3a:t=fill", 1.0),
}


def _nearest_true_distances(query_fp, ref_fp, speed: float, offset: float) -> np.ndarray:
    """Per query frame: distance [bits] to the nearest reference frame (any reference row, any
    query variant) within 0.5 s of the true reference time; 999 when the truth is outside
    the reference (a frame that is not a true match)."""
    from provenance.hashing import hamming
    from provenance.hashing.fingerprinting import reference_rows, split_reference_times

    rt, rh = reference_rows(ref_fp)
    rt, _ = split_reference_times(rt)
    truth = speed * query_fp.times_s[:, None] + offset
    near = np.abs(rt[None, :] - truth) <= 0.5
    best = np.full(len(query_fp), 999)
    for h in [query_fp.hashes, *query_fp.variants.values()]:
        d = hamming(rh[None, :, :], np.asarray(h)[:, None, :])
        best = np.minimum(best, np.where(near, d, 999).min(axis=1))
    return best


def seed_recall(radii=(16, 20, 24, 28, 32, 36, 40)) -> list[tuple[str, np.ndarray]]:
    """Nearest true reference distance of every true-match query frame of the corpus cases."""
    import subprocess

    from provenance.hashing.fingerprinting import INDEX_FPS, fingerprint
    from provenance.media.tools import find_ffmpeg

    corpus = CORPUS.parent
    out: list[tuple[str, np.ndarray]] = []
    refs: dict[str, object] = {}
    for q, r, speed, off in SEED_CASES:
        if r not in refs:
            refs[r] = fingerprint(corpus / r, variants=False, fps=INDEX_FPS)
        d = _nearest_true_distances(fingerprint(corpus / q), refs[r], speed, off)
        out.append((Path(q).name, d[d < 999]))
    ff = find_ffmpeg()
    with tempfile.TemporaryDirectory() as tmp:
        ref = Path(tmp) / "ref.mp4"
        subprocess.run([ff, "-y", "-v", "error", "-ss", "4", "-i", str(CORPUS / "chair_orig-22_sd.mp4"), "-t", "8",
                        "-vf", "scale=-2:360", "-r", "25", *_ENC, "-g", "50", str(ref)], check=True)
        ref_fp = fingerprint(ref, variants=False, fps=INDEX_FPS)
        for name, (vf, speed) in SEED_TRANSFORMS.items():
            dst = Path(tmp) / f"{name}.mp4"
            if vf is None:
                args = ["-i", str(ref), "-c:v", "mpeg4", "-b:v", "150k", "-an", str(dst)]
            else:
                args = ["-i", str(ref), "-filter_complex", vf + "," + _EVEN, *_ENC, str(dst)]
            subprocess.run([ff, "-y", "-v", "error", *args], check=True)
            d = _nearest_true_distances(fingerprint(dst), ref_fp, speed, 0.0)
            out.append((name, d[d < 999]))
    print("\nseed recall: nearest true reference frame of each true-match query frame [bits]")
    print("| case | frames | min | median | " + " | ".join(f"<= {r}" for r in radii) + " |")
    print("|---|---|---|---|" + "---|" * len(radii))
    for name, d in out:
        print(f"| {name} | {d.size} | {d.min()} | {np.median(d):.0f} | "
              + " | ".join(f"{np.mean(d <= r):.2f}" for r in radii) + " |")
    alld = np.concatenate([d for _, d in out])
    print(f"| frames (all {len(out)} cases) | {alld.size} | {alld.min()} | {np.median(alld):.0f} | "
          + " | ".join(f"{np.mean(alld <= r):.2f}" for r in radii) + " |")
    print(f"| videos seeded (any frame) | {len(out)} | | | "
          + " | ".join(f"{sum(int(d.min() <= r) for _, d in out)}/{len(out)}" for r in radii) + " |")
    return out


# ---------------------------------------------------------------- recall at scale (real queries)
SCALE_CACHE = ROOT / "benchmarks" / ".cache" / "index_scale"
#: Hard families of issue 13 item 4: (family, copy_detection query names or extra transforms).
#: Extra transforms (``benchmarks/.cache/index_scale/queries``): name -> (filter, speed).
EXTRA_TRANSFORMS = {
    "offcrop_mirror_speed": {
        "crop20_hflip_1.25x": ("crop=trunc(iw*0.8/2)*2:trunc(ih*0.8/2)*2:iw*0.18:ih*0.04,hflip,setpts=PTS/1.25", 1.25),
        "crop20_hflip_0.8x": ("crop=trunc(iw*0.8/2)*2:trunc(ih*0.8/2)*2:iw*0.02:ih*0.16,hflip,setpts=PTS/0.8", 0.8),
    },
    "heavycrop": {
        "offcentre30": ("crop=trunc(iw*0.7/2)*2:trunc(ih*0.7/2)*2:iw*0.25:ih*0.05", 1.0),
        "centre35": ("crop=trunc(iw*0.65/2)*2:trunc(ih*0.65/2)*2", 1.0),
    },
    "blurnoise": {"gblur_noise": ("gblur=sigma=2,noise=alls=20:allf=t", 1.0)},
}
#: copy_detection query families counted in each hard family (family -> its transform names).
COPY_FAMILIES = {
    "offcrop_mirror_speed": ("combo", ("crop10_mirror_crf32",)),
    "reframe916": ("reframe916", ("blurfill", "blurfill_zoom")),
    "heavycrop": ("crop", ("offcentre20",)),
    "blurnoise": ("blurnoise", ("gblur", "noise")),
}
HARD_FAMILIES = ("offcrop_mirror_speed", "reframe916", "heavycrop", "blurnoise")
#: Padding clips: sources never indexed and never queried (real hash distribution, no copies).
PAD_POOL_PREFIXES = ("road_", "doorknob", "meta_", "still_", "syn_life", "syn_cellauto")


def _cached_fp(path: Path, *, reference: bool):
    """Fingerprint of ``path`` (reference: index rows at INDEX_FPS), cached under SCALE_CACHE/fp."""
    import pickle

    from provenance.hashing.fingerprinting import INDEX_FPS, fingerprint

    out = SCALE_CACHE / "fp" / f"{path.stem}{'.ref' if reference else ''}.pkl"
    if out.exists() and out.stat().st_mtime >= path.stat().st_mtime:
        return pickle.loads(out.read_bytes())
    fp = fingerprint(path, variants=False, fps=INDEX_FPS) if reference else fingerprint(path, variants=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pickle.dumps(fp))
    return fp


def padding_rows(pool: np.ndarray, n_rows: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """(times [s], hashes) of ``n_rows`` synthetic frames in clips of FRAMES_PER_CLIP, cached.

    Each clip starts from a real pool hash with 12% of its bits flipped (a new scene near a real
    one), drifts 1.2% of its bits per frame (a moving camera) and cuts to a new scene with
    probability 2% per frame; vectorised over clips.
    """
    f = SCALE_CACHE / f"pad_{n_rows}_{seed}_{pool.shape[0]}.npy"
    if f.exists():
        h = np.load(f, mmap_mode="r")
    else:
        rng = np.random.default_rng(seed)
        h = np.empty((n_rows, 32), np.uint8)
        per = FRAMES_PER_CLIP
        for c0 in range(0, n_rows, 2000 * per):
            n = min(2000 * per, n_rows - c0)
            n_clips = -(-n // per)
            cut = rng.random((n_clips, per)) < 0.02
            cut[:, 0] = True
            scene = np.cumsum(cut.ravel())[:n] - 1  # scene index of each frame
            n_sc = int(scene[-1]) + 1
            base = pool[rng.integers(0, pool.shape[0], n_sc)] ^ np.packbits(rng.random((n_sc, 256)) < 0.12, axis=1)
            drift = np.packbits(rng.random((n_clips * per, 256)) < 0.012, axis=1)[:n]
            drift = np.bitwise_xor.accumulate(drift.reshape(-1, per, 32) if n % per == 0 else
                                              np.pad(drift, ((0, n_clips * per - n), (0, 0))).reshape(-1, per, 32),
                                              axis=1).reshape(-1, 32)[:n]
            h[c0:c0 + n] = base[scene] ^ drift
        SCALE_CACHE.mkdir(parents=True, exist_ok=True)
        np.save(f, h)
        h = np.load(f, mmap_mode="r")
    times = np.tile(np.arange(FRAMES_PER_CLIP, dtype=np.float64) * 0.5, -(-n_rows // FRAMES_PER_CLIP))[:n_rows]
    times.setflags(write=False)
    return times, h


def padding_pool(src_dir: Path, keep: Callable[[str], bool] | None = None) -> np.ndarray:
    """Index-row hashes of the unindexed sources in ``src_dir`` (:data:`PAD_POOL_PREFIXES`) that
    :func:`padding_rows` drifts from; ``keep(name)`` selects among them (default: all).

    A padding clip starts 12% of its bits (31 of 256) from a real frame, as close as an edited
    copy, so in hash space it is a copy of that source: a query that shows a pool source (a
    negative, or a filler cell of a grid) rightly matches it. Measuring false positives at scale needs a pool of sources that no
    query shows (``keep``)."""
    from provenance.hashing.fingerprinting import reference_rows

    return np.concatenate([reference_rows(_cached_fp(p, reference=True))[1] for p in sorted(src_dir.glob("*.mp4"))
                           if p.stem.startswith(PAD_POOL_PREFIXES) and (keep is None or keep(p.stem))])


def padded_table(refs: dict[str, tuple[np.ndarray, np.ndarray]], size: int, pool: np.ndarray) -> CandidateTable:
    """A candidate table of the real references ``refs`` (id -> (times [s], hashes)) padded with
    synthetic clips (ids ``pad0000000``...) to ``size`` rows in all (never fewer than the real rows)."""
    n_real = sum(len(t) for t, _ in refs.values())
    n_pad = max(0, size - n_real)
    pad_t, pad_h = padding_rows(pool, n_pad) if n_pad else (np.zeros(0), np.zeros((0, 32), np.uint8))
    table = CandidateTable(32)
    for i in range(0, n_pad, FRAMES_PER_CLIP):
        table.add(f"pad{i // FRAMES_PER_CLIP:07d}", pad_t[i:i + FRAMES_PER_CLIP], pad_h[i:i + FRAMES_PER_CLIP])
    for n, (t, h) in refs.items():
        table.add(n, t, h)
    table.flush()
    return table


def _scale_queries(half: str) -> list[tuple[str, str, Path, str]]:
    """(family, transform, query path, true source) of the hard families, for one half of the sources."""
    import copy_detection as cd

    src_dir, q_dir = cd.CACHE / "sources", cd.CACHE / "queries"
    ff = cd._ffmpeg()
    out = []
    for n, *_ in cd.REFS + cd.FIXED_REFS:
        if cd.source_half(n) != half or not (src_dir / f"{n}.mp4").exists():
            continue
        for fam in HARD_FAMILIES:
            cfam, names = COPY_FAMILIES[fam]
            for tname in names:
                p = q_dir / f"pos__{n}__{cfam}__{tname}.mp4"
                if p.exists():
                    out.append((fam, f"{cfam}:{tname}", p, n))
            for tname, (vf, _speed) in EXTRA_TRANSFORMS.get(fam, {}).items():
                p = SCALE_CACHE / "queries" / f"pos__{n}__{fam}__{tname}.mp4"
                if not p.exists():
                    import subprocess

                    p.parent.mkdir(parents=True, exist_ok=True)
                    src = src_dir / f"{n}__copy.mp4" if n in cd.COPY_START_S else src_dir / f"{n}.mp4"
                    subprocess.run([ff, "-y", "-v", "error", "-i", str(src), "-vf", vf + "," + _EVEN, *_ENC, str(p)],
                                   check=True)
                out.append((fam, tname, p, n))
    return out


def scale_recall(args: argparse.Namespace) -> None:
    """Recall per hard family of ``match_fingerprint`` on real edited queries, index padded to each size."""
    import copy_detection as cd

    from provenance.hashing.fingerprinting import reference_rows
    from provenance.matching import match as mm

    src_dir = cd.CACHE / "sources"
    if not src_dir.exists():
        raise SystemExit("run benchmarks/copy_detection.py once first (it builds the sources and queries)")
    t0 = time.perf_counter()
    refs = {n: reference_rows(_cached_fp(src_dir / f"{n}.mp4", reference=True))
            for n, *_ in cd.REFS + cd.FIXED_REFS + [(d, "", 0.0) for d, _ in cd.DISTRACTOR_REFS]
            if (src_dir / f"{n}.mp4").exists()}
    pool = padding_pool(src_dir)
    queries = _scale_queries(args.half)
    qfps = [_cached_fp(p, reference=False) for _, _, p, _ in queries]
    n_real = sum(len(t) for t, _ in refs.values())
    log.info("%d references (%d rows), pad pool %d hashes, %d %s-half queries, prepared in %.0f s",
             len(refs), n_real, pool.shape[0], len(queries), args.half, time.perf_counter() - t0)
    from provenance.matching import candidates as cmod

    modes: dict[str, tuple[int | None, int]] = {"exact seed 24 (before)": (None, cmod._REACH_PROBE_RADIUS)}
    for spec in args.modes:  # "r<reach>p<probe radius>"
        reach_s, probe_s = spec[1:].split("p")
        modes[f"seed 24, reach {reach_s}, probe {probe_s}"] = (int(reach_s), int(probe_s))
    default_probe = cmod._REACH_PROBE_RADIUS
    results = []  # (size, mode, per-family found/total, p50 ms, p95 ms, table MB, rss MB, false)
    for size in [int(x) for x in args.recall_sizes]:
        t0 = time.perf_counter()
        table = padded_table(refs, size, pool)
        log.info("size %d: table built in %.0f s, %.0f MB", len(table), time.perf_counter() - t0,
                 table.memory_bytes() / 1e6)
        for mode, (reach, probe) in (modes.items() if len(table) > mm.SEEDED_ABOVE_ROWS
                                     else [("exhaustive", (None, default_probe))]):
            spent: list[float] = []
            cmod._REACH_PROBE_RADIUS = probe
            plain_query, plain_many = CandidateTable.query, CandidateTable.query_seeded_many

            def timed_query(hashes: np.ndarray, max_distance: int, *, max_per_query: int = 64,
                            tab: CandidateTable = table, spent: list = spent, plain_query=plain_query) -> object:
                c0 = time.perf_counter()
                out = plain_query(tab, hashes, max_distance, max_per_query=max_per_query)
                spent.append(time.perf_counter() - c0)
                return out

            def timed_many(hash_sets: list, *, reach=reach, tab: CandidateTable = table, spent: list = spent,
                           plain_many=plain_many, **kw) -> list:
                c0 = time.perf_counter()
                if reach is None:  # before: one exact 24-bit seed stage per hash set
                    out = [plain_many(tab, [h], **{**kw, "reach_radius": None})[0] for h in hash_sets]
                else:
                    out = plain_many(tab, hash_sets, **{**kw, "reach_radius": reach})
                spent.append(time.perf_counter() - c0)
                return out

            table.query = timed_query  # type: ignore[method-assign,assignment]
            table.query_seeded_many = timed_many  # type: ignore[method-assign]
            per_video, found, false = [], {f: [0, 0] for f in HARD_FAMILIES}, 0
            try:
                for (fam, tname, _p, src), fp in zip(queries, qfps):
                    spent.clear()
                    ms = mm.match_fingerprint(fp, table)
                    per_video.append(sum(spent))
                    found[fam][1] += 1
                    found[fam][0] += int(bool(ms) and ms[0].footage_id == src)
                    false += int(any(m.footage_id.startswith("pad") for m in ms))
                    if args.verbose:
                        log.info("%s %s %s %s -> %s", len(table), mode, fam, f"{src}:{tname}",
                                 [(m.footage_id, round(m.score, 2)) for m in ms[:2]])
            finally:
                del table.query, table.query_seeded_many
                cmod._REACH_PROBE_RADIUS = default_probe
            results.append((len(table), mode, found, float(np.percentile(per_video, 50) * 1000),
                            float(np.percentile(per_video, 95) * 1000), table.memory_bytes() / 1e6, current_rss_mb(),
                            false))
            log.info("%s", results[-1])
        del table
    print(f"\nrecall at scale: {args.half} half, top match is the true source at the calibrated threshold "
          f"(found/total); candidate stage per query video; padding = synthetic clips near real unindexed frames")
    head = ["rows", "lookup", *HARD_FAMILIES, "all", "pad matched", "cand p50 ms", "cand p95 ms", "table MB",
            "RSS MB"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for rows, mode, found, p50, p95, mb, rss, false in results:
        tot = [sum(v[0] for v in found.values()), sum(v[1] for v in found.values())]
        cells = [f"{a}/{b}" for a, b in (*found.values(), tot)]
        print(f"| {rows:,} | {mode} | " + " | ".join(cells) + f" | {false} | {p50:.0f} | {p95:.0f} | {mb:.0f} | {rss:.0f} |")
    print(f"\npeak RSS of this process: {rss_mb():.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1M frame hashes only")
    ap.add_argument("--postgres", default=os.environ.get("PROVENANCE_TEST_POSTGRES_URL"), help="PostgreSQL URL")
    ap.add_argument("--no-faiss", dest="faiss", action="store_false")
    ap.add_argument("--queries", type=int, default=20, help="query videos per size")
    ap.add_argument("--tight-radius", type=int, default=32, help="second, tighter radius to time [bits]")
    ap.add_argument("--sizes", type=float, nargs="*", help="sizes in frames (override)")
    ap.add_argument("--seed-radii", type=int, nargs="*", default=[24, 28, 32],
                    help="seed radii of query_seeded to time [bits]")
    ap.add_argument("--faiss-10m", action="store_true", help="also run FAISS IndexBinaryFlat above 1M (slow)")
    ap.add_argument("--recall-only", action="store_true", help="only the seed-recall table")
    ap.add_argument("--no-recall", dest="recall", action="store_false", help="skip the seed-recall table")
    ap.add_argument("--scale-recall", action="store_true",
                    help="only the recall-at-scale table: real edited queries of the hard families, index padded")
    ap.add_argument("--recall-sizes", type=float, nargs="*", default=[1e4, 1e6, 1e7],
                    help="index sizes of --scale-recall [rows]")
    ap.add_argument("--half", choices=("reporting", "tuning"), default="reporting",
                    help="source half queried by --scale-recall (tune on tuning, report reporting)")
    ap.add_argument("--modes", nargs="*", default=None,
                    help="seeded lookups to compare, r<reach>p<probe radius> (default: the library's)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.scale_recall:
        from provenance.matching import candidates as cmod

        if args.modes is None:
            args.modes = [f"r{cmod.DEFAULT_REACH_RADIUS}p{cmod._REACH_PROBE_RADIUS}"]
        sys.path.insert(0, str(ROOT / "benchmarks"))
        scale_recall(args)
        return
    sizes = [int(s) for s in args.sizes] if args.sizes else ([1_000_000] if args.quick else [1_000_000, 10_000_000])
    if args.recall or args.recall_only:
        seed_recall()
        if args.recall_only:
            return
    pool = real_hash_pool(3000)
    table_rows = []
    for n in sizes:
        log.info("building %d frame hashes", n)
        for rec in run(n, args, pool):
            rec["size"] = n
            table_rows.append(rec)
            log.info("%s", rec)
    keys = sorted({k for r in table_rows for k in r if k.startswith(("seeded", "query"))})
    head = ["size", "backend", "frames", "insert_s", "load_s", "table_mb", "rss_delta_mb", "disk_mb", *keys]
    print("\n| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in table_rows:
        print("| " + " | ".join(f"{r.get(h, ''):.1f}" if isinstance(r.get(h), float) else str(r.get(h, ""))
                                for h in head) + " |")
    print(f"\npeak RSS of this process: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
