"""Hand-built Metadata for scorer tests (values from ../shared/corpus README)."""

from __future__ import annotations

from datetime import datetime, timezone

from provenance.metadata.model import Location, Metadata, TimeTag, TrackPoint

UTC = timezone.utc


def tag(value, state, meaning, source, raw, offset=None):
    return TimeTag(value=value, tz_state=state, meaning=meaning, source=source, raw=raw, utc_offset_s=offset)


def md(times=(), loc=None, track=(), duration=None, acc=None):
    location = None if loc is None else Location(lat=loc[0], lon=loc[1], source="gps:position", raw="", accuracy_m=acc)
    return Metadata(path="x", container="hand-built", times=tuple(times), location=location,
                    track=tuple(track), duration_s=duration)


def gopro_max():
    """GoPro MAX: mvhd holds local time (UTC-8), GPMF track holds GPS UTC."""
    return md([tag(datetime(2019, 11, 18, 15, 45, 32), "ambiguous", "recording_start",
                   "mp4:moov/mvhd/creation_time", "2019-11-18 15:45:32")],
              loc=(33.12677, -117.327344),
              track=[TrackPoint(33.12677, -117.327344, 0.0, datetime(2019, 11, 18, 23, 45, 14, tzinfo=UTC)),
                     TrackPoint(33.126667, -117.327273, 10.4, datetime(2019, 11, 18, 23, 45, 25, tzinfo=UTC))],
              duration=10.517)


def nikon():
    """Nikon P6000: camera clock about a day behind its GPS stamp."""
    return md([tag(datetime(2008, 10, 22, 16, 28, 39), "local_unknown", "recording_start", "exif:DateTimeOriginal",
                   "2008:10:22 16:28:39"),
               tag(datetime(2008, 10, 23, 14, 27, 7, tzinfo=UTC), "utc", "gps_fix", "exif:GPSTimeStamp",
                   "2008:10:23 14:27:07.24")],
              loc=(43.467448, 11.885127))
