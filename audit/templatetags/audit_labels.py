"""The audit trail's codes in plain words on its pages (audit/labels.py)."""

from django import template

from audit import labels

register = template.Library()


@register.filter
def record_type_name(label: str) -> str:
    return labels.record_type_name(label)


@register.filter
def role_labels(roles: str) -> str:
    return labels.role_labels(roles)


@register.filter
def readable_summary(summary: str) -> str:
    return labels.readable_summary(summary)
