"""Hashing: perceptual frame hashes and the fingerprint of a clip (``hashing.fingerprinting`` decodes a file)."""

from .phash import (
    DCT_ROWS,
    DEFAULT_HASHER,
    HASH_BITS,
    SMALL_FRAME_SIZE,
    Fingerprint,
    hamming,
    phash256,
    phash256_batch,
    prepare_phash_input,
    window_hashes,
)

__all__ = [
    "DCT_ROWS",
    "DEFAULT_HASHER",
    "HASH_BITS",
    "SMALL_FRAME_SIZE",
    "Fingerprint",
    "hamming",
    "phash256",
    "phash256_batch",
    "prepare_phash_input",
    "window_hashes",
]
