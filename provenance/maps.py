"""Deprecated import path: use :mod:`provenance.report.maps` (this module forwards to it for one release)."""

from __future__ import annotations

import importlib
import warnings
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    warnings.warn(
        "provenance.maps is deprecated; import from provenance.report.maps instead",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module("provenance.report.maps"), name)
