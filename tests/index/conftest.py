"""Fixtures for index tests: one location per backend (SQLite always; PostgreSQL when reachable)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

PG_URL = os.environ.get("PROVENANCE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"]


def _pg_location() -> str:
    if not PG_URL:
        pytest.skip("PostgreSQL tests need PROVENANCE_TEST_POSTGRES_URL (see .ci/postgres.sh)")
    try:
        import psycopg
    except ImportError:
        pytest.skip("PostgreSQL tests need psycopg (pip install 'video-provenance[postgres]')")
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_URL, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty index location for each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "index.db")
    return _pg_location()
