"""The value types of the configuration file, each with the words for what it expects.

Every scalar type checks the TOML type itself (an integer is not a boolean, a
number is not a quoted string) and words its own error, so a wrong type and a
value out of range read the same way: ``expected <what>, found <value> (<type>)``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from annotated_types import Ge, Gt, Le, MinLen
from pydantic import (
    AfterValidator,
    AllowInfNan,
    PlainValidator,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from edge.config.errors import CUSTOM_ERROR, describe_found, did_you_mean, one_of

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
"""Ids end up in MQTT topics and URLs, so they are kept to what both accept verbatim."""


def custom_error(message: str) -> PydanticCustomError:
    # The message goes in as context, not as the template, so braces in a
    # user's value cannot be read as template fields.
    return PydanticCustomError(CUSTOM_ERROR, "{message}", {"message": message})


def expect(description: str, *accepts: type, choices: tuple[str, ...] = ()) -> WrapValidator:
    """Check the TOML type exactly, then the constraints listed before this one in
    ``Annotated``; any failure becomes one message naming ``description``."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if type(value) in accepts:
            try:
                return handler(value)
            except ValidationError:
                pass
        hint = did_you_mean(value, choices) if choices and isinstance(value, str) else ""
        raise custom_error(f"expected {description}, found {describe_found(value)}{hint}")

    return WrapValidator(check)


def choice_of(literal: Any) -> WrapValidator:
    """``expect`` for a ``Literal[...]``: its values, listed, with a did-you-mean."""
    values = get_args(literal)
    kinds = {type(value) for value in values}
    # Strings are listed quoted, as TOML wants them: protocol = "5", not 5.
    listed = one_of(repr(value) for value in values)
    return expect(f"one of {listed}", *kinds, choices=tuple(str(v) for v in values))


def _time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: zoneinfo opens the name as a file (too long, a directory ...).
        zones = zoneinfo.available_timezones()
        same_city = sorted(z for z in zones if z.rsplit("/", 1)[-1].lower() == name.lower())
        hint = f"; did you mean {same_city[0]!r}?" if same_city else did_you_mean(name, zones)
        raise custom_error(
            f"expected a time zone name like 'Asia/Tokyo' or 'UTC', found {describe_found(name)}"
            + hint
        ) from None
    return name


def _path(value: object) -> Path:
    if type(value) is not str or not value:
        raise custom_error(f"expected a path (a non-empty string), found {describe_found(value)}")
    return Path(value)


def _optional_path(value: object) -> Path | None:
    # The examples write "" for "not set"; Path("") would silently mean ".".
    if value == "":
        return None
    return _path(value)


def _lon_lat(value: object) -> tuple[float, float]:
    numbers = (int, float)
    if (
        type(value) is not list
        or len(value) != 2
        or not all(type(n) in numbers and n == n for n in value)
    ):
        raise custom_error(
            f"expected a [longitude, latitude] pair of numbers, found {describe_found(value)}"
        )
    lon, lat = float(value[0]), float(value[1])
    if not -180 <= lon <= 180:
        raise custom_error(f"expected a longitude from -180 to 180 first, found {value[0]}")
    if not -90 <= lat <= 90:
        swapped = " (longitude comes first)" if -90 <= lon <= 90 else ""
        raise custom_error(f"expected a latitude from -90 to 90 second, found {value[1]}{swapped}")
    return lon, lat


