"""Deprecated import path: use :mod:`provenance.matching.match` (this module forwards to it for one release)."""

from __future__ import annotations

import importlib
import warnings
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    warnings.warn(
        "provenance.index.matching is deprecated; import from provenance.matching.match instead",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module("provenance.matching.match"), name)
