"""Refusals of malformed requests that can always be written back as JSON.

Python's JSON reader accepts ``NaN`` and ``Infinity``; a model refuses them, but
FastAPI's 422 answer echoes the offending input, and writing a NaN as JSON fails,
which would turn the refusal into a 500. One handler for the whole app echoes
such inputs as text instead, so no route can forget it.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def unprocessable(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # The same body FastAPI gives (``detail``: a list naming each field by
        # ``loc``), so the documented 422 schema still holds.
        return JSONResponse({"detail": json_safe(jsonable_encoder(exc.errors()))}, status_code=422)
