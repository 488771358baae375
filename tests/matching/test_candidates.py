"""The candidate table answers exactly like an exhaustive popcount scan."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import clip_fingerprint, perturb

from provenance.errors import InvalidArgumentError
from provenance.matching import candidates as cmod
from provenance.matching.candidates import (
    DEFAULT_SEED_RADIUS,
    CandidateTable,
    exhaustive_query,
    exhaustive_query_seeded,
)


def _same(a, b) -> None:
    for name in ("query_row", "footage_id", "ref_time_s", "distance"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def _build(n_clips: int, nbytes: int = 32, frames: int = 50):
    fps = {f"id{i:04d}": clip_fingerprint(i, frames, nbytes=nbytes) for i in range(n_clips)}
    t = CandidateTable(nbytes)
    for k, fp in fps.items():
        t.add(k, fp.times_s, fp.hashes)
    return fps, t


def _exhaustive(fps, q, r, k=64):
    return exhaustive_query(list(fps), [f.times_s for f in fps.values()], [f.hashes for f in fps.values()], q, r,
                            max_per_query=k)


@pytest.mark.parametrize("nbytes", [8, 32])
@pytest.mark.parametrize("radius", [0, 3, 12, 24, 31, 40, 64, 100])
def test_equals_exhaustive_over_radii(nbytes: int, radius: int) -> None:
    fps, t = _build(200, nbytes)  # 10 000 frames: indexed segments, not just the pending scan
    t.flush()
    assert t._segments and not t._pending
    rng = np.random.default_rng(radius)
    q = np.concatenate([perturb(fps["id0007"], 1, 0.05), perturb(fps["id0100"], 2, 0.1)[:20],
                        rng.integers(0, 256, (20, nbytes), dtype=np.uint8)])
    _same(t.query(q, radius, max_per_query=7), _exhaustive(fps, q, radius, 7))
    _same(t.query(q, radius), _exhaustive(fps, q, radius))


def test_probe_and_scan_paths_agree(monkeypatch) -> None:
    fps, t = _build(120)
    q = perturb(fps["id0003"], 5, 0.1)
    monkeypatch.setattr(cmod, "_COST_SCAN_WORD", 1e9)  # force probing
    probed = t.query(q, 45)
    monkeypatch.setattr(cmod, "_COST_SCAN_WORD", 1e-9)  # force scanning
    scanned = t.query(q, 45)
    _same(probed, scanned)
    _same(probed, _exhaustive(fps, q, 45))


def test_updates_merges_and_removals_stay_exact() -> None:
    rng = np.random.default_rng(0)
    t = CandidateTable(32)
    fps: dict[str, object] = {}
    q = np.concatenate([perturb(clip_fingerprint(i, 30), i, 0.06)[:5] for i in range(0, 300, 7)])
    for step in range(300):
        fid = f"c{step}"
        fps[fid] = clip_fingerprint(step, 30)
        t.add(fid, fps[fid].times_s, fps[fid].hashes)
        if step % 5 == 4:
            victim = list(fps)[int(rng.integers(len(fps)))]
            t.remove(victim)
            del fps[victim]
        if step % 40 == 39:
            _same(t.query(q, 30, max_per_query=5), _exhaustive(fps, q, 30, 5))
    # re-adding an id replaces its frames
    t.add("c10", clip_fingerprint(999, 30).times_s, clip_fingerprint(999, 30).hashes)
    fps["c10"] = clip_fingerprint(999, 30)
    _same(t.query(q, 35), _exhaustive(fps, q, 35))
    assert len(t) == sum(len(f) for f in fps.values())
    assert set(t.footage_ids()) == set(fps)
    assert len(t._segments) <= 6


def test_order_independent_ties() -> None:
    """Tables loaded in different orders give identical answers (ties broken by id, time)."""
    fp = clip_fingerprint(1, 20)
    a, b = CandidateTable(), CandidateTable()
    for fid in ["x", "y", "z"]:
        a.add(fid, fp.times_s, fp.hashes)
    for fid in ["z", "x", "y"]:
        b.add(fid, fp.times_s, fp.hashes)
    qa, qb = a.query(fp.hashes, 10, max_per_query=4), b.query(fp.hashes, 10, max_per_query=4)
    _same(qa, qb)
    assert list(qa.footage_id[:4]) == ["x", "x", "y", "y"] or list(qa.footage_id[:3]) == ["x", "y", "z"]


def test_bad_input() -> None:
    t = CandidateTable(32)
    with pytest.raises(InvalidArgumentError):
        t.add("a", np.zeros(2), np.zeros((2, 8), np.uint8))
    with pytest.raises(InvalidArgumentError):
        t.add("a", np.zeros(3), np.zeros((2, 32), np.uint8))
    with pytest.raises(InvalidArgumentError):
        t.query(np.zeros((1, 8), np.uint8), 3)
    with pytest.raises(InvalidArgumentError):
        t.query(np.zeros((1, 32), np.uint8), -1)
    assert len(t.query(np.zeros((1, 32), np.uint8), 3)) == 0
    assert len(t.query(np.zeros((0, 32), np.uint8), 3)) == 0


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 300), m=st.integers(1, 12), radius=st.integers(0, 256), k=st.integers(1, 10),
       seed=st.integers(0, 2**31), nbytes=st.sampled_from([4, 8, 13, 32]))
def test_property_equals_exhaustive(n: int, m: int, radius: int, k: int, seed: int, nbytes: int) -> None:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (max(1, n // 10), nbytes), dtype=np.uint8)
    ref = base[rng.integers(0, base.shape[0], n)] ^ (rng.random((n, nbytes)) < 0.05).astype(np.uint8)
    ids = [f"f{i % 7}" for i in range(n)]
    groups = {fid: [i for i in range(n) if ids[i] == fid] for fid in dict.fromkeys(ids)}
    t = CandidateTable(nbytes)
    for fid, rows in groups.items():
        t.add(fid, np.asarray(rows, float), ref[rows])
    if seed % 2:
        t.flush()
    q = np.concatenate([ref[: m // 2], rng.integers(0, 256, (m - m // 2, nbytes), dtype=np.uint8)])
    want = exhaustive_query(list(groups), [np.asarray(r, float) for r in groups.values()],
                            [ref[r] for r in groups.values()], q, radius, max_per_query=k)
    _same(t.query(q, radius, max_per_query=k), want)


# ---------------------------------------------------------------- two-stage (seeded) lookup
def _seeded_ref(fps, q, seed_r, r, k=64, items=50):
    return exhaustive_query_seeded(list(fps), [f.times_s for f in fps.values()], [f.hashes for f in fps.values()],
                                   q, seed_radius=seed_r, max_distance=r, max_per_query=k, max_items=items)


@pytest.mark.parametrize("seed_r, radius, k, items", [
    (0, 88, 48, 50), (12, 88, 48, 50), (24, 88, 48, 50), (28, 40, 7, 3), (32, 88, 48, 1), (40, 20, 64, 5), (70, 88, 5, 4),
])
def test_seeded_equals_exhaustive_restricted_to_seeded_items(seed_r, radius, k, items) -> None:
    fps, t = _build(200)
    t.flush()
    rng = np.random.default_rng(seed_r)
    q = np.concatenate([perturb(fps["id0007"], 1, 0.05), perturb(fps["id0100"], 2, 0.1)[:20],
                        rng.integers(0, 256, (20, 32), dtype=np.uint8)])
    got = t.query_seeded(q, seed_radius=seed_r, max_distance=radius, max_per_query=k, max_items=items, reach_radius=None)
    _same(got, _seeded_ref(fps, q, seed_r, radius, k, items))
    # the restriction is to items, not pairs: seeded items keep pairs beyond the seed radius
    if seed_r <= 24 <= radius and len(got):
        assert (got.distance > seed_r).any()
    assert len(set(got.footage_id)) <= items


def test_seeded_with_every_item_seeded_equals_query() -> None:
    """A seed radius that reaches every item, and room for all of them, gives query()'s answer."""
    fps, t = _build(40)
    q = perturb(fps["id0003"], 5, 0.1)
    _same(t.query_seeded(q, seed_radius=256, max_distance=60, max_per_query=9, max_items=1000, reach_radius=None),
          t.query(q, 60, max_per_query=9))


