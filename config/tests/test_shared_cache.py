"""App servers keep no state of their own: the sign-in lockout counted by one server holds on another.

The cache (allauth's rate limits and lockout, used authenticator codes, the API's rate limit) lives in the database
every app server shares. Here "server A" is a separate Python process with its own Django and its own cache
object; "server B" is this test process.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="another process needs to reach the test database: PostgreSQL's (SQLite's test database is in memory)",
    ),
    pytest.mark.django_db(transaction=True),
]

FAIL_FIVE_TIMES = """
import django
django.setup()
from django.test import Client
client = Client()
for _ in range(5):
    client.post("/accounts/login/", {"login": EMAIL, "password": "wrong password"})
"""


def _on_another_server(email: str) -> None:
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    environment = {key: value for key, value in os.environ.items() if key != "OPENMARAC_REPLICA_DATABASE_URL"}
    environment.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"})
    script = f"EMAIL = {email!r}\n{FAIL_FIVE_TIMES}"
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, check=True, capture_output=True)


def test_five_failed_sign_ins_on_one_server_lock_the_account_on_another(coordinator):
    cache.clear()
    try:
        _on_another_server(coordinator.email)
        response = Client().post(
            "/accounts/login/", {"login": coordinator.email, "password": "correct horse battery staple"}
        )
        assert response.status_code in {200, 429}
        assert "/accounts/2fa/authenticate/" not in response.get("Location", "")
    finally:
        cache.clear()


def test_a_fresh_account_signs_in_on_the_other_server(coordinator):
    # The contrast: without failures elsewhere, the same sign-in goes on to the authenticator code.
    cache.clear()
    response = Client().post(
        "/accounts/login/", {"login": coordinator.email, "password": "correct horse battery staple"}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
