"""OPENMARAC_REPORT_CONNECTIONS, as docs/operations.md says: read, checked, and 3 when unset."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import read_environment


def _read():
    return read_environment(secret_key_default="test-only-not-secret", database_default="sqlite://")


def test_the_report_connections_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENMARAC_REPORT_CONNECTIONS", "1")

    assert _read().report_connections == 1


def test_a_report_of_several_maracs_uses_three_connections_unless_set(monkeypatch):
    monkeypatch.delenv("OPENMARAC_REPORT_CONNECTIONS", raising=False)

    assert _read().report_connections == 3


@pytest.mark.parametrize(("value", "message"), [("many", "a whole number"), ("0", "1 or more")])
def test_report_connections_that_are_no_positive_number_stop_the_start(monkeypatch, value, message):
    monkeypatch.setenv("OPENMARAC_REPORT_CONNECTIONS", value)

    with pytest.raises(ImproperlyConfigured, match=f"OPENMARAC_REPORT_CONNECTIONS must be {message}"):
        _read()
