"""What a wheel carries and declares: the demo media as package data, the style sheet, the licence,
a free distribution name, a core dependency list without test-only packages, and the deprecated
``set_ffmpeg``."""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
import warnings
from importlib.resources import files
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: The package data budget for the demo media [bytes] (issue 16.3).
DEMO_BUDGET = 6_000_000


def test_demo_media_are_package_data_identical_to_the_fixtures():
    demo = Path(str(files("provenance") / "data" / "demo"))
    manifest = json.loads((demo / "manifest.json").read_text(encoding="utf-8"))
    fixtures = {f["name"]: f for f in json.loads((ROOT / "fixtures" / "manifest.json").read_text())["files"]}
    names = {f["name"] for f in manifest["files"]}
    expected = {n for n, f in fixtures.items() if (f["role"] == "source" and f.get("indexed")) or f["role"] == "demo"}
    assert names == expected and any(fixtures[n]["role"] == "demo" for n in names)
    total = 0
    for f in manifest["files"]:
        data = (demo / f["path"]).read_bytes()
        total += len(data)
        assert hashlib.sha256(data).hexdigest() == fixtures[f["name"]]["sha256"], \
            f"{f['name']}: stale demo copy, run python fixtures/make_fixtures.py --demo-only"
    assert total <= DEMO_BUDGET
    assert "data/demo/*" in PYPROJECT["tool"]["setuptools"]["package-data"]["provenance"]


def test_report_css_is_package_data():
    from provenance.report.html import report_css

    assert ".provenance-report" in report_css()
    assert "report/*.css" in PYPROJECT["tool"]["setuptools"]["package-data"]["provenance"]


def test_distribution_metadata_is_publishable():
    project = PYPROJECT["project"]
    assert project["name"] == "video-provenance"  # "provenance" is taken on PyPI
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]  # SPDX expression (PEP 639)
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    classifiers = set(project["classifiers"])
    assert {f"Programming Language :: Python :: 3.{v}" for v in (11, 12, 13)} <= classifiers
    assert not any(c.startswith("License ::") for c in classifiers) and project["urls"]  # PEP 639: no licence classifier


def test_core_dependencies_hold_no_test_or_fixture_only_package():
    core = {d.split(">")[0].split("=")[0].split("[")[0].strip().lower() for d in PYPROJECT["project"]["dependencies"]}
    assert not core & {"imagehash", "imageio-ffmpeg", "ffmpeg-python", "scipy", "pywavelets", "faiss-cpu",
                       "opencv-python", "opencv-python-headless"}
    extras = PYPROJECT["project"]["optional-dependencies"]
    # OpenCV (150 MB) serves the optional text reader and the tests only (issue 16.2)
    for extra in ("ocr", "test"):
        assert any(d.startswith("opencv-python-headless>=") for d in extras[extra]), extra
    assert any(d.startswith("imageio-ffmpeg") for d in extras["fixtures"])
    assert any(d.startswith("imagehash") for d in extras["bench"])
    assert "test" in extras["ci"][0] and "bench" in extras["test"][-1]


def test_set_ffmpeg_is_deprecated_but_still_works(tmp_path):
    import provenance
    from provenance.errors import InvalidArgumentError
    from provenance.media.tools import find_ffmpeg

    exe = tmp_path / "ffmpeg"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    with pytest.warns(DeprecationWarning, match="changes nothing"):
        provenance.set_ffmpeg(exe)
    try:
        assert find_ffmpeg() == str(exe)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            with pytest.raises(InvalidArgumentError):
                provenance.set_ffmpeg(tmp_path / "missing")
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            provenance.set_ffmpeg(None)


