"""Durability under SIGKILL and readers in other processes while one process writes."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from synth import clip_fingerprint, perturb

from provenance.index import FootageIndex

HERE = Path(__file__).resolve().parents[1]  # tests/, where synth.py lives
ROOT = HERE.parent.parent

WRITER = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    sys.path[:0] = [{root!r}, {here!r}]
    from synth import clip_fingerprint
    from provenance.index import FootageIndex
    ix = FootageIndex(sys.argv[1], mode="c")
    start = int(sys.argv[2])
    for i in range(start, start + 100000):
        rec = ix.add_fingerprint(clip_fingerprint(i, 30 + i % 20), footage_id=f"clip-{{i}}",
                                 published_at=datetime(2022, 1, 1, tzinfo=timezone.utc))
        print(rec.footage_id, flush=True)
""")


def _writer(tmp_path: Path, db: Path, start: int) -> subprocess.Popen:
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT), here=str(HERE)))
    return subprocess.Popen([sys.executable, str(script), str(db), str(start)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def test_sigkill_loses_no_returned_add(tmp_path: Path) -> None:
    db = tmp_path / "ix.db"
    rng = random.Random(1234)
    printed: list[str] = []
    start = 0
    for round_ in range(4):
        proc = _writer(tmp_path, db, start)
        assert proc.stdout is not None
        first = proc.stdout.readline()  # writing has begun (start-up time varies with load)
        time.sleep(0.05 + rng.random() * 0.6)  # a random moment, mid-transaction or not
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        ids = [line for line in (first + out).splitlines() if line.startswith("clip-")]
        printed += ids
        start += 100000
        with FootageIndex(db, mode="c") as ix:
            present = {r.footage_id for r in ix}
            assert set(printed) <= present, f"round {round_}: lost {sorted(set(printed) - present)[:5]}"
            # no partial entry: every record has all its frames, and the table loads
            for fid in present:
                rec = ix.get(fid)
                fp = ix.frames(fid)
                assert len(fp) == rec.n_frames == 30 + int(fid.split("-")[1]) % 20
            assert len(ix.candidate_table()) == sum(ix.get(f).n_frames for f in present)
    assert len(printed) > 10
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with FootageIndex(db) as ix:  # still works for writes and search
        ix.add_fingerprint(clip_fingerprint(10**7), footage_id="after", published_at=ix.get(printed[0]).published_at)
        fp = clip_fingerprint(5, 35)
        from provenance.hashing import Fingerprint

        if "clip-5" in ix:
            q = Fingerprint(times_s=fp.times_s, hashes=perturb(fp, 1, 0.03))
            assert [m.footage_id for m in ix.search(q)][:1] == ["clip-5"]


READER = textwrap.dedent("""
    import sys, json, time
    import numpy as np
    sys.path[:0] = [{root!r}, {here!r}]
    from synth import clip_fingerprint, perturb
    from provenance.index import FootageIndex
    from provenance.hashing import Fingerprint
    ix = FootageIndex(sys.argv[1], mode="r")
    deadline = time.time() + float(sys.argv[2])
    checks = 0
    while time.time() < deadline:
        before = {{r.footage_id for r in ix}}
        table = ix.candidate_table()
        held = set(table.footage_ids())
        after = {{r.footage_id for r in ix}}
        # committed before we looked and not removed since: must be in the table
        stable = before & after
        assert stable <= held, ("table behind the store", sorted(stable - held)[:5])
        # ids are added in increasing order: one not above the newest we saw, and absent
        # from our first look, was removed before it; the table must not hold it
        newest = max((int(f.split("-")[1]) for f in before), default=-1)
        stale = {{f for f in held - before if int(f.split("-")[1]) <= newest}}
        assert not stale, ("table holds removed footage", sorted(stale)[:5])
        if stable:
            fid = max(stable, key=lambda f: int(f.split("-")[1]))
            i = int(fid.split("-")[1])
            fp = clip_fingerprint(i, 30)
            q = Fingerprint(times_s=fp.times_s, hashes=perturb(fp, 7, 0.03))
            cand = table.query(q.hashes, 20)
            assert fid in set(cand.footage_id), "committed clip not found"  # table is a snapshot
            m = ix.search(q)
            assert fid not in {{r.footage_id for r in ix}} or (m and m[0].footage_id == fid), (fid, m)
        checks += 1
    print(json.dumps({{"checks": checks}}), flush=True)
""")


def test_readers_in_other_processes_while_writing(tmp_path: Path) -> None:
    db = tmp_path / "ix.db"
    with FootageIndex(db, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(0, 30), footage_id="clip-0",
                           published_at=__import__("datetime").datetime(2022, 1, 1, tzinfo=__import__("datetime").timezone.utc))
    script = tmp_path / "reader.py"
    script.write_text(READER.format(root=str(ROOT), here=str(HERE)))
    readers = [subprocess.Popen([sys.executable, str(script), str(db), "6"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    from datetime import datetime, timezone

    with FootageIndex(db) as ix:
        t_end = time.time() + 6
        i = 1
        while time.time() < t_end:
            ix.add_fingerprint(clip_fingerprint(i, 30), footage_id=f"clip-{i}",
                               published_at=datetime(2022, 1, 1, tzinfo=timezone.utc))
            if i % 7 == 0:
                ix.remove(f"clip-{i - 3}")
            i += 1
            time.sleep(0.02)
    for r in readers:
        out, err = r.communicate(timeout=60)
        assert r.returncode == 0, err[-2000:]
        assert json.loads(out.strip().splitlines()[-1])["checks"] > 3
