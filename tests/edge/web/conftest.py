"""Shared web test fixtures: a gateway over a real SQLite file, HTTP clients signed
in as each role, a real uvicorn server and a headless Chromium.

- ``web_gateway``: ``edge.service.Service`` built from ``examples/village.toml``
  with its ``storage`` opened on ``tmp_path / "kakashi.db"``; pollers are not
  started, tests put readings in through ``web_gateway.storage``.
- ``client_as(role)``: a ``TestClient`` over ``create_app(web_gateway)`` sending
  an API bearer token of a user holding ``role`` (users are named after their
  role: "viewer", "operator"...); ``client_as(None)`` is anonymous.
- ``live_web``: the same app on a real socket (uvicorn in a thread of its own);
  ``.url``, ``.gateway``, ``.login(page, role)``.
- ``browser``: headless Chromium from /usr/bin/chromium through Playwright.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright
from starlette.testclient import TestClient

from drivers.reading import Reading
from edge.auth.tokens import Tokens
from edge.auth.users import Users
from edge.config import load_config
from edge.service import Service
from edge.storage import Storage
from edge.web.access import Role
from edge.web.app import create_app
from edge.web.server import serve_web

REPO = Path(__file__).resolve().parents[3]
VILLAGE = REPO / "examples" / "village.toml"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SERVER_START_TIMEOUT_S = 30.0


def password_for(role: Role) -> str:
    """The test password of the user named after ``role``."""
    return f"{role.label}-correct-horse"


def ensure_user(storage: Storage, role: Role) -> str:
    """The user named after ``role`` (created on first use); returns the name."""
    users = Users(storage)
    if users.find(role.label) is None:
        users.create(role.label, role, password_for(role))
    return role.label


def token_for(storage: Storage, role: Role) -> str:
    """A fresh API token of the user named after ``role``."""
    name = ensure_user(storage, role)
    _, token = Tokens(storage).create(name, f"tests ({role.label})")
    return token


@pytest.fixture
def web_gateway(tmp_path: Path) -> Iterator[Service]:
    config = load_config(VILLAGE)
    config = config.model_copy(
        update={"storage": config.storage.model_copy(update={"path": tmp_path / "kakashi.db"})}
    )
    service = Service(config)
    storage = Storage.open(
        tmp_path / "kakashi.db",
        raw_retention_days=config.storage.raw_retention_days,
        disk_budget_bytes=config.storage.disk_budget_mb * 1024 * 1024,
    )
    service.storage = storage
    try:
        yield service
    finally:
        storage.close()


@pytest.fixture
def web_app(web_gateway: Service) -> FastAPI:
    return create_app(web_gateway)


ClientAs = Callable[[Role | None], TestClient]


@pytest.fixture
def client_as(web_gateway: Service, web_app: FastAPI) -> Iterator[ClientAs]:
    clients: list[TestClient] = []

    def make(role: Role | None) -> TestClient:
        headers = {}
        if role is not None:
            assert web_gateway.storage is not None
            headers["Authorization"] = f"Bearer {token_for(web_gateway.storage, role)}"
        client = TestClient(web_app, headers=headers, follow_redirects=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@dataclass
class LiveWeb:
    url: str
    gateway: Service
    _storage: Storage = field(repr=False)
    _loop: asyncio.AbstractEventLoop = field(repr=False)

    def publish(self, reading: Reading) -> None:
        """Put ``reading`` on the gateway's bus as a poller would: on the server's
        own event loop (the bus and its queues are not thread-safe)."""
        self._loop.call_soon_threadsafe(self.gateway.bus.publish, reading)

    def login(self, page: Page, role: Role) -> None:
        """Sign ``page`` in through the login form as the user named after ``role``."""
        name = ensure_user(self._storage, role)
        page.goto(f"{self.url}/login")
        page.fill("#login-name", name)
        page.fill("#login-password", password_for(role))
        page.click("form.auth-form button[type=submit]")
        expect(page.locator("form.signout")).to_be_visible()


@contextmanager
def serving(app: FastAPI) -> Iterator[tuple[str, asyncio.AbstractEventLoop]]:
    """``app`` on a real loopback socket, served by the gateway's own embedded
    uvicorn (``serve_web``) in a thread with its own event loop; yields the base
    URL and that loop. Also used by bench/web_page.py."""
    ready = threading.Event()
    bound: list[int] = []
    loop = asyncio.new_event_loop()
    failure: list[BaseException] = []

    def listening(_host: str, port: int) -> None:
        bound.append(port)
        ready.set()

    async def main() -> None:
        await serve_web(app, "127.0.0.1", 0, on_listening=listening)

    task_box: list[asyncio.Task[None]] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        task = loop.create_task(main())
        task_box.append(task)
        try:
            loop.run_until_complete(task)
        except asyncio.CancelledError:
            pass
        except BaseException as e:  # reported to the caller below
            failure.append(e)
            ready.set()
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="live-web", daemon=True)
    thread.start()
    if not ready.wait(SERVER_START_TIMEOUT_S) or failure:
        raise RuntimeError(f"the web server did not start: {failure}")
    try:
        yield f"http://127.0.0.1:{bound[0]}", loop
    finally:
        loop.call_soon_threadsafe(task_box[0].cancel)
        thread.join(SERVER_START_TIMEOUT_S)
        assert not thread.is_alive(), "the web server did not stop"


@pytest.fixture
def live_web(web_gateway: Service, web_app: FastAPI) -> Iterator[LiveWeb]:
    """The app on a real loopback socket (see ``serving``)."""
    assert web_gateway.storage is not None
    with serving(web_app) as (url, loop):
        yield LiveWeb(url, web_gateway, web_gateway.storage, loop)


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=BROWSER_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
