"""JSON API for users and API tokens (admins only), and ``/api/me`` for anyone signed in.

Every change is audited (kind ``user`` or ``token``) with who made it and
whom it concerns; passwords and tokens never reach the log.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from edge.auth.errors import AuthError, LastAdminError, UnknownUserError
from edge.auth.passwords import MAX_LENGTH
from edge.auth.tokens import LABEL_MAX, TokenInfo, TokenNotFoundError
from edge.auth.users import User, check_password
from edge.web.access import Admin, Viewer
from edge.web.auth_gate import AuthGate
from edge.web.view import ServiceView

RoleName = Literal["viewer", "operator", "coordinator", "admin"]
Language = Literal["en", "ja"]
UserName = Path(min_length=1, max_length=64, description="the user's name")


class UserOut(BaseModel):
    name: str
    role: RoleName
    language: Language | None
    disabled: bool
    created: datetime
    updated: datetime


class MeOut(BaseModel):
    name: str
    role: RoleName
    via: Literal["session", "token"]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=32, examples=["hanako"])
    role: RoleName
    password: str = Field(min_length=10, max_length=MAX_LENGTH)
    language: Language | None = None


class UserPatch(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid")
    role: RoleName | None = None
    password: str | None = Field(None, min_length=10, max_length=MAX_LENGTH)
    disabled: bool | None = None
    language: Language | None = None


class TokenOut(BaseModel):
    id: str
    user: str
    label: str
    created: datetime
    last_used: datetime | None
    revoked: bool


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str = Field(min_length=1, max_length=64)
    label: str = Field("", max_length=LABEL_MAX)


class TokenCreated(TokenOut):
    token: str = Field(description="the token itself: shown only in this answer, never again")


def _when(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def user_out(user: User) -> UserOut:
    return UserOut(
        name=user.name,
        role=user.role.label,  # type: ignore[arg-type]  # Role labels are the literals
        language=user.language,  # type: ignore[arg-type]
        disabled=user.disabled,
        created=_when(user.created),
        updated=_when(user.updated),
    )


def token_out(info: TokenInfo) -> TokenOut:
    return TokenOut(
        id=info.id,
        user=info.user,
        label=info.label,
        created=_when(info.created),
        last_used=None if info.last_used is None else _when(info.last_used),
        revoked=info.revoked,
    )


class Problem(BaseModel):
    detail: str


PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "no such user or token"},
    409: {"model": Problem, "description": "name taken, or the last enabled admin"},
}


def http_error(e: AuthError) -> HTTPException:
    """404 for what does not exist, 409 for a conflict with what does, else 422
    shaped like FastAPI's own validation errors (``loc`` names the field)."""
    if isinstance(e, UnknownUserError | TokenNotFoundError):
        return HTTPException(status_code=404, detail=f"{e.field}: {e.message}")
    if isinstance(e, LastAdminError) or e.code == "name_taken":
        return HTTPException(status_code=409, detail=f"{e.field}: {e.message}")
    return HTTPException(
        status_code=422,
        detail=[{"loc": ["body", e.field], "msg": f"{e.field}: {e.message}", "type": e.code}],
    )


