"""Frames: which frames of a clip are worth hashing, and what border or overlay surrounds the picture."""

from .borders import Borders, crop_frame, detect_borders
from .layout import Region, propose_regions, rectify_quad, region_image
from .selection import (
    DEFAULT_MAX_FRAMES,
    DEFAULT_MAX_GAP_S,
    Keyframe,
    extract_keyframes,
    is_informative,
    plan_grid_times,
    select_frames,
)

__all__ = [
    "DEFAULT_MAX_FRAMES",
    "DEFAULT_MAX_GAP_S",
    "Borders",
    "Keyframe",
    "Region",
    "crop_frame",
    "detect_borders",
    "extract_keyframes",
    "is_informative",
    "plan_grid_times",
    "propose_regions",
    "rectify_quad",
    "region_image",
    "select_frames",
]
