"""The messages a page shows after an action (django.contrib.messages), as templates/base.html needs them: the
errors apart from the rest, since an error is shown as one (GOV.UK's error summary) and named in the page's title."""

from collections.abc import Iterable

from django import template
from django.contrib import messages
from django.contrib.messages.storage.base import Message

register = template.Library()

ERROR_PREFIX = "Error: "


@register.filter
def errors_only(shown: Iterable[Message]) -> list[Message]:
    """The error-level messages (and above) among those shown; none on a page rendered without messages."""
    return [message for message in shown or [] if message.level >= messages.ERROR]


@register.filter
def not_errors(shown: Iterable[Message]) -> list[Message]:
    return [message for message in shown or [] if message.level < messages.ERROR]


@register.filter(is_safe=True)
def error_titled(title: str, errors: list[Message]) -> str:
    """The page's title starting "Error: " when an error message is shown on it, and only once when the page's own
    title says so already (its form has errors too): GOV.UK's pattern, since the title is the first thing a screen
    reader says after the page loads."""
    if not errors or title.lstrip().startswith(ERROR_PREFIX):
        return title
    return ERROR_PREFIX + title
