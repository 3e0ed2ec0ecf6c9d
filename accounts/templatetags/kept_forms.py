from django import template
from django.http import HttpRequest

from accounts.kept_form import sign_in_notice

register = template.Library()


@register.simple_tag(takes_context=True)
def timed_out_notice(context: template.Context) -> str:
    """The sign-in page's notice after the idle timeout (accounts/kept_form.py); empty when there was none."""
    request: HttpRequest | None = context.get("request")
    return sign_in_notice(request) if request is not None else ""