def _imported_top_modules() -> dict[str, set[str]]:
    """Top-level modules imported anywhere in provenance/ (also inside functions), with the files importing them."""
    import ast

    found: dict[str, set[str]] = {}
    for path in (ROOT / "provenance").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for n in names:
                found.setdefault(n.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def _dist_names(specs: list[str]) -> set[str]:
    """Distribution names of requirement strings; ``dask[distributed]`` names ``distributed`` too."""
    import re

    out = set()
    for s in specs:
        base = re.split(r"[<>=!\[; ]", s, maxsplit=1)[0].strip().lower().replace("_", "-")
        out.add(base)
        extra = re.search(r"\[([^\]]+)\]", s)
        if extra and base != "video-provenance":
            out |= {e.strip().lower() for e in extra.group(1).split(",")}
    return out


#: Import names whose distribution is named otherwise (used when the distribution is not installed).
_IMPORT_NAMES = {"c2pa": "c2pa-python", "cv2": "opencv-python-headless", "PIL": "pillow", "faiss": "faiss-cpu",
                 "rapidocr": "rapidocr", "onnxruntime": "onnxruntime", "av": "av", "psycopg": "psycopg"}


def test_every_third_party_import_is_declared():
    """A package the library imports must be a core dependency or belong to an extra (Pillow was once missing:
    it came only through imagehash, so a core install could not hash a frame)."""
    from importlib.metadata import packages_distributions

    dists = packages_distributions()
    core = _dist_names(PYPROJECT["project"]["dependencies"])
    extras = set().union(*(_dist_names(v) for v in PYPROJECT["project"]["optional-dependencies"].values()))
    missing = {}
    for module, files_ in _imported_top_modules().items():
        if module in sys.stdlib_module_names or module in ("provenance", "__future__"):
            continue
        # an extra that is not installed here is not in packages_distributions(): name its distribution
        owners = {d.lower().replace("_", "-") for d in dists.get(module, [_IMPORT_NAMES.get(module, module)])}
        if not owners & (core | extras):
            missing[module] = sorted(files_)[:3]
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
    # the frame hash needs Pillow in every install
    assert "pillow" in core


def test_only_the_text_reader_imports_opencv():
    users = _imported_top_modules().get("cv2", set())
    assert users and all(f.startswith("provenance/ocr/") for f in users), sorted(users)


#: Distributions a core install does not have: imported modules of the extras (the blocker below hides them).
_NOT_IN_CORE = ("cv2", "rapidocr", "onnxruntime", "imagehash", "scipy", "pywt", "imageio_ffmpeg", "tqdm", "matplotlib",
                "folium", "c2pa", "psycopg", "dask", "distributed", "faiss", "pvlib", "nbclient", "ipykernel")

_HIDE_EXTRAS = f"""
import sys
HIDDEN = set({_NOT_IN_CORE!r})
class Hide:
    # every finder answers "not found" for a hidden package, so imports fail and find_spec() is None
    def __init__(self, inner):
        self.inner = inner
    def find_spec(self, name, path=None, target=None):
        return None if name.split(".")[0] in HIDDEN else self.inner.find_spec(name, path, target)
    def __getattr__(self, attr):
        return getattr(self.inner, attr)
sys.meta_path[:] = [Hide(f) for f in sys.meta_path]
"""


def test_import_fingerprint_match_and_demo_work_without_opencv(tmp_path):
    """A core install has no OpenCV (nor any extra): in a process where they cannot be imported,
    ``import provenance`` works, a re-upload is fingerprinted and matched to its source in a new
    index, and ``provenance demo`` runs to its reports."""
    import subprocess

    code = _HIDE_EXTRAS + f"""
import json
from datetime import datetime, timezone
import provenance
from provenance.cli import main
media = {str(ROOT / "fixtures" / "media")!r}
with provenance.FootageIndex({str(tmp_path / "ix.db")!r}, mode="c") as ix:
    ix.add(media + "/convoy_d_pskov_samsung_android11.mp4", footage_id="d",
           published_at=datetime(2022, 3, 1, tzinfo=timezone.utc))
    ix.add(media + "/unrelated_city_kaliningrad_iphonexr.mov", footage_id="u",
           published_at=datetime(2022, 3, 1, tzinfo=timezone.utc))
    found = [m.footage_id for m in ix.search(media + "/reup_d_crop15.mp4")]
rc = main(["demo", "--out", {str(tmp_path / "demo")!r}, "--quiet"])
print(json.dumps({{"found": found, "rc": rc, "imported": sorted(HIDDEN & set(sys.modules))}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["imported"] == [] and result["rc"] == 0
    assert result["found"][:1] == ["d"]
    report = json.loads((tmp_path / "demo" / "demo_report.json").read_text(encoding="utf-8"))
    assert report["matches"] and report["matches"][0]["score"] > 0.9
