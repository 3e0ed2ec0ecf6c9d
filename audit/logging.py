"""Logging that carries request ids and never a person's details."""

import logging
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

from audit import context


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        current = context.current()
        record.request_id = current.request_id if current else "-"
        return True


class NothingPersonalFilter(SafeExceptionReporterFilter):
    """Error reports leave out every submitted value and local variable: any of them may be personal."""

    def is_active(self, request: Any) -> bool:
        return True

    def get_post_parameters(self, request: Any) -> dict[str, str]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> list[tuple[str, str]]:
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
