"""Shared test helpers: where the real corpus and the fixtures live."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The real-media corpus (../shared/corpus); CI has it at the same relative path."""
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"real-media corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def fixture_manifest() -> dict:
    return json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
