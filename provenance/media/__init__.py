"""Media access: the only code that opens files, runs ffmpeg or decodes pixels.

:class:`MediaFile` is the media object of one call: validated once, opened once, shared by the
byte-level metadata parsers, probing, the layout pass and decoding, with the call's budgets
(:class:`MediaLimits`).
"""

from .source import MediaFile, MediaLimits, open_media

__all__ = ["MediaFile", "MediaLimits", "open_media"]
