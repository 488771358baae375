"""Command-line interface: a thin layer over the public API.

Exit codes
----------
0
    Success (every file analysed; the verdict itself does not change the code).
1
    An analysis problem: a file missing, not media or damaged beyond use, an unreadable
    index, a failed tool. With several files the others are still analysed.
2
    A usage error: unknown option, malformed claim time or place, and the like.

Progress bars (tqdm, on stderr) are shown by default on long work (several files, index
import, the demo) and never with ``--json`` or ``--quiet``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .errors import InvalidArgumentError, ProvenanceError

__all__ = ["main"]

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2

EXIT_CODES_HELP = """exit codes:
  0  success (whatever the verdict)
  1  analysis problem: missing, unreadable or damaged file; unreadable index; tool failure
  2  usage error: bad option, malformed claim time or place
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors; keep that, with our wording
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def parse_claim_time(text: str) -> Any:
    """``2020-08-16`` (a day), ``2020-08-16T10:00+03:00`` (an instant) or ``A..B`` (an interval)."""
    if ".." in text:
        a, b = text.split("..", 1)
        return (parse_claim_time(a), parse_claim_time(b))
    text = text.strip()
    try:
        if "T" in text or " " in text:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if value.tzinfo is None:
                raise InvalidArgumentError(f"--claim-time {text!r} has no time zone; add one, e.g. {text}+03:00 or {text}Z")
            return value
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidArgumentError(
            f"--claim-time must be YYYY-MM-DD, an ISO 8601 time with zone, or A..B (got {text!r})") from exc


def parse_place(text: str) -> Any:
    """``54.78,32.05`` (lat,lon in degrees) or a place name."""
    parts = text.split(",")
    if len(parts) == 2:
        try:
            return (float(parts[0]), float(parts[1]))
        except ValueError:
            pass
    return text


def _claim(args: argparse.Namespace):
    from .scoring.claim import Claim

    if not args.claim_time and not args.claim_place:
        return None
    return Claim(time=parse_claim_time(args.claim_time) if args.claim_time else None,
                 place=parse_place(args.claim_place) if args.claim_place else None,
                 radius_km=args.claim_radius_km)


