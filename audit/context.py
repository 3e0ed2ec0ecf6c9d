"""Who is doing what, for the audit trail and the logs, carried through a request."""

import contextvars
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    client_address: str | None
    user: Any


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("openmarac_request", default=None)


def current() -> RequestContext | None:
    return _current.get()


def begin(context: RequestContext) -> contextvars.Token[RequestContext | None]:
    return _current.set(context)


def end(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)
