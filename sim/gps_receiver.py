"""What a vehicle's GNSS receiver reports: its position with receiver error, satellites, DOP.

The reported position wanders around the truth by a couple of metres (a
smooth random offset, new every 30 s and interpolated in between), the
satellite count and HDOP drift minute by minute, and all of it is a function
of the seed and the time. Faults make the receiver lose its fix or run its
clock off.
"""

from __future__ import annotations

import math

from sim import rng
from sim.geo import offset
from sim.nmea_out import Fix
from sim.vehicle import Vehicle

ERROR_SD_M = 1.5
ERROR_PERIOD_S = 30.0


class GpsReceiver:
    def __init__(self, device_id: str, vehicle: Vehicle, seed: int, ground_m: float) -> None:
        self.device_id = device_id
        self.vehicle = vehicle
        self.seed = seed
        self.ground_m = ground_m
        """Height of the ground above sea level (the site's elevation)."""
        self.skew_s = 0.0

    def fix(self, ts: float) -> Fix:
        v = self.vehicle
        north = self._wander("n", ts)
        east = self._wander("e", ts)
        position = offset(v.position, north, east)
        minute = math.floor(ts / 60)
        satellites = 8 + int(5 * rng.uniform(self.seed, "sats", self.device_id, minute))
        hdop = 0.7 + 0.6 * rng.uniform(self.seed, "hdop", self.device_id, minute)
        first = 1 + int(20 * rng.uniform(self.seed, "prn", self.device_id, minute // 10))
        prns = tuple(1 + (first + 3 * i) % 32 for i in range(satellites))
        valid = "gps_lost" not in v.faults
        return Fix(
            ts=ts + self.skew_s,
            lat=position.lat,
            lon=position.lon,
            altitude_m=self.ground_m + v.altitude_m + 0.5 * self._wander("u", ts),
            speed_ms=v.speed_ms,
            course_deg=v.course_deg,
            satellites=satellites if valid else 0,
            hdop=hdop,
            prns=prns if valid else (),
            valid=valid,
        )

    def _wander(self, axis: str, ts: float) -> float:
        k = math.floor(ts / ERROR_PERIOD_S)
        f = ts / ERROR_PERIOD_S - k
        a = rng.normal(self.seed, "gps", self.device_id, axis, k)
        b = rng.normal(self.seed, "gps", self.device_id, axis, k + 1)
        smooth = (1 - math.cos(math.pi * f)) / 2
        return ERROR_SD_M * (a + (b - a) * smooth)
