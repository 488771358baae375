"""The OCR engine behind the ``ocr`` extra: RapidOCR's PP-OCR ONNX models on onnxruntime.

The detection and recognition models ship inside the ``rapidocr`` wheel
(``rapidocr/models/*.onnx``); nothing is downloaded at run time. The engine is loaded once
per process on first use (about 1 s) and shared. Its recogniser reads Latin letters, digits
and CJK; it has no Cyrillic glyphs, so Russian, Ukrainian and Belarusian month names are
parsed when the text reaches the parser but are not read off the picture by this engine.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import MissingExtraError, ToolError

__all__ = ["DetectedBox", "OcrEngine", "get_engine", "ocr_available"]

log = logging.getLogger(__name__)

_INSTALL = "on-screen text needs the 'ocr' extra: pip install 'video-provenance[ocr]' (rapidocr, onnxruntime, OpenCV)"


def ocr_available() -> bool:
    """True when the ``ocr`` extra (``rapidocr`` and ``onnxruntime``) is installed."""
    return all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "onnxruntime"))


@dataclass(frozen=True)
class DetectedBox:
    """An axis-aligned text box found by the detector.

    Attributes
    ----------
    x0, y0, x1, y1 : int
        Corners [px] in the image given to :meth:`OcrEngine.detect` (``x1``, ``y1`` exclusive).
    score : float
        Detector confidence in [0, 1].
    """

    x0: int
    y0: int
    x1: int
    y1: int
    score: float

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


class OcrEngine:
    """Text detection and line recognition over RGB arrays.

    Use :func:`get_engine` rather than building one: the models take about a second to load.

    Raises
    ------
    MissingExtraError
        When the ``ocr`` extra is not installed.
    """

    def __init__(self) -> None:
        if not ocr_available():
            raise MissingExtraError(_INSTALL)
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:  # pragma: no cover - a broken install
            raise MissingExtraError(f"{_INSTALL} ({exc})") from exc
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        common = {"Global.log_level": "error", "Global.use_cls": False}
        try:
            # detection alone, on images we have already scaled (no resizing by the engine)
            self._det = RapidOCR(params={**common, "Global.use_rec": False, "Det.limit_type": "max",
                                         "Det.limit_side_len": 4096, "Global.max_side_len": 4096,
                                         "Global.min_side_len": 16})
            # recognition alone, on one cropped line
            self._rec = RapidOCR(params={**common, "Global.use_det": False})
        except Exception as exc:  # noqa: BLE001 - third-party errors stop here
            raise ToolError(f"the OCR engine could not be loaded ({type(exc).__name__})", stderr=str(exc)) from exc
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> list[DetectedBox]:
        """Text boxes in an RGB image (uint8, shape (H, W, 3)), as the image is (no resizing).

        Raises
        ------
        ToolError
            When the engine fails on the image.
        """
        bgr = np.ascontiguousarray(image[:, :, ::-1])
        try:
            with self._lock:
                out: Any = self._det(bgr)
        except Exception as exc:  # noqa: BLE001 - third-party errors stop here
            raise ToolError(f"OCR detection failed ({type(exc).__name__})", stderr=str(exc)) from exc
        boxes = getattr(out, "boxes", None)
        if boxes is None:
            return []
        scores = getattr(out, "scores", None) or [1.0] * len(boxes)
        h, w = image.shape[:2]
        found = []
        for quad, score in zip(np.asarray(boxes, dtype=np.float64), scores):
            x0, y0 = np.floor(quad.min(axis=0)).astype(int)
            x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
            x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
            if x1 > x0 and y1 > y0:
                found.append(DetectedBox(int(x0), int(y0), int(x1), int(y1), float(score)))
        return found

    def recognise(self, line: np.ndarray) -> tuple[str, float]:
        """Text and confidence in [0, 1] of one cropped line (RGB uint8); ``("", 0.0)`` when unreadable.

        Raises
        ------
        ToolError
            When the engine fails on the image.
        """
        bgr = np.ascontiguousarray(line[:, :, ::-1])
        try:
            with self._lock:
                out: Any = self._rec(bgr)
        except Exception as exc:  # noqa: BLE001 - third-party errors stop here
            raise ToolError(f"OCR recognition failed ({type(exc).__name__})", stderr=str(exc)) from exc
        txts = getattr(out, "txts", None) or ()
        scores = getattr(out, "scores", None) or ()
        if not txts:
            return "", 0.0
        return " ".join(t for t in txts if t).strip(), float(min(scores) if scores else 0.0)


_ENGINE: OcrEngine | None = None
_ENGINE_LOCK = threading.Lock()


def get_engine() -> OcrEngine:
    """The process-wide :class:`OcrEngine`, loaded on first use.

    Raises
    ------
    MissingExtraError
        When the ``ocr`` extra is not installed.
    """
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = OcrEngine()
        return _ENGINE
