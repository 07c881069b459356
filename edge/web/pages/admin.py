"""The admin page: users, API tokens and a read-only summary of the configuration.

Every form posts to its own small route and comes back to ``/admin`` with a
``done`` message (post-redirect-get), or re-renders the page with the error
next to the field that caused it. A new API token is shown in the answer to
the form that created it and nowhere else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from edge.auth.errors import AuthError
from edge.auth.passwords import MAX_LENGTH, MIN_LENGTH
from edge.auth.tokens import LABEL_MAX
from edge.web.access import Admin, Principal, Role
from edge.web.auth_gate import AuthGate, error_key, error_values
from edge.web.i18n import choose_language, translate
from edge.web.templating import Pages
from edge.web.view import ServiceView

T = TypeVar("T")

FormText = Annotated[str, Form(max_length=MAX_LENGTH)]
DONE_CODES = frozenset(
    {
        "user_added",
        "role_changed",
        "password_reset",
        "user_disabled",
        "user_enabled",
        "user_deleted",
        "token_revoked",
    }
)


def _version() -> str:
    try:
        return version("kakashi")
    except PackageNotFoundError:
        return "unknown"


def settings_summary(view: ServiceView) -> dict[str, Any]:
    """What an admin checks first on a gateway they did not set up; no secrets."""
    cfg = view.config
    storage = view.storage
    budget = storage.disk_budget_bytes if storage is not None else None
    return {
        "site": f"{cfg.site.name} ({cfg.site.id})",
        "timezone": cfg.site.timezone,
        "buses": ", ".join(f"{bid} ({bus.type})" for bid, bus in cfg.buses.items()) or "—",
        "devices": len(cfg.devices),
        "mqtt": cfg.mqtt.enabled,
        "mqtt_host": f"{cfg.mqtt.host}:{cfg.mqtt.port}" if cfg.mqtt.enabled else "",
        "storage": str(storage.path if storage is not None else cfg.storage.path),
        "budget_mb": (budget // (1024 * 1024)) if budget else cfg.storage.disk_budget_mb,
        "tls": cfg.web.tls_cert_file is not None,
        "session_hours": f"{cfg.web.session_hours:g}",
        "session_days": f"{cfg.web.session_max_days:g}",
        "version": _version(),
    }


def admin_pages(view: ServiceView, pages: Pages, gate: AuthGate) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def render(
        request: Request,
        who: Principal,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        done: str = "",
        target: str = "",
        new_token: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        users = await asyncio.to_thread(gate.users().list)
        tokens = await asyncio.to_thread(gate.tokens().list)
        context: dict[str, Any] = {
            "users": users,
            "tokens": tokens,
            "roles": [r.label for r in Role],
            "errors": errors or {},
            "values": values or {},
            "done": done if done in DONE_CODES else "",
            "target": target,
            "new_token": new_token,
            "settings": settings_summary(view),
            "min_length": MIN_LENGTH,
            "label_max": LABEL_MAX,
        }
        return pages.render(request, "admin.html", context, nav="admin", status_code=status_code)

    def message(request: Request, e: AuthError) -> str:
        return translate(choose_language(request), error_key(e.code), **error_values(e))

    def back(done: str, target: str, anchor: str) -> RedirectResponse:
        return RedirectResponse(
            f"/admin?done={done}&target={quote(target)}#{anchor}", status_code=303
        )

    @router.get("/admin", response_class=HTMLResponse)
    async def admin(
        request: Request,
        who: Admin,
        done: str = Query("", max_length=40),
        target: str = Query("", max_length=64),
    ) -> Response:
        return await render(request, who, done=done, target=target)

    @router.post("/admin/users", response_class=HTMLResponse)
    async def add_user(
        request: Request,
        who: Admin,
        name: FormText = "",
        role: FormText = "viewer",
        password: FormText = "",
    ) -> Response:
        name = name.strip().lower()
        try:
            user = await asyncio.to_thread(gate.users().create, name, role, password)
        except AuthError as e:
            return await render(
                request,
                who,
                errors={f"add.{e.field}": message(request, e)},
                values={"add.name": name, "add.role": role},
                status_code=422,
            )
        await gate.audit(
            "user",
            f"user {user.name} added as {user.role.label} by {who.name}",
            actor=who.actor,
            data={"target": user.name, "action": "add", "role": user.role.label},
        )
        return back("user_added", user.name, "users")

    async def user_action(
        request: Request,
        who: Principal,
        name: str,
        field: str,
        change: Callable[[], T],
        describe: Callable[[T], tuple[str, dict[str, str]]],
        done: str,
        anchor: str,
    ) -> Response:
        """Change one user; on success audit it (what ``describe`` says of the result)
        and go back to the admin page, else show the page with the error at ``field``."""
        try:
            result = await asyncio.to_thread(change)
        except AuthError as e:
            errors = {f"{name}.{field}": message(request, e)}
            return await render(request, who, errors=errors, status_code=_status(e))
        text, data = describe(result)
        await gate.audit("user", text, actor=who.actor, data={"target": name, **data})
        return back(done, name, anchor)

    @router.post("/admin/users/{name}/role", response_class=HTMLResponse)
    async def set_role(request: Request, who: Admin, name: str, role: FormText = "") -> Response:
        return await user_action(
            request,
            who,
            name,
            "role",
            lambda: gate.users().set_role(name, role),
            lambda user: (
                f"role of {name} set to {user.role.label} by {who.name}",
                {"action": "role", "role": user.role.label},
            ),
            "role_changed",
            f"user-{name}",
        )

    @router.post("/admin/users/{name}/password", response_class=HTMLResponse)
    async def reset_password(
        request: Request, who: Admin, name: str, password: FormText = ""
    ) -> Response:
        return await user_action(
            request,
            who,
            name,
            "password",
            lambda: gate.users().set_password(name, password),
            lambda _: (f"password of {name} reset by {who.name}", {"action": "password"}),
            "password_reset",
            f"user-{name}",
        )

    @router.post("/admin/users/{name}/disabled", response_class=HTMLResponse)
    async def set_disabled(
        request: Request, who: Admin, name: str, disabled: FormText = "1"
    ) -> Response:
        flag = disabled not in ("0", "false", "")
        return await user_action(
            request,
            who,
            name,
            "role",
            lambda: gate.users().set_disabled(name, flag),
            lambda _: (
                f"user {name} {'disabled' if flag else 'enabled'} by {who.name}",
                {"action": "disable" if flag else "enable"},
            ),
            "user_disabled" if flag else "user_enabled",
            f"user-{name}",
        )

    @router.post("/admin/users/{name}/delete", response_class=HTMLResponse)
    async def delete_user(request: Request, who: Admin, name: str) -> Response:
        return await user_action(
            request,
            who,
            name,
            "role",
            lambda: gate.users().delete(name),
            lambda _: (f"user {name} deleted by {who.name}", {"action": "delete"}),
            "user_deleted",
            "users",
        )

    @router.post("/admin/tokens", response_class=HTMLResponse)
    async def create_token(
        request: Request, who: Admin, user: FormText = "", label: FormText = ""
    ) -> Response:
        try:
            info, token = await gate.create_token(user, label, who)
        except AuthError as e:
            field = "user" if e.field == "name" else e.field
            return await render(
                request,
                who,
                errors={f"token.{field}": message(request, e)},
                values={"token.user": user, "token.label": label},
                status_code=_status(e),
            )
        response = await render(
            request, who, new_token={"user": info.user, "id": info.id, "token": token}
        )
        # The token is in this answer only: no cache may keep it.
        response.headers["Cache-Control"] = "no-store"
        return response

    @router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
    async def revoke_token(request: Request, who: Admin, token_id: str) -> Response:
        try:
            info = await asyncio.to_thread(gate.tokens().revoke, token_id)
        except AuthError as e:
            errors = {"token.revoke": message(request, e)}
            return await render(request, who, errors=errors, status_code=_status(e))
        await gate.audit(
            "token",
            f"API token {info.id} of {info.user} revoked by {who.name}",
            actor=who.actor,
            data={"token_id": info.id, "target": info.user, "action": "revoke"},
        )
        return back("token_revoked", info.id, "tokens")

    return router


def _status(e: AuthError) -> int:
    if isinstance(e, LookupError):
        return 404
    if e.code == "last_admin":
        return 409
    return 422
