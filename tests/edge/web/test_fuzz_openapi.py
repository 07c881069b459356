"""Schema-driven fuzzing of every operation the app documents (all areas' routers),
as an admin with a bearer token, over a real storage file: no request may cause
a 5xx, and every answer must match the response schema documented for it.

The gateway here runs no pollers, so a device write cannot reach a device: it
must still answer 4xx (or 502 from a device), never 500. The live stream is left
out: it never ends by design (``test_api_stream.py`` covers it).

The app is built when the module is imported, not by the ``web_gateway``
fixture: schemathesis's lazy fixture loader does not work with pytest 9
(``Function._nodeid`` is gone), and a module-level schema also gives one test
item per operation. The gateway is built the same way (village site, real
SQLite file in a temporary directory, no pollers) and closed after the module.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from edge.config import load_config
from edge.service import Service
from edge.storage import Storage
from edge.web.access import Role
from edge.web.app import create_app
from tests.edge.web.conftest import VILLAGE, token_for

MAX_EXAMPLES = 25
"""Per operation: enough to reach the validators of every parameter (the
examples are derandomized, so a failure reproduces) within about a minute."""
DESIGNED_5XX: dict[tuple[str, str], frozenset[int]] = {
    # Not ready is what readiness is for: this gateway has no storage writer running.
    ("GET", "/readyz"): frozenset({503}),
}


@schemathesis.check
def no_server_error(ctx: Any, response: Any, case: schemathesis.Case[Any]) -> bool | None:
    """``not_a_server_error``, except the 5xx answers a route gives by design."""
    allowed = DESIGNED_5XX.get((case.operation.method.upper(), case.operation.path), frozenset())
    if response.status_code in allowed:
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [no_server_error, response_schema_conformance, content_type_conformance]

_DIR = Path(tempfile.mkdtemp(prefix="kakashi-fuzz-"))


def _gateway() -> Service:
    config = load_config(VILLAGE)
    config = config.model_copy(
        update={"storage": config.storage.model_copy(update={"path": _DIR / "kakashi.db"})}
    )
    service = Service(config)
    service.storage = Storage.open(
        _DIR / "kakashi.db", disk_budget_bytes=config.storage.disk_budget_mb * 1024 * 1024
    )
    return service


GATEWAY = _gateway()
assert GATEWAY.storage is not None
ADMIN = {"Authorization": f"Bearer {token_for(GATEWAY.storage, Role.ADMIN)}"}
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(GATEWAY)).exclude(
    path="/api/stream"
)


@pytest.fixture(scope="module", autouse=True)
def _close_gateway() -> Iterator[None]:
    yield
    assert GATEWAY.storage is not None
    GATEWAY.storage.close()
    shutil.rmtree(_DIR, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_operation_fails_or_breaks_its_schema(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(headers=ADMIN, checks=CHECKS)
