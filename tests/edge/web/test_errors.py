"""Malformed bodies are refused with a 422 naming the field, never a 500, on every route."""

from __future__ import annotations

import pytest

from edge.web.access import Role
from tests.edge.web.conftest import ClientAs

# Python's JSON reader takes NaN; writing the refusal back as JSON could not.
NAN_BODIES = [
    ("POST", "/api/users", '{"name": NaN, "role": "viewer", "password": "long-enough-pw"}', "name"),
    ("POST", "/api/tokens", '{"user": "admin", "label": Infinity}', "label"),
    ("POST", "/api/orders", '{"name": "x", "kg": NaN, "location": [NaN, 1]}', None),
    ("POST", "/api/plans", '{"budget_s": NaN}', "budget_s"),
    ("POST", "/api/devices/soil-north-1/points/valve/write", '{"value": [NaN]}', "value"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), NAN_BODIES)
def test_nan_or_infinity_in_a_body_is_a_422_naming_the_field(
    client_as: ClientAs, method: str, path: str, body: str, field: str | None
) -> None:
    client = client_as(Role.ADMIN)
    response = client.request(
        method, path, content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list)
    assert detail
    if field is not None:
        assert any(field in [str(part) for part in error["loc"]] for error in detail), detail


def test_a_body_that_is_not_json_is_refused_not_a_500(client_as: ClientAs) -> None:
    response = client_as(Role.ADMIN).post(
        "/api/orders", content=b"\xff{not json", headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()
