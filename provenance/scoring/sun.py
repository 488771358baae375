"""Solar position: the NREL Solar Position Algorithm (SPA), in pure numpy.

This module implements the algorithm of Reda & Andreas, *Solar Position Algorithm for
Solar Radiation Applications*, NREL/TP-560-34302 (2003, revised 2008), with the full
periodic-term tables of the VSOP87-based heliocentric longitude, latitude and radius
(Table A4.2) and the 63-term nutation series (Table A4.3). The quoted uncertainty of the
algorithm is +/-0.0003 deg over the years -2000 to 6000; in practice the error budget is
dominated by delta-T (the difference between terrestrial time and UT) and by refraction
near the horizon.

Two entry points:

- :func:`sun_position` takes timezone-aware datetimes and returns a :class:`SunPosition`.
- :func:`solar_position_arrays` takes Unix seconds and broadcasts over latitude and
  longitude arrays, for grid searches. The time-only part of the algorithm (the
  expensive series) is evaluated once per distinct time, not once per grid point.

Conventions: elevation and zenith are topocentric and include atmospheric refraction
(as SPA does: refraction is applied only when the sun is above -0.8334 deg);
azimuth is measured clockwise from north in [0, 360). Longitude is positive east.
UTC is used in place of UT1 (|UT1 - UTC| < 0.9 s, i.e. < 0.004 deg of sun motion).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import numpy as np

from provenance.errors import InvalidArgumentError

__all__ = [
    "SunPosition",
    "delta_t_espenak_meeus",
    "solar_position_arrays",
    "sun_position",
]

_UNIX_EPOCH_JD = 2440587.5
_J2000 = 2451545.0
_SUN_RADIUS_DEG = 0.26667
_ATMOS_REFRACT_DEG = 0.5667
_EARTH_RADIUS_M = 6378140.0

# ---------------------------------------------------------------------------------------
# Periodic terms, Reda & Andreas (2008), Table A4.2: rows are (A, B, C) and each term is
# A * cos(B + C * JME). Values transcribed from the paper (identical to NREL's spa.c).
# ---------------------------------------------------------------------------------------
_L0 = (
    (175347046, 0, 0),
    (3341656, 4.6692568, 6283.07585),
    (34894, 4.6261, 12566.1517),
    (3497, 2.7441, 5753.3849),
    (3418, 2.8289, 3.5231),
    (3136, 3.6277, 77713.7715),
    (2676, 4.4181, 7860.4194),
    (2343, 6.1352, 3930.2097),
    (1324, 0.7425, 11506.7698),
    (1273, 2.0371, 529.691),
    (1199, 1.1096, 1577.3435),
    (990, 5.233, 5884.927),
    (902, 2.045, 26.298),
    (857, 3.508, 398.149),
    (780, 1.179, 5223.694),
    (753, 2.533, 5507.553),
    (505, 4.583, 18849.228),
    (492, 4.205, 775.523),
    (357, 2.92, 0.067),
    (317, 5.849, 11790.629),
    (284, 1.899, 796.298),
    (271, 0.315, 10977.079),
    (243, 0.345, 5486.778),
    (206, 4.806, 2544.314),
    (205, 1.869, 5573.143),
    (202, 2.458, 6069.777),
    (156, 0.833, 213.299),
    (132, 3.411, 2942.463),
    (126, 1.083, 20.775),
    (115, 0.645, 0.98),
    (103, 0.636, 4694.003),
    (102, 0.976, 15720.839),
    (102, 4.267, 7.114),
    (99, 6.21, 2146.17),
    (98, 0.68, 155.42),
    (86, 5.98, 161000.69),
    (85, 1.3, 6275.96),
    (85, 3.67, 71430.7),
    (80, 1.81, 17260.15),
    (79, 3.04, 12036.46),
    (75, 1.76, 5088.63),
    (74, 3.5, 3154.69),
    (74, 4.68, 801.82),
    (70, 0.83, 9437.76),
    (62, 3.98, 8827.39),
    (61, 1.82, 7084.9),
    (57, 2.78, 6286.6),
    (56, 4.39, 14143.5),
    (56, 3.47, 6279.55),
    (52, 0.19, 12139.55),
    (52, 1.33, 1748.02),
    (51, 0.28, 5856.48),
    (49, 0.49, 1194.45),
    (41, 5.37, 8429.24),
    (41, 2.4, 19651.05),
    (39, 6.17, 10447.39),
    (37, 6.04, 10213.29),
    (37, 2.57, 1059.38),
    (36, 1.71, 2352.87),
    (36, 1.78, 6812.77),
    (33, 0.59, 17789.85),
    (30, 0.44, 83996.85),
    (30, 2.74, 1349.87),
    (25, 3.16, 4690.48),
)
_L1 = (
    (628331966747, 0, 0),
    (206059, 2.678235, 6283.07585),
    (4303, 2.6351, 12566.1517),
    (425, 1.59, 3.523),
    (119, 5.796, 26.298),
    (109, 2.966, 1577.344),
    (93, 2.59, 18849.23),
    (72, 1.14, 529.69),
    (68, 1.87, 398.15),
    (67, 4.41, 5507.55),
    (59, 2.89, 5223.69),
    (56, 2.17, 155.42),
    (45, 0.4, 796.3),
    (36, 0.47, 775.52),
    (29, 2.65, 7.11),
    (21, 5.34, 0.98),
    (19, 1.85, 5486.78),
    (19, 4.97, 213.3),
    (17, 2.99, 6275.96),
    (16, 0.03, 2544.31),
    (16, 1.43, 2146.17),
    (15, 1.21, 10977.08),
    (12, 2.83, 1748.02),
    (12, 3.26, 5088.63),
    (12, 5.27, 1194.45),
    (12, 2.08, 4694),
    (11, 0.77, 553.57),
    (10, 1.3, 6286.6),
    (10, 4.24, 1349.87),
    (9, 2.7, 242.73),
    (9, 5.64, 951.72),
    (8, 5.3, 2352.87),
    (6, 2.65, 9437.76),
    (6, 4.67, 4690.48),
)
_L2 = (
    (52919, 0, 0),
    (8720, 1.0721, 6283.0758),
    (309, 0.867, 12566.152),
    (27, 0.05, 3.52),
    (16, 5.19, 26.3),
    (16, 3.68, 155.42),
    (10, 0.76, 18849.23),
    (9, 2.06, 77713.77),
    (7, 0.83, 775.52),
    (5, 4.66, 1577.34),
    (4, 1.03, 7.11),
    (4, 3.44, 5573.14),
    (3, 5.14, 796.3),
    (3, 6.05, 5507.55),
    (3, 1.19, 242.73),
    (3, 6.12, 529.69),
    (3, 0.31, 398.15),
    (3, 2.28, 553.57),
    (2, 4.38, 5223.69),
    (2, 3.75, 0.98),
)
_L3 = (
    (289, 5.844, 6283.076),
    (35, 0, 0),
    (17, 5.49, 12566.15),
    (3, 5.2, 155.42),
    (1, 4.72, 3.52),
    (1, 5.3, 18849.23),
    (1, 5.97, 242.73),
)
_L4 = (
    (114, 3.142, 0),
    (8, 4.13, 6283.08),
    (1, 3.84, 12566.15),
)
_L5 = (
    (1, 3.14, 0),
)
_B0 = (
    (280, 3.199, 84334.662),
    (102, 5.422, 5507.553),
    (80, 3.88, 5223.69),
    (44, 3.7, 2352.87),
    (32, 4, 1577.34),
)
_B1 = (
    (9, 3.9, 5507.55),
    (6, 1.73, 5223.69),
)
_R0 = (
    (100013989, 0, 0),
    (1670700, 3.0984635, 6283.07585),
    (13956, 3.05525, 12566.1517),
    (3084, 5.1985, 77713.7715),
    (1628, 1.1739, 5753.3849),
    (1576, 2.8469, 7860.4194),
    (925, 5.453, 11506.77),
    (542, 4.564, 3930.21),
    (472, 3.661, 5884.927),
    (346, 0.964, 5507.553),
    (329, 5.9, 5223.694),
    (307, 0.299, 5573.143),
    (243, 4.273, 11790.629),
    (212, 5.847, 1577.344),
    (186, 5.022, 10977.079),
    (175, 3.012, 18849.228),
    (110, 5.055, 5486.778),
    (98, 0.89, 6069.78),
    (86, 5.69, 15720.84),
    (86, 1.27, 161000.69),
    (65, 0.27, 17260.15),
    (63, 0.92, 529.69),
    (57, 2.01, 83996.85),
    (56, 5.24, 71430.7),
    (49, 3.25, 2544.31),
    (47, 2.58, 775.52),
    (45, 5.54, 9437.76),
    (43, 6.01, 6275.96),
    (39, 5.36, 4694),
    (38, 2.39, 8827.39),
    (37, 0.83, 19651.05),
    (37, 4.9, 12139.55),
    (36, 1.67, 12036.46),
    (35, 1.84, 2942.46),
    (33, 0.24, 7084.9),
    (32, 0.18, 5088.63),
    (32, 1.78, 398.15),
    (28, 1.21, 6286.6),
    (28, 1.9, 6279.55),
    (26, 4.59, 10447.39),
)
_R1 = (
    (103019, 1.10749, 6283.07585),
    (1721, 1.0644, 12566.1517),
    (702, 3.142, 0),
    (32, 1.02, 18849.23),
    (31, 2.84, 5507.55),
    (25, 1.32, 5223.69),
    (18, 1.42, 1577.34),
    (10, 5.91, 10977.08),
    (9, 1.42, 6275.96),
    (9, 0.27, 5486.78),
)
_R2 = (
    (4359, 5.7846, 6283.0758),
    (124, 5.579, 12566.152),
    (12, 3.14, 0),
    (9, 3.63, 77713.77),
    (6, 1.87, 5573.14),
    (3, 5.47, 18849.23),
)
_R3 = (
    (145, 4.273, 6283.076),
    (7, 3.92, 12566.15),
)
_R4 = (
    (4, 2.56, 6283.08),
)
# Nutation, Reda & Andreas (2008), Table A4.3: multipliers of the arguments X0..X4 ...
_NUTATION_Y = (
    (0, 0, 0, 0, 1),
    (-2, 0, 0, 2, 2),
    (0, 0, 0, 2, 2),
    (0, 0, 0, 0, 2),
    (0, 1, 0, 0, 0),
    (0, 0, 1, 0, 0),
    (-2, 1, 0, 2, 2),
    (0, 0, 0, 2, 1),
    (0, 0, 1, 2, 2),
    (-2, -1, 0, 2, 2),
    (-2, 0, 1, 0, 0),
    (-2, 0, 0, 2, 1),
    (0, 0, -1, 2, 2),
    (2, 0, 0, 0, 0),
    (0, 0, 1, 0, 1),
    (2, 0, -1, 2, 2),
    (0, 0, -1, 0, 1),
    (0, 0, 1, 2, 1),
    (-2, 0, 2, 0, 0),
    (0, 0, -2, 2, 1),
    (2, 0, 0, 2, 2),
    (0, 0, 2, 2, 2),
    (0, 0, 2, 0, 0),
    (-2, 0, 1, 2, 2),
    (0, 0, 0, 2, 0),
    (-2, 0, 0, 2, 0),
    (0, 0, -1, 2, 1),
    (0, 2, 0, 0, 0),
    (2, 0, -1, 0, 1),
    (-2, 2, 0, 2, 2),
    (0, 1, 0, 0, 1),
    (-2, 0, 1, 0, 1),
    (0, -1, 0, 0, 1),
    (0, 0, 2, -2, 0),
    (2, 0, -1, 2, 1),
    (2, 0, 1, 2, 2),
    (0, 1, 0, 2, 2),
    (-2, 1, 1, 0, 0),
    (0, -1, 0, 2, 2),
    (2, 0, 0, 2, 1),
    (2, 0, 1, 0, 0),
    (-2, 0, 2, 2, 2),
    (-2, 0, 1, 2, 1),
    (2, 0, -2, 0, 1),
    (2, 0, 0, 0, 1),
    (0, -1, 1, 0, 0),
    (-2, -1, 0, 2, 1),
    (-2, 0, 0, 0, 1),
    (0, 0, 2, 2, 1),
    (-2, 0, 2, 0, 1),
    (-2, 1, 0, 2, 1),
    (0, 0, 1, -2, 0),
    (-1, 0, 1, 0, 0),
    (-2, 1, 0, 0, 0),
    (1, 0, 0, 0, 0),
    (0, 0, 1, 2, 0),
    (0, 0, -2, 2, 2),
    (-1, -1, 1, 0, 0),
    (0, 1, 1, 0, 0),
    (0, -1, 1, 2, 2),
    (2, -1, -1, 2, 2),
    (0, 0, 3, 2, 2),
    (2, -1, 0, 2, 2),
)
# ... and the coefficients (a, b, c, d): dpsi += (a + b*JCE) sin(arg), deps += (c + d*JCE) cos(arg),
# in units of 0.0001 arcsec.
_NUTATION_ABCD = (
    (-171996, -174.2, 92025, 8.9),
    (-13187, -1.6, 5736, -3.1),
    (-2274, -0.2, 977, -0.5),
    (2062, 0.2, -895, 0.5),
    (1426, -3.4, 54, -0.1),
    (712, 0.1, -7, 0),
    (-517, 1.2, 224, -0.6),
    (-386, -0.4, 200, 0),
    (-301, 0, 129, -0.1),
    (217, -0.5, -95, 0.3),
    (-158, 0, 0, 0),
    (129, 0.1, -70, 0),
    (123, 0, -53, 0),
    (63, 0, 0, 0),
    (63, 0.1, -33, 0),
    (-59, 0, 26, 0),
    (-58, -0.1, 32, 0),
    (-51, 0, 27, 0),
    (48, 0, 0, 0),
    (46, 0, -24, 0),
    (-38, 0, 16, 0),
    (-31, 0, 13, 0),
    (29, 0, 0, 0),
    (29, 0, -12, 0),
    (26, 0, 0, 0),
    (-22, 0, 0, 0),
    (21, 0, -10, 0),
    (17, -0.1, 0, 0),
    (16, 0, -8, 0),
    (-16, 0.1, 7, 0),
    (-15, 0, 9, 0),
    (-13, 0, 7, 0),
    (-12, 0, 6, 0),
    (11, 0, 0, 0),
    (-10, 0, 5, 0),
    (-8, 0, 3, 0),
    (7, 0, -3, 0),
    (-7, 0, 0, 0),
    (-7, 0, 3, 0),
    (-7, 0, 3, 0),
    (6, 0, 0, 0),
    (6, 0, -3, 0),
    (6, 0, -3, 0),
    (-6, 0, 3, 0),
    (-6, 0, 3, 0),
    (5, 0, 0, 0),
    (-5, 0, 3, 0),
    (-5, 0, 3, 0),
    (-5, 0, 3, 0),
    (4, 0, 0, 0),
    (4, 0, 0, 0),
    (4, 0, 0, 0),
    (-4, 0, 0, 0),
    (-4, 0, 0, 0),
    (-4, 0, 0, 0),
    (3, 0, 0, 0),
    (-3, 0, 0, 0),
    (-3, 0, 0, 0),
    (-3, 0, 0, 0),
    (-3, 0, 0, 0),
    (-3, 0, 0, 0),
    (-3, 0, 0, 0),
    (-3, 0, 0, 0),
)

_L_TERMS = tuple(np.array(t, dtype=float) for t in (_L0, _L1, _L2, _L3, _L4, _L5))
_B_TERMS = tuple(np.array(t, dtype=float) for t in (_B0, _B1))
_R_TERMS = tuple(np.array(t, dtype=float) for t in (_R0, _R1, _R2, _R3, _R4))
_NUT_Y = np.array(_NUTATION_Y, dtype=float)
_NUT_ABCD = np.array(_NUTATION_ABCD, dtype=float)


# ---------------------------------------------------------------------------------------
# Result type
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SunPosition:
    """Topocentric position of the sun seen from one place at one or more instants.

    Attributes
    ----------
    elevation_deg : float or numpy.ndarray
        Apparent elevation above the horizon, refraction included [deg].
    azimuth_deg : float or numpy.ndarray
        Azimuth clockwise from geographic north, in [0, 360) [deg].
    zenith_deg : float or numpy.ndarray
        Apparent zenith angle, ``90 - elevation_deg`` [deg].
    when : datetime or numpy.ndarray
        The instant(s), as given (datetime in UTC, or ``datetime64[us]`` array in UTC).
    lat, lon : float
        Observer latitude and longitude (east positive) [deg].
    """

    elevation_deg: Any
    azimuth_deg: Any
    zenith_deg: Any
    when: Any
    lat: float
    lon: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view: arrays become lists, instants become ISO 8601 strings."""
        if isinstance(self.when, datetime):
            when: Any = self.when.isoformat()
        else:
            when = [
                np.datetime_as_string(w, unit="us") + "+00:00"
                for w in np.asarray(self.when, dtype="datetime64[us]").ravel()
            ]

        def conv(v: Any) -> Any:
            return v.tolist() if isinstance(v, np.ndarray) else float(v)

        return {
            "elevation_deg": conv(self.elevation_deg),
            "azimuth_deg": conv(self.azimuth_deg),
            "zenith_deg": conv(self.zenith_deg),
            "when": when,
            "lat": self.lat,
            "lon": self.lon,
        }


