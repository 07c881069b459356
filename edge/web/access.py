"""Who is asking, and what their role lets them do.

Authentication (session cookie or API token) is done once per request by the
auth middleware, which leaves a :class:`Principal` (or None) in
``request.state.principal``; routes only state the least role they need with
``Depends(require(Role.OPERATOR))``. Roles are ordered: each may do what the
ones below it may.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request


class Role(enum.IntEnum):
    VIEWER = 1
    """Sees everything the page shows; changes nothing."""
    OPERATOR = 2
    """Also writes device points (valves, cart speed) and acknowledges alerts."""
    COORDINATOR = 3
    """Also manages orders, requests and dispatches plans."""
    ADMIN = 4
    """Also manages users, API tokens and settings."""

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls[text.upper()]
        except KeyError:
            known = ", ".join(r.label for r in cls)
            raise ValueError(f"role: expected one of {known}, found {text!r}") from None


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    """The user name; audit entries name it as the actor."""
    role: Role
    via: Literal["session", "token"]
    csrf: str = ""
    """The session's CSRF token (empty for API tokens, which carry no cookie)."""

    @property
    def actor(self) -> str:
        return self.name if self.via == "session" else f"{self.name} (token)"

    def may(self, role: Role) -> bool:
        return self.role >= role


def principal_of(request: Request) -> Principal | None:
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else None


def require(role: Role) -> Callable[[Request], Principal]:
    """A dependency: the request's principal, if its role is at least ``role``.

    401 when nobody is signed in, 403 when the role is too low; the message
    names the role needed so a refused user knows whom to ask.
    """

    def dependency(request: Request) -> Principal:
        principal = principal_of(request)
        if principal is None:
            raise HTTPException(
                status_code=401,
                detail="sign in first (session cookie or 'Authorization: Bearer <token>')",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not principal.may(role):
            raise HTTPException(
                status_code=403,
                detail=(
                    f"this needs the {role.label} role; {principal.name} is {principal.role.label}"
                ),
            )
        return principal

    return dependency


# Route parameters that both authorise and name the caller:
# ``async def route(who: Coordinator) -> ...``.
Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Coordinator = Annotated[Principal, Depends(require(Role.COORDINATOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
