"""``python -m provenance.metadata FILE [--raw]``: print the normalised metadata as JSON.

A thin layer for the ``provenance metadata FILE --json`` CLI subcommand (:func:`main` can be
called from ``provenance.cli``).
"""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import ProvenanceError
from . import extract_metadata

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Print ``extract_metadata(FILE).to_dict()`` as JSON; exit 1 with the message on a ProvenanceError."""
    ap = argparse.ArgumentParser(prog="provenance metadata", description="Print a file's provenance metadata as JSON.")
    ap.add_argument("file")
    ap.add_argument("--json", action="store_true", help="JSON output (the default and only format here)")
    ap.add_argument("--raw", action="store_true", help="include every tag read, keyed by source path")
    ap.add_argument("--no-sidecar", action="store_true", help="do not read a DJI .srt next to the video")
    a = ap.parse_args(argv)
    try:
        md = extract_metadata(a.file, sidecar=not a.no_sidecar)
    except ProvenanceError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(json.dumps(md.to_dict(raw=a.raw), indent=2, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
