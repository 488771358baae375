"""Catalogue import with malformed rows, folder ingestion in processes and on a Dask LocalCluster."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import synth
from synth import fake_fingerprinter

from provenance.errors import InvalidArgumentError
from provenance.index import FootageIndex


def _files(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"clip{i}.mp4"
        p.write_bytes(f"fake video {i}".encode() * 50)
        out.append(p)
    return out


def test_csv_catalogue_keeps_good_rows_and_names_bad_ones(tmp_path: Path) -> None:
    _files(tmp_path / "media", 4)
    cat = tmp_path / "catalogue.csv"
    cat.write_text(
        "footage_id,path,url,published_at,filmed_at,lat,lon,radius_km,title\n"
        "ok1,media/clip0.mp4,,2022-02-24T06:00:00+02:00,,54.7,32.0,5,First\n"       # 2 good
        "naive,media/clip1.mp4,,2022-02-24T06:00:00,,,,,\n"                            # 3 naive time
        "urlonly,,https://t.me/c/1,2022-02-24T06:00:00Z,,,,,\n"                         # 4 URL only
        "badlat,media/clip1.mp4,,2022-02-24T06:00:00Z,,95,32,,\n"                       # 5 lat out of range
        "missing,media/nope.mp4,,2022-02-24T06:00:00Z,,,,,\n"                           # 6 no such file
        "short,media/clip1.mp4\n"                                                       # 7 too few cells
        ",media/clip1.mp4,,2022-02-24T06:00:00Z,,,,,\n"                                 # 8 empty id
        "ok2,media/clip1.mp4,https://x/y,2022-02-25T06:00:00Z,2022-02-20T10:00:00Z,,,,\n"  # 9 good
        "ok1,media/clip2.mp4,,2022-02-24T06:00:00Z,,,,,\n"                              # 10 repeated id
        "dup,media/clip0.mp4,,2022-02-24T06:00:00Z,,,,,\n"                              # 11 same content as ok1
        "notime,media/clip3.mp4,,yesterday,,,,,\n"                                      # 12 bad time
    )
    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        res = ix.import_catalogue(cat, fingerprinter=fake_fingerprinter)
        assert sorted(res.added) == ["ok1", "ok2"]
        bad = {e.line: e for e in res.errors}
        assert sorted(bad) == [3, 4, 5, 6, 7, 8, 10, 12]
        assert "offset" in bad[3].reason and bad[3].footage_id == "naive"
        assert "not fetched" in bad[4].reason
        assert "lat" in bad[5].reason
        assert "not found" in bad[6].reason
        assert "cells" in bad[7].reason
        assert "repeats line 2" in bad[10].reason
        assert [s.line for s in res.skipped] == [11] and "'ok1'" in res.skipped[0].reason
        rec = ix.get("ok2")
        assert rec.source_url == "https://x/y" and rec.filmed_at_start == datetime(2022, 2, 20, 10, tzinfo=timezone.utc)
        assert ix.get("ok1").published_at == datetime(2022, 2, 24, 4, tzinfo=timezone.utc)
        assert ix.get("ok1").location == (54.7, 32.0) and ix.get("ok1").title == "First"
        json.dumps(res.to_dict())
        # importing again: nothing new, the good rows are skipped as already indexed
        again = ix.import_catalogue(cat, fingerprinter=fake_fingerprinter)
        assert again.added == () and {s.footage_id for s in again.skipped} >= {"ok1", "ok2"}


def test_jsonl_catalogue(tmp_path: Path) -> None:
    _files(tmp_path, 2)
    cat = tmp_path / "cat.jsonl"
    cat.write_text("\n".join([
        json.dumps({"footage_id": "a", "path": "clip0.mp4", "published_at": "2022-01-01T00:00:00Z"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"footage_id": "b", "path": "clip1.mp4", "published_at": "2022-01-01T00:00:00Z", "colour": 1}),
        json.dumps({"footage_id": "c", "path": "clip1.mp4", "published_at": "2022-01-01T00:00:00+00:00",
                    "filmed_at_start": "2021-12-01T00:00:00Z", "filmed_at_end": "2021-11-01T00:00:00Z"}),
    ]) + "\n")
    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        res = ix.import_catalogue(cat, fingerprinter=fake_fingerprinter)
        assert res.added == ("a",)
        assert [e.line for e in res.errors] == [2, 3, 4, 5]
        assert "unknown column" in res.errors[2].reason and "ends before" in res.errors[3].reason


def test_catalogue_errors(tmp_path: Path) -> None:
    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        with pytest.raises(FileNotFoundError):
            ix.import_catalogue(tmp_path / "nope.csv")
        (tmp_path / "x.xlsx").write_bytes(b"PK")
        with pytest.raises(InvalidArgumentError):
            ix.import_catalogue(tmp_path / "x.xlsx")


def test_ingest_folder_in_processes_is_resumable(tmp_path: Path) -> None:
    files = _files(tmp_path / "archive" / "2022", 6)
    (tmp_path / "archive" / "readme.txt").write_text("not a video")
    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        first = ix.ingest(tmp_path / "archive", workers=2, fingerprinter=fake_fingerprinter, progress=True)
        assert sorted(first.added) == sorted(f"2022/{p.name}" for p in files) and first.ok
        files[0].with_name("extra.mp4").write_bytes(b"new content" * 30)
        second = ix.ingest(tmp_path / "archive", workers=2, fingerprinter=fake_fingerprinter)
        assert second.added == ("2022/extra.mp4",) and len(second.skipped) == 6
        assert len(ix) == 7
        when = ix.get("2022/clip0.mp4").published_at
        assert when.tzinfo is not None


def test_ingest_on_dask_local_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    import cloudpickle

    cloudpickle.register_pickle_by_value(synth)  # the workers cannot import the test helper
    _files(tmp_path / "arch", 5)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
            distributed.Client(cl) as client, FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        res = ix.ingest(tmp_path / "arch", client=client, fingerprinter=fake_fingerprinter)
        assert len(res.added) == 5 and res.ok
        again = ix.ingest(tmp_path / "arch", client=client, fingerprinter=fake_fingerprinter)
        assert again.added == () and len(again.skipped) == 5
