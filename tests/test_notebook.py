"""The worked notebook (docs/examples/convoy_case.ipynb) executes and shows the verdict and the matched clip.

Needs the 'notebook' extra (nbclient, nbformat, ipykernel); skipped without it, with that reason.
The executed notebook is saved under test-artifacts/ for review.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "examples" / "convoy_case.ipynb"
ARTIFACTS = Path(os.environ.get("PROVENANCE_TEST_ARTIFACTS", ROOT / "test-artifacts"))


def demo_known_ids() -> set[str]:
    """Footage ids the demo indexes, or skip when the fixtures hold no demo case yet."""
    manifest = json.loads((ROOT / "fixtures" / "manifest.json").read_text(encoding="utf-8"))
    files = manifest.get("files") or []
    known = {Path(f["name"]).stem for f in files if f.get("role") == "source" and f.get("indexed")}
    demo = [f for f in files if f.get("role") == "demo"]
    if not known or not demo or not all((ROOT / "fixtures" / f["path"]).is_file() for f in demo):
        pytest.skip("fixtures/manifest.json lists no demo clip and indexed sources yet (run fixtures/make_fixtures.py)")
    return known


def _outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append(out["text"])
            data = out.get("data", {})
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in data:
                    parts.append(data[mime] if isinstance(data[mime], str) else "".join(data[mime]))
    return "\n".join(parts)


def test_convoy_notebook_executes(monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="nbformat not installed: install the 'notebook' extra")
    nbclient = pytest.importorskip("nbclient", reason="nbclient not installed: install the 'notebook' extra")
    pytest.importorskip("ipykernel", reason="ipykernel not installed: install the 'notebook' extra")
    known_ids = demo_known_ids()
    # the kernel must import this checkout's provenance even when it is not installed
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, ARTIFACTS / "convoy_case.executed.ipynb")
    text = _outputs_text(nb)
    assert "Verdict: CONTRADICTED" in text
    assert "Matched clip:" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("Matched clip:"))
    assert any(fid in line for fid in known_ids), line
    assert 'class="provenance-report"' in text  # the HTML view rendered
    assert "<script>" not in text.split('class="provenance-report"', 1)[1][:200_000]
