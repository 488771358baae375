"""Media access: the only code that runs ffmpeg or decodes pixels."""
