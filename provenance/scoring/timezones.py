"""Time-zone reasoning: the zone at a place, and local readings turned into UTC intervals."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["MAX_OFFSET", "MIN_OFFSET", "local_date_to_utc", "local_to_utc_interval", "zone_at"]

#: Real-world UTC offsets span UTC-12:00 .. UTC+14:00.
MIN_OFFSET = timedelta(hours=-12)
MAX_OFFSET = timedelta(hours=14)


def zone_at(lat: float, lon: float) -> ZoneInfo | None:
    """IANA time zone at a point [deg], from the offline tzfpy database; ``None`` at sea or unknown."""
    try:
        import tzfpy
    except ImportError:  # pragma: no cover - core dependency
        return None
    name = tzfpy.get_tz(float(lon), float(lat))
    if not name or name.startswith("Etc/"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_to_utc_interval(wall: datetime, zone: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """UTC instants a naive wall-clock reading can stand for.

    With a zone, the (possibly DST-ambiguous) instants of that zone; without, every offset
    from UTC-12 to UTC+14.
    """
    naive = wall.replace(tzinfo=None)
    if zone is not None:
        a = naive.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
        b = naive.replace(tzinfo=zone, fold=1).astimezone(timezone.utc)
        return min(a, b), max(a, b)
    as_utc = naive.replace(tzinfo=timezone.utc)
    return as_utc - MAX_OFFSET, as_utc - MIN_OFFSET


def local_date_to_utc(day: date, zone: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """The UTC interval covered by a local calendar day (in ``zone``, or in any zone)."""
    start = datetime.combine(day, time(0, 0))
    end = datetime.combine(day + timedelta(days=1), time(0, 0))
    return local_to_utc_interval(start, zone)[0], local_to_utc_interval(end, zone)[1]
