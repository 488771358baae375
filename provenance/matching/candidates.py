"""In-memory frame-hash table for candidate lookup (exact Hamming range search).

The store (SQLite, PostgreSQL) is the durable copy; this table is loaded from it and
kept in step with writes. Matching (``matching.py``) only sees :class:`Candidates`.

How it is fast and still exact
------------------------------
Frames live in immutable *segments* (a log-structured layout: new footage goes to a small
pending buffer, which becomes a segment on the next query; small segments are merged
into bigger ones geometrically). Each segment carries a **multi-index hash** (Norouzi,
Punjani & Fleet, "Fast exact search in Hamming space with multi-index hashing", 2014):
the hash bits are split into ``m`` disjoint substrings of ``s ~ log2(n)`` bits, and for
each substring a direct-address bucket table (counting-sort offsets plus row order).
By the pigeonhole principle, a reference within ``r`` bits of a query agrees with it to
within ``a = r // m`` bits on one of the first ``r % m + 1`` substrings, or to within
``a - 1`` bits on one of the others; probing exactly those buckets and verifying every
candidate with a full popcount gives the *same* result as an exhaustive scan. When the
radius is so large that probing would cost more than scanning, the segment is scanned
with a vectorised popcount over ``uint64`` words instead (``np.bitwise_count``), so the
answer never depends on which path ran.

Ties are broken by intrinsic values (distance, then footage_id, then reference time),
so a table loaded from the store in any order answers exactly like one built by adds.

Two-stage lookup (:meth:`CandidateTable.query_seeded`)
-------------------------------------------------------
A range search at matching's wide radius (88 bits) cannot use the pigeonhole (every
substring would have to be probed with a large radius) and degenerates into a scan of
every frame. The two-stage lookup instead *seeds* footage items with a tight, exact
range search (``seed_radius`` ~ 24-32 bits, multi-index hashing; occupancy bitmaps skip
empty buckets, and overflowing buckets of clustered hashes fall back to the scan) and
then *verifies* only the best-seeded items densely at the wide radius. In exact mode
(``reach_radius=None``) its answer is the exhaustive answer restricted to the seeded items
(:func:`exhaustive_query_seeded`). By default the seed stage also keeps every row its
(cheap, radius <= 1) substring probes retrieve within ``reach_radius`` (64) bits: an
approximate, wider seed that finds heavily edited copies (true frames 40-60 bits away)
in a 10M-row table as an exhaustive search does in a small one. :meth:`~CandidateTable.query_seeded_many`
runs one seed stage for all hash sets of a query (frames and variants), which both pools
their evidence and removes the fixed cost of one call per set.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np

from ..errors import InvalidArgumentError

__all__ = [
    "DEFAULT_REACH_RADIUS",
    "DEFAULT_SEED_RADIUS",
    "CandidateTable",
    "Candidates",
    "exhaustive_query",
    "exhaustive_query_seeded",
]

logger = logging.getLogger(__name__)

#: Pending rows below this count are scanned directly rather than indexed.
_MIN_SEGMENT_ROWS = 4096
#: Merge the newest segment into the previous while the previous is at most this many times bigger.
_MERGE_RATIO = 4
#: Rebuild a segment when this fraction of its rows belongs to removed footage.
_COMPACT_DEAD_FRACTION = 0.25
#: Rows per block in the exhaustive scan (bounds temporary memory to ~ block * queries * 8 bytes).
_SCAN_BLOCK_ELEMS = 1 << 21
#: Relative costs used to pick probing or scanning per segment (measured on numpy 2, x86-64).
_COST_PROBE = 6.0  # one bucket lookup
_COST_VERIFY = 8.0  # one candidate verification (gather + popcount)
_COST_SCAN_WORD = 1.0  # one 64-bit word of an exhaustive scan
#: Candidate pairs verified per vectorised chunk in the seed stage (bounds temporary memory).
_SEED_CHUNK = 1 << 20
#: Default seed radius of :meth:`CandidateTable.query_seeded` [bits of 256], chosen on the
#: corpus ground truth of the matching tests (see ``benchmarks/index_scale.py``, "seed recall"):
#: every corpus ground-truth case has a true frame within 22 bits, and the videos seeded are the
#: same for every radius from 24 to 40 (heavy crops, 9:16 reframes and blur+noise need 42-48
#: bits, out of reach of any tight seed); 28 and 32 bits cost 2x and 3x the seed time of 24.
DEFAULT_SEED_RADIUS = 24
#: Default reach of the seed stage [bits of 256] (:meth:`CandidateTable.query_seeded`): the probes
#: of the exact ``seed_radius`` search also retrieve far rows that share a near-identical substring
#: with the query; those within this many bits seed their footage too. Heavy crops, 9:16 reframes,
#: blur+noise and off-centre crops with a mirror have their true frames at 40-60 bits, out of reach
#: of any exact tight radius, but across a query's many frames some pair almost always shares a
#: substring. First chosen at 64 on the hash-only recall of ``benchmarks/index_scale.py
#: --scale-recall`` (tuning half, 10M rows: 64 and 80 found the same 34/55 queries, the exact
#: 24-bit seed alone 23/55). Raised to 80 on the full matcher (tuning half of
#: ``benchmarks/copy_detection.py``, index padded to 1M rows): grid cells and 5 deg turned copies,
#: whose true frames are 42-64 bits away and which only local features confirm, were all seeded
#: at 80 and 4 of them lost at 64 (of the 98 positives of the layout and rotation families); the
#: seed stage costs 15 instead of 12 ms per query video at 10M rows (p50).
DEFAULT_REACH_RADIUS = 80
#: Largest probe radius per substring in reach mode [bits]: radius 2 costs ~10x the probes of 1,
#: radius 0 found 32/55 instead of 34/55 on the tuning half (see DEFAULT_REACH_RADIUS).
_REACH_PROBE_RADIUS = 1
#: Buckets holding more rows than this are skipped in reach mode (0: none skipped).
_REACH_BUCKET_MAX = 0
#: Weight of a seed hit by its distance [bits]: the matcher's pair weights (full at 40 bits, three
#: times that for near-identical frames at 16 bits or less, none at 88;
#: :func:`provenance.matching.match._weights`), never below :data:`_SEED_WEIGHT_FLOOR`. Items are
#: ranked by their weighted hits, so a footage item with a dozen near-identical frames is not
#: outranked by items with more hits at the edge of the reach (in a 10M-row index the only item
#: with frames within 24 bits of a grid cell ranked 42nd by plain hit count).
_SEED_WEIGHT_BITS = (0.0, 16.0, 40.0, 88.0)
_SEED_WEIGHTS = (3.0, 3.0, 1.0, 0.0)
_SEED_WEIGHT_FLOOR = 0.05
#: Default items seeded per hash set besides the ``max_items`` best over all sets
#: (:meth:`CandidateTable.query_seeded_many`): a view that alone sees the footage (one grid cell,
#: one inset) has few rows, and the hits of the many views that see other footage outvote it
#: (tuning half of ``benchmarks/copy_detection.py`` at 10M rows, with the weighted ranking: 2
#: grid-cell copies lost with 0, none with 4; with both, 1 of the 311 copies the unpadded index
#: found is lost there).
SEED_ITEMS_PER_SET = 4


@dataclass(frozen=True)
class Candidates:
    """Reference frames near some query frames.

    All arrays have the same length k, ordered by query row, then distance, then
    footage_id, then reference time.

    Attributes
    ----------
    query_row : ndarray of int64
        Row of the query hash array each candidate answers.
    footage_id : ndarray of object (str)
        Footage the reference frame belongs to.
    ref_time_s : ndarray of float64
        Media time of the reference frame [s].
    distance : ndarray of int32
        Hamming distance [bits].
    """

    query_row: np.ndarray
    footage_id: np.ndarray
    ref_time_s: np.ndarray
    distance: np.ndarray

    def __len__(self) -> int:
        return int(self.query_row.shape[0])


def _empty_candidates() -> Candidates:
    return Candidates(
        np.zeros(0, np.int64), np.zeros(0, dtype=object), np.zeros(0, np.float64), np.zeros(0, np.int32)
    )


def _to_words(hashes: np.ndarray, nwords: int) -> np.ndarray:
    """Packed uint8 hashes (n, nbytes) as native uint64 words (n, nwords), zero padded."""
    n, nbytes = hashes.shape
    if nbytes == nwords * 8:
        return np.ascontiguousarray(hashes).view(np.uint64).reshape(n, nwords)
    buf = np.zeros((n, nwords * 8), dtype=np.uint8)
    buf[:, :nbytes] = hashes
    return buf.view(np.uint64).reshape(n, nwords)


def _popcount_rows(x: np.ndarray) -> np.ndarray:
    """Sum of set bits over the last axis of a uint64 array, as int32.

    Column by column: numpy's reduction over a short last axis is many times slower.
    """
    c = np.bitwise_count(x)
    out = c[..., 0].astype(np.int32)
    for j in range(1, x.shape[-1]):
        out += c[..., j]
    return out


def _substring_layout(total_bits: int, s: int) -> list[tuple[int, int]]:
    """Split ``total_bits`` into ``total_bits // s`` near-equal (start, length) substrings of >= s bits."""
    m = max(1, total_bits // s)
    base, extra = divmod(total_bits, m)
    out, start = [], 0
    for k in range(m):
        length = base + (1 if k < extra else 0)
        out.append((start, length))
        start += length
    return out


def _extract(words: np.ndarray, start: int, length: int) -> np.ndarray:
    """Bits [start, start+length) of each row of a uint64 word array, as uint64 keys."""
    w0, off = divmod(start, 64)
    mask = np.uint64((1 << length) - 1)
    if off + length <= 64:
        return (words[:, w0] >> np.uint64(off)) & mask
    lo_len = 64 - off
    lo = words[:, w0] >> np.uint64(off)
    hi = words[:, w0 + 1] << np.uint64(lo_len)
    return (lo | hi) & mask


@lru_cache(maxsize=256)
def _flip_masks(length: int, radius: int) -> np.ndarray:
    """All XOR masks of at most ``radius`` set bits among ``length`` bits (uint64)."""
    masks = [0]
    for k in range(1, min(radius, length) + 1):
        for combo in combinations(range(length), k):
            v = 0
            for b in combo:
                v |= 1 << b
            masks.append(v)
    arr = np.array(masks, dtype=np.uint64)
    arr.setflags(write=False)
    return arr


@lru_cache(maxsize=256)
def _flip_masks32(length: int, radius: int) -> np.ndarray:
    """:func:`_flip_masks` as uint32 (substrings of at most 32 bits)."""
    arr = _flip_masks(length, radius).astype(np.uint32)
    arr.setflags(write=False)
    return arr


#: Bit k set, for testing occupancy bitmaps (little bit order).
_BIT_LUT = np.array([1 << k for k in range(8)], dtype=np.uint8)


@lru_cache(maxsize=1024)
def _n_masks(length: int, radius: int) -> int:
    return sum(math.comb(length, k) for k in range(0, min(radius, length) + 1)) if radius >= 0 else 0


class _Segment:
    """An immutable block of frames with a multi-index hash over it."""

    def __init__(self, words: np.ndarray, times: np.ndarray, owner: np.ndarray, total_bits: int) -> None:
        self.words = words  # (n, W) uint64
        self.times = times  # (n,) float64
        self.owner = owner  # (n,) int32 footage slot
        self.n = int(words.shape[0])
        # Substrings a little longer than log2(n): verification (a random gather) costs
        # more than a bucket lookup, so fewer candidates per probe pays off.
        s = int(min(23, max(10, math.ceil(math.log2(max(self.n, 2))) + 1, total_bits // 24)))
        self.layout = _substring_layout(total_bits, s)
        self.orders: list[np.ndarray] = []
        self.offsets: list[np.ndarray] = []
        self.bitmaps: list[np.ndarray] = []
        for start, length in self.layout:
            keys = _extract(words, start, length)
            keys_small = keys.astype(np.uint16 if length <= 16 else np.uint32)
            order = np.argsort(keys_small, kind="stable").astype(np.int32)
            counts = np.bincount(keys_small, minlength=1 << length)
            offsets = np.zeros((1 << length) + 1, dtype=np.int32)
            np.cumsum(counts, out=offsets[1:])
            self.orders.append(order)
            self.offsets.append(offsets)
            # one bit per bucket: is it occupied? (small enough to stay in cache; most
            # probes of the seed stage hit empty buckets and stop here)
            self.bitmaps.append(np.packbits(counts > 0, bitorder="little"))
            del keys, keys_small, counts
        # rows of each footage slot (contiguous when frames were appended slot by slot)
        if self.n and not bool(np.all(owner[1:] >= owner[:-1])):
            self.by_owner: np.ndarray | None = np.argsort(owner, kind="stable")
            sorted_owner = owner[self.by_owner]
        else:
            self.by_owner, sorted_owner = None, owner
        self.slot_u, self.slot_start = np.unique(sorted_owner, return_index=True)
        self.slot_stop = np.r_[self.slot_start[1:], self.n].astype(np.int64)

    def nbytes(self) -> int:
        return int(
            self.words.nbytes + self.times.nbytes + self.owner.nbytes
            + sum(o.nbytes for o in self.orders) + sum(o.nbytes for o in self.offsets)
            + sum(b.nbytes for b in self.bitmaps) + self.slot_u.nbytes + self.slot_start.nbytes
            + self.slot_stop.nbytes + (self.by_owner.nbytes if self.by_owner is not None else 0)
        )

    def rows_of(self, slots: np.ndarray) -> np.ndarray:
        """Row indices of the given footage slots held by this segment (slot order kept)."""
        if self.n == 0 or slots.size == 0:
            return np.zeros(0, np.int64)
        i = np.minimum(np.searchsorted(self.slot_u, slots), self.slot_u.size - 1)
        i = i[self.slot_u[i] == slots]
        if i.size == 0:
            return np.zeros(0, np.int64)
        lo, cnt = self.slot_start[i].astype(np.int64), (self.slot_stop[i] - self.slot_start[i]).astype(np.int64)
        rows = np.repeat(lo - np.cumsum(cnt) + cnt, cnt) + np.arange(int(cnt.sum()), dtype=np.int64)
        return rows if self.by_owner is None else self.by_owner[rows].astype(np.int64)

    def seed(self, qwords: np.ndarray, radius: int,
             reach: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query_row, row, distance) of all rows within ``radius``; exact, may repeat pairs.

        With ``reach`` > ``radius``, every row the probes of ``radius`` retrieve is also kept
        when within ``reach`` bits (and the scan fallback scans at ``reach``): a superset of the
        exact answer that adds far pairs sharing a near-identical substring with the query.

        The seed-stage variant of :meth:`search`: probes skip empty buckets through the
        occupancy bitmaps, the real candidate count is known before any row is fetched
        (so clustered data whose buckets overflow falls back to the scan), and candidates
        are verified in bounded vectorised chunks. Duplicates (a pair found through several
        substrings) are left for the caller, which reduces pairs to footage anyway.
        """
        nq = qwords.shape[0]
        keep_r = radius if reach is None else max(radius, int(reach))
        if self.n == 0 or nq == 0:
            z = np.zeros(0, np.int64)
            return z, z, z.astype(np.int32)
        scan_cost = self.scan_cost(nq)
        if self.probe_cost(nq, radius) >= scan_cost or max(length for _, length in self.layout) > 32:
            return _scan(self.words, qwords, keep_r)
        plan = self._plan(radius)
        if keep_r > radius:
            # reach mode: cheap probes only (each costs a bucket lookup and verifications)
            plan = [min(r, _REACH_PROBE_RADIUS) for r in plan]
        n_probes = sum(_n_masks(length, r) for (_, length), r in zip(self.layout, plan) if r >= 0) * nq
        parts: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
        total = 0
        for k, ((start, length), r) in enumerate(zip(self.layout, plan)):
            if r < 0:
                continue
            masks = _flip_masks32(length, r)
            qkeys = _extract(qwords, start, length).astype(np.uint32)
            probe = (qkeys[:, None] ^ masks[None, :]).ravel()
            nz = np.flatnonzero(self.bitmaps[k][probe >> 3] & _BIT_LUT[probe & 7])
            if nz.size == 0:
                continue
            p = probe[nz]
            offsets = self.offsets[k]
            lo = offsets[p]
            cnt = offsets[p + 1] - lo
            if keep_r > radius and _REACH_BUCKET_MAX:
                # reach mode: a substring value that many frames share is little evidence
                small = np.flatnonzero(cnt <= _REACH_BUCKET_MAX)
                nz, lo, cnt = nz[small], lo[small], cnt[small]
            parts.append((k, (nz // masks.shape[0]).astype(np.int32), lo, cnt))
            total += int(cnt.sum(dtype=np.int64))
        if n_probes * _COST_PROBE + total * _COST_VERIFY >= scan_cost:
            return _scan(self.words, qwords, keep_r)  # buckets overflow (clustered hashes)
        if total == 0:
            z = np.zeros(0, np.int64)
            return z, z, z.astype(np.int32)
        # candidates bucket by bucket, through each substring's row order, verified in chunks
        out_q, out_r, out_d = [], [], []
        rows_acc, q_acc, acc = [], [], 0
        for i, (k, qb, lo, cnt) in enumerate(parts):
            tot = int(cnt.sum(dtype=np.int64))
            if tot:
                pos = np.repeat((lo - np.cumsum(cnt) + cnt).astype(np.int64), cnt) + np.arange(tot, dtype=np.int64)
                rows_acc.append(self.orders[k][pos])
                q_acc.append(np.repeat(qb, cnt))
                acc += tot
            if acc and (acc >= _SEED_CHUNK or i == len(parts) - 1):
                r_c = np.concatenate(rows_acc)
                q_c = np.concatenate(q_acc)
                rows_acc, q_acc, acc = [], [], 0
                x = np.take(self.words, r_c, axis=0)
                x ^= np.take(qwords, q_c, axis=0)
                d = _popcount_rows(x)
                keep = np.flatnonzero(d <= keep_r)
                out_q.append(q_c[keep])
                out_r.append(r_c[keep].astype(np.int64))
                out_d.append(d[keep])
        return (np.concatenate(out_q).astype(np.int64), np.concatenate(out_r),
                np.concatenate(out_d).astype(np.int32))

    def _plan(self, radius: int) -> list[int]:
        """Probe radius per substring for a Hamming radius (pigeonhole, Norouzi et al. Prop. 1)."""
        m = len(self.layout)
        a, b = divmod(radius, m)
        return [a if k <= b else a - 1 for k in range(m)]

    def probe_cost(self, n_queries: int, radius: int) -> float:
        cost = 0.0
        for (_start, length), r in zip(self.layout, self._plan(radius)):
            p = _n_masks(length, r)
            cost += p * (_COST_PROBE + _COST_VERIFY * self.n / (1 << length))
        return cost * n_queries

    def scan_cost(self, n_queries: int) -> float:
        return n_queries * self.n * self.words.shape[1] * _COST_SCAN_WORD

    def search(self, qwords: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query_row, row, distance) of all rows within ``radius``; exact, may repeat none."""
        nq = qwords.shape[0]
        if self.n == 0 or nq == 0:
            z = np.zeros(0, np.int64)
            return z, z, z.astype(np.int32)
        if self.probe_cost(nq, radius) < self.scan_cost(nq):
            return self._probe(qwords, radius)
        return _scan(self.words, qwords, radius)

    def _probe(self, qwords: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        q_parts, r_parts = [], []
        for (start, length), r, order, offsets in zip(self.layout, self._plan(radius), self.orders, self.offsets):
            if r < 0:
                continue
            masks = _flip_masks(length, r)
            qkeys = _extract(qwords, start, length)
            probe = (qkeys[:, None] ^ masks[None, :]).astype(np.int64).ravel()
            lo = offsets[probe]
            cnt = offsets[probe + 1] - lo
            total = int(cnt.sum())
            if total == 0:
                continue
            nz = np.flatnonzero(cnt)
            cnt_nz = cnt[nz].astype(np.int64)
            starts = np.repeat(lo[nz].astype(np.int64) - np.cumsum(cnt_nz) + cnt_nz, cnt_nz)
            pos = starts + np.arange(total, dtype=np.int64)
            r_parts.append(order[pos])
            q_parts.append(np.repeat(nz // masks.shape[0], cnt_nz))
        if not r_parts:
            z = np.zeros(0, np.int64)
            return z, z, z.astype(np.int32)
        qrow = np.concatenate(q_parts)
        rows = np.concatenate(r_parts).astype(np.int64)
        x = np.take(self.words, rows, axis=0)
        x ^= np.take(qwords, qrow, axis=0)
        d = _popcount_rows(x)
        keep = d <= radius
        qrow, rows, d = qrow[keep], rows[keep], d[keep]
        if qrow.size:
            # the same pair can be found through several substrings: keep one
            key = qrow.astype(np.int64) * self.n + rows
            _, first = np.unique(key, return_index=True)
            qrow, rows, d = qrow[first], rows[first], d[first]
        return qrow.astype(np.int64), rows, d


def _scan(words: np.ndarray, qwords: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exhaustive popcount scan of ``words`` against every query; exact."""
    n, nw = words.shape
    nq = qwords.shape[0]
    block = max(256, _SCAN_BLOCK_ELEMS // max(1, nq))
    q_parts, r_parts, d_parts = [], [], []
    qcols = [qwords[:, j, None] for j in range(nw)]
    for b0 in range(0, n, block):
        chunk = words[b0:b0 + block]
        cols = [np.ascontiguousarray(chunk[:, j]) for j in range(nw)]
        d = np.bitwise_count(cols[0][None, :] ^ qcols[0]).astype(np.uint16)  # (nq, c)
        for j in range(1, nw):
            d += np.bitwise_count(cols[j][None, :] ^ qcols[j])
        qi, ri = np.nonzero(d <= radius)
        if qi.size:
            q_parts.append(qi.astype(np.int64))
            r_parts.append(ri.astype(np.int64) + b0)
            d_parts.append(d[qi, ri].astype(np.int32))
    if not q_parts:
        z = np.zeros(0, np.int64)
        return z, z, z.astype(np.int32)
    return np.concatenate(q_parts), np.concatenate(r_parts), np.concatenate(d_parts)


class CandidateTable:
    """Exact nearest-frame lookup over packed hashes (multi-index hashing + popcount).

    Parameters
    ----------
    nbytes : int
        Bytes per hash (32 for a 256-bit hash).

    Notes
    -----
    Memory is about ``n * (nbytes + 12 + 4 * m) + m * 4 * 2**s`` bytes for ``n`` frames,
    with ``s = min(23, floor(log2 n))`` and ``m = ceil(8 * nbytes / s)``; about 1.3 GB at
    ten million 256-bit hashes. The table is safe to use from several threads.
    """

    def __init__(self, nbytes: int = 32) -> None:
        if int(nbytes) <= 0:
            raise InvalidArgumentError(f"nbytes must be positive (got {nbytes})")
        self.nbytes = int(nbytes)
        self._nwords = (self.nbytes + 7) // 8
        self._lock = threading.RLock()
        self._slot_of: dict[str, int] = {}  # alive footage -> slot
        self._slot_ids: list[str] = []  # slot -> footage_id
        self._alive = np.zeros(0, dtype=bool)
        self._slot_rows = np.zeros(0, dtype=np.int64)  # frames per slot
        self._segments: list[_Segment] = []
        self._pending: list[tuple[int, np.ndarray, np.ndarray]] = []  # (slot, times, words)
        self._pending_rows = 0
        self._n_alive_rows = 0
        self._removed_since_compact = False

    # ------------------------------------------------------------------ updates
    def add(self, footage_id: str, times_s: np.ndarray, hashes: np.ndarray) -> None:
        """Add the frames of one footage item (replacing any frames it had).

        Parameters
        ----------
        footage_id : str
        times_s : ndarray of float64, shape (n,)
            Media time of each frame [s].
        hashes : ndarray of uint8, shape (n, nbytes)
        """
        hashes = np.asarray(hashes)
        if hashes.dtype != np.uint8 or hashes.ndim != 2 or hashes.shape[1] != self.nbytes:
            raise InvalidArgumentError(
                f"hashes must be uint8 of shape (n, {self.nbytes}) (got {hashes.dtype} {hashes.shape})"
            )
        times = np.asarray(times_s, dtype=np.float64).reshape(-1)
        if times.shape[0] != hashes.shape[0]:
            raise InvalidArgumentError(f"{times.shape[0]} times for {hashes.shape[0]} hashes; they must match")
        words = _to_words(hashes, self._nwords)
        with self._lock:
            self._remove_locked(footage_id)
            slot = len(self._slot_ids)
            self._slot_ids.append(str(footage_id))
            if slot >= self._alive.shape[0]:
                grow = max(64, slot + 1, 2 * self._alive.shape[0])
                alive = np.zeros(grow, dtype=bool)
                alive[: self._alive.shape[0]] = self._alive
                rows = np.zeros(grow, dtype=np.int64)
                rows[: self._slot_rows.shape[0]] = self._slot_rows
                self._alive, self._slot_rows = alive, rows
            self._alive[slot] = True
            self._slot_rows[slot] = times.shape[0]
            self._slot_of[str(footage_id)] = slot
            # read-only inputs (e.g. views of stored bytes) cannot change under us: no copy
            self._pending.append((slot, times.copy() if times.flags.writeable else times,
                                  words.copy() if words.flags.writeable else words))
            self._pending_rows += times.shape[0]
            self._n_alive_rows += times.shape[0]

    def remove(self, footage_id: str) -> None:
        """Drop the frames of one footage item; unknown ids are ignored."""
        with self._lock:
            self._remove_locked(footage_id)

    def _remove_locked(self, footage_id: str) -> None:
        slot = self._slot_of.pop(str(footage_id), None)
        if slot is None:
            return
        self._alive[slot] = False
        self._removed_since_compact = True
        self._n_alive_rows -= int(self._slot_rows[slot])
        if self._pending:
            kept = [p for p in self._pending if p[0] != slot]
            if len(kept) != len(self._pending):
                self._pending = kept
                self._pending_rows = sum(p[1].shape[0] for p in kept)

    def clear(self) -> None:
        """Drop every frame."""
        with self._lock:
            self.__init__(self.nbytes)  # type: ignore[misc]

    def __len__(self) -> int:
        """Number of frame hashes held."""
        return int(self._n_alive_rows)

    def __contains__(self, footage_id: object) -> bool:
        return footage_id in self._slot_of

    def footage_ids(self) -> list[str]:
        """Footage ids held, in insertion order."""
        with self._lock:
            return sorted(self._slot_of, key=self._slot_of.__getitem__)

    def frames(self, footage_id: str) -> tuple[np.ndarray, np.ndarray]:
        """Media times [s] and packed hashes (uint8) of one footage item.

        Raises
        ------
        KeyError
            If the footage is not in the table.
        """
        with self._lock:
            slot = self._slot_of[str(footage_id)]
            for s, times, words in self._pending:
                if s == slot:
                    return times.copy(), words.view(np.uint8).reshape(len(times), -1)[:, : self.nbytes].copy()
            for seg in self._segments:
                idx = np.flatnonzero(seg.owner == slot)
                if idx.size:
                    hashes = seg.words[idx].view(np.uint8).reshape(idx.size, -1)[:, : self.nbytes]
                    return seg.times[idx].copy(), hashes.copy()
        return np.zeros(0), np.zeros((0, self.nbytes), np.uint8)

    def memory_bytes(self) -> int:
        """Approximate bytes held by the table's arrays."""
        with self._lock:
            return sum(s.nbytes() for s in self._segments) + sum(p[1].nbytes + p[2].nbytes for p in self._pending)

    # ------------------------------------------------------------------ layout
    def flush(self) -> None:
        """Index pending frames now (otherwise done lazily on the next query)."""
        with self._lock:
            self._flush_locked(force=True)

    def _flush_locked(self, *, force: bool = False) -> None:
        if self._pending and (force or self._pending_rows >= _MIN_SEGMENT_ROWS):
            pend = self._pending
            self._pending, self._pending_rows = [], 0
            self._segments.append(self._build([(p[1], p[2], p[0]) for p in pend]))
            while len(self._segments) > 1 and self._segments[-2].n <= _MERGE_RATIO * self._segments[-1].n:
                b = self._segments.pop()
                a = self._segments.pop()
                self._segments.append(self._merge([a, b]))
        # compact segments dominated by removed footage
        if self._removed_since_compact:
            self._removed_since_compact = False
            for i, seg in enumerate(self._segments):
                if seg.n and 1.0 - self._alive[seg.owner].mean() > _COMPACT_DEAD_FRACTION:
                    self._segments[i] = self._merge([seg])
        self._segments = [s for s in self._segments if s.n]

    def _build(self, parts: list[tuple[np.ndarray, np.ndarray, int]]) -> _Segment:
        times = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0)
        words = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, self._nwords), np.uint64)
        owner = (np.concatenate([np.full(p[0].shape[0], p[2], dtype=np.int32) for p in parts]) if parts
                 else np.zeros(0, np.int32))
        return _Segment(words, times, owner, self.nbytes * 8)

    def _merge(self, segs: list[_Segment]) -> _Segment:
        words, times, owner = [], [], []
        for seg in segs:
            keep = self._alive[seg.owner]
            words.append(seg.words[keep])
            times.append(seg.times[keep])
            owner.append(seg.owner[keep])
        logger.debug("merging %d segments (%d rows)", len(segs), sum(len(t) for t in times))
        return _Segment(np.concatenate(words), np.concatenate(times), np.concatenate(owner), self.nbytes * 8)

    # ------------------------------------------------------------------ search
    def _check_query(self, hashes: np.ndarray) -> np.ndarray:
        q = np.asarray(hashes)
        if q.ndim == 1:
            q = q.reshape(1, -1)
        if q.dtype != np.uint8 or q.ndim != 2 or q.shape[1] != self.nbytes:
            raise InvalidArgumentError(
                f"query hashes must be uint8 of shape (m, {self.nbytes}) (got {q.dtype} {q.shape})"
            )
        return q

    def query(self, hashes: np.ndarray, max_distance: int, *, max_per_query: int = 64) -> Candidates:
        """Reference frames within ``max_distance`` bits of each query hash.

        Exact: the result equals :func:`exhaustive_query` on the same frames.

        Parameters
        ----------
        hashes : ndarray of uint8, shape (m, nbytes)
        max_distance : int
            Largest Hamming distance kept [bits].
        max_per_query : int
            Keep at most this many nearest candidates per query row (ties broken by
            footage_id, then reference time).

        Returns
        -------
        Candidates
            Ordered by query row, distance, footage_id, reference time.
        """
        q = self._check_query(hashes)
        radius = int(max_distance)
        if radius < 0:
            raise InvalidArgumentError(f"max_distance must be >= 0 (got {max_distance})")
        if int(max_per_query) < 1:
            raise InvalidArgumentError(f"max_per_query must be >= 1 (got {max_per_query})")
        if q.shape[0] == 0:
            return _empty_candidates()
        qwords = _to_words(q, self._nwords)
        with self._lock:
            self._flush_locked()
            qr, tm, ow, dd = [], [], [], []
            for seg in self._segments:
                qi, ri, d = seg.search(qwords, radius)
                o = seg.owner[ri]
                keep = self._alive[o]
                qr.append(qi[keep])
                tm.append(seg.times[ri[keep]])
                ow.append(o[keep])
                dd.append(d[keep])
            if self._pending:
                times = np.concatenate([p[1] for p in self._pending])
                words = np.concatenate([p[2] for p in self._pending])
                owner = np.concatenate([np.full(p[1].shape[0], p[0], np.int32) for p in self._pending])
                qi, ri, d = _scan(words, qwords, radius)
                qr.append(qi)
                tm.append(times[ri])
                ow.append(owner[ri])
                dd.append(d)
            slot_ids = np.array(self._slot_ids, dtype=object)
        return _finish(np.concatenate(qr) if qr else np.zeros(0, np.int64),
                       np.concatenate(tm) if tm else np.zeros(0),
                       slot_ids[np.concatenate(ow)] if ow else np.zeros(0, object),
                       np.concatenate(dd) if dd else np.zeros(0, np.int32),
                       int(max_per_query))


    def query_seeded(
        self, hashes: np.ndarray, *, seed_radius: int = DEFAULT_SEED_RADIUS, max_distance: int,
        max_per_query: int = 64, max_items: int = 50, reach_radius: int | None = DEFAULT_REACH_RADIUS,
    ) -> Candidates:
        """Two-stage lookup: seed footage items with close frames, then verify them densely.

        1. **Seed.** Footage items with at least one frame within ``seed_radius`` bits of
           any query hash, found exactly (multi-index hashing, pigeonhole). Items are ranked
           by their *seed hits* (query rows with a frame of the item within ``seed_radius``,
           each weighted by its distance as the matcher weighs a frame pair), then by their
           smallest seed distance, then by footage_id; the first ``max_items`` are kept.
        2. **Verify.** Every query hash against every frame of those items (a small dense
           popcount matrix): all pairs within ``max_distance``, the ``max_per_query``
           nearest per query row.

        With ``reach_radius=None`` the result is :func:`exhaustive_query` at ``max_distance``
        over only the items that an exhaustive scan at ``seed_radius`` finds (the first
        ``max_items`` of them by the ranking above); :func:`exhaustive_query_seeded` is that
        reference. Such a tight exact seed misses heavily transformed copies (off-centre crops
        with a mirror, 9:16 reframes, heavy crops), whose nearest true frames are 40-60 bits
        away. With a ``reach_radius`` (the default, :data:`DEFAULT_REACH_RADIUS`) the seed
        stage is approximate and wider: each substring is probed within at most
        ``_REACH_PROBE_RADIUS`` (1) bits, and every retrieved row within ``reach_radius``
        seeds its footage. Exact within ``sum(r_k + 1) - 1`` bits of the probe radii ``r_k``
        (21 at 10M rows, 23 at 1M; never less than in the exact mode of the same radius minus
        the capped probes), it also seeds footage whose far frames share a near-identical
        substring with some query hash, which over a query's many frames is almost always
        the case for a true copy (``benchmarks/index_scale.py --scale-recall``).

        Parameters
        ----------
        hashes : ndarray of uint8, shape (m, nbytes)
        seed_radius : int
            Hamming radius of the seed stage [bits].
        max_distance : int
            Largest Hamming distance kept in the verify stage [bits] (may be larger or
            smaller than ``seed_radius``).
        max_per_query : int
            Keep at most this many nearest candidates per query row.
        max_items : int
            Most footage items verified.
        reach_radius : int or None
            Largest distance [bits] of a probed row that still seeds its footage (approximate
            mode); None for the exact seed stage at ``seed_radius``.

        Returns
        -------
        Candidates
            Same format and order as :meth:`query`: by query row, distance, footage_id,
            reference time.
        """
        return self.query_seeded_many([hashes], seed_radius=seed_radius, max_distance=max_distance,
                                      max_per_query=max_per_query, max_items=max_items, reach_radius=reach_radius)[0]

    def query_seeded_many(
        self, hash_sets: list[np.ndarray], *, seed_radius: int = DEFAULT_SEED_RADIUS, max_distance: int,
        max_per_query: int = 64, max_items: int = 50, reach_radius: int | None = DEFAULT_REACH_RADIUS,
        items_per_set: int = SEED_ITEMS_PER_SET,
    ) -> list[Candidates]:
        """:meth:`query_seeded` for several hash sets of one query (its frames and their variants).

        One seed stage over every hash of every set: footage items are ranked by their seed
        hits summed over all sets (evidence from the mirror or a crop window seeds the footage
        for every set); the first ``max_items``, and each set's own first ``items_per_set``
        (a view that alone sees the footage, such as one cell of a grid, is not outvoted by
        the other views' hits), are verified against each set. Much cheaper than one call per
        set (the cost of a call is mostly fixed). With a single set this is :meth:`query_seeded`.

        Parameters
        ----------
        hash_sets : list of ndarray of uint8, each of shape (m_i, nbytes)
        seed_radius, max_distance, max_per_query, max_items, reach_radius
            As :meth:`query_seeded`.
        items_per_set : int
            Items seeded by each set's own ranking besides the overall first ``max_items``
            (0: none).

        Returns
        -------
        list of Candidates
            One per hash set, in order; ``query_row`` indexes rows of that set.
        """
        qs = [self._check_query(h) for h in hash_sets]
        seed_r, radius = int(seed_radius), int(max_distance)
        if seed_r < 0:
            raise InvalidArgumentError(f"seed_radius must be >= 0 (got {seed_radius})")
        if radius < 0:
            raise InvalidArgumentError(f"max_distance must be >= 0 (got {max_distance})")
        if int(max_per_query) < 1:
            raise InvalidArgumentError(f"max_per_query must be >= 1 (got {max_per_query})")
        if int(max_items) < 1:
            raise InvalidArgumentError(f"max_items must be >= 1 (got {max_items})")
        if int(items_per_set) < 0:
            raise InvalidArgumentError(f"items_per_set must be >= 0 (got {items_per_set})")
        reach = seed_r if reach_radius is None else max(seed_r, int(reach_radius))
        if not qs:
            return []
        q = np.concatenate(qs)
        nq = q.shape[0]
        if nq == 0:
            return [_empty_candidates() for _ in qs]
        qwords = _to_words(q, self._nwords)
        with self._lock:
            self._flush_locked()
            # ---- stage 1: seed pairs (query row, slot, distance) within seed_radius (or reach)
            qr, ow, dd = [], [], []
            for seg in self._segments:
                qi, ri, d = seg.seed(qwords, seed_r, reach)
                o = seg.owner[ri]
                keep = self._alive[o]
                qr.append(qi[keep])
                ow.append(o[keep])
                dd.append(d[keep])
            if self._pending:
                words = np.concatenate([p[2] for p in self._pending])
                owner = np.concatenate([np.full(p[1].shape[0], p[0], np.int32) for p in self._pending])
                qi, ri, d = _scan(words, qwords, reach)
                qr.append(qi)
                ow.append(owner[ri])
                dd.append(d)
            qr_a = np.concatenate(qr) if qr else np.zeros(0, np.int64)
            if qr_a.size == 0:
                return [_empty_candidates() for _ in qs]
            slots = np.concatenate(ow).astype(np.int64)
            dist = np.concatenate(dd)
            slot_ids = self._slot_ids
            chosen = _rank_seeds(qr_a, slots, dist, nq, lambda s: np.array([slot_ids[i] for i in s], dtype=object),
                                 int(max_items), set_ends=np.cumsum([x.shape[0] for x in qs]),
                                 per_set=int(items_per_set))
            # ---- stage 2: gather the chosen items' frames
            tm, wd, og = [], [], []
            for seg in self._segments:
                rows = seg.rows_of(np.sort(chosen))
                if rows.size:
                    tm.append(seg.times[rows])
                    wd.append(seg.words[rows])
                    og.append(seg.owner[rows])
            chosen_set = set(int(c) for c in chosen)
            for slot, times, words in self._pending:
                if slot in chosen_set:
                    tm.append(times)
                    wd.append(words)
                    og.append(np.full(times.shape[0], slot, np.int32))
            ids_of_slot = {int(c): slot_ids[int(c)] for c in chosen}
        times_v, words_v, owner_v = np.concatenate(tm), np.concatenate(wd), np.concatenate(og)
        u_slot = np.unique(owner_v)
        id_of = np.array([ids_of_slot[int(x)] for x in u_slot], dtype=object)
        qi_all, ri_all, d_all = _scan(words_v, qwords, radius)
        out, start = [], 0
        order = np.argsort(qi_all, kind="stable")
        qi_all, ri_all, d_all = qi_all[order], ri_all[order], d_all[order]
        bounds = np.searchsorted(qi_all, np.cumsum([x.shape[0] for x in qs]))
        lo_row = 0
        for x, hi in zip(qs, bounds):
            qi, ri, d = qi_all[start:hi] - lo_row, ri_all[start:hi], d_all[start:hi]
            start, lo_row = int(hi), lo_row + x.shape[0]
            if qi.size == 0:
                out.append(_empty_candidates())
                continue
            ids = id_of[np.searchsorted(u_slot, owner_v[ri])]
            out.append(_finish(qi, times_v[ri], ids, d, int(max_per_query)))
        return out


def _rank_seeds(qrow: np.ndarray, item: np.ndarray, dist: np.ndarray, nq: int, ids_of, k: int, *,
                set_ends: np.ndarray | None = None, per_set: int = 0) -> np.ndarray:
    """The first ``k`` items by (most weighted seed hits, smallest seed distance, footage_id),
    then each hash set's own first ``per_set`` items not among them.

    ``qrow``, ``item``, ``dist``: seed pairs (repeats allowed); ``item`` are integer codes
    and ``ids_of(codes)`` their footage ids (object array). Seed hits of an item: distinct
    query rows with a pair, each weighted by its smallest distance (:data:`_SEED_WEIGHTS`).
    ``set_ends``: end row of each hash set in ``qrow`` (cumulative sizes); None: one set.
    """
    key = item * nq + qrow
    u_key, inv = np.unique(key, return_inverse=True)
    best_pair = np.full(u_key.size, np.iinfo(np.int32).max, np.int64)
    np.minimum.at(best_pair, inv, dist)
    weight = np.maximum(np.interp(best_pair, _SEED_WEIGHT_BITS, _SEED_WEIGHTS), _SEED_WEIGHT_FLOOR)
    all_items, pair_item = np.unique(u_key // nq, return_inverse=True)  # pair -> item index
    id_rank = np.unique(ids_of(all_items), return_inverse=True)[1]  # footage ids looked up once

    def ranked(sel: np.ndarray | None, n: int) -> np.ndarray:
        pi, bp, w = (pair_item, best_pair, weight) if sel is None else (pair_item[sel], best_pair[sel], weight[sel])
        u_item, inv_i = np.unique(pi, return_inverse=True)
        hits = np.bincount(inv_i, weights=w, minlength=u_item.size)
        best = np.full(u_item.size, np.iinfo(np.int32).max, np.int64)
        np.minimum.at(best, inv_i, bp)
        return all_items[u_item[np.lexsort((id_rank[u_item], best, -hits))[:n]]]

    chosen = ranked(None, k)
    if set_ends is not None and per_set > 0 and len(set_ends) > 1:
        set_of = np.searchsorted(np.asarray(set_ends), u_key % nq, side="right")
        extra = [ranked(set_of == s, per_set) for s in np.unique(set_of)]
        chosen = np.concatenate([chosen, np.setdiff1d(np.concatenate(extra), chosen)])
    return chosen


def _finish(qrow: np.ndarray, times: np.ndarray, ids: np.ndarray, dist: np.ndarray, k: int) -> Candidates:
    """Sort hits by (query row, distance, footage_id, time) and keep k per query row."""
    if qrow.size == 0:
        return _empty_candidates()
    if qrow.size > k:
        # cheap integer pre-cut: per query row keep distances up to its k-th smallest (ties kept)
        order = np.lexsort((dist, qrow))
        q_s, d_s = qrow[order], dist[order]
        first = np.searchsorted(q_s, q_s, side="left")
        last = np.searchsorted(q_s, q_s, side="right")
        kth = d_s[np.minimum(first + k, last) - 1]
        keep = order[d_s <= kth]
        qrow, times, ids, dist = qrow[keep], times[keep], ids[keep], dist[keep]
    id_codes = np.unique(ids, return_inverse=True)[1]  # rank of footage_id string
    order = np.lexsort((times, id_codes, dist, qrow))
    qrow, times, ids, dist = qrow[order], times[order], ids[order], dist[order]
    first = np.searchsorted(qrow, qrow, side="left")
    rank = np.arange(qrow.size) - first
    keep = rank < k
    return Candidates(qrow[keep].astype(np.int64), ids[keep], times[keep].astype(np.float64),
                      dist[keep].astype(np.int32))


def exhaustive_query(
    ref_ids: list[str], ref_times: list[np.ndarray], ref_hashes: list[np.ndarray],
    hashes: np.ndarray, max_distance: int, *, max_per_query: int = 64,
) -> Candidates:
    """The reference answer: a plain popcount scan of every frame (slow; for tests).

    Parameters
    ----------
    ref_ids, ref_times, ref_hashes
        Per footage item: its id, frame times [s] and packed uint8 hashes.
    hashes, max_distance, max_per_query
        As :meth:`CandidateTable.query`.
    """
    from ..hashing import hamming

    q = np.asarray(hashes, dtype=np.uint8)
    qr, tm, ids, dd = [], [], [], []
    for fid, t, h in zip(ref_ids, ref_times, ref_hashes):
        if len(t) == 0:
            continue
        d = hamming(np.asarray(h, np.uint8)[None, :, :], q[:, None, :])  # (m, n)
        qi, ri = np.nonzero(d <= max_distance)
        qr.append(qi)
        tm.append(np.asarray(t, np.float64)[ri])
        dd.append(d[qi, ri])
        ids.append(np.full(qi.size, fid, dtype=object))
    if not qr:
        return _empty_candidates()
    return _finish(np.concatenate(qr), np.concatenate(tm), np.concatenate(ids), np.concatenate(dd), max_per_query)


def exhaustive_query_seeded(
    ref_ids: list[str], ref_times: list[np.ndarray], ref_hashes: list[np.ndarray],
    hashes: np.ndarray, *, seed_radius: int, max_distance: int, max_per_query: int = 64, max_items: int = 50,
    set_sizes: list[int] | None = None, items_per_set: int = SEED_ITEMS_PER_SET,
) -> Candidates:
    """The reference answer of :meth:`CandidateTable.query_seeded` (plain scans; for tests).

    An exhaustive scan at ``seed_radius`` picks the items (ranked by weighted seed hits,
    smallest seed distance, footage_id; first ``max_items``; with ``set_sizes``, the rows of
    ``hashes`` are consecutive hash sets of those sizes and each also picks its own first
    ``items_per_set``, as :meth:`CandidateTable.query_seeded_many`), then
    :func:`exhaustive_query` at ``max_distance`` over those items only.
    """
    from ..hashing import hamming

    q = np.asarray(hashes, dtype=np.uint8)
    if q.ndim == 1:
        q = q.reshape(1, -1)
    nq = q.shape[0]
    qr, it, dd = [], [], []
    for i, h in enumerate(ref_hashes):
        if len(h) == 0 or nq == 0:
            continue
        d = hamming(np.asarray(h, np.uint8)[None, :, :], q[:, None, :])  # (m, n)
        qi, ri = np.nonzero(d <= seed_radius)
        qr.append(qi)
        it.append(np.full(qi.size, i, np.int64))
        dd.append(d[qi, ri])
    if not qr or not sum(x.size for x in qr):
        return _empty_candidates()
    ids_arr = np.array(list(ref_ids), dtype=object)
    chosen = _rank_seeds(np.concatenate(qr).astype(np.int64), np.concatenate(it), np.concatenate(dd), nq,
                         lambda s: ids_arr[s], int(max_items),
                         set_ends=None if set_sizes is None else np.cumsum(set_sizes), per_set=int(items_per_set))
    picked = sorted(int(c) for c in chosen)
    return exhaustive_query([ref_ids[i] for i in picked], [ref_times[i] for i in picked],
                            [ref_hashes[i] for i in picked], q, max_distance, max_per_query=max_per_query)
