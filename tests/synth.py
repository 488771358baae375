"""Synthetic but structured fingerprints for index tests (no decoding needed).

Each clip starts from a "scene" hash and drifts a few bits per frame, as real frame
hashes of a moving camera do; scenes of one clip are correlated like cuts in one video.
"""

from __future__ import annotations

import numpy as np

from provenance.hashing import DEFAULT_HASHER, Fingerprint


def clip_fingerprint(seed: int, n: int = 40, *, nbytes: int = 32, hasher: str = DEFAULT_HASHER,
                     fps: float = 2.0) -> Fingerprint:
    """A deterministic clip fingerprint of ``n`` frames."""
    rng = np.random.default_rng(seed)
    bits = rng.random(nbytes * 8) < 0.5
    rows = []
    for i in range(n):
        if i and i % 15 == 0:  # a cut: a correlated new scene
            bits = bits ^ (rng.random(bits.size) < 0.3)
        bits = bits ^ (rng.random(bits.size) < 0.01)
        rows.append(np.packbits(bits))
    return Fingerprint(times_s=np.arange(n) / fps, hashes=np.array(rows, dtype=np.uint8), hasher=hasher,
                       duration_s=n / fps)


def perturb(fp: Fingerprint, seed: int, flip: float = 0.04) -> np.ndarray:
    """The clip's hashes with a fraction of bits flipped (a re-encode)."""
    rng = np.random.default_rng(seed)
    bits = np.unpackbits(fp.hashes, axis=1)
    bits ^= (rng.random(bits.shape) < flip).astype(np.uint8)
    return np.packbits(bits, axis=1)


def fake_fingerprinter(path: str) -> Fingerprint:
    """A fingerprinter for ingestion tests: a clip derived from the file's bytes."""
    import hashlib

    seed = int.from_bytes(hashlib.sha256(open(path, "rb").read()).digest()[:4], "little")
    return clip_fingerprint(seed, 20)
