"""In-memory frame-hash table for candidate lookup (exact Hamming search).

The store (SQLite, PostgreSQL) is the durable copy; this table is loaded from it and
kept in step with writes. Matching (``matching.py``) only sees :class:`Candidates`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgumentError
from ..hashing import hamming

__all__ = ["CandidateTable", "Candidates"]


@dataclass(frozen=True)
class Candidates:
    """Reference frames near some query frames.

    All arrays have the same length k.

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


class CandidateTable:
    """Exact nearest-frame lookup over packed hashes with numpy popcount.

    Parameters
    ----------
    nbytes : int
        Bytes per hash (32 for a 256-bit hash).
    """

    def __init__(self, nbytes: int = 32) -> None:
        self.nbytes = int(nbytes)
        self._ids: list[str] = []
        self._times: list[np.ndarray] = []
        self._hashes: list[np.ndarray] = []
        self._cache: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def add(self, footage_id: str, times_s: np.ndarray, hashes: np.ndarray) -> None:
        """Add the frames of one footage item (replacing any frames it had)."""
        hashes = np.asarray(hashes, dtype=np.uint8)
        if hashes.ndim != 2 or hashes.shape[1] != self.nbytes:
            raise InvalidArgumentError(f"hashes must have shape (n, {self.nbytes}) (got {hashes.shape})")
        self.remove(footage_id)
        self._ids.append(footage_id)
        self._times.append(np.asarray(times_s, dtype=np.float64))
        self._hashes.append(hashes)
        self._cache = None

    def remove(self, footage_id: str) -> None:
        """Drop the frames of one footage item; unknown ids are ignored."""
        if footage_id in self._ids:
            i = self._ids.index(footage_id)
            del self._ids[i], self._times[i], self._hashes[i]
            self._cache = None

    def __len__(self) -> int:
        return sum(int(h.shape[0]) for h in self._hashes)

    def footage_ids(self) -> list[str]:
        return list(self._ids)

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._cache is None:
            if self._hashes:
                owner = np.concatenate([np.full(len(t), i, dtype=np.int32) for i, t in enumerate(self._times)])
                self._cache = (np.concatenate(self._hashes), np.concatenate(self._times), owner)
            else:
                self._cache = (np.zeros((0, self.nbytes), np.uint8), np.zeros(0), np.zeros(0, np.int32))
        return self._cache

    def query(self, hashes: np.ndarray, max_distance: int, *, max_per_query: int = 64) -> Candidates:
        """Reference frames within ``max_distance`` bits of each query hash.

        Parameters
        ----------
        hashes : ndarray of uint8, shape (m, nbytes)
        max_distance : int
            Largest Hamming distance kept [bits].
        max_per_query : int
            Keep at most this many nearest candidates per query row.
        """
        ref_hashes, ref_times, owner = self._arrays()
        q = np.asarray(hashes, dtype=np.uint8)
        rows, ids, times, dists = [], [], [], []
        for r in range(q.shape[0]):
            d = hamming(ref_hashes, q[r])
            hit = np.flatnonzero(d <= max_distance)
            if hit.size > max_per_query:
                hit = hit[np.argsort(d[hit], kind="stable")[:max_per_query]]
            rows.append(np.full(hit.size, r, dtype=np.int64))
            ids.append(owner[hit])
            times.append(ref_times[hit])
            dists.append(d[hit].astype(np.int32))
        if not rows:
            empty = np.zeros(0)
            return Candidates(empty.astype(np.int64), empty.astype(object), empty, empty.astype(np.int32))
        id_arr = np.array(self._ids, dtype=object)
        return Candidates(np.concatenate(rows), id_arr[np.concatenate(ids)] if self._ids else np.zeros(0, object),
                          np.concatenate(times), np.concatenate(dists))
