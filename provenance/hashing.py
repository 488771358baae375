"""Perceptual frame hashes and the :class:`Fingerprint` of a clip (pure functions over arrays)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import InvalidArgumentError

__all__ = ["DEFAULT_HASHER", "Fingerprint", "hamming"]

#: Name and version of the default frame hasher; stored in every index record, never mixed.
DEFAULT_HASHER = "phash256/1"


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """Frame hashes of one clip with their media times.

    Parameters
    ----------
    times_s : ndarray of float64, shape (n,)
        Media time of each hashed frame [s], from the container's timestamps, increasing.
    hashes : ndarray of uint8, shape (n, nbytes)
        Packed hash bits of each frame.
    hasher : str
        Hasher name and version, e.g. ``"phash256/1"``; fingerprints of different hashers
        are never compared.
    variants : dict of str to ndarray
        Query-side variants (e.g. ``"mirror"``), each shaped like ``hashes``; not stored in
        an index.
    duration_s : float or None
        Clip duration [s] when known.
    """

    times_s: np.ndarray
    hashes: np.ndarray
    hasher: str = DEFAULT_HASHER
    variants: dict[str, np.ndarray] = field(default_factory=dict)
    duration_s: float | None = None

    def __post_init__(self) -> None:
        times = np.ascontiguousarray(np.asarray(self.times_s, dtype=np.float64))
        hashes = np.asarray(self.hashes)
        if times.ndim != 1:
            raise InvalidArgumentError(f"Fingerprint.times_s must be 1-D (got shape {times.shape})")
        if hashes.dtype != np.uint8 or hashes.ndim != 2:
            raise InvalidArgumentError(
                f"Fingerprint.hashes must be a uint8 array of shape (n, nbytes) "
                f"(got {hashes.dtype} {hashes.shape})"
            )
        if hashes.shape[0] != times.shape[0]:
            raise InvalidArgumentError(
                f"Fingerprint has {times.shape[0]} times but {hashes.shape[0]} hashes; they must match"
            )
        if not np.all(np.isfinite(times)):
            raise InvalidArgumentError("Fingerprint.times_s must be finite")
        if not isinstance(self.hasher, str) or not self.hasher:
            raise InvalidArgumentError("Fingerprint.hasher must be a non-empty string like 'phash256/1'")
        for name, arr in self.variants.items():
            arr = np.asarray(arr)
            if arr.shape != hashes.shape or arr.dtype != np.uint8:
                raise InvalidArgumentError(f"Fingerprint variant {name!r} must match hashes' shape and dtype")
        object.__setattr__(self, "times_s", times)
        object.__setattr__(self, "hashes", np.ascontiguousarray(hashes))

    def __len__(self) -> int:
        return int(self.times_s.shape[0])

    @property
    def nbytes(self) -> int:
        """Bytes per frame hash."""
        return int(self.hashes.shape[1])

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict with hashes as hex strings."""
        return {
            "hasher": self.hasher,
            "duration_s": self.duration_s,
            "times_s": self.times_s.tolist(),
            "hashes": [bytes(h).hex() for h in self.hashes],
        }

    def __repr__(self) -> str:
        span = f"{self.times_s[0]:.2f}-{self.times_s[-1]:.2f} s" if len(self) else "empty"
        return f"Fingerprint({len(self)} frames, {span}, hasher={self.hasher!r})"


_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distance [bits] between packed hashes, broadcasting over leading axes."""
    x = np.bitwise_xor(np.asarray(a, dtype=np.uint8), np.asarray(b, dtype=np.uint8))
    return _POPCOUNT[x].sum(axis=-1, dtype=np.int32)
