"""Index real footage and find its trimmed copy (needs the fingerprinting stage and the corpus)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from provenance.errors import IndexStoreError
from provenance.index import FootageIndex

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "footage"
ORIG = CORPUS / "chair_orig-22_sd.mp4"
TRIM = CORPUS / "chair_22_trim-2.0s.mp4"


@pytest.mark.skipif(not ORIG.exists() or not TRIM.exists(), reason="shared corpus not present")
def test_add_file_and_find_trimmed_copy(tmp_path: Path) -> None:
    pytest.importorskip("provenance.hashing.fingerprinting")
    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        rec = ix.add(ORIG, footage_id="chair", published_at=datetime(2020, 5, 1, tzinfo=timezone.utc))
        assert rec.content_sha256 and rec.n_frames > 0
        assert ix.add(ORIG, footage_id="chair", published_at=datetime(2021, 1, 1, tzinfo=timezone.utc)) == ix.get("chair")
        with pytest.raises(IndexStoreError, match="'chair'"):
            ix.add(ORIG, footage_id="chair-again", published_at=datetime(2020, 5, 1, tzinfo=timezone.utc))
        matches = ix.search(TRIM)
        assert matches and matches[0].footage_id == "chair"
        assert matches[0].ref_start_s - matches[0].query_start_s == pytest.approx(2.0, abs=0.5)
