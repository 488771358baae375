"""Offline place-name resolution (GeoNames places of 1,000+ people, via the package's own gazetteer)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidArgumentError, PlaceNotFoundError
from . import gazetteer

__all__ = ["Place", "haversine_km", "resolve_candidates", "resolve_place"]

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Place:
    """A resolved place name.

    Attributes
    ----------
    name : str
        GeoNames name of the chosen place.
    lat, lon : float
        [deg], WGS84.
    country : str
        ISO 3166 alpha-2 code.
    population : int
    timezone : str
        IANA zone name.
    alternatives : tuple of str
        Other places with the same name (``"Name, CC"``), most populous first.
    source : str
        ``"geonames:<id>"``.
    """

    name: str
    lat: float
    lon: float
    country: str
    population: int
    timezone: str
    alternatives: tuple[str, ...]
    source: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _candidates(query: str) -> list[dict[str, Any]]:
    """Gazetteer records matching a name with optional qualifiers (``"Paris, TX"``), most populous first.

    Records carry GeoNames' field names: ``geonameid``, ``name``, ``asciiname``, ``countrycode``,
    ``admin1code``, ``admin1name``, ``latitude``, ``longitude``, ``population``, ``timezone``.
    """
    return [p.to_record() for p in gazetteer.search(query)]


def resolve_place(name: str) -> Place:
    """Resolve a place name offline to coordinates.

    Accepts ``"Smolensk"`` or a name with qualifiers: ``"Smolensk, RU"``, ``"Paris, TX"``,
    ``"Kirovsk, Luhansk Oblast"`` (see :func:`provenance.scoring.gazetteer.search`).
    Among places of the same name the most populous is chosen and the others are listed in
    ``alternatives`` so the ambiguity stays visible.

    Raises
    ------
    PlaceNotFoundError
        When the gazetteer has no such place.
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError(f"place name must be a non-empty string (got {name!r})")
    found = _candidates(name.strip())
    if not found:
        raise PlaceNotFoundError(
            f"place {name!r} is not in the offline gazetteer (GeoNames places of 1,000+ people); "
            "give coordinates as (lat, lon) instead"
        )
    # One city can appear twice through alternate names.
    unique = list({c["geonameid"]: c for c in found}.values())
    best = unique[0]
    return Place(
        name=best["name"],
        lat=float(best["latitude"]),
        lon=float(best["longitude"]),
        country=best["countrycode"],
        population=int(best.get("population") or 0),
        timezone=best.get("timezone") or "",
        alternatives=tuple(f"{c['name']}, {c['countrycode']}" for c in unique[1:6]),
        source=f"geonames:{best['geonameid']}",
    )


#: Most namesakes a claim keeps as candidates (the gazetteer lists up to ~40 for a common name).
MAX_CANDIDATES = 60


def resolve_candidates(name: str) -> tuple[Place, ...]:
    """Every place a name can stand for, most populous first (the first is :func:`resolve_place`'s choice).

    A claim about an ambiguous name is judged against all of them: it is excluded only when
    every candidate is (issue 12: Alexandria VA is not Alexandria, Egypt).

    Raises
    ------
    PlaceNotFoundError
        When the gazetteer has no such place.
    """
    first = resolve_place(name)
    unique = list({c["geonameid"]: c for c in _candidates(name.strip())}.values())[:MAX_CANDIDATES]
    out = [first]
    for c in unique[1:]:
        out.append(Place(name=c["name"], lat=float(c["latitude"]), lon=float(c["longitude"]),
                         country=c["countrycode"], population=int(c.get("population") or 0),
                         timezone=c.get("timezone") or "", alternatives=(), source=f"geonames:{c['geonameid']}"))
    return tuple(out)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance [km] between two WGS84 points [deg] on a mean-radius sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