def _polygon(points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    distinct = len(set(points))
    if distinct < 3:
        raise custom_error(f"expected at least 3 distinct [lon, lat] points, found {distinct}")
    return points


def _array(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # Only the array itself is checked here; errors of its items keep their own
    # index in the key path.
    if type(value) is not list:
        raise custom_error(f"expected an array, found {describe_found(value)}")
    return handler(value)


_NUMBER = (int, float)
_FINITE = AllowInfNan(False)

Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    expect("an id: 1 to 63 of a-z, 0-9, '_' and '-', starting with a letter or digit", str),
]
Text = Annotated[str, MinLen(1), expect("a non-empty string", str)]
OptionalText = Annotated[str, expect("a string", str)]
Flag = Annotated[bool, expect("true or false", bool)]
TcpPort = Annotated[int, Ge(1), Le(65535), expect("an integer from 1 to 65535", int)]
ListenPort = Annotated[int, Ge(0), Le(65535), expect("an integer from 0 to 65535", int)]
ModbusUnit = Annotated[int, Ge(1), Le(247), expect("an integer from 1 to 247", int)]
PositiveInt = Annotated[int, Gt(0), expect("an integer greater than 0", int)]
KeepAlive = Annotated[int, Ge(0), Le(65535), expect("an integer from 0 to 65535", int)]
BatchSize = Annotated[int, Ge(1), Le(10000), expect("an integer from 1 to 10000", int)]
Positive = Annotated[float, _FINITE, Gt(0), expect("a number greater than 0", *_NUMBER)]
NonNegative = Annotated[float, _FINITE, Ge(0), expect("a number of 0 or more", *_NUMBER)]
Latitude = Annotated[float, _FINITE, Ge(-90), Le(90), expect("a latitude from -90 to 90", *_NUMBER)]
Longitude = Annotated[
    float, _FINITE, Ge(-180), Le(180), expect("a longitude from -180 to 180", *_NUMBER)
]
LocalDate = Annotated[dt.date, expect("a date like 2026-05-12 (not quoted)", dt.date)]
TimeZone = Annotated[str, expect("a string", str), AfterValidator(_time_zone)]
MqttTopic = Annotated[
    str,
    StringConstraints(pattern=r"^[^/+#\x00]+(/[^/+#\x00]+)*$"),
    expect("a topic like 'kakashi' or 'farm/kakashi' (no '+', '#', or '/' at the ends)", str),
]
FilePath = Annotated[Path, PlainValidator(_path)]
OptionalFilePath = Annotated[Path | None, PlainValidator(_optional_path)]
LonLat = Annotated[tuple[float, float], PlainValidator(_lon_lat)]
Boundary = Annotated[tuple[LonLat, ...], WrapValidator(_array), AfterValidator(_polygon)]
Paths = Annotated[tuple[FilePath, ...], WrapValidator(_array)]

_Crop = Literal["rice", "maize", "wheat", "soybean", "potato", "vegetables"]
_Baudrate = Literal[1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]
_Parity = Literal["N", "E", "O"]
_StopBits = Literal[1, 2]
_ByteSize = Literal[7, 8]
_VehicleType = Literal["cart", "drone"]
# USDA texture classes (and a puddled paddy topsoil): the keys of models.context.SOIL_WATER.
_SoilTexture = Literal[
    "sand",
    "loamy_sand",
    "sandy_loam",
    "loam",
    "silt_loam",
    "silt",
    "sandy_clay_loam",
    "clay_loam",
    "silty_clay_loam",
    "sandy_clay",
    "silty_clay",
    "clay",
    "paddy",
]
_Irrigation = Literal["rainfed", "deficit", "full", "flooded"]
_MqttProtocol = Literal["5", "3.1.1"]
_LogLevel = Literal["debug", "info", "warning", "error"]

Crop = Annotated[_Crop, choice_of(_Crop)]
Baudrate = Annotated[_Baudrate, choice_of(_Baudrate)]
Parity = Annotated[_Parity, choice_of(_Parity)]
StopBits = Annotated[_StopBits, choice_of(_StopBits)]
ByteSize = Annotated[_ByteSize, choice_of(_ByteSize)]
VehicleType = Annotated[_VehicleType, choice_of(_VehicleType)]
SoilTexture = Annotated[_SoilTexture, choice_of(_SoilTexture)]
Irrigation = Annotated[_Irrigation, choice_of(_Irrigation)]
MqttProtocol = Annotated[_MqttProtocol, choice_of(_MqttProtocol)]
LogLevel = Annotated[_LogLevel, choice_of(_LogLevel)]
