"""Why a query could not be answered, naming the request parameter at fault.

The HTTP layer turns :class:`BadParameterError` into 422 and :class:`NotFoundError` into
404; pages show the message. Both carry the parameter so the answer says which
input to fix rather than only that something was wrong.
"""

from __future__ import annotations


class BadParameterError(ValueError):
    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


class NotFoundError(LookupError):
    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message
