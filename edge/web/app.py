"""The ASGI application: server-rendered pages plus a JSON API (OpenAPI at /docs).

Each area of the page lives in its own module and contributes one router;
this module only puts them together.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Query
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from edge.web.api.monitoring import monitoring_api
from edge.web.api.users import users_api
from edge.web.auth_gate import AuthGate, safe_next
from edge.web.auth_middleware import AuthMiddleware
from edge.web.errors import install_error_handlers
from edge.web.i18n import LANG_COOKIE, LANGUAGES
from edge.web.pages.account import account_pages
from edge.web.pages.admin import admin_pages
from edge.web.pages.devices import devices_pages
from edge.web.pages.field import field_pages
from edge.web.pages.logistics import logistics_routes
from edge.web.pages.overview import overview_pages
from edge.web.templating import Pages
from edge.web.view import ServiceView

HERE = Path(__file__).parent
LANG_COOKIE_MAX_AGE_S = 365 * 86_400


def create_app(view: ServiceView) -> FastAPI:
    app = FastAPI(title="Kakashi gateway API", version="0.2.0")
    pages = Pages(view.site_name, view.config.site.timezone)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    install_error_handlers(app)
    # Sign-in for every request (edge/web/auth_middleware.py); the gate is
    # shared with the account, admin and users routes below.
    gate = AuthGate(view)
    app.add_middleware(AuthMiddleware, gate=gate)
    web = view.config.web
    if web.tls_cert_file is not None and web.tls_key_file is not None:
        app.state.tls_files = (web.tls_cert_file, web.tls_key_file)

    @app.get("/lang/{code}", include_in_schema=False)
    async def switch_language(code: str, next: str = Query("/")) -> RedirectResponse:
        """Remember the chosen language in a cookie and go back to the page."""
        # Only a path on this gateway: never an open redirect to another site.
        response = RedirectResponse(safe_next(next), status_code=303)
        if code in LANGUAGES:
            response.set_cookie(
                LANG_COOKIE, code, max_age=LANG_COOKIE_MAX_AGE_S, samesite="lax", httponly=True
            )
        return response

    # -- areas ---------------------------------------------------------------
    app.include_router(monitoring_api(view))
    app.include_router(account_pages(view, pages, gate))
    app.include_router(admin_pages(view, pages, gate))
    app.include_router(users_api(view, gate))
    app.include_router(overview_pages(view, pages))
    app.include_router(field_pages(view, pages))
    app.include_router(devices_pages(view, pages))
    app.include_router(logistics_routes(view, pages))
    return app