def test_seeded_on_clustered_data_and_probe_paths(monkeypatch) -> None:
    """Many near-identical frames (huge buckets): overflow falls back to the scan, same answer."""
    rng = np.random.default_rng(3)
    centre = rng.integers(0, 256, 32, dtype=np.uint8)
    fps = {}
    for i in range(120):
        flips = (rng.random((60, 256)) < 0.02).astype(np.uint8)
        h = np.packbits(np.unpackbits(np.broadcast_to(centre, (60, 32)), axis=1) ^ flips, axis=1)
        fps[f"c{i:03d}"] = type("FP", (), {"times_s": np.arange(60) * 0.5, "hashes": h})()
    t = CandidateTable(32)
    for fid, fp in fps.items():
        t.add(fid, fp.times_s, fp.hashes)
    t.flush()
    q = np.concatenate([fps["c005"].hashes[:10] ^ np.uint8(1), rng.integers(0, 256, (5, 32), dtype=np.uint8)])
    want = _seeded_ref(fps, q, 16, 40, 6, 7)
    _same(t.query_seeded(q, seed_radius=16, max_distance=40, max_per_query=6, max_items=7, reach_radius=None), want)
    monkeypatch.setattr(cmod, "_COST_SCAN_WORD", 1e9)  # force probing, however full the buckets
    monkeypatch.setattr(cmod, "_SEED_CHUNK", 1000)  # and many verification chunks
    _same(t.query_seeded(q, seed_radius=16, max_distance=40, max_per_query=6, max_items=7, reach_radius=None), want)
    monkeypatch.setattr(cmod, "_COST_SCAN_WORD", 1e-9)  # force scanning
    _same(t.query_seeded(q, seed_radius=16, max_distance=40, max_per_query=6, max_items=7, reach_radius=None), want)


