"""Time-zone reasoning: the zone at a place, and local readings turned into UTC intervals."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "MAX_OFFSET",
    "MIN_OFFSET",
    "OFFSET_STEP",
    "format_offset",
    "infer_offset",
    "local_date_to_utc",
    "local_to_utc_interval",
    "offset_at",
    "offsets_near",
    "zone_at",
]

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


#: Real offsets are whole quarter hours (UTC+05:45, UTC+08:45 exist; no finer ones).
OFFSET_STEP = timedelta(minutes=15)


def format_offset(offset: timedelta | int | float) -> str:
    """``"UTC+03:00"`` for an offset given as a timedelta or in seconds."""
    s = int(offset.total_seconds() if isinstance(offset, timedelta) else offset)
    sign = "+" if s >= 0 else "-"
    s = abs(s)
    return f"UTC{sign}{s // 3600:02d}:{(s % 3600) // 60:02d}"


def offset_at(zone: ZoneInfo, when: datetime) -> timedelta:
    """The UTC offset of ``zone`` at the aware instant ``when`` (DST included)."""
    return when.astimezone(zone).utcoffset() or timedelta(0)


def offsets_near(zone: ZoneInfo, when: datetime, *, days: float = 2.0) -> set[timedelta]:
    """Offsets ``zone`` used within ``days`` of ``when``: a reading near a DST change may carry either."""
    span = timedelta(days=days)
    return {offset_at(zone, when + k * span / 4) for k in range(-4, 5)}


def infer_offset(local: datetime, utc: datetime, *, tolerance: timedelta = timedelta(minutes=3)
                 ) -> timedelta | None:
    """The UTC offset that turns a wall-clock reading into a UTC instant, if it is a real one.

    Parameters
    ----------
    local : datetime
        Wall-clock reading (naive, or aware with its tzinfo ignored).
    utc : datetime
        The same moment in UTC [aware], e.g. from GPS.
    tolerance : timedelta
        How far the two clocks may drift apart and still count as one moment.

    Returns
    -------
    timedelta or None
        The offset rounded to a quarter hour when ``local - utc`` lies within ``tolerance``
        of a quarter-hour multiple inside UTC-12..UTC+14; ``None`` otherwise (the clock is
        wrong by something other than a time zone).
    """
    diff = local.replace(tzinfo=None) - utc.astimezone(timezone.utc).replace(tzinfo=None)
    q = round(diff / OFFSET_STEP)
    rounded = q * OFFSET_STEP
    if abs(diff - rounded) > tolerance or not MIN_OFFSET <= rounded <= MAX_OFFSET:
        return None
    return rounded
