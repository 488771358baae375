"""Error models: how far each kind of reading can be off, and how often it is unrelated to the filming.

Every reading the scorer uses (a device clock, a GPS fix, a telemetry track, an index
record, a known-footage match, a shadow, an on-screen clock) has two parts of error:

- a **core** distribution around the true value with a documented scale (a clock drifts a
  few minutes; a GPS fix scatters by its horizontal accuracy), and
- a probability ``p_unrelated`` that the reading has nothing to do with the filming at all
  (a clock that was never set or was edited, a re-encoder's time, a stale or forged fix, a
  wrong match, a mis-measured shadow).

An item *excludes* a claim only when the claim lies outside the core's tail bounds
(:data:`TIME_TAIL_K` or :data:`PLACE_TAIL_K` scales, where the core's tail probability is
below 1e-4); how much that exclusion is worth is ``1 - p_unrelated``, combined across
independent origins by :func:`p_all_unrelated`.

Origins (independence groups) are named by :func:`origin_class`: readings the file carries
about itself (its clock, its GPS, a burned-in clock) are ``"file"``; index records, matched
sources and human observers are ``"independent"``. The graded verdict keeps them apart
(``docs/guide.md`` lists what can reach each grade).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CLOCK_CAMERA",
    "CLOCK_SUSPECT_DEFAULT",
    "CLOCK_UNKNOWN",
    "CLOCK_UNKNOWN_REENCODED",
    "CLOCK_WRITER",
    "C2PA_SIGNED",
    "C2PA_UNVERIFIED",
    "ErrorModel",
    "GPS_FIX",
    "GPS_FIX_TIME",
    "GPS_TRACK_TIME",
    "INDEX_FILMED",
    "INDEX_PLACE",
    "INDEX_PUBLISHED",
    "MATCH_STRONG",
    "MATCH_WEAK",
    "ONSCREEN_CLOCK",
    "P_CONTRADICT_FILE",
    "P_CONTRADICT_INDEPENDENT",
    "PLACE_TAIL_K",
    "SHADOW",
    "TELEMETRY_TRACK",
    "TIME_TAIL_K",
    "combine_unrelated",
    "origin_class",
    "p_all_unrelated",
]

Core = Literal["gaussian", "uniform", "rayleigh"]

#: Tail bound of a Gaussian time core [scales]: P(|x| > 4 sigma) = 6e-5.
TIME_TAIL_K = 4.0
#: Tail bound of a Rayleigh (2-D Gaussian) place core [scales]: P(r > 4.3 sigma) = exp(-4.3^2/2) = 1e-4.
PLACE_TAIL_K = 4.3

#: A claim is "contradicted by independent evidence" when the independent origins that
#: exclude it are all unrelated to the filming with probability at most this. One strong,
#: time-resolved match with its index record (0.03) reaches it; one shadow (0.25), one weak
#: match (0.30) or an on-screen clock never do alone.
P_CONTRADICT_INDEPENDENT = 0.05
#: A claim is "contradicted by the file's own metadata" when the file's own origins that
#: exclude it are unrelated with probability at most this: a camera original's clock or GPS
#: (0.05) reaches it; an export, re-encode or mux time never does (it is an upper bound only),
#: nor does a clock of an unknown writer that shows re-encode signs.
P_CONTRADICT_FILE = 0.10


@dataclass(frozen=True)
class ErrorModel:
    """How one kind of reading errs.

    Attributes
    ----------
    name : str
        Constant name, quoted in evidence (``"CLOCK_CAMERA"``).
    core : str
        ``"gaussian"`` (time, scale = sigma [s]), ``"rayleigh"`` (place, scale = 1-sigma per
        axis [km]) or ``"uniform"`` (scale = half-width).
    scale : float
        Core scale [s for time, km for place].
    p_unrelated : float
        Probability that the reading is unrelated to the filming (unset clock, edit,
        re-encoder, stale fix, wrong match), in [0, 1).
    basis : str
        The source or measurement that set the numbers.
    """

    name: str
    core: Core
    scale: float
    p_unrelated: float
    basis: str

    @property
    def reliability(self) -> float:
        """Probability that the core applies: ``1 - p_unrelated``."""
        return 1.0 - self.p_unrelated

    def tail(self, scale: float | None = None) -> float:
        """Half-width beyond which the core excludes a value [s or km].

        Parameters
        ----------
        scale : float, optional
            A per-reading scale (a fix's own accuracy) replacing :attr:`scale`.
        """
        s = self.scale if scale is None else scale
        if self.core == "uniform":
            return s
        return s * (PLACE_TAIL_K if self.core == "rayleigh" else TIME_TAIL_K)

    def with_p(self, p_unrelated: float, name: str | None = None) -> ErrorModel:
        """The same core with another ``p_unrelated`` (a check raised or lowered the doubt)."""
        return ErrorModel(name or self.name, self.core, self.scale, min(max(p_unrelated, 0.0), 1.0), self.basis)


# --------------------------------------------------------------------------- device clocks
#: A camera original's clock (writer "camera"). Phone clocks are network-set (NITZ/NTP, within
#: a second); standalone cameras drift about 1-2 min a month (quartz, ~20-50 ppm). Sigma 150 s
#: covers a few months of drift; zone-less cameras get the zone span on top. 5% unrelated:
#: clocks never set after a battery change and edited tags (an assumed prior, not measured:
#: the corpus has too few wrong clocks to measure it; the calibration benchmark's adversarial
#: cases check that the grades stay safe with it).
CLOCK_CAMERA = ErrorModel("CLOCK_CAMERA", "gaussian", 150.0, 0.05,
                          "quartz drift 20-50 ppm (crystal datasheets); 5% wrong clocks: assumed prior")
#: A clock of a file whose writer is unknown and shows no re-encode sign: as a camera, but
#: with more doubt (some of these are exports whose writer was not recognised).
CLOCK_UNKNOWN = ErrorModel("CLOCK_UNKNOWN", "gaussian", 150.0, 0.08,
                           "as CLOCK_CAMERA plus ~3% unrecognised exports: assumed prior")
#: A clock of an unknown writer with re-encode signs (a Lavf encoder tag, an export, mux or
#: file-written meaning): read as an upper bound only, and doubted more.
CLOCK_UNKNOWN_REENCODED = ErrorModel("CLOCK_UNKNOWN_REENCODED", "gaussian", 150.0, 0.20,
                                     "re-encoders stamp the encode time; only bounds the filming from above")
#: A time written by an editor, platform or transcoder: the write time, an upper bound only.
#: 5% unrelated: the writer's own clock can be wrong too.
CLOCK_WRITER = ErrorModel("CLOCK_WRITER", "gaussian", 150.0, 0.05,
                          "export/re-encode/mux times are write times (issue 12 verifier cases)")
#: A reading that looks like a clock reset (1 January, 00:00-06:00): kept, but it can neither
#: contradict nor count as strong support (a real New Year's reading exists; so do defaults
#: that ran for two hours).
CLOCK_SUSPECT_DEFAULT = ErrorModel("CLOCK_SUSPECT_DEFAULT", "gaussian", 150.0, 0.50,
                                   "reset clocks restart at 1 January 00:00 and run on")
#: An on-screen (burned-in) clock read by OCR: the recorder's clock (dashcams and CCTV are
#: often never set, run on the wrong zone or lag DST) and OCR misreads. One minute sigma,
#: 15% unrelated; it is the file's own evidence, never independent.
ONSCREEN_CLOCK = ErrorModel("ONSCREEN_CLOCK", "gaussian", 60.0, 0.15,
                            "assumed prior: CCTV/dashcam clocks are often unset; OCR digit errors")

# --------------------------------------------------------------------------- GPS
#: A GPS fix: Rayleigh core with the device's 1-sigma horizontal accuracy (default 30 m when the
#: file gives none: open-sky phone GNSS is 5-10 m, urban 20-50 m; the number of printed decimals
#: is *not* an accuracy). 3% unrelated: stale fixes (the last fix reused far away) and forged tags.
GPS_FIX = ErrorModel("GPS_FIX", "rayleigh", 0.030, 0.03,
                     "GPS.gov SPS performance: <= 7.8 m 95%; urban phone fixes 20-50 m")
#: A telemetry track (GoPro GPMF, DJI SRT): the region swept by its samples, each with a
#: 10 m sigma (drone GNSS modules are 1.5-5 m horizontal; 10 m covers multipath at low altitude).
TELEMETRY_TRACK = ErrorModel("TELEMETRY_TRACK", "rayleigh", 0.010, 0.03,
                             "DJI/GoPro GNSS spec 1.5-5 m; sample-by-sample track")
#: GPS time from a telemetry track (sample by sample, from the satellites): 2 s sigma for
#: sample alignment with the media time; 3% unrelated as for the fix.
GPS_TRACK_TIME = ErrorModel("GPS_TRACK_TIME", "gaussian", 2.0, 0.03, "GNSS time is exact; sample alignment ~1 s")
#: A stored GPS fix time (EXIF GPSTimeStamp): tight from below; from above the fix can be a
#: day old (phones reuse the last fix), handled as a one-sided bound.
GPS_FIX_TIME = ErrorModel("GPS_FIX_TIME", "gaussian", 10.0, 0.05,
                          "EXIF GPS stamps: seconds from the satellites, fix can be reused")

# --------------------------------------------------------------------------- index and matches
#: A strong, time-resolved match (score >= MATCH_THRESHOLD): the matching benchmark's held-out
#: false-positive rate is 0.006 (docs/matching.md), all static scenes; 2% leaves room for
#: footage unlike the benchmark's.
MATCH_STRONG = ErrorModel("MATCH_STRONG", "uniform", 0.0, 0.02, "docs/matching.md: FPR 0.006 at threshold 0.65")
#: A match below the threshold (or a scene-only match for time): 30% wrong (the peers' FPR at
#: comparable recall, docs/matching.md). All weak matches share one group: they fail together.
MATCH_WEAK = ErrorModel("MATCH_WEAK", "uniform", 0.0, 0.30, "docs/matching.md: FPR 0.304 for peers below threshold")
#: An index record's first-publication time: archived pages are rarely wrong (1%); the bound is
#: the instant, or the end of the day anywhere on Earth for a date.
INDEX_PUBLISHED = ErrorModel("INDEX_PUBLISHED", "uniform", 0.0, 0.01, "assumed prior for a curated index")
#: An index record's filming time: the investigator's estimate (3% wrong), 5 min slack.
INDEX_FILMED = ErrorModel("INDEX_FILMED", "gaussian", 75.0, 0.03, "assumed prior for a curated index")
#: An index record's filming place: a geolocation (3% wrong), within its stated radius.
INDEX_PLACE = ErrorModel("INDEX_PLACE", "uniform", 1.0, 0.03, "assumed prior for a curated index")

# --------------------------------------------------------------------------- observers
#: A shadow measured by one observer: sloping ground, a leaning object, a misidentified tip
#: or a mirrored frame. 25% unrelated (an assumed prior chosen above P_CONTRADICT_INDEPENDENT
#: and P_CONTRADICT_FILE on purpose: issue 12 requires that a single shadow never contradicts alone).
SHADOW = ErrorModel("SHADOW", "uniform", 0.0, 0.25, "assumed prior; issue 12: one shadow never contradicts alone")

# --------------------------------------------------------------------------- C2PA
#: A C2PA capture assertion whose signature validated: signed by the capture device.
C2PA_SIGNED = ErrorModel("C2PA_SIGNED", "gaussian", 60.0, 0.05, "C2PA 2.1 capture assertions, validated")
#: A C2PA assertion that did not validate.
C2PA_UNVERIFIED = ErrorModel("C2PA_UNVERIFIED", "gaussian", 60.0, 0.50, "C2PA manifest failed validation")

#: Evidence kinds that are the file's own readings (its clock, its GPS, its signed manifest,
#: a clock burned into its pictures).
_FILE_KINDS = frozenset({"metadata_time", "gps_time", "gps_fix", "telemetry", "c2pa_time", "c2pa_place",
                         "onscreen_clock", "onscreen_text"})


def origin_class(kind: str) -> Literal["file", "independent"]:
    """``"file"`` for the file's own readings, ``"independent"`` for index records, matches and observers."""
    return "file" if kind in _FILE_KINDS else "independent"


def combine_unrelated(*ps: float) -> float:
    """Probability that a reading is unrelated when any of independent failure causes can make it so."""
    keep = 1.0
    for p in ps:
        keep *= 1.0 - p
    return 1.0 - keep


def p_all_unrelated(p_by_group: dict[str, float]) -> float:
    """Probability that every independent group is unrelated to the filming (1.0 for none)."""
    out = 1.0
    for p in p_by_group.values():
        out *= p
    return out


def rayleigh_tail_k(p: float) -> float:
    """Radius [sigmas] beyond which a 2-D Gaussian has tail probability ``p``."""
    return math.sqrt(-2.0 * math.log(p))


#: A match covering at least this share of the video speaks about the whole video; a shorter
#: one (3 s of archive in a 12 s compilation) speaks only about the part it covers and never
#: bounds or contradicts a claim about the video.
FULL_COVERAGE = 0.8