# ---------------------------------------------------------------------------------------
# Delta-T
# ---------------------------------------------------------------------------------------
def delta_t_espenak_meeus(decimal_year: Any) -> Any:
    """Delta-T = TT - UT from the Espenak & Meeus (2006) polynomials.

    The polynomials are those published with NASA's *Five Millennium Canon of Solar
    Eclipses* (Espenak & Meeus, NASA/TP-2006-214141), valid from -1999 to +3000. After
    2005 they are an extrapolation that overestimates the observed value by a few
    seconds (about 5 s in 2024), which moves the sun by about 0.02 deg at most; pass
    ``delta_t_s`` to :func:`sun_position` when an observed value is known.

    Parameters
    ----------
    decimal_year : float or array_like
        Year with fraction, e.g. ``2024.5`` [years].

    Returns
    -------
    float or numpy.ndarray
        Delta-T [s].

    Examples
    --------
    >>> round(float(delta_t_espenak_meeus(2000.0)), 2)
    63.86
    """
    y = np.asarray(decimal_year, dtype=float)
    out = np.empty_like(y)
    u_long = (y - 1820.0) / 100.0
    far = -20.0 + 32.0 * u_long**2

    def poly(t: np.ndarray, coeffs: tuple[float, ...]) -> np.ndarray:
        acc = np.zeros_like(t)
        for c in reversed(coeffs):
            acc = acc * t + c
        return acc

    pieces = [
        (y < -500, far),
        (y < 500, poly(y / 100.0, (10583.6, -1014.41, 33.78311, -5.952053, -0.1798452,
                                   0.022174192, 0.0090316521))),
        (y < 1600, poly((y - 1000.0) / 100.0, (1574.2, -556.01, 71.23472, 0.319781,
                                               -0.8503463, -0.005050998, 0.0083572073))),
        (y < 1700, poly(y - 1600.0, (120.0, -0.9808, -0.01532, 1.0 / 7129.0))),
        (y < 1800, poly(y - 1700.0, (8.83, 0.1603, -0.0059285, 0.00013336, -1.0 / 1174000.0))),
        (y < 1860, poly(y - 1800.0, (13.72, -0.332447, 0.0068612, 0.0041116, -0.00037436,
                                     0.0000121272, -0.0000001699, 0.000000000875))),
        (y < 1900, poly(y - 1860.0, (7.62, 0.5737, -0.251754, 0.01680668, -0.0004473624,
                                     1.0 / 233174.0))),
        (y < 1920, poly(y - 1900.0, (-2.79, 1.494119, -0.0598939, 0.0061966, -0.000197))),
        (y < 1941, poly(y - 1920.0, (21.20, 0.84493, -0.076100, 0.0020936))),
        (y < 1961, poly(y - 1950.0, (29.07, 0.407, -1.0 / 233.0, 1.0 / 2547.0))),
        (y < 1986, poly(y - 1975.0, (45.45, 1.067, -1.0 / 260.0, -1.0 / 718.0))),
        (y < 2005, poly(y - 2000.0, (63.86, 0.3345, -0.060374, 0.0017275, 0.000651814,
                                     0.00002373599))),
        (y < 2050, poly(y - 2000.0, (62.92, 0.32217, 0.005589))),
        (y < 2150, far - 0.5628 * (2150.0 - y)),
    ]
    out[...] = far
    done = np.zeros(y.shape, dtype=bool)
    for cond, val in pieces:
        sel = cond & ~done
        out[sel] = np.asarray(val)[sel] if np.ndim(val) else val
        done |= cond
    return out if out.ndim else float(out)


