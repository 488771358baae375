"""Open modes (no silent creation), the creator's hasher, publication precision, refused text and URLs."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import clip_fingerprint, fake_fingerprinter

from provenance.errors import (
    DuplicateFootageError,
    HasherMismatchError,
    IndexNotFoundError,
    IndexStoreError,
    InvalidArgumentError,
    ReadOnlyIndexError,
)
from provenance.index import FootageIndex

T0 = datetime(2022, 2, 24, 6, 0, tzinfo=timezone.utc)


# ---------------------------------------------------------------------- modes
def test_missing_index_is_an_error_and_c_creates(location: str) -> None:
    for mode in ("r", "rw"):
        with pytest.raises(IndexNotFoundError):
            FootageIndex(location, mode=mode)
    if "://" not in location:
        assert not Path(location).exists()
    with FootageIndex.create(location) as ix:
        assert len(ix) == 0 and ix.mode == "c" and not ix.read_only
    with FootageIndex(location) as ix:  # now it exists: the default read-write open works
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
    with FootageIndex(location, mode="c") as ix:  # "c" opens an existing index as it is
        assert len(ix) == 1


def test_read_only_refuses_every_write_and_sees_others_writes(location: str, tmp_path: Path) -> None:
    (tmp_path / "clip0.mp4").write_bytes(b"fake video" * 40)
    cat = tmp_path / "cat.csv"
    cat.write_text("footage_id,path,published_at\nx,clip0.mp4,2022-01-01T00:00:00Z\n")
    with FootageIndex(location, mode="c") as writer:
        writer.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
        with FootageIndex(location, mode="r") as ro:
            calls = [
                lambda: ro.add_fingerprint(clip_fingerprint(2), footage_id="b", published_at=T0),
                lambda: ro.add(tmp_path / "clip0.mp4", footage_id="b", published_at=T0),
                lambda: ro.remove("a"),
                lambda: ro.update("a", title="x"),
                lambda: ro.import_catalogue(cat, fingerprinter=fake_fingerprinter),
                lambda: ro.ingest(tmp_path, fingerprinter=fake_fingerprinter, workers=1),
            ]
            for call in calls:
                with pytest.raises(ReadOnlyIndexError) as err:
                    call()
                assert isinstance(err.value, PermissionError) and err.value.path == ro.location
            assert [r.footage_id for r in ro] == ["a"]
            writer.add_fingerprint(clip_fingerprint(3), footage_id="c", published_at=T0)
            assert "c" in ro and "c" in ro.candidate_table()
            q = clip_fingerprint(3)
            assert [m.footage_id for m in ro.search(q)][:1] == ["c"]


# ---------------------------------------------------------------------- hasher
def test_hasher_is_set_by_the_creator(location: str) -> None:
    with FootageIndex(location, mode="c", hasher="pdq/1") as ix:
        assert ix.hasher == "pdq/1"  # before anything is added
        with pytest.raises(HasherMismatchError, match="never mixed"):
            ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
        ix.add_fingerprint(clip_fingerprint(2, hasher="pdq/1"), footage_id="b", published_at=T0)
        with pytest.raises(HasherMismatchError):
            ix.add_fingerprint(clip_fingerprint(3, hasher="pdq/1", nbytes=8), footage_id="c", published_at=T0)
    with pytest.raises(HasherMismatchError):
        FootageIndex(location, hasher="phash256/1")
    with FootageIndex(location, mode="r", hasher="pdq/1") as ix:
        assert len(ix) == 1


def test_catalogue_row_never_sets_the_hasher(tmp_path: Path) -> None:
    fp = clip_fingerprint(5, 10)
    foreign = {"footage_id": "evil", "published_at": "2022-01-01T00:00:00Z",
               "fingerprint": {"hasher": "evil/9", "times_s": fp.times_s.tolist(),
                               "hashes": [bytes(h).hex() for h in fp.hashes]}}
    good = dict(foreign, footage_id="good", fingerprint=dict(foreign["fingerprint"], hasher="phash256/1"))
    cat = tmp_path / "cat.jsonl"
    cat.write_text(json.dumps(foreign) + "\n" + json.dumps(good) + "\n")
    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        res = ix.import_catalogue(cat)
        assert res.added == ("good",) and ix.hasher == "phash256/1"
        (err,) = res.errors
        assert err.line == 1 and err.error == "HasherMismatchError" and "line 1" in err.reason
        assert "evil" not in ix


# ---------------------------------------------------------------------- duplicates
def test_duplicates_name_the_existing_footage(location: str) -> None:
    with FootageIndex(location, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0, content_sha256="a" * 64)
        with pytest.raises(DuplicateFootageError) as err:
            ix.add_fingerprint(clip_fingerprint(2), footage_id="a", published_at=T0)
        assert err.value.footage_id == "a" and isinstance(err.value, (IndexStoreError, ValueError))
        with pytest.raises(DuplicateFootageError, match="'a'") as err:
            ix.add_fingerprint(clip_fingerprint(1), footage_id="b", published_at=T0, content_sha256="a" * 64)
        assert err.value.footage_id == "a" and err.value.path == ix.location


# ---------------------------------------------------------------------- publication precision
def test_a_publication_day_keeps_its_precision(location: str, tmp_path: Path) -> None:
    day = date(2019, 6, 12)
    with FootageIndex(location, mode="c") as ix:
        rec = ix.add_fingerprint(clip_fingerprint(1), footage_id="day", published_at=day)
        ix.add_fingerprint(clip_fingerprint(2), footage_id="instant", published_at=datetime(2019, 6, 12, 15, tzinfo=timezone.utc))
        for got in (rec, ix.get("day")):
            assert got.published_at == day and not isinstance(got.published_at, datetime)
            assert got.published_precision == "day"
            # the day in an unknown zone: it ends at 24:00 in UTC-12 at the latest, begins at 00:00 in UTC+14
            assert got.published_bound_utc() == datetime(2019, 6, 13, 12, tzinfo=timezone.utc)
            assert got.published_earliest_utc() == datetime(2019, 6, 11, 10, tzinfo=timezone.utc)
        inst = ix.get("instant")
        assert inst.published_precision == "instant" and inst.published_bound_utc() == inst.published_at
        assert ix.get("day").to_dict()["published_at"] == "2019-06-12"
        st = ix.stats()
        assert st.earliest_published_at == datetime(2019, 6, 11, 10, tzinfo=timezone.utc)
        assert st.latest_published_at == datetime(2019, 6, 13, 12, tzinfo=timezone.utc)
        # export/import keeps the day a day
        out = tmp_path / "export.jsonl"
        ix.export(out)
        with FootageIndex(tmp_path / "copy.db", mode="c") as copy:
            assert copy.import_catalogue(out).ok
            assert copy.get("day").published_at == day and copy.get("day").published_precision == "day"
        # updating to an instant changes the precision with it
        upd = ix.update("day", published_at=datetime(2019, 6, 12, 8, tzinfo=timezone(timedelta(hours=3))))
        assert upd.published_precision == "instant" and upd.published_at == datetime(2019, 6, 12, 5, tzinfo=timezone.utc)
        assert ix.update("day", published_at=day).published_precision == "day"


def test_catalogue_reads_a_date_as_a_day(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"clip{i}.mp4").write_bytes(f"fake video {i}".encode() * 40)
    cat = tmp_path / "cat.csv"
    cat.write_text("footage_id,path,published_at\n"
                   "d,clip0.mp4,2019-06-12\n"
                   "i,clip1.mp4,2019-06-12T10:00:00+02:00\n"
                   "bad,clip2.mp4,2019-02-30\n")
    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        res = ix.import_catalogue(cat, fingerprinter=fake_fingerprinter)
        assert sorted(res.added) == ["d", "i"] and [e.line for e in res.errors] == [4]
        assert ix.get("d").published_precision == "day" and ix.get("d").published_at == date(2019, 6, 12)
        assert ix.get("i").published_at == datetime(2019, 6, 12, 8, tzinfo=timezone.utc)


# ---------------------------------------------------------------------- stored text
@pytest.mark.parametrize("field, value", [
    ("title", "clip\x1b]0;owned\x07"),        # OSC: retitles the terminal
    ("title", "clip\x1b[2J"),                 # CSI: clears the screen
    ("title", "nul\x00byte"),
    ("title", "c1\x9bcontrol"),
    ("title", "carriage\rreturn"),
    ("notes", "bidi \u202eevil"),
    ("source_url", "javascript:alert(1)"),
    ("source_url", "file:///etc/passwd"),
    ("source_url", "data:text/html,hi"),
    ("source_url", "https://"),
    ("source_url", "https://t.me/a b"),
    ("source_url", "//t.me/x"),
])
def test_hostile_text_is_never_stored(location: str, field: str, value: str) -> None:
    with FootageIndex(location, mode="c") as ix:
        with pytest.raises(InvalidArgumentError, match=field):
            ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0, **{field: value})
        assert len(ix) == 0
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
        with pytest.raises(InvalidArgumentError):
            ix.update("a", **{field: value})
        assert getattr(ix.get("a"), field) is None


def test_free_text_keeps_tabs_and_newlines(location: str) -> None:
    with FootageIndex(location, mode="c") as ix:
        rec = ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0, title="Колонна\tпод Смоленском",
                                 notes="line one\nline two", source_url="HTTPS://t.me/c/1?x=1#f")
        assert ix.get("a") == rec and rec.notes == "line one\nline two"
        with pytest.raises(InvalidArgumentError):
            ix.add_fingerprint(clip_fingerprint(2), footage_id="b\tc", published_at=T0)


def test_catalogue_rows_with_hostile_text_are_refused_by_line(tmp_path: Path) -> None:
    for i in range(4):
        (tmp_path / f"clip{i}.mp4").write_bytes(f"fake video {i}".encode() * 40)
    rows = [
        {"footage_id": "ok", "path": "clip0.mp4", "published_at": "2022-01-01T00:00:00Z", "source_url": "https://x.org/1"},
        {"footage_id": "js", "path": "clip1.mp4", "published_at": "2022-01-01T00:00:00Z", "source_url": "javascript:x()"},
        {"footage_id": "esc", "path": "clip2.mp4", "published_at": "2022-01-01T00:00:00Z", "title": "a\x1b[31mred"},
        {"footage_id": "n\x00ul", "path": "clip3.mp4", "published_at": "2022-01-01T00:00:00Z"},
    ]
    cat = tmp_path / "cat.jsonl"
    cat.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        res = ix.import_catalogue(cat, fingerprinter=fake_fingerprinter)
        assert res.added == ("ok",)
        assert [(e.line, e.error) for e in res.errors] == [(2, "InvalidArgumentError"), (3, "InvalidArgumentError"),
                                                            (4, "InvalidArgumentError")]
        assert "source_url" in res.errors[0].reason and "U+001B" in res.errors[1].reason
        assert [r.footage_id for r in ix] == ["ok"]
        assert json.loads(json.dumps(res.to_dict()))["errors"][0]["line"] == 2


def test_variant_rows_are_stored_under_their_name(location: str) -> None:
    from provenance.hashing import Fingerprint
    from provenance.hashing.fingerprinting import REFERENCE_VARIANT_NAMES

    base = clip_fingerprint(4)
    variants = {name: np.roll(base.hashes, k + 1, axis=0) for k, name in enumerate(REFERENCE_VARIANT_NAMES)}
    fp = Fingerprint(times_s=base.times_s, hashes=base.hashes, variants=variants, duration_s=base.duration_s)
    with FootageIndex(location, mode="c") as ix:
        ix.add_fingerprint(fp, footage_id="v", published_at=T0)
        rows = ix.variant_frames("v")
        assert sorted(rows) == sorted(["", *REFERENCE_VARIANT_NAMES])
        for name in REFERENCE_VARIANT_NAMES:
            np.testing.assert_array_equal(rows[name][0], base.times_s)
            np.testing.assert_array_equal(rows[name][1], variants[name])
        assert len(ix.frames("v")) == len(base) == ix.stats().n_frames
        assert len(ix.candidate_table().frames("v")[0]) == len(base) * (1 + len(REFERENCE_VARIANT_NAMES))


@settings(max_examples=120, deadline=None)
@given(title=st.text(max_size=40), notes=st.text(max_size=40))
def test_text_is_refused_or_stored_exactly(title: str, notes: str) -> None:
    """Any text: refused with InvalidArgumentError, or read back exactly and free of control characters."""
    import re
    import tempfile
    import unicodedata

    bad = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
    with tempfile.TemporaryDirectory() as tmp, FootageIndex(Path(tmp) / "ix.db", mode="c") as ix:
        try:
            ix.add_fingerprint(clip_fingerprint(1, 4), footage_id="p", published_at=T0, title=title, notes=notes)
        except InvalidArgumentError as exc:
            assert bad.search(title + notes), exc
            assert len(ix) == 0
            return
        rec = ix.get("p")
        assert (rec.title, rec.notes) == (title, notes)
        assert all(ch in "\t\n" or unicodedata.category(ch) != "Cc" for ch in title + notes)


def test_read_only_is_enforced_by_the_database_too(location: str) -> None:
    """Below the front end's check, the connection itself cannot write (SQLite mode=ro, a READ ONLY session)."""
    FootageIndex(location, mode="c").close()
    with FootageIndex(location, mode="r") as ix:
        store = ix._store
        store.read_only = False  # pretend the front end's guard was bypassed
        with pytest.raises(ReadOnlyIndexError):
            store.set_meta("probe", "x")
        assert store.get_meta("probe") is None
