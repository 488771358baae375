"""A compact offline gazetteer: GeoNames populated places of 1,000+ people, shipped as package data.

The table (``provenance/data/gazetteer.npz``, built by ``tools/build_gazetteer.py``) holds every
GeoNames place of 1,000 or more people (``cities1000``, which also keeps the seats of small
divisions) with its Latin and Cyrillic alternate names, country,
first-level administrative division (state, oblast, region), coordinates, population and time zone.
It is loaded lazily on the first query (numpy arrays, no pickle) and answers:

- :func:`lookup` — every place carrying a name, most populous first (namesakes stay visible);
- :func:`search` — a name with qualifiers, as people write them: ``"Paris, TX"``,
  ``"Kirovsk, Luhansk Oblast"``, ``"Springfield IL"``, ``"Alexandria, Virginia, US"``;
- :func:`nearest` and :func:`within` — places around a point, for map context.

Names are compared folded (:func:`fold_name`): case-folded, diacritics and apostrophes removed,
hyphens read as spaces. Cyrillic stays Cyrillic, so ``"Гродно"``, ``"Grodno"`` and ``"Hrodna"``
all find the same city.

Data: GeoNames (https://www.geonames.org), CC BY 4.0; see ``provenance/data/gazetteer.README.md``.
"""

from __future__ import annotations

import io
import json
import math
import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import cached_property, lru_cache
from importlib import resources
from numbers import Integral, Real
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, ToolError, ToolNotFoundError

__all__ = [
    "DATA_FILE",
    "GazetteerPlace",
    "NearbyPlace",
    "PlaceQuery",
    "fold_name",
    "lookup",
    "nearest",
    "parse_query",
    "populous",
    "search",
    "stats",
    "within",
]

#: Name of the package-data file, inside ``provenance/data/``.
DATA_FILE = "gazetteer.npz"
#: Format version written by ``tools/build_gazetteer.py``; a mismatch means a stale data file.
FORMAT_VERSION = 2
#: Coordinates are stored as integers of 1e-5 deg, the precision GeoNames publishes (about 1 m).
COORD_SCALE = 1e5
EARTH_RADIUS_KM = 6371.0088
#: A qualifier that names a town (``"Kirovsk, Luhansk"``) accepts candidates in that town's
#: first-level division or within this distance of it [km]: about the radius of a large oblast,
#: so a town and the regional capital it is named after stay together.
QUALIFIER_PLACE_RADIUS_KM = 150.0
#: A qualifier that is also a country or division name is read as a town only if that town has this many
#: people: the regional capitals that lend their names to oblasts and states.
QUALIFIER_CITY_POPULATION = 100_000
#: In a qualified search, a place found through an alternate name ranks as if it had this share of its
#: people: primary names first unless the alternate-name place is more than ten times larger.
ALTERNATE_NAME_WEIGHT = 0.1

_APOSTROPHES = dict.fromkeys(map(ord, "'`\u2018\u2019\u02bc\u02b9\u02bb\u00b4\u2032\u02ee\u055a\"\u201c\u201d"), None)
_STROKES = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ħ": "h", "ŧ": "t", "ƶ": "z"})
_SEPARATORS = dict.fromkeys(map(ord, "-\u2010\u2011\u2012\u2013\u2014_./"), " ")


def fold_name(text: str) -> str:
    """Fold a place name for lookup.

    Case-folds, removes diacritics (``"Łódź"`` -> ``"lodz"``, ``"Київ"`` -> ``"киів"``), drops
    apostrophes (``"Pervomays'k"`` -> ``"pervomaysk"``), reads hyphens, dots and slashes as spaces and
    collapses white space. Scripts are kept: Cyrillic stays Cyrillic.

    Parameters
    ----------
    text : str
        A place name in any script.

    Returns
    -------
    str
        The folded key (may be empty).

    Examples
    --------
    >>> fold_name("Rostov-na-Donu")
    'rostov na donu'
    >>> fold_name("Гродно") == fold_name("ГРОДНО")
    True
    """
    # Letters with a stroke (Polish, Croatian, Danish) have no decomposition; fold them by hand.
    # Compatibility caseless form (Unicode D146), so "𝕬", "Ａ" and "A" fold alike.
    norm = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text.casefold()).casefold())
    norm = norm.translate(_STROKES)
    norm = "".join(ch for ch in norm if not unicodedata.combining(ch))
    norm = norm.translate(_APOSTROPHES).translate(_SEPARATORS)
    return " ".join(norm.split())


