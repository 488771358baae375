"""The package layout: rooms import only lower rooms, and moved public paths still work (with a warning)."""

from __future__ import annotations

import ast
import importlib
import warnings
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "provenance"

# The pipeline's rooms, lowest first; a room may import only rooms before it.
ROOMS = ["media", "metadata", "frames", "hashing", "ocr", "matching", "index", "scoring", "report"]

MOVED = [
    ("provenance.keyframes", "select_frames", "provenance.frames"),
    ("provenance.fingerprinting", "fingerprint", "provenance.hashing.fingerprinting"),
    ("provenance.plots", "plot_timeline", "provenance.report.plots"),
    ("provenance.maps", "place_map", "provenance.report.maps"),
    ("provenance.index.matching", "Match", "provenance.matching.match"),
    ("provenance.index.candidates", "CandidateTable", "provenance.matching.candidates"),
    ("provenance.index.cropfit", "fit_crop", "provenance.matching.cropfit"),
]


def _imported_rooms(path: Path) -> set[str]:
    """The top-level rooms of provenance that a module imports (relative or absolute)."""
    rel = path.relative_to(PACKAGE).parts
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel[:-1])[: len(rel) - node.level]
                target = base + (node.module.split(".") if node.module else [])
                if not target and node.module is None:
                    target = [a.name for a in node.names][:1]
            elif node.module and node.module.startswith("provenance."):
                target = node.module.split(".")[1:]
            else:
                continue
            if target:
                found.add(target[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("provenance."):
                    found.add(alias.name.split(".")[1])
    return found


@pytest.mark.parametrize("room", ROOMS)
def test_rooms_import_only_lower_rooms(room):
    higher = set(ROOMS[ROOMS.index(room) + 1:]) | {"pipeline", "cli", "demo"}
    offenders = {}
    for path in sorted((PACKAGE / room).rglob("*.py")):
        bad = _imported_rooms(path) & higher
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert offenders == {}


@pytest.mark.parametrize("room", ROOMS)
def test_every_room_says_its_job(room):
    doc = ast.get_docstring(ast.parse((PACKAGE / room / "__init__.py").read_text(encoding="utf-8")))
    assert doc and doc.strip().splitlines()[0].endswith(".")


@pytest.mark.parametrize("old, name, new", MOVED)
def test_moved_public_names_warn_and_forward(old, name, new):
    module = importlib.import_module(old)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = getattr(module, name)
    assert value is getattr(importlib.import_module(new), name)
    assert any(issubclass(w.category, DeprecationWarning) and new in str(w.message) for w in caught)
