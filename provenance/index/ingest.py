"""Bulk ingestion: catalogue parsing and validation, parallel fingerprinting, one writer.

Fingerprinting (decode + hash) runs in worker processes or on a ``dask.distributed``
cluster; every write happens in the calling process, one transaction per footage item,
so a killed run keeps every item it reported and a re-run skips them (resumable by
content hash and footage_id).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DuplicateFootageError, InvalidArgumentError, ProvenanceError
from ..hashing import Fingerprint
from .records import ImportProblem, ImportResult, footage_id_value, normalise_fields

if TYPE_CHECKING:  # pragma: no cover
    from .footage import FootageIndex

__all__ = ["CatalogueRow", "folder_rows", "ingest_rows", "read_catalogue"]

logger = logging.getLogger(__name__)

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".ts", ".mts", ".m2ts",
                            ".3gp", ".flv", ".wmv", ".mpg", ".mpeg"})

_FIELDS = {"footage_id", "path", "url", "published_at", "filmed_at", "filmed_at_start", "filmed_at_end",
           "lat", "lon", "radius_km", "source_url", "title", "notes", "fingerprint"}
# fields an export writes that an import ignores
_IGNORED = {"content_sha256", "hasher", "n_frames", "duration_s", "added_at", "published_precision"}


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class CatalogueRow:
    """A validated catalogue entry: where the footage is and its record fields (store columns)."""

    line: int | None
    footage_id: str
    fields: dict[str, Any]
    path: str | None = None
    fingerprint: Fingerprint | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    content_sha256: str | None = None


def _parse_published(text: Any) -> datetime | date:
    """A catalogue's publication time: a day ``YYYY-MM-DD`` (precision "day") or an instant."""
    if isinstance(text, str) and _DATE.fullmatch(text.strip()):
        try:
            return date.fromisoformat(text.strip())
        except ValueError as exc:
            raise InvalidArgumentError(f"'published_at' is not a valid date (got {text!r})") from exc
    return _parse_time(text, "published_at")


def _parse_time(text: Any, name: str) -> datetime:
    if isinstance(text, datetime):
        return text
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgumentError(f"{name!r} is required as ISO 8601 text with a UTC offset")
    t = text.strip()
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(t)
    except ValueError as exc:
        raise InvalidArgumentError(f"{name!r} is not an ISO 8601 time (got {text!r})") from exc
    if dt.tzinfo is None:
        raise InvalidArgumentError(f"{name!r} has no UTC offset (got {text!r}); write e.g. {text}+00:00")
    return dt


def _num(value: Any, name: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"{name!r} must be a number (got {value!r})") from exc


