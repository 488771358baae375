"""Regenerate the index files of older schemas, written by the code that wrote them.

Run from the repository root (needs git and the project's virtual environment)::

    .venv/bin/python tests/index/data/make_legacy_indexes.py

For each schema version the source tree of an older commit is extracted with ``git archive``
(nothing in the checkout changes) and a small index is built by *that* code in a subprocess:
records with every field (Unicode text, a newline in notes, an interval, a place with a
radius, a content hash), one file added from a real fixture clip (so its decoded hashes,
reference-variant rows and, from v3 on, thumbnails are the old code's), one update and one
removal (so the change log holds every op). What the old code reads back — each record's
``to_dict()``, the raw frame rows split by variant, thumbnails, meta, the change log — is
written beside the file as ``v*.expected.json`` for ``test_migrations.py``.

- ``v1.db``: commit 7921bdf with its ``SCHEMA_VERSION`` set to 1 (no released code stopped
  at v1: its own schema creation ran and the v1->v2 migration did not).
- ``v2.db``: commit 7921bdf (v2; no variant rows yet).
- ``v3_zoom85.db``: commit 888c148 (v3, thumbnails, ``zoom85`` rows tagged into the time).
- ``v3.db``: commit 0dd54d4 (v3, ``zoom85`` and ``zoom70`` rows tagged into the time).
- ``v4.db``: commit 8fa9ec7 (v4: a ``frames`` table with a variant column, ``full`` rows; no
  local features).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CLIP = ROOT / "fixtures" / "media" / "convoy_c_village_nometa.mp4"

#: (file stem, commit, schema version to stop at or None for the commit's own)
VERSIONS = [("v1", "7921bdf", 1), ("v2", "7921bdf", None), ("v3_zoom85", "888c148", None), ("v3", "0dd54d4", None),
            ("v4", "8fa9ec7", None)]

BUILDER = textwrap.dedent('''
    import hashlib, json, sqlite3, sys
    from datetime import datetime, timedelta, timezone
    import numpy as np
    tree, out, stop_at, clip = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    sys.path.insert(0, tree)
    import provenance
    assert provenance.__file__.startswith(tree), provenance.__file__
    if stop_at != "none":
        import provenance.index.sqlite_store as ss
        ss.SCHEMA_VERSION = int(stop_at)
    from provenance.index import FootageIndex
    try:
        from provenance.hashing import Fingerprint
    except ImportError:
        from provenance.hashing.phash import Fingerprint
    try:
        from provenance.fingerprinting import REFERENCE_VARIANT_NAMES
    except ImportError:
        try:
            from provenance.hashing.fingerprinting import REFERENCE_VARIANT_NAMES
        except ImportError:
            REFERENCE_VARIANT_NAMES = ()

    def clip_fp(seed, n):
        rng = np.random.default_rng(seed)
        bits = rng.random(256) < 0.5
        rows = []
        for i in range(n):
            bits = bits ^ (rng.random(256) < 0.02)
            rows.append(np.packbits(bits))
        h = np.array(rows, dtype=np.uint8)
        variants = {name: np.packbits(np.unpackbits(h, axis=1) ^ (rng.random((n, 256)) < 0.2), axis=1)
                    for name in REFERENCE_VARIANT_NAMES}
        return Fingerprint(times_s=np.arange(n) / 4.0, hashes=h, variants=variants, duration_s=n / 4.0)

    T0 = datetime(2022, 2, 24, 6, 0, tzinfo=timezone.utc)
    try:
        ix = FootageIndex(out)
    except Exception:  # from v4 on, a new index is made with mode="c"
        ix = FootageIndex(out, mode="c")
    ix.add_fingerprint(clip_fp(1, 30), footage_id="tg/0001", published_at=T0 + timedelta(hours=3),
                       filmed_at=(T0 - timedelta(days=2), T0 - timedelta(days=1)), location=(54.78, 32.05, 5.0),
                       source_url="https://t.me/example/1", title="Колонна под Смоленском",
                       notes="first seen on Telegram\\nre-posted twice", content_sha256="a" * 64)
    ix.add_fingerprint(clip_fp(2, 12), footage_id="tg/0002", published_at=T0 + timedelta(days=1),
                       filmed_at=T0 - timedelta(hours=5), location=(50.45, 30.52))
    ix.add_fingerprint(clip_fp(3, 8), footage_id="gone", published_at=T0)
    ix.add(clip, footage_id="clip/village", published_at=T0 - timedelta(days=30), title="Village road")
    ix.update("tg/0002", title="updated title")
    ix.remove("gone")
    records = [r.to_dict() for r in ix]
    ix.close()

    con = sqlite3.connect(out)
    frames = {}
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "frames" in tables:  # v4: one row per variant
        for fid, variant, nbytes, times, hashes in con.execute(
                "SELECT footage_id, variant, nbytes, times, hashes FROM frames"):
            frames.setdefault(fid, {})[variant] = {
                "n": len(times) // 8, "nbytes": nbytes, "times_sha256": hashlib.sha256(times).hexdigest(),
                "hashes_sha256": hashlib.sha256(hashes).hexdigest()}
    for fid, nbytes, times, hashes in (() if "frames" in tables else
                                        con.execute("SELECT footage_id, nbytes, times, hashes FROM footage")):
        t = np.frombuffer(times, "<f8")
        h = np.frombuffer(hashes, np.uint8).reshape(-1, nbytes)
        k = np.floor(t / 1e7 + 1e-12).astype(int)
        rows = {}
        for tag in sorted(set(k.tolist())):
            name = ("",) + tuple(REFERENCE_VARIANT_NAMES)
            sel = k == tag
            rows[name[tag]] = {"n": int(sel.sum()), "nbytes": nbytes,
                               "times_sha256": hashlib.sha256((t[sel] - tag * 1e7).astype("<f8").tobytes()).hexdigest(),
                               "hashes_sha256": hashlib.sha256(h[sel].tobytes()).hexdigest()}
        frames[fid] = rows
    thumbs = {}
    if "thumbnails" in tables:
        for fid, t, jpeg in con.execute("SELECT footage_id, time_s, jpeg FROM thumbnails ORDER BY footage_id, time_s"):
            thumbs.setdefault(fid, []).append([t, hashlib.sha256(jpeg).hexdigest()])
    meta = dict(con.execute("SELECT key, value FROM meta"))
    changes = [list(r) for r in con.execute("SELECT seq, op, footage_id FROM changes ORDER BY seq")]
    con.close()
    json.dump({"records": records, "frames": frames, "thumbnails": thumbs, "meta": meta, "changes": changes,
               "tables": sorted(tables)},
              open(out.replace(".db", ".expected.json"), "w"), indent=1, ensure_ascii=False, sort_keys=True)
''')


def build(stem: str, commit: str, stop_at: int | None) -> None:
    out = HERE / f"{stem}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"prov-{commit}-") as tree:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit, "provenance"],
                                 check=True, capture_output=True).stdout
        tar_path = Path(tree) / "src.tar"
        tar_path.write_bytes(archive)
        with tarfile.open(tar_path) as tf:
            tf.extractall(tree, filter="data")
        script = Path(tree) / "build.py"
        script.write_text(BUILDER)
        subprocess.run([sys.executable, str(script), tree, str(out), "none" if stop_at is None else str(stop_at),
                        str(CLIP)], check=True, cwd=tree)
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size} bytes (commit {commit})")


if __name__ == "__main__":
    for stem, commit, stop in VERSIONS:
        build(stem, commit, stop)
