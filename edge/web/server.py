"""Running uvicorn as one supervised task inside the service's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import uvicorn
from fastapi import FastAPI

log = logging.getLogger(__name__)


class _EmbeddedServer(uvicorn.Server):
    # The service owns SIGTERM/SIGINT (it must drain storage before exiting);
    # uvicorn would otherwise install its own handlers and re-raise the signal.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_web(
    app: FastAPI,
    host: str,
    port: int,
    *,
    on_listening: Callable[[str, int], None] | None = None,
) -> None:
    """Serve until cancelled; then finish open requests briefly and return.

    HTTPS when the app carries ``state.tls_files`` (``[web] tls_cert_file`` and
    ``tls_key_file``, set by ``create_app``)."""
    tls: tuple[Path, Path] | None = getattr(app.state, "tls_files", None)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
        ssl_certfile=None if tls is None else str(tls[0]),
        ssl_keyfile=None if tls is None else str(tls[1]),
    )
    server = _EmbeddedServer(config)

    async def run_server() -> None:
        try:
            await server.serve()
        except SystemExit as exc:
            # uvicorn exits the process when it cannot bind; a supervised task
            # must fail with an error instead, so the supervisor can retry.
            raise OSError(f"web server could not listen on {host}:{port}") from exc

    serving = asyncio.create_task(run_server())
    try:
        while not server.started:
            if serving.done():
                # Startup failed (port taken...): surface uvicorn's own exit.
                await serving
                raise OSError(f"web server could not listen on {host}:{port}")
            await asyncio.sleep(0.05)
        sockets = [s for srv in server.servers for s in srv.sockets]
        bound_port = sockets[0].getsockname()[1] if sockets else port
        log.info("web page at %s://%s:%d/", "http" if tls is None else "https", host, bound_port)
        if on_listening is not None:
            on_listening(host, bound_port)
        await serving
    finally:
        if not serving.done():
            server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(serving)
