"""Matching: candidate search, temporal voting, crop fitting, geometric verification (pure logic, no storage)."""

from .candidates import DEFAULT_SEED_RADIUS, Candidates, CandidateTable
from .geometry import Verification, verify_pair
from .match import MATCH_THRESHOLD, Match, match_fingerprint
from .verify import CandidateCheck, verify_candidate

__all__ = [
    "DEFAULT_SEED_RADIUS",
    "MATCH_THRESHOLD",
    "CandidateCheck",
    "CandidateTable",
    "Candidates",
    "Match",
    "Verification",
    "match_fingerprint",
    "verify_candidate",
    "verify_pair",
]