@dataclass(frozen=True)
class GazetteerPlace:
    """One populated place of the gazetteer.

    Attributes
    ----------
    geonameid : int
        GeoNames id (``https://www.geonames.org/<id>``).
    name : str
        GeoNames name (the local name in Latin script, e.g. ``"Hrodna"``).
    ascii_name : str
        ``name`` without diacritics.
    country : str
        ISO 3166-1 alpha-2 code.
    country_name : str
        English country name.
    admin1_code : str
        GeoNames first-level division code (US: the state's postal code, e.g. ``"TX"``); ``""`` if none.
    admin1_name : str
        Name of that division (``"Texas"``, ``"Luhansk"``); ``""`` where the source gives none.
    lat, lon : float
        [deg], WGS84.
    population : int
        People, per GeoNames; 0 where GeoNames has no figure (seats of small divisions).
    timezone : str
        IANA zone assigned by GeoNames (``""`` if none).
    feature_class : str
        GeoNames feature class: always ``"P"`` (populated place) in this table.
    """

    geonameid: int
    name: str
    ascii_name: str
    country: str
    country_name: str
    admin1_code: str
    admin1_name: str
    lat: float
    lon: float
    population: int
    timezone: str
    feature_class: str = "P"

    @property
    def label(self) -> str:
        """``"Name, Admin1, CC"`` — enough to tell namesakes apart."""
        parts = [self.name]
        if self.admin1_name and fold_name(self.admin1_name) != fold_name(self.name):
            parts.append(self.admin1_name)
        parts.append(self.country)
        return ", ".join(parts)

    @property
    def source(self) -> str:
        """``"geonames:<id>"``."""
        return f"geonames:{self.geonameid}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_record(self) -> dict[str, Any]:
        """The place in GeoNames' own field names (``geonameid``, ``countrycode``, ``latitude``...)."""
        return {
            "geonameid": self.geonameid, "name": self.name, "asciiname": self.ascii_name,
            "countrycode": self.country, "admin1code": self.admin1_code, "admin1name": self.admin1_name,
            "latitude": self.lat, "longitude": self.lon, "population": self.population,
            "timezone": self.timezone, "featureclass": self.feature_class,
        }


@dataclass(frozen=True)
class NearbyPlace:
    """A gazetteer place and its great-circle distance [km] from a query point."""

    place: GazetteerPlace
    distance_km: float

    def to_dict(self) -> dict[str, Any]:
        return {"place": self.place.to_dict(), "distance_km": self.distance_km}


@dataclass(frozen=True)
class PlaceQuery:
    """A place name split from its qualifiers: ``"Paris, TX"`` -> name ``"Paris"``, qualifiers ``("TX",)``."""

    name: str
    qualifiers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "qualifiers": list(self.qualifiers)}


# ---------------------------------------------------------------- the table