def _bar(total: int, desc: str, enabled: bool):
    """A tqdm bar on stderr, or None when disabled or tqdm is missing."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=desc, file=sys.stderr, unit="file")


def _cmd_analyze(args: argparse.Namespace) -> int:
    from .index import FootageIndex
    from .pipeline import analyze
    from .report import reports_table

    claim = _claim(args)
    index = FootageIndex(args.index) if args.index else None
    status = EXIT_OK
    results: list[dict[str, Any]] = []
    reports = []
    files = args.files
    quiet = args.json or args.quiet
    many = len(files) > 1
    bar = _bar(len(files), "analyze", enabled=many and not quiet)
    html_dir = Path(args.html) if args.html else None
    if html_dir is not None:
        html_dir.mkdir(parents=True, exist_ok=True)
    try:
        for f in files:
            try:
                report = analyze(f, index=index, claim=claim,
                                 progress=not many and not quiet and sys.stderr.isatty())
            except ProvenanceError as exc:
                status = EXIT_PROBLEM
                results.append({"path": f, "error": str(exc), "error_type": type(exc).__name__})
                reports.append(results[-1])
                if not args.json:
                    _write_err(bar, f"{f}: error: {exc}")
            else:
                reports.append(report)
                results.append(report.to_dict())
                if html_dir is not None:
                    out = report.save_html(html_dir / (Path(f).name + ".html"))
                    if not args.json:
                        _write_err(bar, f"HTML report: {out}")
                if not args.json:
                    text = report.to_markdown() if args.markdown else report.to_text()
                    _write_out(bar, text + "\n")
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        if index is not None:
            index.close()
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results, indent=2, ensure_ascii=False))
    elif many:
        print("Summary:")
        print(reports_table(reports))
    return status


def _write_out(bar, text: str) -> None:
    if bar is not None:
        bar.write(text, file=sys.stdout)
    else:
        print(text)


def _write_err(bar, text: str) -> None:
    if bar is not None:
        bar.write(text, file=sys.stderr)
    else:
        print(text, file=sys.stderr)


def _cmd_metadata(args: argparse.Namespace) -> int:
    from .metadata import extract_metadata

    md = extract_metadata(args.file)
    if args.json or args.raw:
        print(json.dumps(md.to_dict(raw=args.raw), indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"{md.path}  [{md.container}]")
    print(f"  duration {md.duration_s} s, {md.width}x{md.height}, rotation {md.rotation_deg}, codec {md.video_codec}")
    d = md.device
    print(f"  device: make={d.make} model={d.model} software={d.software} encoder={d.encoder}")
    for t in md.times:
        print(f"  time  {t.value.isoformat():32s} {t.tz_state:14s} {t.meaning:16s} {t.source}")
    if md.location:
        loc = md.location
        print(f"  place {loc.lat:.6f}, {loc.lon:.6f} alt={loc.alt_m} acc={loc.accuracy_m} m  {loc.source}")
    if md.track:
        print(f"  track {len(md.track)} samples")
    for p in md.problems:
        print(f"  problem {p.code}: {p.message}")
    return EXIT_OK


def _parse_when(text: str | None, name: str):
    if text is None:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise InvalidArgumentError(f"{name} {text!r} needs a time zone, e.g. {text}Z")
    return value


def _cmd_index(args: argparse.Namespace) -> int:
    from .index import FootageIndex

    with FootageIndex(args.db) as index:
        if args.index_cmd == "add":
            location = parse_place(args.location) if args.location else None
            rec = index.add(args.file, footage_id=args.id, published_at=_parse_when(args.published_at, "--published-at"),
                            filmed_at=_parse_when(args.filmed_at, "--filmed-at"), location=location,
                            source_url=args.source_url, title=args.title)
            print(json.dumps(rec.to_dict(), indent=2) if args.json else f"added {rec.footage_id} ({rec.n_frames} frames)")
        elif args.index_cmd == "import":
            result = index.import_catalogue(args.catalogue, progress=not (args.json or args.quiet))
            print(json.dumps(result.to_dict(), indent=2) if args.json else str(result))
            return EXIT_OK if not getattr(result, "errors", ()) else EXIT_PROBLEM
        elif args.index_cmd == "search":
            matches = index.search(args.file)
            if args.json:
                print(json.dumps([m.to_dict() for m in matches], indent=2))
            elif not matches:
                print("no match above the decision threshold")
            for m in matches:
                print(repr(m))
        elif args.index_cmd == "stats":
            stats = index.stats()
            print(json.dumps(stats if isinstance(stats, dict) else stats.to_dict(), indent=2, default=str))
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    result = run_demo(out_dir=Path(args.out), fixtures=args.fixtures, corpus=args.corpus, progress=not args.quiet)
    print(result.report.to_text())
    print()
    print(f"JSON report: {result.json_path}")
    print(f"HTML report: {result.html_path}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from ._version import __version__

    p = _Parser(prog="provenance", description="When and where was this video filmed, and is it recycled footage?",
                epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"provenance {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)

    a = sub.add_parser("analyze", help="analyse one or more files", epilog=EXIT_CODES_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Analyse files; with several, a progress bar and a summary table follow.")
    a.add_argument("files", nargs="+", metavar="FILE")
    a.add_argument("--index", metavar="DB", help="known-footage index (SQLite file or postgresql:// URL)")
    a.add_argument("--claim-time", metavar="WHEN", help="YYYY-MM-DD, ISO time with zone, or A..B")
    a.add_argument("--claim-place", metavar="PLACE", help="'lat,lon' or a place name")
    a.add_argument("--claim-radius-km", type=float, default=50.0, metavar="KM")
    a.add_argument("--json", action="store_true", help="print JSON (one object, or a list for several files)")
    a.add_argument("--markdown", action="store_true", help="print Markdown (for a fact-check draft) instead of text")
    a.add_argument("--html", metavar="DIR", help="also write a self-contained HTML report per file into DIR")
    a.add_argument("--quiet", action="store_true", help="no progress bar")
    a.set_defaults(func=_cmd_analyze)

    m = sub.add_parser("metadata", help="print the normalised metadata of a file")
    m.add_argument("file")
    m.add_argument("--json", action="store_true")
    m.add_argument("--raw", action="store_true", help="include every raw tag (implies --json)")
    m.set_defaults(func=_cmd_metadata)

    i = sub.add_parser("index", help="manage a known-footage index")
    isub = i.add_subparsers(dest="index_cmd", required=True, parser_class=_Parser)
    ia = isub.add_parser("add", help="fingerprint a file and add it")
    ia.add_argument("db")
    ia.add_argument("file")
    ia.add_argument("--id", required=True)
    ia.add_argument("--published-at", required=True, help="first publication, ISO time with zone")
    ia.add_argument("--filmed-at", help="filming time, ISO time with zone")
    ia.add_argument("--location", help="'lat,lon' of the filming place")
    ia.add_argument("--title")
    ia.add_argument("--source-url")
    ia.add_argument("--json", action="store_true")
    ii = isub.add_parser("import", help="import a CSV or JSON-lines catalogue")
    ii.add_argument("db")
    ii.add_argument("catalogue")
    ii.add_argument("--json", action="store_true")
    ii.add_argument("--quiet", action="store_true", help="no progress bar")
    iq = isub.add_parser("search", help="search a file against the index")
    iq.add_argument("db")
    iq.add_argument("file")
    iq.add_argument("--json", action="store_true")
    st = isub.add_parser("stats", help="index statistics")
    st.add_argument("db")
    i.set_defaults(func=_cmd_index)

    d = sub.add_parser("demo", help="run the bundled demo case end to end")
    d.add_argument("--out", default="demo-output", help="folder for the index and the reports")
    d.add_argument("--fixtures", default=None, help="fixtures folder (default: ./fixtures)")
    d.add_argument("--corpus", default=None, help="real corpus folder (default: ../shared/corpus when present)")
    d.add_argument("--quiet", action="store_true")
    d.set_defaults(func=_cmd_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except InvalidArgumentError as exc:
        print(f"provenance: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ProvenanceError as exc:
        print(f"provenance: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
