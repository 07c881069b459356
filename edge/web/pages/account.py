"""Signing in and out, the first-run admin account, and each user's own settings.

``/login`` and ``/setup`` are posted before any session exists, so their CSRF
protection is a double-submit token: a random value in a short-lived
SameSite=Strict cookie that the form must repeat. Another site can make a
browser post the form, but cannot read the cookie to put the value in it.
"""

from __future__ import annotations

import asyncio
import hmac
import math
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from edge.auth.errors import AuthError
from edge.auth.passwords import MAX_LENGTH
from edge.auth.users import User
from edge.web.access import Principal, Viewer
from edge.web.auth_gate import (
    FORM_CSRF_COOKIE,
    SESSION_COOKIE,
    AuthGate,
    client_address,
    error_key,
    error_values,
    is_https,
    safe_next,
)
from edge.web.i18n import LANG_COOKIE, LANGUAGES, choose_language, translate
from edge.web.templating import Pages
from edge.web.view import ServiceView

FORM_COOKIE_MAX_AGE_S = 3600
LANG_COOKIE_MAX_AGE_S = 365 * 86_400

FormText = Annotated[str, Form(max_length=MAX_LENGTH)]


def _form_token(request: Request) -> str:
    current = request.cookies.get(FORM_CSRF_COOKIE, "")
    return current if 20 <= len(current) <= 100 else secrets.token_urlsafe(24)


def _with_form_cookie(response: Response, request: Request, token: str) -> Response:
    response.set_cookie(
        FORM_CSRF_COOKIE,
        token,
        max_age=FORM_COOKIE_MAX_AGE_S,
        path="/",
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )
    return response


def _form_token_ok(request: Request, sent: str) -> bool:
    cookie = request.cookies.get(FORM_CSRF_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), sent.encode())


def _set_language_cookie(response: Response, language: str | None) -> None:
    if language in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            str(language),
            max_age=LANG_COOKIE_MAX_AGE_S,
            samesite="lax",
            httponly=True,
        )