class _Table:
    """The loaded arrays; rows are sorted by population, most populous first.

    Name keys and place names stay one UTF-8 blob each, searched and sliced in place: splitting
    600,000 keys into Python strings would double the load time.
    """

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise ToolError(f"gazetteer data has format {meta.get('format')!r}, expected {FORMAT_VERSION}; "
                            "rebuild it with tools/build_gazetteer.py")
        self.meta: dict[str, Any] = meta
        self.geonameid = arrays["geonameid"]
        self.lat = arrays["lat"].astype(np.float64) / COORD_SCALE
        self.lon = arrays["lon"].astype(np.float64) / COORD_SCALE
        self.population = arrays["population"]
        self.country = arrays["country"]
        self.admin1 = arrays["admin1"]
        self.tz = arrays["tz"]
        self.text_blob, self.text_starts = _blob_index(arrays["text"])
        self.key_blob, self.key_starts = _blob_index(arrays["keys"])
        # Posting counts per key are stored (small integers compress well); offsets are their running sum.
        self.key_offsets = np.concatenate(([0], np.cumsum(arrays["key_counts"], dtype=np.int64)))
        self.postings = arrays["postings"]
        self.countries = [line.split("\t") for line in _lines(arrays["countries"])]
        self.admins = [line.split("\t") for line in _lines(arrays["admins"])]
        self.timezones = _lines(arrays["timezones"])
        self.n_keys = len(self.key_starts) - 1
        n = len(self.geonameid)
        sizes = {len(self.lat), len(self.lon), len(self.population), len(self.country), len(self.admin1),
                 len(self.tz), len(self.text_starts) - 1}
        if (sizes != {n} or len(self.key_offsets) != self.n_keys + 1 or self.key_offsets[-1] != len(self.postings)
                or (len(self.postings) and not 0 <= int(self.postings.min()) <= int(self.postings.max()) < n)):
            raise ToolError("gazetteer data is inconsistent (column lengths differ); rebuild it with "
                            "tools/build_gazetteer.py")
        self._coslat = np.cos(np.radians(self.lat))

    @cached_property
    def admin_by_key(self) -> dict[str, set[int]]:
        """Folded division names and letter codes -> indices into ``admins``."""
        out: dict[str, set[int]] = {}
        for i, (_cc, code, name, ascii_name) in enumerate(self.admins):
            for key in {*_variants(name), *_variants(ascii_name)}:
                out.setdefault(key, set()).add(i)
            if code.isalpha():  # US states and a few others use letter codes ("TX"); numbers mean nothing
                out.setdefault(fold_name(code), set()).add(i)
        out.pop("", None)
        return out

    @cached_property
    def country_by_key(self) -> dict[str, set[int]]:
        """Folded country codes, names and aliases -> indices into ``countries``."""
        out: dict[str, set[int]] = {}
        for i, fields in enumerate(self.countries):  # code, ISO3 code, English name, aliases...
            for alias in fields:
                out.setdefault(fold_name(alias), set()).add(i)
        out.pop("", None)
        return out

    def rows(self, key: str) -> np.ndarray:
        """Rows carrying a folded name key, most populous first."""
        target = key.encode("utf-8")
        blob, starts = self.key_blob, self.key_starts
        lo, hi = 0, self.n_keys
        while lo < hi:  # keys are sorted by code point, which is UTF-8 byte order
            mid = (lo + hi) // 2
            if blob[starts[mid]:starts[mid + 1] - 1] < target:
                lo = mid + 1
            else:
                hi = mid
        if lo < self.n_keys and blob[starts[lo]:starts[lo + 1] - 1] == target:
            return self.postings[self.key_offsets[lo]:self.key_offsets[lo + 1]]
        return self.postings[:0]

    def place(self, row: int) -> GazetteerPlace:
        line = self.text_blob[self.text_starts[row]:self.text_starts[row + 1] - 1].decode("utf-8")
        name, ascii_name = line.split("\t")
        cc = self.countries[int(self.country[row])]
        a = int(self.admin1[row])
        admin = self.admins[a] if a >= 0 else ["", "", "", ""]
        return GazetteerPlace(
            geonameid=int(self.geonameid[row]), name=name, ascii_name=ascii_name, country=cc[0],
            country_name=cc[2] if len(cc) > 2 else "", admin1_code=admin[1], admin1_name=admin[2],
            lat=float(self.lat[row]), lon=float(self.lon[row]), population=int(self.population[row]),
            timezone=self.timezones[int(self.tz[row])],
        )

    def distances_km(self, lat: float, lon: float, rows: np.ndarray | None = None) -> np.ndarray:
        la = self.lat if rows is None else self.lat[rows]
        lo = self.lon if rows is None else self.lon[rows]
        cl = self._coslat if rows is None else self._coslat[rows]
        p = math.radians(lat)
        a = np.sin(np.radians(la - lat) / 2) ** 2 + math.cos(p) * cl * np.sin(np.radians(lo - lon) / 2) ** 2
        out: np.ndarray = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        return out


