"""Command-line interface: a thin layer over the public API (``provenance ...`` or ``python -m provenance ...``).

Exit codes
----------
0
    Success (every file analysed; the verdict itself does not change the code).
1
    An analysis problem: a file or index missing (a mistyped ``--index`` path is this: an index
    is never created by a command that only reads), media unreadable or damaged beyond use, a
    damaged index, a failed tool. With several files the others are still analysed.
2
    A usage error: unknown option, malformed time (``--published-at yesterday``), a time
    without zone, an unknown or ambiguous place name, a URL where a local path is expected.

Every string that comes from a media file, an index or the command line is escaped for the
terminal (:func:`provenance._util.terminal_safe`) in the text, Markdown and CSV output and in
error messages; ``--json`` and ``--jsonl`` keep the exact text.

Progress: with tqdm installed (extra ``progress``) a bar on stderr, otherwise one plain line per
file or stage on stderr; shown when stderr is a terminal or with ``--progress``, never with
``--quiet``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from ._util import terminal_safe
from .errors import (
    ClaimError,
    IndexNotFoundError,
    InvalidArgumentError,
    MediaNotFoundError,
    ProvenanceError,
)

if TYPE_CHECKING:  # pragma: no cover
    from .index import FootageIndex
    from .report import Report
    from .scoring.claim import Claim

__all__ = ["build_parser", "main", "parse_claim_time", "parse_place"]

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2

#: File name suffixes ``analyze DIR`` picks up (videos and stills; case-insensitive).
MEDIA_SUFFIXES = frozenset({
    ".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".ts", ".mts", ".m2ts", ".3gp", ".flv", ".wmv",
    ".mpg", ".mpeg", ".asf", ".jpg", ".jpeg", ".heic", ".heif", ".png", ".gif", ".tif", ".tiff",
})

EXIT_CODES_HELP = """exit codes:
  0  success (whatever the verdict)
  1  analysis problem: missing or unreadable file, missing or damaged index, tool failure
  2  usage error: bad option, malformed time, time without zone, unknown place, URL argument
"""

_NEVER_FETCHES = "provenance never fetches anything from the network: download the file and pass its local path"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors; keep that, escaped
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {terminal_safe(message)}\n")


class _UsageError(InvalidArgumentError):
    """A command-line mistake found after parsing (exit 2)."""


# ---------------------------------------------------------------- parsing helpers

def _no_url(text: str, what: str) -> str:
    """Refuse ``scheme://`` arguments where a local path is expected (``postgresql://`` where allowed)."""
    if "://" in text:
        raise _UsageError(f"{what} {text!r} is a URL; {_NEVER_FETCHES}")
    return text


def parse_claim_time(text: str) -> date | datetime | tuple[date | datetime, date | datetime]:
    """Parse a claimed time: ``2020-08-16`` (a day), ``2020-08-16T10:00+03:00`` (an instant) or ``A..B``.

    Raises
    ------
    InvalidArgumentError
        A malformed value, or an instant without a time zone.
    """
    if ".." in text:
        a, b = text.split("..", 1)
        first, second = parse_claim_time(a), parse_claim_time(b)
        if isinstance(first, tuple) or isinstance(second, tuple):
            raise InvalidArgumentError(f"--claim-time {text!r}: an interval is A..B with exactly one '..'")
        return (first, second)
    text = text.strip()
    if "T" in text or " " in text:
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            value = None
        if value is not None:
            if value.tzinfo is None:
                raise InvalidArgumentError(
                    f"--claim-time {text!r} has no time zone, so it names no single instant; add one, "
                    f"e.g. {text}+03:00 or {text}Z, or give the day alone (YYYY-MM-DD)")
            return value
    else:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise InvalidArgumentError(
        f"--claim-time must be YYYY-MM-DD, an ISO 8601 time with zone (2020-08-16T10:00+03:00) "
        f"or A..B (got {text!r})")


def parse_place(text: str) -> tuple[float, float] | str:
    """``54.78,32.05`` (lat,lon in degrees) or a place name."""
    parts = text.split(",")
    if len(parts) == 2:
        try:
            return (float(parts[0]), float(parts[1]))
        except ValueError:
            pass
    return text


