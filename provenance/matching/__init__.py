"""Matching: candidate search, temporal voting and crop fitting over hashes (pure logic, no storage)."""

from .candidates import DEFAULT_SEED_RADIUS, Candidates, CandidateTable
from .match import MATCH_THRESHOLD, Match, match_fingerprint

__all__ = [
    "DEFAULT_SEED_RADIUS",
    "MATCH_THRESHOLD",
    "CandidateTable",
    "Candidates",
    "Match",
    "match_fingerprint",
]
