"""Device profiles: one TOML file per device model, describing its points as data.

A profile is the only thing the service and the simulator share, so adding a
device means writing a file, not code. Everything is checked at load time and
every problem of a file is reported at once, each naming the file, the key path,
what was expected and what was found. The schema is documented in docs/profiles.md.

``model`` holds the typed profile, ``point_rules`` the invariants of one point,
``catalog`` finds and loads files, ``parse``/``parse_lines`` turn TOML into a
profile, and ``table`` reads TOML tables while collecting problems.
"""

from drivers.profile.catalog import PROFILE_DIR, available_profiles, load_profile
from drivers.profile.model import (
    DeviceDefaults,
    Function,
    Point,
    PointError,
    Profile,
    ProfileError,
    Protocol,
)
from drivers.profile.point_rules import MAX_ADDRESS_SPACE, MAX_READ_REGISTERS

__all__ = [
    "MAX_ADDRESS_SPACE",
    "MAX_READ_REGISTERS",
    "PROFILE_DIR",
    "DeviceDefaults",
    "Function",
    "Point",
    "PointError",
    "Profile",
    "ProfileError",
    "Protocol",
    "available_profiles",
    "load_profile",
]