def _parse_location(text: str) -> tuple[float, float] | tuple[float, float, float]:
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) == 2:
        return (values[0], values[1])
    if len(values) == 3:
        return (values[0], values[1], values[2])
    raise InvalidArgumentError(f"--location must be 'lat,lon' or 'lat,lon,radius_km' in degrees and km (got {text!r})")


def _parse_when(text: str | None, name: str) -> datetime | date | None:
    """An ISO 8601 instant with zone, or a day (``YYYY-MM-DD``); anything else is a usage error."""
    if text is None:
        return None
    t = text.strip()
    if "T" not in t and " " not in t:
        try:
            return date.fromisoformat(t)
        except ValueError:
            pass
    else:
        try:
            value = datetime.fromisoformat(t.replace("Z", "+00:00"))
        except ValueError:
            value = None
        if value is not None:
            if value.tzinfo is None:
                raise InvalidArgumentError(f"{name} {text!r} has no time zone; add one, e.g. {t}Z or {t}+03:00")
            return value
    raise InvalidArgumentError(
        f"{name} must be an ISO 8601 time with zone (2019-06-12T09:30Z) or a day (2019-06-12); got {text!r}")


def _filmed(value: datetime | date | None) -> datetime | tuple[datetime, datetime] | None:
    """A filming day as the interval it covers in any time zone (UTC+14 to UTC-12); an instant as is."""
    if value is None or isinstance(value, datetime):
        return value
    start = datetime(value.year, value.month, value.day, tzinfo=timezone.utc) - timedelta(hours=14)
    return (start, start + timedelta(hours=14 + 24 + 12) - timedelta(seconds=1))


def _claim(args: argparse.Namespace) -> Claim | None:
    from .scoring.claim import Claim

    if not args.claim_time and not args.claim_place:
        return None
    return Claim(time=parse_claim_time(args.claim_time) if args.claim_time else None,
                 place=parse_place(args.claim_place) if args.claim_place else None,
                 radius_km=args.claim_radius_km)


# ---------------------------------------------------------------- index opening

def _is_server_url(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


def _open_index(location: str, *, create: bool = False, write: bool = False) -> FootageIndex:
    """Open an index; only ``create=True`` (``index add``/``import``) may make a new one.

    A local path that does not exist is :class:`IndexNotFoundError` (exit 1), never an empty index.
    """
    import inspect

    from .index import FootageIndex

    if not _is_server_url(location):
        _no_url(location, "index location")
        p = Path(location)
        if not create and not p.exists():
            raise IndexNotFoundError(
                f"no index at {location!r}; check the path, or create one with "
                "'provenance index add' or 'provenance index import'", path=location)
        if p.exists() and not p.is_file():
            raise InvalidArgumentError(f"index location {location!r} is not a file")
    if "mode" not in inspect.signature(FootageIndex).parameters:  # pragma: no cover - older index front end
        return FootageIndex(location)
    # "c" creates when absent, "rw" needs an existing index, "r" opens read-only and never writes
    return FootageIndex(location, mode="c" if create else "rw" if write else "r")


# ---------------------------------------------------------------- output helpers

def _safe(value: object) -> str:
    """One field for the terminal: control and bidi characters escaped, newlines too."""
    return terminal_safe(value, multiline=False)


class _Out:
    """Writes views to stdout and notes to stderr, escaped for the terminal, around a progress bar."""

    def __init__(self, bar: Any = None) -> None:
        self.bar = bar

    def text(self, text: str) -> None:
        safe = terminal_safe(text)
        if self.bar is not None:
            self.bar.write(safe, file=sys.stdout)
        else:
            print(safe)

    def note(self, text: str) -> None:
        safe = terminal_safe(text)
        if self.bar is not None:
            self.bar.write(safe, file=sys.stderr)
        else:
            print(safe, file=sys.stderr)


def _progress_wanted(args: argparse.Namespace) -> bool:
    if getattr(args, "quiet", False):
        return False
    return bool(getattr(args, "progress", False)) or sys.stderr.isatty()


class _PlainBar:
    """Stands in for tqdm when it is not installed: the caller prints one stderr line per step."""

    def __init__(self, total: int, desc: str) -> None:
        self.total, self.n, self.desc = total, 0, desc

    def set_description(self, text: str) -> None:
        self.desc = text

    def update(self, n: int = 1) -> None:
        self.n += n

    def write(self, text: str, file: TextIO | None = None) -> None:
        print(text, file=file or sys.stdout)

    def close(self) -> None:
        pass


def _bar(total: int, desc: str, enabled: bool) -> Any:
    """A tqdm bar on stderr (a plain line per step without tqdm), or None when disabled."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return _PlainBar(total, desc)
    return tqdm(total=total, desc=desc, file=sys.stderr, unit="file")


def _tqdm_installed() -> bool:
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def _csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula, with terminal controls escaped."""
    s = "" if value is None else _safe(value)
    if isinstance(value, str) and s[:1] in ("=", "+", "-", "@"):
        return "'" + s
    return s


def _write_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_csv_cell(r.get(c)) for c in columns])
    sys.stdout.write(buf.getvalue())


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