def test_seeded_after_updates_and_with_pending_rows() -> None:
    rng = np.random.default_rng(1)
    t = CandidateTable(32)
    fps: dict[str, object] = {}
    q = np.concatenate([perturb(clip_fingerprint(i, 30), i, 0.06)[:5] for i in range(0, 200, 9)])
    for step in range(200):
        fid = f"c{step}"
        fps[fid] = clip_fingerprint(step, 30)
        t.add(fid, fps[fid].times_s, fps[fid].hashes)
        if step % 5 == 4:
            victim = list(fps)[int(rng.integers(len(fps)))]
            t.remove(victim)
            del fps[victim]
        if step % 50 == 49:  # segments, merges and a pending tail all take part
            _same(t.query_seeded(q, seed_radius=24, max_distance=88, max_per_query=5, max_items=6, reach_radius=None),
                  _seeded_ref(fps, q, 24, 88, 5, 6))
    t.add("c10", clip_fingerprint(999, 30).times_s, clip_fingerprint(999, 30).hashes)  # replace frames
    fps["c10"] = clip_fingerprint(999, 30)
    _same(t.query_seeded(q, seed_radius=30, max_distance=70, max_items=100, reach_radius=None),
          _seeded_ref(fps, q, 30, 70, 64, 100))


def test_seeded_ranking_and_ties_are_order_independent() -> None:
    fp = clip_fingerprint(1, 20)
    a, b = CandidateTable(), CandidateTable()
    for fid in ["x", "y", "z"]:
        a.add(fid, fp.times_s, fp.hashes)
    for fid in ["z", "x", "y"]:
        b.add(fid, fp.times_s, fp.hashes)
    qa = a.query_seeded(fp.hashes, seed_radius=5, max_distance=10, max_per_query=4, max_items=2, reach_radius=None)
    _same(qa, b.query_seeded(fp.hashes, seed_radius=5, max_distance=10, max_per_query=4, max_items=2, reach_radius=None))
    assert set(qa.footage_id) == {"x", "y"}  # equal seed hits and distance: footage_id decides
    # more seed hits outrank a closer single frame
    c = CandidateTable()
    c.add("many", fp.times_s, fp.hashes)
    c.add("one", np.zeros(1), fp.hashes[:1])
    got = c.query_seeded(fp.hashes, seed_radius=0, max_distance=0, max_items=1, reach_radius=None)
    assert set(got.footage_id) == {"many"}


def test_seeded_bad_input_and_empty() -> None:
    t = CandidateTable(32)
    z = np.zeros((1, 32), np.uint8)
    assert len(t.query_seeded(z, seed_radius=20, max_distance=88)) == 0
    t.add("a", np.zeros(1), z)
    assert len(t.query_seeded(np.zeros((0, 32), np.uint8), seed_radius=20, max_distance=88)) == 0
    assert len(t.query_seeded(z, max_distance=88)) == 1  # default seed radius
    assert 16 <= DEFAULT_SEED_RADIUS <= 40
    for kw in ({"seed_radius": -1}, {"max_distance": -1}, {"max_per_query": 0}, {"max_items": 0}):
        args = {"seed_radius": 20, "max_distance": 88, **kw}
        with pytest.raises(InvalidArgumentError):
            t.query_seeded(z, **args, reach_radius=None)
    with pytest.raises(InvalidArgumentError):
        t.query_seeded(np.zeros((1, 8), np.uint8), seed_radius=20, max_distance=88)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 400), m=st.integers(1, 12), seed_r=st.integers(0, 80), radius=st.integers(0, 256),
       k=st.integers(1, 10), items=st.integers(1, 8), seed=st.integers(0, 2**31),
       nbytes=st.sampled_from([4, 8, 13, 32]), clustered=st.booleans())
