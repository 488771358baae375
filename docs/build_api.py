"""Build the HTML API reference from the numpydoc docstrings with pdoc; every warning is an error.

    pip install ".[docs]"
    python docs/build_api.py --out build/api

Documented: every module of ``provenance`` except ``__main__`` (running it would run the CLI) and
the deprecation shims (modules that only forward old import paths with a DeprecationWarning).
Exit code 0 when the reference was written without a single warning, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Document this checkout's source, also when a built copy of the package is installed: pdoc warns
# when a name in the working folder and the imported module differ.
sys.path.insert(0, str(ROOT))


def modules() -> list[str]:
    """Module names for pdoc: every module but ``__main__`` and the shims, each named once.

    pdoc walks the submodules of a package without ``__all__`` by itself and lists only those in
    ``__all__`` otherwise, so a module already covered by an earlier package is not named again.
    """
    import pdoc.extract

    import provenance

    names, covered = [], set()
    for name in ["provenance"] + [m.name for m in pkgutil.walk_packages(provenance.__path__, "provenance.")]:
        if name.endswith("__main__") or name in covered:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            try:
                importlib.import_module(name)
            except DeprecationWarning:
                continue  # a shim forwarding an old import path
        names.append(name)
        covered |= set(pdoc.extract.walk_specs([name]))
    return names


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(ROOT / "build" / "api"), help="output folder (default: build/api)")
    args = p.parse_args(argv)
    out = Path(args.out).resolve()
    os.chdir(ROOT)
    try:
        import pdoc
        import pdoc.render
    except ImportError:
        print("pdoc is not installed: pip install '.[docs]'", file=sys.stderr)
        return 1
    mods = modules()
    pdoc.render.configure(docformat="numpy", show_source=False, search=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc(*mods, output_directory=out)
    problems = [w for w in caught if not issubclass(w.category, DeprecationWarning) or "pdoc" in w.filename]
    for w in problems:
        print(f"warning: {w.filename}:{w.lineno}: {w.message}", file=sys.stderr)
    pages = len(list(out.rglob("*.html")))
    print(f"{pages} pages written to {out}; {len(problems)} warning(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
