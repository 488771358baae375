"""On-screen text: burned-in clocks, channel handles and captions read from the picture (extra ``ocr``).

:func:`read_onscreen` samples a few frames, keeps the text boxes that persist across them,
reads those and parses dates and times in device formats (:func:`parse_onscreen_text`).
Parsing is pure and always available; reading needs the ``ocr`` extra (RapidOCR's PP-OCR
ONNX models, shipped inside its wheel). This room imports only ``media``; the scorer turns
its results into evidence (:mod:`provenance.scoring.onscreen`).
"""

from .engine import OcrEngine, get_engine, ocr_available
from .model import ClockStatus, OnScreenClock, OnScreenText, ShownText, TextReading, TextRegion
from .parse import DateReading, ParsedText, TimeReading, month_from_word, parse_onscreen_text
from .read import read_onscreen, read_onscreen_optional

__all__ = [
    "ClockStatus",
    "DateReading",
    "OcrEngine",
    "OnScreenClock",
    "OnScreenText",
    "ParsedText",
    "ShownText",
    "TextReading",
    "TextRegion",
    "TimeReading",
    "get_engine",
    "month_from_word",
    "ocr_available",
    "parse_onscreen_text",
    "read_onscreen",
    "read_onscreen_optional",
]