# ---------------------------------------------------------------------------------------
# The algorithm
# ---------------------------------------------------------------------------------------
def _series(terms: tuple[np.ndarray, ...], jme: np.ndarray) -> np.ndarray:
    """sum_i (sum_k A cos(B + C*JME)) * JME**i / 1e8, in radians (SPA eq. 9-11)."""
    total = np.zeros_like(jme)
    power = np.ones_like(jme)
    x = jme[..., None]
    for tab in terms:
        a, b, c = tab[:, 0], tab[:, 1], tab[:, 2]
        total = total + np.sum(a * np.cos(b + c * x), axis=-1) * power
        power = power * jme
    return total / 1e8


def _geocentric(jd: np.ndarray, delta_t: np.ndarray) -> tuple[np.ndarray, ...]:
    """Time-only part of SPA (steps 3.1-3.9, 3.12 part).

    Returns apparent sidereal time at Greenwich, geocentric right ascension and
    declination, and the equatorial horizontal parallax, all in degrees.
    """
    jde = jd + delta_t / 86400.0
    jc = (jd - _J2000) / 36525.0
    jce = (jde - _J2000) / 36525.0
    jme = jce / 10.0

    l_deg = np.degrees(_series(_L_TERMS, jme)) % 360.0
    b_deg = np.degrees(_series(_B_TERMS, jme))
    r_au = _series(_R_TERMS, jme)

    theta = (l_deg + 180.0) % 360.0
    beta = -b_deg

    # nutation in longitude and obliquity (3.4)
    x0 = 297.85036 + 445267.111480 * jce - 0.0019142 * jce**2 + jce**3 / 189474.0
    x1 = 357.52772 + 35999.050340 * jce - 0.0001603 * jce**2 - jce**3 / 300000.0
    x2 = 134.96298 + 477198.867398 * jce + 0.0086972 * jce**2 + jce**3 / 56250.0
    x3 = 93.27191 + 483202.017538 * jce - 0.0036825 * jce**2 + jce**3 / 327270.0
    x4 = 125.04452 - 1934.136261 * jce + 0.0020708 * jce**2 + jce**3 / 450000.0
    xs = np.stack([x0, x1, x2, x3, x4], axis=-1)  # (..., 5)
    arg = np.radians(xs @ _NUT_Y.T)  # (..., 63)
    jce_ = jce[..., None]
    dpsi = np.sum((_NUT_ABCD[:, 0] + _NUT_ABCD[:, 1] * jce_) * np.sin(arg), axis=-1) / 36e6
    deps = np.sum((_NUT_ABCD[:, 2] + _NUT_ABCD[:, 3] * jce_) * np.cos(arg), axis=-1) / 36e6

    # obliquity of the ecliptic (3.5)
    u = jme / 10.0
    eps0 = 84381.448 + u * (-4680.93 + u * (-1.55 + u * (1999.25 + u * (-51.38 + u * (
        -249.67 + u * (-39.05 + u * (7.12 + u * (27.87 + u * (5.79 + u * 2.45)))))))))
    eps = eps0 / 3600.0 + deps

    # aberration and apparent longitude (3.6, 3.7)
    dtau = -20.4898 / (3600.0 * r_au)
    lam = theta + dpsi + dtau

    # sidereal time at Greenwich (3.8)
    nu0 = (280.46061837 + 360.98564736629 * (jd - _J2000)
           + 0.000387933 * jc**2 - jc**3 / 38710000.0) % 360.0
    eps_r = np.radians(eps)
    nu = nu0 + dpsi * np.cos(eps_r)

    # geocentric right ascension and declination (3.9, 3.10)
    lam_r = np.radians(lam)
    beta_r = np.radians(beta)
    alpha = np.degrees(np.arctan2(np.sin(lam_r) * np.cos(eps_r)
                                  - np.tan(beta_r) * np.sin(eps_r), np.cos(lam_r))) % 360.0
    delta = np.degrees(np.arcsin(np.sin(beta_r) * np.cos(eps_r)
                                 + np.cos(beta_r) * np.sin(eps_r) * np.sin(lam_r)))
    xi = 8.794 / (3600.0 * r_au)
    return nu, alpha, delta, xi