# ---------------------------------------------------------------- analyze

def _expand(paths: Sequence[str]) -> list[str]:
    """Files to analyse: each FILE as given, each DIR's media files (recursively, sorted)."""
    out: list[str] = []
    for p in paths:
        _no_url(p, "file")
        path = Path(p)
        if path.is_dir():
            found = sorted(str(f) for f in path.rglob("*")
                           if f.suffix.lower() in MEDIA_SUFFIXES and f.is_file() and not f.name.startswith("."))
            if not found:
                raise MediaNotFoundError(f"folder {p!r} holds no media files ({', '.join(sorted(MEDIA_SUFFIXES))})",
                                         path=p)
            out += found
        else:
            out.append(p)
    return out


ANALYZE_COLUMNS = (
    "path", "status", "verdict", "grade", "time_status", "place_status", "best_match", "best_score",
    "best_first_published", "n_matches", "filmed_earliest", "filmed_latest", "filmed_best", "time_confidence",
    "lat", "lon", "radius_km", "place_confidence", "n_evidence", "error_type", "error",
)


def _grade_label(verdict: object) -> str | None:
    grade = getattr(verdict, "grade", None)
    if grade is None:
        return None
    return str(getattr(grade, "label", grade))


def _summary_row(report: Report | None, path: str, error: ProvenanceError | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {c: None for c in ANALYZE_COLUMNS}
    row["path"] = path
    if report is None:
        row.update(status="error", error_type=type(error).__name__, error=str(error))
        return row
    v, w, p = report.verdict, report.when, report.where
    best = report.matches[0] if report.matches else None
    rec = report.records.get(best.footage_id) if best is not None else None
    pub = getattr(rec, "published_at", None)
    row.update(
        status="ok", verdict=v.status, grade=_grade_label(v), time_status=v.time_status, place_status=v.place_status,
        best_match=None if best is None else best.footage_id,
        best_score=None if best is None else round(float(best.score), 4),
        best_first_published=pub.isoformat() if isinstance(pub, datetime) else pub,
        n_matches=len(report.matches),
        filmed_earliest=w.earliest.isoformat() if w.earliest else None,
        filmed_latest=w.latest.isoformat() if w.latest else None,
        filmed_best=w.best.isoformat() if w.best else None, time_confidence=round(float(w.confidence), 4),
        lat=None if p is None else p.lat, lon=None if p is None else p.lon,
        radius_km=None if p is None else p.radius_km,
        place_confidence=None if p is None else round(float(p.confidence), 4),
        n_evidence=len(report.evidence),
    )
    return row


def _cmd_analyze(args: argparse.Namespace) -> int:
    from .pipeline import analyze
    from .report import reports_table

    formats = [f for f in ("json", "jsonl", "csv", "markdown") if getattr(args, f)]
    if len(formats) > 1:
        raise _UsageError("choose one output format: " + ", ".join(f"--{f}" for f in formats))
    fmt = formats[0] if formats else "text"
    claim = _claim(args)
    files = _expand(args.files)
    index = _open_index(args.index) if args.index else None
    machine = fmt in ("json", "jsonl", "csv")
    many = len(files) > 1
    show = _progress_wanted(args)
    bar = _bar(len(files), "analyze", enabled=show and many)
    out = _Out(bar)
    html_dir = Path(args.html) if args.html else None
    if html_dir is not None:
        html_dir.mkdir(parents=True, exist_ok=True)
    status = EXIT_OK
    results: list[dict[str, Any]] = []
    items: list[Report | dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    try:
        for n, f in enumerate(files, 1):
            if bar is not None:
                bar.set_description(f"analyze {_safe(Path(f).name)[:40]}")
            t0 = time.monotonic()
            plain = show and not _tqdm_installed()
            if plain and not many:
                print(f"analyze {_safe(f)}: metadata, " + ("matching, " if index is not None else "") + "scoring ...",
                      file=sys.stderr, flush=True)
            try:
                # the pipeline's own per-stage bar (a notebook widget in Jupyter) for a single file
                report = analyze(f, index=index, claim=claim, ocr=False if args.no_ocr else None,
                                 progress=show and not many and _tqdm_installed())
            except ClaimError:
                raise
            except ProvenanceError as exc:
                status = EXIT_PROBLEM
                err = {"path": f, "error": str(exc), "error_type": type(exc).__name__}
                results.append(err)
                items.append(err)
                rows.append(_summary_row(None, f, exc))
                if fmt == "jsonl":
                    print(json.dumps(err, ensure_ascii=False))
                out.note(f"{f}: error: {exc}")
            else:
                items.append(report)
                rows.append(_summary_row(report, f))
                if html_dir is not None:
                    page = report.save_html(html_dir / (Path(f).name + ".html"))
                    out.note(f"HTML report: {page}")
                if fmt == "json":
                    results.append(report.to_dict())
                elif fmt == "jsonl":
                    print(json.dumps(report.to_dict(), ensure_ascii=False), flush=True)
                elif fmt == "markdown":
                    out.text(report.to_markdown() + "\n")
                elif fmt == "text":
                    out.text(report.to_text() + "\n")
                if plain:
                    print(f"[{n}/{len(files)}] {_safe(f)}: {report.verdict.status} ({time.monotonic() - t0:.1f} s)",
                          file=sys.stderr, flush=True)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        if index is not None:
            index.close()
    if fmt == "json":
        print(json.dumps(results[0] if len(results) == 1 else results, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        _write_csv(rows, ANALYZE_COLUMNS)
    elif many and not machine:
        print("Summary:")
        print(terminal_safe(reports_table(items)))
    return status


# ---------------------------------------------------------------- metadata

def _cmd_metadata(args: argparse.Namespace) -> int:
    from .metadata import extract_metadata
    from .report.tracks import track_gpx, track_kml

    _no_url(args.file, "file")
    md = extract_metadata(args.file)
    wrote = []
    for target, render in ((args.gpx, track_gpx), (args.kml, track_kml)):
        if target:
            if not md.track and md.location is None:
                print(f"provenance: {_safe(args.file)} holds no GPS track or fix; {_safe(target)} not written",
                      file=sys.stderr)
                return EXIT_PROBLEM
            Path(target).write_text(render(md), encoding="utf-8")
            wrote.append(target)
    if args.json or args.raw:
        print(_json(md.to_dict(raw=args.raw)))
    elif not wrote or args.text:
        from .report.text import metadata_text

        print(terminal_safe(metadata_text(md)))
    for target in wrote:
        print(f"wrote {_safe(target)} ({len(md.track) or 1} point(s))", file=sys.stderr)
    return EXIT_OK


# ---------------------------------------------------------------- index

RECORD_COLUMNS = ("footage_id", "published_at", "title", "n_frames", "duration_s", "filmed_at_start",
                  "filmed_at_end", "lat", "lon", "radius_km", "source_url", "hasher", "added_at")


def _records_text(records: Sequence[Any]) -> str:
    if not records:
        return "the index is empty"
    rows = [("footage_id", "first published", "frames", "duration", "title")]
    for r in records:
        pub = r.published_at
        pub = pub.strftime("%Y-%m-%d %H:%M UTC") if isinstance(pub, datetime) else str(pub)
        dur = f"{r.duration_s:.1f} s" if r.duration_s is not None else "-"
        rows.append((_safe(r.footage_id), pub, str(r.n_frames), dur, _safe(r.title or "")))
    widths = [min(max(len(row[i]) for row in rows), 50) for i in range(len(rows[0]))]
    lines = []
    for j, row in enumerate(rows):
        lines.append("  ".join(c[:w].ljust(w) for c, w in zip(row, widths)).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _record_text(rec: Any) -> str:
    lines = []
    for k, v in rec.to_dict().items():
        lines.append(f"{k:16s} {_safe('-' if v is None else v)}")
    return "\n".join(lines)


def _cmd_index(args: argparse.Namespace) -> int:
    cmd = args.index_cmd
    create = cmd in ("add", "import")
    if cmd in ("add", "search") or cmd == "import":
        for name in ("file", "catalogue"):
            if getattr(args, name, None):
                _no_url(getattr(args, name), name)
    if cmd == "add":
        # validate the command line before touching (or creating) the index
        # a day keeps its precision in the index (published_precision="day")
        published = _parse_when(args.published_at, "--published-at")
        filmed = _filmed(_parse_when(args.filmed_at, "--filmed-at"))
        location = _parse_location(args.location) if args.location else None
    with _open_index(args.db, create=create, write=cmd == "remove") as index:
        if cmd == "add":
            rec = index.add(args.file, footage_id=args.id, published_at=published,  # type: ignore[arg-type]
                            filmed_at=filmed, location=location, source_url=args.source_url, title=args.title)
            print(_json(rec.to_dict()) if args.json else f"added {_safe(rec.footage_id)} ({rec.n_frames} frames)")
        elif cmd == "import":
            result = index.import_catalogue(args.catalogue, progress=_progress_wanted(args) and not args.json)
            if args.json:
                print(_json(result.to_dict()))
            else:
                print(f"added {len(result.added)}, skipped {len(result.skipped)}, errors {len(result.errors)}")
                for p in list(result.skipped) + list(result.errors):
                    where = f"line {p.line}" if p.line else _safe(p.path or "")
                    print(f"  {where}: {_safe(p.footage_id or '')}: {_safe(p.reason)}")
            return EXIT_OK if not result.errors else EXIT_PROBLEM
        elif cmd == "search":
            matches = index.search(args.file)
            if args.json:
                print(_json([m.to_dict() for m in matches]))
            elif not matches:
                print("no match above the decision threshold")
            else:
                for m in matches:
                    print(f"{_safe(m.footage_id)}: score {m.score:.2f}; "
                          f"query {m.query_start_s:.1f}-{m.query_end_s:.1f} s "
                          f"= known {m.ref_start_s:.1f}-{m.ref_end_s:.1f} s; speed {m.speed:.2f}; {_safe(m.variant)}")
        elif cmd == "stats":
            stats = index.stats()
            d = stats.to_dict()
            if args.json:
                print(_json(d))
            else:
                print("\n".join(f"{k:22s} {_safe('-' if v is None else v)}" for k, v in d.items() if k != "extra"))
        elif cmd == "list":
            records = list(index.records())
            if args.json:
                print(_json([r.to_dict() for r in records]))
            elif args.csv:
                _write_csv([r.to_dict() for r in records], RECORD_COLUMNS)
            else:
                print(_records_text(records))
        elif cmd == "show":
            try:
                rec = index.get(args.id)
            except KeyError:
                raise _NotInIndex(args.id, index.location) from None
            print(_json(rec.to_dict()) if args.json else _record_text(rec))
        elif cmd == "remove":
            missing = [fid for fid in args.ids if fid not in index]
            if missing:
                raise _NotInIndex(missing[0], index.location)
            for fid in args.ids:
                index.remove(fid)
                print(f"removed {_safe(fid)}")
        elif cmd == "export":
            _no_url(args.out, "output")
            n = index.export(args.out, fingerprints=not args.no_fingerprints)
            print(f"wrote {n} record(s) to {_safe(args.out)}", file=sys.stderr)
    return EXIT_OK


class _NotInIndex(ProvenanceError, KeyError):
    """A footage id given on the command line is not in the index (exit 1)."""

    def __init__(self, footage_id: str, location: str) -> None:
        super().__init__(f"no footage {footage_id!r} in index {location!r} (see 'provenance index list')")

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


# ---------------------------------------------------------------- demo

def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    result = run_demo(out_dir=Path(args.out), fixtures=args.fixtures, corpus=args.corpus,
                      progress=_progress_wanted(args))
    print(terminal_safe(result.report.to_text()))
    print()
    print(f"JSON report: {_safe(result.json_path)}")
    print(f"HTML report: {_safe(result.html_path)}")
    return EXIT_OK


# ---------------------------------------------------------------- parser

def _help(examples: str) -> str:
    return "examples:\n" + examples.rstrip() + "\n\n" + EXIT_CODES_HELP


def _sub(sub: Any, name: str, help: str, description: str, examples: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help, description=description, epilog=_help(examples),
                                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``provenance`` command (every subcommand with examples in its help)."""
    from ._version import __version__

    p = _Parser(prog="provenance", description="When and where was this video filmed, and is it recycled footage? "
                "Everything runs offline; nothing is fetched from the network.",
                epilog=_help("  provenance demo\n"
                             "  provenance analyze clip.mp4 --index known.db --claim-time 2020-08-16 "
                             "--claim-place Smolensk\n"
                             "  provenance metadata clip.mov --gpx track.gpx\n"
                             "  provenance index add known.db convoy.mp4 --id convoy-2019 "
                             "--published-at 2019-06-12T09:30Z\n"
                             "  provenance <command> --help     (each command's options and examples)"),
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"provenance {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser, metavar="COMMAND")

    a = _sub(sub, "analyze", "analyse files or folders: when, where, recycled footage, claim check",
             "Analyse media files (and every media file under each folder). With several files a progress bar "
             "and a summary table follow; --csv and --jsonl give one row per file for batch work.",
             "  provenance analyze viral.mp4\n"
             "  provenance analyze viral.mp4 --index known.db --claim-time 2020-08-16 --claim-place Hrodna\n"
             "  provenance analyze downloads/ --index known.db --csv > results.csv\n"
             "  provenance analyze a.mp4 b.mov --jsonl | jq .verdict.status\n"
             "  provenance analyze clip.mp4 --claim-time 2020-08-16T10:00+03:00..2020-08-16T12:00+03:00 "
             "--claim-place 54.78,32.05 --claim-radius-km 20 --markdown")
    a.add_argument("files", nargs="+", metavar="FILE|DIR",
                   help="media files, or folders whose media files (recursively) are analysed; local paths only")
    a.add_argument("--index", metavar="DB", help="known-footage index to search: an existing SQLite file or a "
                   "postgresql:// URL (never created here; a missing file is an error)")
    a.add_argument("--claim-time", metavar="WHEN",
                   help="claimed filming time: YYYY-MM-DD, an ISO time with zone, or A..B")
    a.add_argument("--claim-place", metavar="PLACE", help="claimed place: 'lat,lon' in degrees or a place name")
    a.add_argument("--claim-radius-km", type=float, default=50.0, metavar="KM",
                   help="how near the claimed place counts [km] (default 50)")
    a.add_argument("--json", action="store_true", help="print the full JSON report (a list for several files)")
    a.add_argument("--jsonl", action="store_true", help="print one full JSON report per line, as each file finishes")
    a.add_argument("--csv", action="store_true",
                   help="print one CSV summary row per file (verdict, best match, estimates)")
    a.add_argument("--markdown", action="store_true", help="print Markdown (for a fact-check draft) instead of text")
    a.add_argument("--html", metavar="DIR", help="also write a self-contained HTML report per file into DIR")
    a.add_argument("--no-ocr", action="store_true",
                   help="do not read on-screen clocks and text (read by default when the 'ocr' extra is installed)")
    a.add_argument("--progress", action="store_true", help="show progress on stderr even when it is not a terminal")
    a.add_argument("--quiet", action="store_true", help="no progress output")
    a.set_defaults(func=_cmd_analyze)

    m = _sub(sub, "metadata", "print a file's normalised metadata; export its GPS track",
             "Print the normalised metadata of one file: times with their zone state, place, device, writer, "
             "telemetry track, problems. --gpx/--kml write the GPS track (or the single fix) for a map tool.",
             "  provenance metadata clip.mov\n"
             "  provenance metadata clip.mov --json\n"
             "  provenance metadata clip.mov --raw        (every raw tag, as JSON)\n"
             "  provenance metadata GX010001.MP4 --gpx track.gpx --kml track.kml")
    m.add_argument("file", metavar="FILE", help="the media file (local path)")
    m.add_argument("--json", action="store_true", help="print JSON")
    m.add_argument("--raw", action="store_true", help="include every raw tag (implies --json)")
    m.add_argument("--gpx", metavar="OUT.gpx", help="write the GPS track as GPX 1.1")
    m.add_argument("--kml", metavar="OUT.kml", help="write the GPS track as KML 2.2")
    m.add_argument("--text", action="store_true", help="print the text view too when writing --gpx/--kml")
    m.set_defaults(func=_cmd_metadata)

    i = _sub(sub, "index", "manage a known-footage index (add, import, search, list, show, remove, export, stats)",
             "Manage a known-footage index: a SQLite file (created only by 'add' and 'import') or a postgresql:// URL.",
             "  provenance index add known.db convoy.mp4 --id convoy-2019 --published-at 2019-06-12T09:30Z\n"
             "  provenance index import known.db catalogue.csv\n"
             "  provenance index list known.db\n"
             "  provenance index search known.db viral.mp4")
    i.set_defaults(func=_cmd_index)
    isub = i.add_subparsers(dest="index_cmd", required=True, parser_class=_Parser, metavar="ACTION")
    db_help = "the index: a SQLite file or a postgresql:// URL"

    ia = _sub(isub, "add", "fingerprint a file and add it (creates the index if absent)",
              "Fingerprint a known, published clip and add it with its record.",
              "  provenance index add known.db convoy.mp4 --id convoy-2019 --published-at 2019-06-12T09:30Z\n"
              "  provenance index add known.db convoy.mp4 --id tg-117 --published-at 2022-01-17 "
              "--filmed-at 2022-01-16T14:00+03:00 --location 54.78,32.05,5 --title 'Convoy near Smolensk'")
    ia.add_argument("db", metavar="DB", help=db_help + " (created if absent)")
    ia.add_argument("file", metavar="FILE", help="the footage file (local path)")
    ia.add_argument("--id", required=True, help="the desk's identifier of the footage (unique in the index)")
    ia.add_argument("--published-at", required=True, metavar="WHEN",
                    help="first publication: ISO time with zone, or a day (stored with day precision)")
    ia.add_argument("--filmed-at", metavar="WHEN",
                    help="filming time: ISO time with zone, or a day (the interval it covers in any time zone)")
    ia.add_argument("--location", metavar="LAT,LON[,KM]", help="filming place [deg] and its uncertainty [km]")
    ia.add_argument("--title")
    ia.add_argument("--source-url", metavar="URL", help="where it was published (stored, never fetched)")
    ia.add_argument("--json", action="store_true", help="print the record as JSON")

    ii = _sub(isub, "import", "import a CSV or JSON-lines catalogue (creates the index if absent)",
              "Add every row of a catalogue: footage_id, published_at, path (relative to the catalogue) and optional "
              "fields; or rows written by 'index export'. Bad rows are listed with their line; exit 1 if any.",
              "  provenance index import known.db catalogue.csv\n"
              "  provenance index import team.db export.jsonl --json")
    ii.add_argument("db", metavar="DB", help=db_help + " (created if absent)")
    ii.add_argument("catalogue", metavar="CATALOGUE", help="a .csv or .jsonl catalogue file")
    ii.add_argument("--json", action="store_true", help="print the outcome as JSON")
    ii.add_argument("--progress", action="store_true", help="show progress even when stderr is not a terminal")
    ii.add_argument("--quiet", action="store_true", help="no progress output")

    iq = _sub(isub, "search", "search a file against the index",
              "Fingerprint a file and list the known footage it re-uses, best first.",
              "  provenance index search known.db viral.mp4\n  provenance index search known.db viral.mp4 --json")
    iq.add_argument("db", metavar="DB", help=db_help + " (must exist)")
    iq.add_argument("file", metavar="FILE", help="the media file (local path)")
    iq.add_argument("--json", action="store_true", help="print the matches as JSON")

    st = _sub(isub, "stats", "index statistics", "Counts, hasher, schema version and size of an index.",
              "  provenance index stats known.db\n  provenance index stats known.db --json")
    st.add_argument("db", metavar="DB", help=db_help + " (must exist)")
    st.add_argument("--json", action="store_true", help="print JSON")

    il = _sub(isub, "list", "list the indexed footage", "One line per footage item, ordered by id.",
              "  provenance index list known.db\n  provenance index list known.db --csv > footage.csv")
    il.add_argument("db", metavar="DB", help=db_help + " (must exist)")
    il.add_argument("--json", action="store_true", help="print JSON records")
    il.add_argument("--csv", action="store_true", help="print CSV rows")

    ish = _sub(isub, "show", "show one footage record", "Every field of one footage record.",
               "  provenance index show known.db convoy-2019\n  provenance index show known.db convoy-2019 --json")
    ish.add_argument("db", metavar="DB", help=db_help + " (must exist)")
    ish.add_argument("id", metavar="FOOTAGE_ID", help="the footage id (see 'index list')")
    ish.add_argument("--json", action="store_true", help="print JSON")

    ir = _sub(isub, "remove", "remove footage, its hashes and thumbnails",
              "Remove footage items by id; nothing is removed if any id is unknown (exit 1).",
              "  provenance index remove known.db convoy-2019\n  provenance index remove known.db a b c")
    ir.add_argument("db", metavar="DB", help=db_help + " (must exist)")
    ir.add_argument("ids", nargs="+", metavar="FOOTAGE_ID", help="footage ids to remove")

    ie = _sub(isub, "export", "export records and hashes as JSON lines",
              "Write every record (and its frame hashes unless --no-fingerprints) as JSON lines that "
              "'index import' reads back, e.g. to move an index from SQLite to PostgreSQL.",
              "  provenance index export known.db backup.jsonl\n"
              "  provenance index import postgresql://desk@db/known backup.jsonl")
    ie.add_argument("db", metavar="DB", help=db_help + " (must exist)")
    ie.add_argument("out", metavar="OUT.jsonl", help="the file to write (replaced atomically)")
    ie.add_argument("--no-fingerprints", action="store_true", help="records only, without frame hashes")

    d = _sub(sub, "demo", "run the bundled demo case end to end",
             "Index the bundled convoy clips, analyse a 'viral' re-upload against a false claim, and write JSON and "
             "HTML reports. Works from any folder: the demo media ship with the package.",
             "  provenance demo\n  provenance demo --out /tmp/demo --quiet")
    d.add_argument("--out", default="demo-output", metavar="DIR", help="folder for the index and the reports")
    d.add_argument("--fixtures", default=None, metavar="DIR",
                   help="a fixtures folder with manifest.json (default: the demo media shipped with the package)")
    d.add_argument("--corpus", default=None, metavar="DIR",
                   help="a real-media corpus whose footage/ clips are indexed as distractors (optional)")
    d.add_argument("--progress", action="store_true", help="show progress even when stderr is not a terminal")
    d.add_argument("--quiet", action="store_true", help="no progress output")
    d.set_defaults(func=_cmd_demo)
    return p


def _error(exc: BaseException) -> str:
    return f"provenance: error: {terminal_safe(str(exc))}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (0 ok, 1 analysis problem, 2 usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return int(func(args))
    except (InvalidArgumentError, ClaimError) as exc:
        print(_error(exc), file=sys.stderr)
        return EXIT_USAGE
    except ProvenanceError as exc:
        print(_error(exc), file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        print("provenance: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        # e.g. an output file that cannot be written: the user's environment, not a crash
        print(_error(exc), file=sys.stderr)
        return EXIT_PROBLEM


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
