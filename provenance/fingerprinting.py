"""Deprecated import path: use :mod:`provenance.hashing.fingerprinting` (this module forwards to it for one release)."""

from __future__ import annotations

import importlib
import warnings
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    warnings.warn(
        "provenance.fingerprinting is deprecated; import from provenance.hashing.fingerprinting instead",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module("provenance.hashing.fingerprinting"), name)
