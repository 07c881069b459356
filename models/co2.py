"""Atmospheric CO2 by year: the concentration a season grows in.

AquaCrop raises a crop's water productivity and lowers its transpiration as CO2
rises above its reference of 369.41 ppm (AquaCrop reference manual, chapter 3;
the raise is larger for C3 crops such as wheat and rice). The same weather
therefore gave irrigated wheat at Córdoba about 1.4 t/ha more in 2020 than in
1980 (0.036 t/ha a year, three quarters of those seasons' spread), a trend no
sensor sees.

The training seasons were simulated with the concentrations AquaCrop-OSPy ships
(its ``data/co2/MaunaLoaCO2.txt``: Mauna Loa annual means to 2009, the IPCC A1B
projection by decade after it, linear in between), taken for the planting year
as AquaCrop takes them. The gateway uses the same table, so that a value means
what it meant in training.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

ANNUAL_PPM: dict[int, float] = {
    1970: 325.68, 1971: 326.32, 1972: 327.45, 1973: 329.68, 1974: 330.17,
    1975: 331.08, 1976: 332.05, 1977: 333.78, 1978: 335.41, 1979: 336.78,
    1980: 338.68, 1981: 340.11, 1982: 341.22, 1983: 342.84, 1984: 344.41,
    1985: 345.87, 1986: 347.19, 1987: 348.98, 1988: 351.45, 1989: 352.9,
    1990: 354.16, 1991: 355.48, 1992: 356.27, 1993: 356.95, 1994: 358.64,
    1995: 360.62, 1996: 362.36, 1997: 363.47, 1998: 366.5, 1999: 368.14,
    2000: 369.4, 2001: 371.07, 2002: 373.17, 2003: 375.78, 2004: 377.52,
    2005: 379.76, 2006: 381.85, 2007: 383.71, 2008: 385.57, 2009: 387.35,
    2010: 388.0, 2020: 418.0, 2030: 447.0, 2040: 483.0, 2050: 522.0,
}  # fmt: skip
_YEARS = np.asarray(sorted(ANNUAL_PPM), dtype=np.float64)
_PPM = np.asarray([ANNUAL_PPM[int(y)] for y in _YEARS])


def co2_ppm(planted: dt.date) -> float:
    """The concentration (ppm) of the planting year; held at the table's ends."""
    return float(np.interp(planted.year, _YEARS, _PPM))