def _blank(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


def validate_row(raw: dict[str, Any], line: int | None, base: Path) -> CatalogueRow:
    """Turn one raw catalogue row into a :class:`CatalogueRow`.

    Raises
    ------
    InvalidArgumentError
        With the reason the row is unusable.
    """
    raw = {str(k).strip().lower(): _blank(v) for k, v in raw.items() if k is not None}
    unknown = sorted(set(raw) - _FIELDS - _IGNORED)
    if unknown:
        raise InvalidArgumentError(f"unknown column(s) {unknown}; known: {sorted(_FIELDS)}")
    fid = footage_id_value(raw.get("footage_id"))
    published = _parse_published(raw.get("published_at"))
    filmed: Any = None
    if raw.get("filmed_at") is not None:
        filmed = _parse_time(raw["filmed_at"], "filmed_at")
    elif raw.get("filmed_at_start") is not None or raw.get("filmed_at_end") is not None:
        a = _parse_time(raw.get("filmed_at_start"), "filmed_at_start")
        b = _parse_time(raw.get("filmed_at_end") or raw.get("filmed_at_start"), "filmed_at_end")
        filmed = (a, b)
    lat, lon, radius = _num(raw.get("lat"), "lat"), _num(raw.get("lon"), "lon"), _num(raw.get("radius_km"), "radius_km")
    location: Any = None
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            raise InvalidArgumentError("'lat' and 'lon' must be given together")
        location = (lat, lon) if radius is None else (lat, lon, radius)
    elif radius is not None:
        raise InvalidArgumentError("'radius_km' given without 'lat' and 'lon'")
    source_url = raw.get("source_url") or raw.get("url")
    kwargs = dict(published_at=published, filmed_at=filmed, location=location, source_url=source_url,
                  title=raw.get("title"), notes=raw.get("notes"))
    fields = normalise_fields(**kwargs)
    fp = None
    path = None
    if raw.get("fingerprint") is not None:
        fp = _fingerprint_from_json(raw["fingerprint"])
    elif raw.get("path") is not None:
        p = Path(str(raw["path"])).expanduser()
        if not p.is_absolute():
            p = base / p
        if not p.is_file():
            raise InvalidArgumentError(f"file not found: {str(p)!r}")
        path = str(p)
    elif raw.get("url") is not None:
        raise InvalidArgumentError(
            f"only a URL is given ({raw['url']!r}); URLs are not fetched: download the file and give its 'path'"
        )
    else:
        raise InvalidArgumentError("no 'path' (or 'fingerprint') column value: nothing to index")
    sha = raw.get("content_sha256") if fp is not None else None
    if sha is not None and (not isinstance(sha, str) or len(sha) != 64):
        raise InvalidArgumentError(f"'content_sha256' must be 64 hex digits (got {sha!r})")
    return CatalogueRow(line, fid, fields, path, fp, kwargs, sha)


def _fingerprint_from_json(obj: Any) -> Fingerprint:
    if not isinstance(obj, dict):
        raise InvalidArgumentError("'fingerprint' must be an object with hasher, times_s and hashes")
    try:
        hashes = [bytes.fromhex(h) for h in obj["hashes"]]
        times = np.asarray(obj["times_s"], dtype=np.float64)
        hasher = str(obj["hasher"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"'fingerprint' is malformed ({exc})") from exc
    if len({len(h) for h in hashes}) > 1:
        raise InvalidArgumentError("'fingerprint' hashes have different lengths")
    nb = len(hashes[0]) if hashes else 32
    arr = np.frombuffer(b"".join(hashes), dtype=np.uint8).reshape(len(hashes), nb)
    dur = obj.get("duration_s")
    return Fingerprint(times_s=times, hashes=arr, hasher=hasher, duration_s=None if dur is None else float(dur))


def _raw_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line, row or None, error) for each data row of a CSV or JSON-lines file."""
    suffix = path.suffix.lower()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        text = fh.read()
    if suffix in (".jsonl", ".ndjson", ".json"):
        for i, text_line in enumerate(io.StringIO(text), start=1):
            if not text_line.strip():
                continue
            try:
                obj = json.loads(text_line)
            except json.JSONDecodeError as exc:
                yield i, None, f"not valid JSON ({exc.msg} at column {exc.colno})"
                continue
            if not isinstance(obj, dict):
                yield i, None, f"a JSON line must be an object (got {type(obj).__name__})"
                continue
            yield i, obj, None
        return
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield 1, None, f"unreadable CSV header ({exc})"
        return
    header = [h.strip() for h in header]
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, None, f"unreadable CSV row ({exc})"
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield line, None, f"has {len(cells)} cells but the header has {len(header)}"
            continue
        yield line, dict(zip(header, cells)), None


def read_catalogue(path: str | os.PathLike[str]) -> tuple[list[CatalogueRow], list[ImportProblem]]:
    """Parse and validate a catalogue; (good rows, problems with line numbers)."""
    p = Path(path)
    if not p.is_file():
        from ..errors import MediaNotFoundError

        raise MediaNotFoundError(f"no such catalogue: {os.fspath(path)!r}", path=os.fspath(path))
    if p.suffix.lower() not in (".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".txt"):
        raise InvalidArgumentError(f"catalogue must be .csv or .jsonl (got {p.name!r})", path=str(p))
    rows: list[CatalogueRow] = []
    errors: list[ImportProblem] = []
    seen: dict[str, int] = {}
    for line, raw, err in _raw_rows(p):
        if err is not None or raw is None:
            errors.append(ImportProblem(line, None, err or "unreadable row"))
            continue
        try:
            row = validate_row(raw, line, p.parent)
        except ProvenanceError as exc:
            fid = raw.get("footage_id") if isinstance(raw.get("footage_id"), str) else None
            where = str(raw.get("path")) if raw.get("path") else None
            errors.append(ImportProblem(line, fid, str(exc), where, type(exc).__name__))
            continue
        if row.footage_id in seen:
            errors.append(ImportProblem(line, row.footage_id,
                                        f"footage_id repeats line {seen[row.footage_id]}", row.path,
                                        "DuplicateFootageError"))
            continue
        seen[row.footage_id] = line
        rows.append(row)
    for e in errors:
        logger.warning("catalogue %s line %s: %s", p, e.line, e.reason)
    return rows, errors


def folder_rows(folder: Path, *,
                published_at: datetime | None = None) -> tuple[list[CatalogueRow], list[ImportProblem]]:
    """One row per video file under ``folder`` (footage_id = relative POSIX path)."""
    rows, errors = [], []
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in VIDEO_SUFFIXES:
            continue
        fid = p.relative_to(folder).as_posix()
        when = published_at or datetime.fromtimestamp(p.stat().st_mtime, tz=timezone.utc)
        try:
            kwargs: dict[str, Any] = dict(published_at=when)
            rows.append(CatalogueRow(None, fid, normalise_fields(**kwargs), str(p), None, kwargs))
        except ProvenanceError as exc:
            errors.append(ImportProblem(None, fid, str(exc), str(p)))
    return rows, errors


def fingerprint_file(path: str) -> tuple[str, dict[str, Any]]:
    """Worker task: (content sha256, fingerprint as plain arrays plus ``thumbnails`` and ``features``)
    of one file.

    The frames are decoded once, hashed (with the reference-side variants), and a few of them
    kept as small JPEG thumbnails and local features (``(time_s, bytes)`` pairs, as
    :meth:`FootageIndex.add` stores them).
    """
    from .footage import sha256_file
    from .thumbnails import fingerprint_with_thumbnails

    sha = sha256_file(path)
    fp, thumbs, feats = fingerprint_with_thumbnails(path)
    return sha, {"times_s": fp.times_s, "hashes": fp.hashes, "hasher": fp.hasher, "duration_s": fp.duration_s,
                 "variants": dict(fp.variants), "thumbnails": thumbs, "features": feats}


def _task(fn: Callable[[str], Any], path: str) -> tuple[str, dict[str, Any]]:
    from .footage import sha256_file

    out = fn(path)
    if isinstance(out, Fingerprint):
        return sha256_file(path), {"times_s": out.times_s, "hashes": out.hashes, "hasher": out.hasher,
                                   "duration_s": out.duration_s}
    return out


def _progress(total: int, enabled: bool) -> Any:
    if enabled:
        try:
            from tqdm.auto import tqdm

            return tqdm(total=total, desc="ingest", unit="clip")
        except ImportError:  # pragma: no cover
            logger.info("progress=True but tqdm is not installed")
    return None


def ingest_rows(
    index: FootageIndex, rows: list[CatalogueRow], *, workers: int | None, client: Any,
    progress: bool, fingerprinter: Callable[[str], Any] | None = None,
) -> ImportResult:
    """Fingerprint rows in parallel and add them from this process; resumable."""
    from .footage import sha256_file

    fn = fingerprinter or fingerprint_file
    added: list[str] = []
    skipped: list[ImportProblem] = []
    errors: list[ImportProblem] = []
    todo: list[CatalogueRow] = []
    for row in rows:
        if row.fingerprint is not None:
            todo.append(row)
            continue
        if row.footage_id in index:  # resumable: compare content cheaply, no fingerprinting
            rec = index.get(row.footage_id)
            try:
                sha = sha256_file(row.path)  # type: ignore[arg-type]
            except OSError as exc:
                errors.append(ImportProblem(row.line, row.footage_id, f"cannot read file: {exc}", row.path))
                continue
            if rec.content_sha256 == sha:
                skipped.append(ImportProblem(row.line, row.footage_id, "already indexed (same content)", row.path))
            else:
                errors.append(ImportProblem(row.line, row.footage_id,
                                            "footage_id already indexed with different content", row.path))
            continue
        todo.append(row)
    bar = _progress(len(todo), progress)

    def write(row: CatalogueRow, sha: str | None, fp: Fingerprint, thumbnails: Any = None,
              features: Any = None) -> None:
        try:
            # the index's hasher was fixed by its creator: a row never sets or changes it
            index.check_hasher(fp.hasher, fp.nbytes if len(fp) else None, line=row.line)
            index.add_fingerprint(fp, footage_id=row.footage_id, content_sha256=sha, thumbnails=thumbnails,
                                  features=features, **row.kwargs)
            added.append(row.footage_id)
        except DuplicateFootageError as exc:
            if exc.footage_id not in (None, row.footage_id):  # the same content under another id
                skipped.append(ImportProblem(row.line, row.footage_id, str(exc), row.path, type(exc).__name__))
            else:
                errors.append(ImportProblem(row.line, row.footage_id, str(exc), row.path, type(exc).__name__))
        except ProvenanceError as exc:
            errors.append(ImportProblem(row.line, row.footage_id, str(exc), row.path, type(exc).__name__))
        if bar is not None:
            bar.update(1)

    def done(row: CatalogueRow, result: tuple[str, dict[str, Any]] | None, exc: BaseException | None) -> None:
        if exc is not None:
            errors.append(ImportProblem(row.line, row.footage_id, f"fingerprinting failed: {exc}", row.path))
            if bar is not None:
                bar.update(1)
            return
        sha, d = result  # type: ignore[misc]
        try:
            fp = Fingerprint(times_s=d["times_s"], hashes=d["hashes"], hasher=d["hasher"],
                             duration_s=d.get("duration_s"), variants=dict(d.get("variants") or {}))
        except ProvenanceError as exc2:
            errors.append(ImportProblem(row.line, row.footage_id, str(exc2), row.path, type(exc2).__name__))
            return
        write(row, sha, fp, d.get("thumbnails"), d.get("features"))

    file_rows = [r for r in todo if r.fingerprint is None]
    for row in todo:
        if row.fingerprint is not None:
            write(row, row.content_sha256, row.fingerprint)
    if client is not None:
        _run_dask(client, fn, file_rows, done)
    elif file_rows:
        n = workers if workers is not None else (os.cpu_count() or 1)
        if n <= 1 or len(file_rows) == 1:
            for row in file_rows:
                try:
                    res = _task(fn, row.path)  # type: ignore[arg-type]
                except Exception as exc:  # noqa: BLE001 - reported per row
                    done(row, None, exc)
                else:
                    done(row, res, None)
        else:
            _run_pool(n, fn, file_rows, done)
    if bar is not None:
        bar.close()
    return ImportResult(tuple(added), tuple(skipped), tuple(errors))


def _run_pool(n: int, fn: Callable[[str], Any], rows: list[CatalogueRow],
              done: Callable[[CatalogueRow, Any, BaseException | None], None]) -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")  # no fork of open connections or threads
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
        pending: dict[Future[Any], CatalogueRow] = {}
        it: Iterable[CatalogueRow] = iter(rows)
        for row in it:  # keep at most 2n tasks in flight: bounded memory
            pending[pool.submit(_task, fn, str(row.path))] = row
            if len(pending) >= 2 * n:
                break
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                row = pending.pop(fut)
                exc = fut.exception()
                done(row, None if exc else fut.result(), exc)
                nxt = next(it, None)  # type: ignore[call-overload]
                if nxt is not None:
                    pending[pool.submit(_task, fn, str(nxt.path))] = nxt


def _run_dask(client: Any, fn: Callable[[str], Any], rows: list[CatalogueRow],
              done: Callable[[CatalogueRow, Any, BaseException | None], None]) -> None:
    try:
        from distributed import as_completed
    except ImportError as exc:  # pragma: no cover
        from ..errors import MissingExtraError

        raise MissingExtraError(
            "ingest(client=...) needs dask.distributed: pip install 'video-provenance[dask]'"
        ) from exc
    if not rows:
        return
    futures = client.map(_task, [fn] * len(rows), [r.path for r in rows], pure=False)
    by_key = {f.key: r for f, r in zip(futures, rows)}
    for fut in as_completed(futures):
        row = by_key[fut.key]
        if fut.status == "error":
            done(row, None, fut.exception())
        else:
            done(row, fut.result(), None)
        fut.release()
