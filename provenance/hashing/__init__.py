"""Hashing: frame hashes, local features and the fingerprint of a clip (``hashing.fingerprinting`` decodes)."""

from .features import LocalFeatures, local_features
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
    "LocalFeatures",
    "hamming",
    "local_features",
    "phash256",
    "phash256_batch",
    "prepare_phash_input",
    "window_hashes",
]