def test_property_seeded_equals_exhaustive(n, m, seed_r, radius, k, items, seed, nbytes, clustered) -> None:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (1 if clustered else max(1, n // 10), nbytes), dtype=np.uint8)
    ref = base[rng.integers(0, base.shape[0], n)] ^ (rng.random((n, nbytes)) < 0.05).astype(np.uint8)
    ids = [f"f{i % 9}" for i in range(n)]
    groups = {fid: [i for i in range(n) if ids[i] == fid] for fid in dict.fromkeys(ids)}
    t = CandidateTable(nbytes)
    for fid, rows in groups.items():
        t.add(fid, np.asarray(rows, float), ref[rows])
    if seed % 2:
        t.flush()
    q = np.concatenate([ref[: m // 2], rng.integers(0, 256, (m - m // 2, nbytes), dtype=np.uint8)])
    want = exhaustive_query_seeded(list(groups), [np.asarray(r, float) for r in groups.values()],
                                   [ref[r] for r in groups.values()], q, seed_radius=seed_r, max_distance=radius,
                                   max_per_query=k, max_items=items)
    _same(t.query_seeded(q, seed_radius=seed_r, max_distance=radius, max_per_query=k, max_items=items, reach_radius=None), want)


# ---------------------------------------------------------------- seeded lookup at scale, real hard edits
_ENC = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-pix_fmt", "yuv420p", "-an"]
#: Hard edits (issue 13 item 4) of an 8 s cut of a real corpus clip: name -> (ffmpeg filter, speed).
_HARD_EDITS = {
    "offcrop20_mirror_1.25x": ("crop=trunc(iw*0.8/2)*2:trunc(ih*0.8/2)*2:iw*0.18:ih*0.04,hflip,setpts=PTS/1.25", 1.25),
    "reframe916": ("split[a][b];[a]scale=360:640,boxblur=20[bg];[b]scale=360:-2[fg];[bg][fg]overlay=(W-w)/2:(H-h)/2",
                   1.0),
    "offcrop30": ("crop=trunc(iw*0.7/2)*2:trunc(ih*0.7/2)*2:iw*0.25:ih*0.05", 1.0),
    "blur_noise": ("gblur=sigma=2,noise=alls=20:allf=t", 1.0),
}


@pytest.fixture(scope="module")
def hard_edits(corpus, tmp_path_factory):
    """Reference rows of a real clip and query fingerprints (with variants) of its hard edits."""
    import subprocess

    from provenance.hashing.fingerprinting import INDEX_FPS, fingerprint, reference_rows
    from provenance.media.tools import find_ffmpeg

    ff, d = find_ffmpeg(), tmp_path_factory.mktemp("hard_edits")
    ref = d / "ref.mp4"
    subprocess.run([ff, "-y", "-v", "error", "-ss", "4", "-i", str(corpus / "footage" / "chair_orig-22_sd.mp4"),
                    "-t", "8", "-vf", "scale=-2:360", "-r", "25", *_ENC, "-g", "50", str(ref)], check=True)
    queries = {}
    for name, (vf, _speed) in _HARD_EDITS.items():
        out = d / f"{name}.mp4"
        subprocess.run([ff, "-y", "-v", "error", "-i", str(ref), "-filter_complex",
                        vf + ",scale=trunc(iw/2)*2:trunc(ih/2)*2", *_ENC, str(out)], check=True)
        queries[name] = fingerprint(out, variants=True)
    return reference_rows(fingerprint(ref, variants=False, fps=INDEX_FPS)), queries


def _padded_table(ref_rows, n_rows: int) -> CandidateTable:
    """The reference among ``n_rows`` synthetic frames: clips drifting from correlated random scenes."""
    rng = np.random.default_rng(5)
    centres = rng.integers(0, 256, (512, 32), dtype=np.uint8)
    per = 100
    scene = centres[rng.integers(0, 512, n_rows // per)]
    scene = np.repeat(scene ^ np.packbits(rng.random((scene.shape[0], 256)) < 0.15, axis=1), per, axis=0)
    drift = np.bitwise_xor.accumulate(np.packbits(rng.random((n_rows, 256)) < 0.012, axis=1).reshape(-1, per, 32),
                                      axis=1).reshape(-1, 32)
    pad = scene ^ drift
    t = CandidateTable(32)
    times = np.arange(per, dtype=np.float64) * 0.5
    for i in range(0, n_rows, per):
        t.add(f"pad{i // per:06d}", times, pad[i:i + per])
    t.add("ref", *ref_rows)
    t.flush()
    return t


def test_seeded_many_pools_seeds_over_hash_sets() -> None:
    """query_seeded_many = exhaustive_query per set over the items an exact seed of all sets together
    picks, plus each set's own first items."""
    fps, t = _build(200)
    t.flush()
    rng = np.random.default_rng(9)
    sets = [perturb(fps["id0007"], 1, 0.05)[:10], perturb(fps["id0100"], 2, 0.12)[:15],
            rng.integers(0, 256, (5, 32), dtype=np.uint8), np.zeros((0, 32), np.uint8)]
    ids, times, hashes = list(fps), [f.times_s for f in fps.values()], [f.hashes for f in fps.values()]
    for seed_r, radius, k, items in [(24, 88, 48, 50), (30, 60, 5, 1), (12, 88, 7, 3)]:
        got = t.query_seeded_many(sets, seed_radius=seed_r, max_distance=radius, max_per_query=k, max_items=items,
                                  reach_radius=None)
        assert len(got) == len(sets)
        picked = exhaustive_query_seeded(ids, times, hashes, np.concatenate(sets), seed_radius=seed_r,
                                         max_distance=256, max_per_query=10**6, max_items=items,
                                         set_sizes=[len(x) for x in sets])
        keep = [i for i, fid in enumerate(ids) if fid in set(picked.footage_id)]
        for h, c in zip(sets, got):
            _same(c, exhaustive_query([ids[i] for i in keep], [times[i] for i in keep], [hashes[i] for i in keep],
                                      h, radius, max_per_query=k))
        # one set alone is query_seeded
        _same(t.query_seeded_many(sets[:1], seed_radius=seed_r, max_distance=radius, max_per_query=k,
                                  max_items=items)[0],
              t.query_seeded(sets[0], seed_radius=seed_r, max_distance=radius, max_per_query=k, max_items=items))
    assert t.query_seeded_many([], max_distance=88) == []
    with pytest.raises(InvalidArgumentError):
        t.query_seeded_many([sets[0], np.zeros((1, 8), np.uint8)], max_distance=88)


def test_seeded_reach_finds_far_copies_and_stays_a_superset() -> None:
    """The reach seeds footage whose nearest frames are far beyond the exact seed radius, and
    never drops an item the exact seed stage finds (with room for every item)."""
    fps, t = _build(200)
    t.flush()
    q = perturb(fps["id0042"], 3, 0.18)  # ~46 bits from every true frame
    exact = t.query_seeded(q, seed_radius=24, max_distance=88, max_items=1000, reach_radius=None)
    wide = t.query_seeded(q, seed_radius=24, max_distance=88, max_items=1000)
    assert "id0042" not in set(exact.footage_id)
    assert "id0042" in set(wide.footage_id)
    assert set(exact.footage_id) <= set(wide.footage_id)


def test_seeded_lookup_at_scale_finds_what_exhaustive_finds_for_hard_edits(hard_edits, monkeypatch) -> None:
    """In a table just above SEEDED_ABOVE_ROWS rows (the seeded regime of matching), the seeded
    lookup seeds the true footage from every hash set in which an exhaustive search finds it within
    FULL_WEIGHT_DISTANCE, and returns for it every pair the exhaustive search returns."""
    from provenance.matching import match as mm

    ref_rows, queries = hard_edits
    t = _padded_table(ref_rows, 100 * ((mm.SEEDED_ABOVE_ROWS + 10_000) // 100))  # just in the seeded regime
    missed_exact = 0
    for name, fp in queries.items():
        for h in [fp.hashes, *fp.variants.values()]:
            full = t.query(h, mm.MAX_FRAME_DISTANCE, max_per_query=mm.MAX_PER_QUERY)
            is_ref = full.footage_id == "ref"
            if not (is_ref & (full.distance <= mm.FULL_WEIGHT_DISTANCE)).any():
                continue
            got = t.query_seeded(h, max_distance=mm.MAX_FRAME_DISTANCE, max_per_query=mm.MAX_PER_QUERY)
            want_pairs = set(zip(full.query_row[is_ref].tolist(), full.ref_time_s[is_ref].tolist()))
            got_ref = got.footage_id == "ref"
            got_pairs = set(zip(got.query_row[got_ref].tolist(), got.ref_time_s[got_ref].tolist()))
            assert want_pairs <= got_pairs, name
            old = t.query_seeded(h, max_distance=mm.MAX_FRAME_DISTANCE, max_per_query=mm.MAX_PER_QUERY,
                                 reach_radius=None)
            missed_exact += int(not (old.footage_id == "ref").any())
    # the exact 24-bit seed alone misses hash sets that the reach recovers (what the reach is for)
    assert missed_exact > 0
    assert len(t) > mm.SEEDED_ABOVE_ROWS
    # Matching decides the same with seeded as with exhaustive lookups for every edit with a true
    # frame within FULL_WEIGHT_DISTANCE in some hash set. Edits whose nearest true frame is 60+ bits
    # away in every set (here the off-centre crops; found by an exhaustive search only through the
    # crop fit on weak pairs) are seeded only when one of those far pairs shares a substring.
    from provenance.hashing import hamming

    beyond = []
    for name, fp in queries.items():
        d_best = min(int(hamming(ref_rows[1][None], np.asarray(h)[:, None]).min())
                     for h in [fp.hashes, *fp.variants.values()])
        seeded = mm.match_fingerprint(fp, t, threshold=0.0)
        with monkeypatch.context() as m:
            m.setattr(mm, "SEEDED_ABOVE_ROWS", 10**9)  # exhaustive lookups
            exhaustive = mm.match_fingerprint(fp, t, threshold=0.0)
        assert exhaustive and exhaustive[0].footage_id == "ref", name
        if d_best > mm.FULL_WEIGHT_DISTANCE:
            beyond.append((name, d_best))
            continue
        assert seeded and seeded[0].footage_id == "ref", (name, d_best)
        assert seeded[0].score >= exhaustive[0].score - 0.02, (name, d_best)
    assert len(beyond) <= 2, beyond


def _at_distance(h: np.ndarray, bits: int, rng: np.random.Generator) -> np.ndarray:
    """``h`` (packed uint8) with exactly ``bits`` bits flipped."""
    b = np.unpackbits(h.copy())
    b[rng.choice(b.size, bits, replace=False)] ^= 1
    return np.packbits(b)


def test_seed_ranking_weighs_hits_by_distance() -> None:
    """A few near-identical frames outrank more frames at the edge of the seed radius."""
    rng = np.random.default_rng(21)
    q = rng.integers(0, 256, (5, 32), dtype=np.uint8)
    t = CandidateTable(32)
    t.add("close", np.array([0.0, 0.5]), np.stack([_at_distance(q[i], 8, rng) for i in range(2)]))
    t.add("far", np.arange(5) * 0.5, np.stack([_at_distance(q[i], 64, rng) for i in range(5)]))
    t.flush()
    got = t.query_seeded(q, seed_radius=72, max_distance=88, max_items=1, reach_radius=None)
    assert set(got.footage_id) == {"close"}  # 2 hits at 8 bits weigh more than 5 at 64


def test_a_hash_set_that_alone_sees_footage_seeds_it() -> None:
    """One small hash set (a grid cell) near one item is not outvoted by many sets near other items."""
    rng = np.random.default_rng(22)
    t = CandidateTable(32)
    sets = [rng.integers(0, 256, (3, 32), dtype=np.uint8)]
    t.add("cell", np.arange(3) * 0.5, np.stack([_at_distance(h, 20, rng) for h in sets[0]]))
    for k in range(6):
        s = rng.integers(0, 256, (10, 32), dtype=np.uint8)
        sets.append(s)
        t.add(f"other{k}", np.arange(10) * 0.5, np.stack([_at_distance(h, 12, rng) for h in s]))
    t.flush()
    kw = dict(seed_radius=24, max_distance=88, max_items=2, reach_radius=None)
    assert "cell" not in set(t.query_seeded_many(sets, items_per_set=0, **kw)[0].footage_id)
    got = t.query_seeded_many(sets, **kw)
    assert set(got[0].footage_id) == {"cell"}
    assert len(set(np.concatenate([c.footage_id for c in got]))) == 7
    with pytest.raises(InvalidArgumentError):
        t.query_seeded_many(sets, items_per_set=-1, **kw)
