"""OPENMARAC_API_RATE_LIMIT is an environment variable, as docs/api.md says: read, checked, and 120 when unset."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import read_environment


def _read():
    return read_environment(secret_key_default="test-only-not-secret", database_default="sqlite://")


def test_the_api_rate_limit_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENMARAC_API_RATE_LIMIT", "600")

    assert _read().api_rate_limit == 600


def test_the_api_rate_limit_is_120_a_minute_unless_set(monkeypatch):
    monkeypatch.delenv("OPENMARAC_API_RATE_LIMIT", raising=False)

    assert _read().api_rate_limit == 120


@pytest.mark.parametrize(("value", "message"), [("lots", "a whole number"), ("0", "1 or more"), ("-5", "1 or more")])
def test_an_api_rate_limit_that_is_no_positive_number_stops_the_start(monkeypatch, value, message):
    monkeypatch.setenv("OPENMARAC_API_RATE_LIMIT", value)

    with pytest.raises(ImproperlyConfigured, match=f"OPENMARAC_API_RATE_LIMIT must be {message}"):
        _read()
