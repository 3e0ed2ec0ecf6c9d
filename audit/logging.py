"""Logging that carries request ids and never a person's details."""

import logging
import traceback
from collections.abc import ItemsView
from types import TracebackType
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

from audit import context


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        current = context.current()
        record.request_id = current.request_id if current else "-"
        return True


class NothingPersonalFormatter(logging.Formatter):
    """Tracebacks keep their frames (code) but not the exception's message, which can quote data:
    a database error, for one, repeats the values that broke a constraint."""

    def formatException(
        self, ei: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
    ) -> str:
        exc_type, _, tb = ei
        frames = "".join(traceback.format_tb(tb)) if tb else ""
        name = exc_type.__qualname__ if exc_type else "Exception"
        return f"Traceback (most recent call last):\n{frames}{name}: (message withheld: it may hold personal data)"


class NothingPersonalFilter(SafeExceptionReporterFilter):
    """Error reports leave out every submitted value and local variable: any of them may be personal."""

    def is_active(self, request: Any) -> bool:
        return True

    def get_post_parameters(self, request: Any) -> dict[str, str]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> ItemsView[str, Any]:
        return dict.fromkeys(tb_frame.f_locals, self.cleansed_substitute).items()