def _blob_index(blob: np.ndarray) -> tuple[bytes, np.ndarray]:
    """A newline-separated blob and the start of each line (plus one past the end)."""
    ends = np.flatnonzero(blob == 10)
    starts = np.concatenate(([0], ends + 1, [len(blob) + 1])) if len(blob) else np.zeros(1, dtype=np.int64)
    return blob.tobytes(), starts


def _lines(blob: np.ndarray) -> list[str]:
    text = blob.tobytes().decode("utf-8")
    return text.split("\n") if text else []


@lru_cache(maxsize=1)
def _table() -> _Table:
    ref = resources.files("provenance").joinpath("data", DATA_FILE)
    try:
        raw = ref.read_bytes()
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise ToolNotFoundError(f"the gazetteer data file provenance/data/{DATA_FILE} is missing; reinstall the "
                                "package or build it with tools/build_gazetteer.py", path=str(ref)) from exc
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        return _Table(arrays)
    except (ValueError, KeyError, OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ToolError(f"the gazetteer data file provenance/data/{DATA_FILE} is unreadable ({exc}); reinstall "
                        "the package or rebuild it with tools/build_gazetteer.py", path=str(ref)) from exc


# ---------------------------------------------------------------- queries


def _check_name(name: object, what: str = "place name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError(f"{what} must be a non-empty string (got {name!r})")
    return name


def lookup(name: str) -> list[GazetteerPlace]:
    """Every place whose name or alternate name is ``name``, most populous first.

    Parameters
    ----------
    name : str
        A place name in Latin or Cyrillic script; compared folded (:func:`fold_name`).

    Returns
    -------
    list of GazetteerPlace
        All namesakes (empty if none), most populous first.

    Examples
    --------
    >>> [p.country for p in lookup("Гродно")][:1]
    ['BY']
    """
    table = _table()
    return [table.place(int(r)) for r in table.rows(fold_name(_check_name(name)))]


def parse_query(text: str) -> PlaceQuery:
    """Split a place query at its commas: ``"Alexandria, Virginia, US"`` -> ``("Alexandria", ("Virginia", "US"))``.

    A query without commas (``"Springfield IL"``) is returned whole; :func:`search` tries its
    trailing words as qualifiers when the whole text is not a known name.
    """
    parts = [p.strip() for p in _check_name(text, "place query").split(",")]
    parts = [p for p in parts if p]
    if not parts:
        raise InvalidArgumentError(f"place query has no name (got {text!r})")
    return PlaceQuery(parts[0], tuple(parts[1:]))


def search(text: str) -> list[GazetteerPlace]:
    """Places matching a name with optional qualifiers, most populous first.

    Each qualifier may be a country (ISO code or name: ``"US"``, ``"Ukraine"``), a first-level
    division (name or letter code: ``"Virginia"``, ``"VA"``, ``"Luhansk Oblast"``) or a nearby town
    (``"Kirovsk, Luhansk"``). A qualifier that could mean several things (``"IL"``: Illinois or
    Israel) keeps the candidates of every meaning. A candidate must satisfy every qualifier.
    A qualifier that names nothing known (a misspelt or unlisted region) is ignored, so every
    namesake stays a candidate. Without commas, trailing words are tried as qualifiers when the
    whole text is no known name (``"Springfield IL"``).

    Parameters
    ----------
    text : str
        The query.

    Returns
    -------
    list of GazetteerPlace
        Matching places (empty if none), most populous first; with qualifiers, a place whose own name
        matches ranks before one matched through an alternate name unless the latter is more than
        ten times larger (:data:`ALTERNATE_NAME_WEIGHT`).
    """
    table = _table()
    query = parse_query(text)
    if query.qualifiers:
        return _filtered(table, query.name, query.qualifiers)
    rows = table.rows(fold_name(query.name))
    if len(rows):
        return [table.place(int(r)) for r in rows]
    words = query.name.split()
    for cut in range(len(words) - 1, 0, -1):  # longest name first: "New York NY" -> "New York" + "NY"
        found = _filtered(table, " ".join(words[:cut]), (" ".join(words[cut:]),))
        if found:
            return found
    return []


def _filtered(table: _Table, name: str, qualifiers: tuple[str, ...]) -> list[GazetteerPlace]:
    key = fold_name(name)
    rows = table.rows(key)
    for q in qualifiers:
        if not len(rows):
            break
        rows = rows[_qualifier_mask(table, rows, q)]
    places = [table.place(int(r)) for r in rows]
    # Within a named region, a town's own name outweighs another town's alternate name (Farmville,
    # Virginia is Farmville, not a larger town once called so); the weight still lets an exonym of a
    # city win over a village ("Kiev, UA").
    weight = {p.geonameid: p.population * (1.0 if key in (fold_name(p.name), fold_name(p.ascii_name))
                                           else ALTERNATE_NAME_WEIGHT) for p in places}
    return sorted(places, key=lambda p: -weight[p.geonameid])


def _qualifier_mask(table: _Table, rows: np.ndarray, qualifier: str) -> np.ndarray:
    """Which candidate rows a qualifier accepts (country, division, or else a nearby town)."""
    keys = _variants(qualifier)
    countries = set().union(*(table.country_by_key.get(k, set()) for k in keys))
    admins = set().union(*(table.admin_by_key.get(k, set()) for k in keys))
    mask = np.zeros(len(rows), dtype=bool)
    if countries:
        mask |= np.isin(table.country[rows], np.fromiter(countries, dtype=np.int64))
    if admins:
        mask |= np.isin(table.admin1[rows], np.fromiter(admins, dtype=np.int64))
    if mask.any():
        return mask
    # A town named as qualifier: candidates in its division; failing that, near it in its country.
    refs = np.unique(np.concatenate([table.rows(k)[:50] for k in keys]))
    if countries or admins:
        # Read as a country or division that holds no candidate: only a large city can still stand for its
        # region ("Korolev, Moscow Oblast"); a small town of that name would mislead ("Springfield, Nevada").
        refs = refs[table.population[refs] >= QUALIFIER_CITY_POPULATION]
    if not len(refs):
        # Names nothing known (a misspelt region): it cannot choose, so it keeps every candidate.
        return mask if countries or admins else np.ones(len(rows), dtype=bool)
    near = np.zeros(len(rows), dtype=bool)
    for ref in refs:
        same_country = table.country[rows] == table.country[ref]
        if table.admin1[ref] >= 0:
            mask |= same_country & (table.admin1[rows] == table.admin1[ref])
        dist = table.distances_km(float(table.lat[ref]), float(table.lon[ref]), rows)
        near |= same_country & (dist <= QUALIFIER_PLACE_RADIUS_KM)
    return mask if mask.any() else near


# Words that name the kind of division, not the division ("Luhansk Oblast", "Republic of Karelia").
_DIVISION_WORDS = frozenset(fold_name(w) for w in (
    "oblast", "oblast'", "obl", "voblast", "voblasts", "region", "province", "state", "krai", "kray", "territory",
    "republic", "respublika", "republic of", "governorate", "county", "prefecture", "voivodeship", "district",
    "okrug", "autonomous okrug", "autonomous republic", "raion", "rayon", "canton", "department", "land",
    "область", "обл", "край", "республика", "республіка", "регион", "вобласць", "округ", "район",
))
_ADJ_SUFFIXES = (("skaya", "sk"), ("skiy", "sk"), ("skyi", "sk"), ("skyy", "sk"), ("skii", "sk"), ("ska", "sk"),
                 ("ская", "ск"), ("ский", "ск"), ("ська", "ськ"), ("ський", "ськ"), ("ская", "ск"))
_WORD = re.compile(r"\S+")


def _variants(text: str) -> list[str]:
    """Folded forms of a qualifier: as given, without division words, and with an adjective stemmed."""
    key = fold_name(text)
    out = [key]
    words = [w for w in _WORD.findall(key) if w not in _DIVISION_WORDS]
    if key.startswith("republic of "):
        words = key.split()[2:]
    core = " ".join(words)
    if core and core != key:
        out.append(core)
    for suffix, repl in _ADJ_SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix) + 2:
            out.append(core[: -len(suffix)] + fold_name(repl))
            break
    return out


def nearest(lat: float, lon: float, k: int = 5, *, min_population: int = 0) -> list[NearbyPlace]:
    """The ``k`` places nearest to a point, nearest first.

    Parameters
    ----------
    lat, lon : float
        [deg], WGS84.
    k : int
        How many places.
    min_population : int
        Ignore smaller places (people).
    """
    table = _table()
    _check_point(lat, lon)
    if not isinstance(k, Integral) or isinstance(k, bool) or k < 1:
        raise InvalidArgumentError(f"k must be a positive integer (got {k!r})")
    rows = _population_rows(table, min_population)
    d = table.distances_km(lat, lon, rows)
    take = np.argsort(d, kind="stable")[:k]
    return [NearbyPlace(table.place(int(rows[i])), float(d[i])) for i in take]


def within(lat: float, lon: float, radius_km: float, *, min_population: int = 0) -> list[NearbyPlace]:
    """Places within ``radius_km`` of a point, nearest first.

    Parameters
    ----------
    lat, lon : float
        [deg], WGS84.
    radius_km : float
        [km], great-circle distance.
    min_population : int
        Ignore smaller places (people).
    """
    table = _table()
    _check_point(lat, lon)
    if not isinstance(radius_km, Real) or not math.isfinite(radius_km) or radius_km < 0:
        raise InvalidArgumentError(f"radius_km must be a finite number >= 0 (got {radius_km!r})")
    rows = _population_rows(table, min_population)
    d = table.distances_km(lat, lon, rows)
    hit = np.flatnonzero(d <= radius_km)
    hit = hit[np.argsort(d[hit], kind="stable")]
    return [NearbyPlace(table.place(int(rows[i])), float(d[i])) for i in hit]


def populous(min_population: int) -> list[GazetteerPlace]:
    """Every place of at least ``min_population`` people, most populous first."""
    table = _table()
    return [table.place(int(r)) for r in _population_rows(table, min_population)]


def _population_rows(table: _Table, min_population: int) -> np.ndarray:
    if not isinstance(min_population, Integral) or isinstance(min_population, bool) or min_population < 0:
        raise InvalidArgumentError(f"min_population must be an integer >= 0 (got {min_population!r})")
    # Rows are sorted by population, descending: the places above a bound are a prefix.
    count = int(np.searchsorted(-table.population, -min_population, side="right"))
    return np.arange(count)


def _check_point(lat: float, lon: float) -> None:
    for value, bound, what in ((lat, 90.0, "lat"), (lon, 180.0, "lon")):
        if not isinstance(value, Real) or isinstance(value, bool) or not math.isfinite(value) or abs(value) > bound:
            raise InvalidArgumentError(f"{what} must be a number in [-{bound:g}, {bound:g}] deg (got {value!r})")


def stats() -> dict[str, Any]:
    """Counts and provenance of the loaded table (places, names, sources, licence)."""
    table = _table()
    return {**table.meta, "places": len(table.geonameid), "names": table.n_keys}
