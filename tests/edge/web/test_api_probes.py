"""``/healthz`` and ``/readyz``: no sign-in; ready only with storage open and the
storage writer running."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.testclient import TestClient

from edge.service import Service
from edge.storage import run_writer
from edge.web.access import Role

ClientAs = Callable[[Role | None], TestClient]


def test_liveness_needs_no_sign_in(client_as: ClientAs) -> None:
    answer = client_as(None).get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_not_ready_without_the_storage_writer(client_as: ClientAs) -> None:
    answer = client_as(None).get("/readyz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "not ready"
    assert body["reasons"] == ["the storage-writer task is not started"]


def test_not_ready_once_storage_is_closed(web_gateway: Service, client_as: ClientAs) -> None:
    client = client_as(None)
    assert web_gateway.storage is not None
    web_gateway.storage.close()
    reasons = client.get("/readyz").json()["reasons"]
    assert "storage is closed" in reasons


async def test_ready_while_the_writer_runs(web_gateway: Service) -> None:
    # The real supervisor running the real writer; the app asked in-process over ASGI.
    import httpx

    from edge.web.app import create_app

    storage = web_gateway.storage
    assert storage is not None
    queue = web_gateway.bus.subscribe("storage", maxsize=100)
    web_gateway.supervisor.add(
        "storage-writer", lambda: run_writer(queue, storage, batch_max=10, max_wait_s=0.1), stage=1
    )
    transport = httpx.ASGITransport(app=create_app(web_gateway))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        web_gateway.supervisor.start()
        try:
            for _ in range(500):
                answer = await client.get("/readyz")
                if answer.status_code == 200:
                    break
                await asyncio.sleep(0.01)  # until the supervisor has started the task
            assert answer.status_code == 200, answer.text
            assert answer.json() == {"status": "ready", "reasons": []}
        finally:
            await web_gateway.supervisor.stop(5.0)
        stopped = await client.get("/readyz")
        assert stopped.status_code == 503
        assert stopped.json()["reasons"] == ["the storage-writer task is stopped"]
