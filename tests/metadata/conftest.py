"""Fixtures for the metadata tests: the real corpus (../shared/corpus next to the repository)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()


def _need_corpus() -> Path:
    if not (CORPUS / "reference" / "exiftool").is_dir():
        pytest.skip(f"real corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def corpus() -> Path:
    return _need_corpus()


@pytest.fixture(scope="session")
def exiftool_ref(corpus: Path):
    def load(name: str) -> dict:
        return json.loads((corpus / "reference" / "exiftool" / f"{name}.json").read_text())[0]

    return load
