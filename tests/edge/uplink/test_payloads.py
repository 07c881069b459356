from __future__ import annotations

import json

import pytest

from edge.uplink.payloads import dumps, envelope, json_value


def test_the_envelope_is_spliced_in_front_of_the_body() -> None:
    body = dumps({"device": "soil-1", "readings": []})
    assert json.loads(envelope(body, 42, True)) == {
        "id": 42,
        "historical": True,
        "device": "soil-1",
        "readings": [],
    }
    assert json.loads(envelope(b"{}", 7, False)) == {"id": 7, "historical": False}
    assert json.loads(envelope(b'{ "a": 1}', 1, False)) == {"id": 1, "historical": False, "a": 1}


def test_a_body_that_is_not_an_object_is_named() -> None:
    with pytest.raises(ValueError, match="outbox message 9: body is not a JSON object"):
        envelope(b"[1]", 9, False)


def test_no_nan_ever_reaches_the_wire() -> None:
    assert json_value(float("nan")) is None
    assert json_value(float("-inf")) is None
    assert json_value(2.5) == 2.5
    assert json_value("text") == "text"
    with pytest.raises(ValueError, match="Out of range float"):
        dumps({"x": float("nan")})
    assert dumps({"unit": "°C"}) == '{"unit":"°C"}'.encode()