def _topocentric(
    nu: np.ndarray,
    alpha: np.ndarray,
    delta: np.ndarray,
    xi: np.ndarray,
    lat: Any,
    lon: Any,
    elevation_m: Any,
    pressure_hpa: Any,
    temperature_c: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Location-dependent part of SPA (3.11-3.15); returns (elevation, azimuth) [deg]."""
    phi = np.radians(lat)
    h = np.radians((nu + lon - alpha) % 360.0)
    xi_r = np.radians(xi)
    delta_r = np.radians(delta)

    u = np.arctan(0.99664719 * np.tan(phi))
    x = np.cos(u) + elevation_m / _EARTH_RADIUS_M * np.cos(phi)
    y = 0.99664719 * np.sin(u) + elevation_m / _EARTH_RADIUS_M * np.sin(phi)

    sin_xi = np.sin(xi_r)
    denom = np.cos(delta_r) - x * sin_xi * np.cos(h)
    dalpha = np.arctan2(-x * sin_xi * np.sin(h), denom)
    delta_p = np.arctan2((np.sin(delta_r) - y * sin_xi) * np.cos(dalpha), denom)
    h_p = h - dalpha

    sin_phi, cos_phi = np.sin(phi), np.cos(phi)
    e0 = np.degrees(np.arcsin(np.clip(
        sin_phi * np.sin(delta_p) + cos_phi * np.cos(delta_p) * np.cos(h_p), -1.0, 1.0)))

    # atmospheric refraction (3.14.2); SPA applies it only while the sun's upper limb
    # can be above the horizon.
    with np.errstate(divide="ignore", invalid="ignore"):
        de = ((pressure_hpa / 1010.0) * (283.0 / (273.0 + temperature_c)) * 1.02
              / (60.0 * np.tan(np.radians(e0 + 10.3 / (e0 + 5.11)))))
    de = np.where(e0 >= -(_SUN_RADIUS_DEG + _ATMOS_REFRACT_DEG), de, 0.0)
    elev = e0 + de

    gamma = np.degrees(np.arctan2(np.sin(h_p), np.cos(h_p) * sin_phi
                                  - np.tan(delta_p) * cos_phi))
    azimuth = (gamma + 180.0) % 360.0
    return elev, azimuth


# ---------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------
def _check_range(name: str, value: Any, lo: float, hi: float) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"'{name}' must be a number in [{lo}, {hi}] degrees (got {value!r})"
        ) from None
    if not np.all(np.isfinite(arr)) or np.any(arr < lo) or np.any(arr > hi):
        bad = arr[~(np.isfinite(arr) & (arr >= lo) & (arr <= hi))].ravel()
        raise InvalidArgumentError(
            f"'{name}' must be in [{lo}, {hi}] degrees (got {bad[0] if bad.size else value!r})"
        )
    return arr


def _check_atmosphere(elevation_m: Any, pressure_hpa: Any, temperature_c: Any,
                      delta_t_s: Any) -> None:
    for name, value in (("elevation_m", elevation_m), ("pressure_hpa", pressure_hpa),
                        ("temperature_c", temperature_c)):
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"'{name}' must be a number (got {value!r})") from None
        if not np.all(np.isfinite(arr)):
            raise InvalidArgumentError(f"'{name}' must be finite (got {value!r})")
    if np.any(np.asarray(pressure_hpa, dtype=float) < 0):
        raise InvalidArgumentError(f"'pressure_hpa' must be >= 0 hPa (got {pressure_hpa!r})")
    if np.any(np.asarray(temperature_c, dtype=float) <= -273.0):
        raise InvalidArgumentError(
            f"'temperature_c' must be above absolute zero (got {temperature_c!r})")
    if np.any(np.asarray(elevation_m, dtype=float) < -_EARTH_RADIUS_M):
        raise InvalidArgumentError(f"'elevation_m' is below the Earth's centre (got {elevation_m!r})")
    if delta_t_s is not None:
        try:
            dt = np.asarray(delta_t_s, dtype=float)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"'delta_t_s' must be a number of seconds or None (got {delta_t_s!r})") from None
        if not np.all(np.isfinite(dt)):
            raise InvalidArgumentError(f"'delta_t_s' must be finite (got {delta_t_s!r})")


def _datetime_to_unix(dt: datetime) -> float:
    if not isinstance(dt, datetime):
        raise InvalidArgumentError(
            f"'when' must be a timezone-aware datetime or numpy datetime64 (got {type(dt).__name__})"
        )
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise InvalidArgumentError(
            f"'when' must be timezone-aware (got naive datetime {dt.isoformat()}); a naive "
            "time is ambiguous, so attach its zone, e.g. dt.replace(tzinfo=timezone.utc)"
        )
    return dt.timestamp()


def _to_unix_seconds(when: Any) -> tuple[Any, np.ndarray, bool]:
    """Convert `when` into (normalised when, unix seconds array, is_scalar)."""
    if isinstance(when, datetime):
        return when.astimezone(timezone.utc), np.asarray(_datetime_to_unix(when), dtype=float), True
    if isinstance(when, np.datetime64):
        when = np.asarray(when)
    if isinstance(when, np.ndarray) and np.issubdtype(when.dtype, np.datetime64):
        us = when.astype("datetime64[us]")
        if np.any(np.isnat(us)):
            raise InvalidArgumentError("'when' contains NaT; every instant must be a valid time")
        secs = us.astype(np.int64).astype(float) / 1e6
        return (us if us.ndim else us[()]), secs, us.ndim == 0
    if isinstance(when, (str, bytes)) or not isinstance(when, Iterable):
        raise InvalidArgumentError(
            "'when' must be a timezone-aware datetime, a sequence of them, or an array of "
            f"numpy datetime64 in UTC (got {type(when).__name__})"
        )
    items = list(when)
    unix_list: list[float] = []
    for item in items:
        if isinstance(item, np.datetime64):
            unix_list.append(float(item.astype("datetime64[us]").astype(np.int64)) / 1e6)
        else:
            unix_list.append(_datetime_to_unix(item))
    arr = np.asarray(unix_list, dtype=float)
    stamps = np.round(arr * 1e6).astype(np.int64).astype("datetime64[us]")
    return stamps, arr, False


# ---------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------
def solar_position_arrays(
    unix_seconds: Any,
    lat: Any,
    lon: Any,
    *,
    elevation_m: Any = 0.0,
    pressure_hpa: Any = 1013.25,
    temperature_c: Any = 12.0,
    delta_t_s: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised NREL SPA: apparent sun elevation and azimuth.

    The time-only part of the algorithm is evaluated once per element of
    ``unix_seconds``; the result is then broadcast against ``lat`` and ``lon`` with the
    usual numpy rules, so ``unix_seconds[:, None, None]`` with a ``(nlat, nlon)`` grid
    gives a ``(ntime, nlat, nlon)`` result at the cost of ``ntime`` series evaluations.

    Parameters
    ----------
    unix_seconds : array_like of float
        Seconds since 1970-01-01T00:00:00 UTC [s].
    lat : float or array_like
        Latitude, north positive, in [-90, 90] [deg].
    lon : float or array_like
        Longitude, east positive, in [-180, 180] [deg].
    elevation_m : float or array_like, optional
        Observer height above sea level [m].
    pressure_hpa : float or array_like, optional
        Local annual mean air pressure, for refraction [hPa]. 0 disables refraction.
    temperature_c : float or array_like, optional
        Local annual mean temperature, for refraction [deg C].
    delta_t_s : float or array_like, optional
        TT - UT [s]. By default :func:`delta_t_espenak_meeus` of the instant.

    Returns
    -------
    elevation_deg, azimuth_deg : numpy.ndarray
        Apparent elevation (refraction included) and azimuth clockwise from north in
        [0, 360) [deg], shaped like the broadcast of the inputs.

    Raises
    ------
    InvalidArgumentError
        If a latitude or longitude is out of range or not finite, or an atmosphere or
        delta-T value is not a finite number.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([1066419030.0])  # 2003-10-17T19:30:30Z, the SPA paper's example
    >>> el, az = solar_position_arrays(t, 39.742476, -105.1786, elevation_m=1830.14,
    ...                                pressure_hpa=820, temperature_c=11, delta_t_s=67)
    >>> round(float(90 - el[0]), 4), round(float(az[0]), 4)
    (50.1116, 194.3402)
    """
    try:
        t = np.asarray(unix_seconds, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"'unix_seconds' must be numbers of seconds since 1970 UTC (got {unix_seconds!r})"
        ) from None
    if not np.all(np.isfinite(t)):
        raise InvalidArgumentError("'unix_seconds' must be finite")
    lat_a = _check_range("lat", lat, -90.0, 90.0)
    lon_a = _check_range("lon", lon, -180.0, 180.0)
    _check_atmosphere(elevation_m, pressure_hpa, temperature_c, delta_t_s)

    try:
        np.broadcast_shapes(t.shape, lat_a.shape, lon_a.shape, np.shape(elevation_m),
                            np.shape(pressure_hpa), np.shape(temperature_c))
        if delta_t_s is not None:
            if np.broadcast_shapes(t.shape, np.shape(delta_t_s)) != t.shape:
                raise ValueError
    except ValueError:
        raise InvalidArgumentError(
            "the shapes of 'unix_seconds' "
            f"{t.shape}, 'lat' {lat_a.shape} and 'lon' {lon_a.shape} (and the atmosphere "
            "arguments) do not broadcast together; 'delta_t_s' must broadcast to the "
            "shape of 'unix_seconds'"
        ) from None
    jd = t / 86400.0 + _UNIX_EPOCH_JD
    if delta_t_s is None:
        dt = np.asarray(delta_t_espenak_meeus(2000.0 + (jd - _J2000) / 365.25), dtype=float)
    else:
        dt = np.broadcast_to(np.asarray(delta_t_s, dtype=float), t.shape)
    nu, alpha, delta, xi = _geocentric(np.atleast_1d(jd), np.atleast_1d(dt) * np.ones(
        np.atleast_1d(jd).shape))
    shape = t.shape
    nu, alpha, delta, xi = (a.reshape(shape) for a in (nu, alpha, delta, xi))
    return _topocentric(nu, alpha, delta, xi, lat_a, lon_a,
                        np.asarray(elevation_m, dtype=float),
                        np.asarray(pressure_hpa, dtype=float),
                        np.asarray(temperature_c, dtype=float))


def sun_position(
    when: Any,
    lat: float,
    lon: float,
    *,
    elevation_m: float = 0.0,
    pressure_hpa: float = 1013.25,
    temperature_c: float = 12.0,
    delta_t_s: float | None = None,
) -> SunPosition:
    """Position of the sun seen from a place, by the NREL SPA.

    Parameters
    ----------
    when : datetime, sequence of datetime, or numpy.ndarray of datetime64
        Instant(s). Datetimes must be timezone-aware (any zone); ``datetime64`` values
        are taken as UTC.
    lat : float
        Latitude, north positive, in [-90, 90] [deg].
    lon : float
        Longitude, east positive, in [-180, 180] [deg].
    elevation_m : float, optional
        Observer height above sea level [m].
    pressure_hpa : float, optional
        Air pressure for refraction [hPa]; default 1013.25. 0 disables refraction.
    temperature_c : float, optional
        Air temperature for refraction [deg C]; default 12.
    delta_t_s : float, optional
        TT - UT [s]. By default the Espenak & Meeus model (:func:`delta_t_espenak_meeus`).

    Returns
    -------
    SunPosition
        Scalars for a single datetime, arrays shaped like ``when`` otherwise.

    Raises
    ------
    InvalidArgumentError
        If ``when`` is naive or not a time, or a coordinate is out of range.

    Examples
    --------
    The worked example of Reda & Andreas (2008), Table A5.1:

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2003, 10, 17, 12, 30, 30, tzinfo=timezone(timedelta(hours=-7)))
    >>> p = sun_position(t, 39.742476, -105.1786, elevation_m=1830.14,
    ...                  pressure_hpa=820, temperature_c=11, delta_t_s=67)
    >>> round(p.zenith_deg, 5), round(p.azimuth_deg, 5)
    (50.11162, 194.34024)
    """
    when_norm, unix, scalar = _to_unix_seconds(when)
    lat_f = float(_check_range("lat", lat, -90.0, 90.0)) if np.ndim(lat) == 0 else None
    lon_f = float(_check_range("lon", lon, -180.0, 180.0)) if np.ndim(lon) == 0 else None
    if lat_f is None or lon_f is None:
        raise InvalidArgumentError(
            "'lat' and 'lon' must be single numbers for sun_position; use "
            "solar_position_arrays for grids"
        )
    for name, value in (("elevation_m", elevation_m), ("pressure_hpa", pressure_hpa),
                        ("temperature_c", temperature_c), ("delta_t_s", delta_t_s)):
        if value is not None and np.ndim(value) != 0:
            raise InvalidArgumentError(f"'{name}' must be a single number (got {value!r})")
    elev, az = solar_position_arrays(unix, lat_f, lon_f, elevation_m=elevation_m,
                                     pressure_hpa=pressure_hpa, temperature_c=temperature_c,
                                     delta_t_s=delta_t_s)
    zen = 90.0 - elev
    if scalar:
        return SunPosition(elevation_deg=float(elev), azimuth_deg=float(az),
                           zenith_deg=float(zen), when=when_norm, lat=lat_f, lon=lon_f)
    return SunPosition(elevation_deg=elev, azimuth_deg=az, zenith_deg=zen, when=when_norm,
                       lat=lat_f, lon=lon_f)