def account_pages(view: ServiceView, pages: Pages, gate: AuthGate) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def render_login(
        request: Request,
        *,
        next_path: str,
        name: str = "",
        error: str = "",
        notice: str = "",
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Response:
        token = _form_token(request)
        response = pages.render(
            request,
            "login.html",
            {
                "form_token": token,
                "next_path": next_path,
                "name": name,
                "error": error,
                "notice": notice,
            },
            status_code=status_code,
        )
        response.headers.update(headers or {})
        return _with_form_cookie(response, request, token)

    @router.get("/login", response_class=HTMLResponse)
    async def login_form(
        request: Request,
        next: str = Query("/", max_length=2000),
        created: str = Query("", max_length=64),
        signed_out: bool = Query(False),
    ) -> Response:
        if not await gate.has_users():
            return RedirectResponse("/setup", status_code=303)
        target = safe_next(next)
        if request.state.principal is not None:
            return RedirectResponse(target, status_code=303)
        lang = choose_language(request)
        notice = ""
        if created:
            notice = translate(lang, "auth.login.created", name=created)
        elif signed_out:
            notice = translate(lang, "auth.login.signed_out")
        return render_login(request, next_path=target, name=created, notice=notice)

    @router.post("/login", response_class=HTMLResponse)
    async def login(
        request: Request,
        name: FormText = "",
        password: FormText = "",
        csrf: FormText = "",
        next: Annotated[str, Form(max_length=2000)] = "/",
    ) -> Response:
        lang = choose_language(request)
        target = safe_next(next)
        name = name.strip().lower()
        if not _form_token_ok(request, csrf):
            return render_login(
                request,
                next_path=target,
                name=name,
                error=translate(lang, "auth.err.form_expired"),
                status_code=403,
            )
        address = client_address(request)
        refusal = gate.limiter.check(address, name)
        if refusal is not None:
            minutes = math.ceil(refusal.retry_after_s / 60)
            return render_login(
                request,
                next_path=target,
                name=name,
                error=translate(lang, "auth.err.rate_limited", minutes=minutes),
                status_code=429,
                headers={"Retry-After": str(refusal.retry_after_s)},
            )
        user = (
            await asyncio.to_thread(gate.users().authenticate, name, password)
            if name and password
            else None
        )
        if user is None:
            gate.limiter.failed(address, name)
            await gate.audit(
                "auth",
                f"sign-in refused for {name!r} from {address}",
                actor=name or "anonymous",
                severity="warning",
                data={"user": name, "address": address, "outcome": "refused"},
            )
            return render_login(
                request,
                next_path=target,
                name=name,
                error=translate(lang, "auth.err.wrong_login"),
                status_code=401,
            )
        gate.limiter.succeeded(address, name)
        session = await asyncio.to_thread(gate.sessions().create, user.name)
        await gate.audit(
            "auth",
            f"{user.name} signed in from {address}",
            actor=user.name,
            data={"user": user.name, "address": address, "outcome": "signed_in"},
        )
        response = RedirectResponse(target, status_code=303)
        gate.set_session_cookie(response, request, session)
        _set_language_cookie(response, user.language)
        response.delete_cookie(FORM_CSRF_COOKIE, path="/")
        return response

    @router.post("/logout")
    async def logout(request: Request, who: Viewer) -> Response:
        sid = request.cookies.get(SESSION_COOKIE)
        if sid and who.via == "session":
            await asyncio.to_thread(gate.sessions().end, sid)
            await gate.audit(
                "auth",
                f"{who.name} signed out",
                actor=who.actor,
                data={"user": who.name, "outcome": "signed_out"},
            )
        response = RedirectResponse("/login?signed_out=1", status_code=303)
        gate.clear_session_cookie(response, request)
        return response

    def render_setup(
        request: Request,
        *,
        name: str = "",
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        token = _form_token(request)
        response = pages.render(
            request,
            "setup.html",
            {"form_token": token, "name": name, "errors": errors or {}},
            status_code=status_code,
        )
        return _with_form_cookie(response, request, token)

    @router.get("/setup", response_class=HTMLResponse)
    async def setup_form(request: Request) -> Response:
        if await gate.has_users():
            return RedirectResponse("/login", status_code=303)
        return render_setup(request)

    @router.post("/setup", response_class=HTMLResponse)
    async def setup(
        request: Request,
        name: FormText = "",
        password: FormText = "",
        password2: FormText = "",
        csrf: FormText = "",
    ) -> Response:
        if await gate.has_users():
            return RedirectResponse("/login", status_code=303)
        lang = choose_language(request)
        name = name.strip().lower()
        if not _form_token_ok(request, csrf):
            errors = {"form": translate(lang, "auth.err.form_expired")}
            return render_setup(request, name=name, errors=errors, status_code=403)
        if password != password2:
            errors = {"password2": translate(lang, "auth.err.passwords_differ")}
            return render_setup(request, name=name, errors=errors, status_code=422)
        try:
            user = await asyncio.to_thread(gate.users().create_first_admin, name, password)
        except AuthError as e:
            if e.code == "setup_done":
                return RedirectResponse("/login", status_code=303)
            errors = {e.field: translate(lang, error_key(e.code), **error_values(e))}
            return render_setup(request, name=name, errors=errors, status_code=422)
        await gate.audit(
            "user",
            f"first admin {user.name} created at setup from {client_address(request)}",
            actor=user.name,
            data={"target": user.name, "role": "admin", "action": "setup"},
        )
        return RedirectResponse(f"/login?created={user.name}", status_code=303)

    # -- the signed-in user's own account ------------------------------------
    async def render_account(
        request: Request,
        who: Principal,
        *,
        errors: dict[str, str] | None = None,
        done: str = "",
        status_code: int = 200,
    ) -> Response:
        user: User = await asyncio.to_thread(gate.users().get, who.name)
        context: dict[str, Any] = {
            "user": user,
            "errors": errors or {},
            "done": done,
            "languages": LANGUAGES,
        }
        return pages.render(
            request, "admin_account.html", context, nav="account", status_code=status_code
        )

    @router.get("/account", response_class=HTMLResponse)
    async def account(
        request: Request, who: Viewer, done: str = Query("", max_length=40)
    ) -> Response:
        if who.via != "session":
            return RedirectResponse("/login", status_code=303)
        return await render_account(request, who, done=done)

    @router.post("/account/language", response_class=HTMLResponse)
    async def account_language(request: Request, who: Viewer, language: FormText = "") -> Response:
        lang = choose_language(request)
        chosen = language or None
        try:
            await asyncio.to_thread(gate.users().set_language, who.name, chosen)
        except AuthError as e:
            errors = {e.field: translate(lang, error_key(e.code), **error_values(e))}
            return await render_account(request, who, errors=errors, status_code=422)
        await gate.audit(
            "user",
            f"{who.name} set their language to {chosen or 'browser'}",
            actor=who.actor,
            data={"target": who.name, "action": "language", "language": chosen},
        )
        response = RedirectResponse("/account?done=language_saved", status_code=303)
        if chosen is None:
            response.delete_cookie(LANG_COOKIE)
        _set_language_cookie(response, chosen)
        return response

    @router.post("/account/password", response_class=HTMLResponse)
    async def account_password(
        request: Request,
        who: Viewer,
        current: FormText = "",
        password: FormText = "",
        password2: FormText = "",
    ) -> Response:
        lang = choose_language(request)
        users = gate.users()
        ok = await asyncio.to_thread(users.authenticate, who.name, current)
        errors: dict[str, str] = {}
        if ok is None:
            errors["current"] = translate(lang, "auth.err.wrong_password")
        elif password != password2:
            errors["password2"] = translate(lang, "auth.err.passwords_differ")
        else:
            try:
                await asyncio.to_thread(users.set_password, who.name, password)
            except AuthError as e:
                errors[e.field] = translate(lang, error_key(e.code), **error_values(e))
        if errors:
            return await render_account(request, who, errors=errors, status_code=422)
        await gate.audit(
            "user",
            f"{who.name} changed their password",
            actor=who.actor,
            data={"target": who.name, "action": "password"},
        )
        # Changing the password ended every session, this one too: sign in
        # afresh with the new password straight away, in this browser only.
        session = await asyncio.to_thread(gate.sessions().create, who.name)
        response = RedirectResponse("/account?done=password_changed", status_code=303)
        gate.set_session_cookie(response, request, session)
        return response

    return router