def users_api(view: ServiceView, gate: AuthGate) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["users"])

    @router.get("/me", response_model=MeOut)
    async def me(who: Viewer) -> MeOut:
        """Who this request is signed in as, and with which role."""
        return MeOut(name=who.name, role=who.role.label, via=who.via)  # type: ignore[arg-type]

    @router.get("/users", response_model=list[UserOut])
    async def list_users(_: Admin) -> list[UserOut]:
        return [user_out(u) for u in await asyncio.to_thread(gate.users().list)]

    @router.post("/users", response_model=UserOut, status_code=201, responses=PROBLEMS)
    async def create_user(body: UserIn, who: Admin) -> UserOut:
        """Add a user. 409 if the name is taken; 422 naming the field for a bad name or password."""
        try:
            user = await asyncio.to_thread(
                gate.users().create, body.name, body.role, body.password, language=body.language
            )
        except AuthError as e:
            raise http_error(e) from e
        await gate.audit(
            "user",
            f"user {user.name} added as {user.role.label} by {who.name}",
            actor=who.actor,
            data={"target": user.name, "action": "add", "role": user.role.label},
        )
        return user_out(user)

    @router.patch("/users/{name}", response_model=UserOut, responses=PROBLEMS)
    async def change_user(body: UserPatch, who: Admin, name: str = UserName) -> UserOut:
        """Change a user's role, password, language or disabled flag. A new
        password or disabling ends the user's browser sessions; the last
        enabled admin cannot be demoted or disabled (409)."""
        users = gate.users()
        changes: dict[str, object] = {}
        try:
            await asyncio.to_thread(users.get, name)
            # What can be checked without the database is checked before anything
            # changes, so a bad password does not leave the role half-applied.
            if body.password is not None:
                check_password(body.password)
            if body.role is not None:
                await asyncio.to_thread(users.set_role, name, body.role)
                changes["role"] = body.role
            if body.disabled is not None:
                await asyncio.to_thread(users.set_disabled, name, body.disabled)
                changes["disabled"] = body.disabled
            if "language" in body.model_fields_set:
                await asyncio.to_thread(users.set_language, name, body.language)
                changes["language"] = body.language
            if body.password is not None:
                await asyncio.to_thread(users.set_password, name, body.password)
                changes["password"] = "changed"
            user = await asyncio.to_thread(users.get, name)
        except AuthError as e:
            # A later refusal (the last admin) still leaves what was already
            # changed on record: no change goes unaudited.
            if changes:
                await gate.audit(
                    "user",
                    f"user {name} changed by {who.name}: {', '.join(changes)} (then refused: {e})",
                    actor=who.actor,
                    data={"target": name, "action": "change", **changes},
                )
            raise http_error(e) from e
        if changes:
            await gate.audit(
                "user",
                f"user {name} changed by {who.name}: {', '.join(changes)}",
                actor=who.actor,
                data={"target": name, "action": "change", **changes},
            )
        return user_out(user)

    @router.delete("/users/{name}", status_code=204, responses=PROBLEMS)
    async def delete_user(who: Admin, name: str = UserName) -> Response:
        """Remove a user with their sessions and API tokens (409 for the last admin)."""
        try:
            await asyncio.to_thread(gate.users().delete, name)
        except AuthError as e:
            raise http_error(e) from e
        await gate.audit(
            "user",
            f"user {name} deleted by {who.name}",
            actor=who.actor,
            data={"target": name, "action": "delete"},
        )
        return Response(status_code=204)

    @router.get("/tokens", response_model=list[TokenOut])
    async def list_tokens(_: Admin) -> list[TokenOut]:
        return [token_out(t) for t in await asyncio.to_thread(gate.tokens().list)]

    @router.post("/tokens", response_model=TokenCreated, status_code=201, responses=PROBLEMS)
    async def create_token(body: TokenIn, who: Admin) -> TokenCreated:
        """A new API token for a user; the answer holds the token, shown only this once."""
        try:
            info, token = await gate.create_token(body.user, body.label, who)
        except AuthError as e:
            raise http_error(e) from e
        return TokenCreated(**token_out(info).model_dump(), token=token)

    @router.delete("/tokens/{token_id}", response_model=TokenOut, responses=PROBLEMS)
    async def revoke_token(
        who: Admin, token_id: str = Path(min_length=1, max_length=32)
    ) -> TokenOut:
        """Revoke a token at once; it stays listed, marked revoked."""
        try:
            info = await asyncio.to_thread(gate.tokens().revoke, token_id)
        except AuthError as e:
            raise http_error(e) from e
        await gate.audit(
            "token",
            f"API token {info.id} of {info.user} revoked by {who.name}",
            actor=who.actor,
            data={"token_id": info.id, "target": info.user, "action": "revoke"},
        )
        return token_out(info)

    return router
