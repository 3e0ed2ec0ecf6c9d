"""The meeting-day load benchmark (bench/load): production's settings as far as they can go on loopback.

Served by gunicorn over plain HTTP on 127.0.0.1 against a throwaway PostgreSQL, so no HTTPS redirect and no secure
cookies; DEBUG off, persistent database connections (production's CONN_MAX_AGE unless
OPENMARAC_BENCH_CONN_MAX_AGE says otherwise), the database cache and sessions, scrypt passwords and MFA as in
production. The benchmark's minimal page is added to the URLs here only (bench/load/urls.py).
"""

import copy
import os

from django.core.exceptions import ImproperlyConfigured

from config.env import read_environment
from config.settings.base import *  # noqa: F403
from config.settings.base import ACCOUNT_RATE_LIMITS, BASE_DIR, DEV_ONLY_FIELD_ENCRYPTION_KEY, TEMPLATES, configure

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    raise ImproperlyConfigured("The load benchmark runs on PostgreSQL: `make bench-load` starts a throwaway cluster.")

globals().update(
    configure(read_environment(secret_key_default="bench-only-not-secret-7c1e5a9d3b", database_default=""))  # noqa: S106
)
_conn_max_age = os.environ.get("OPENMARAC_BENCH_CONN_MAX_AGE")
if _conn_max_age is not None:
    for _database in globals()["DATABASES"].values():
        _database["CONN_MAX_AGE"] = int(_conn_max_age)

# Synthetic data only: the development key is fine here, and production refuses it.
OPENMARAC_FIELD_ENCRYPTION_KEYS: list[str] = globals()["OPENMARAC_FIELD_ENCRYPTION_KEYS"] or [
    DEV_ONLY_FIELD_ENCRYPTION_KEY
]
DEBUG = False
OPENMARAC_DEMO_MODE = False
ROOT_URLCONF = "bench.load.urls"
TEMPLATES = copy.deepcopy(TEMPLATES)
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "load" / "templates"]  # type: ignore[misc]
# Every simulated user signs in from 127.0.0.1; the per-address limit on sign-ins would stop the 31st.
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "1000/m/ip"}
# No collectstatic for a benchmark: templates name the plain static paths (the pages, not their assets, are timed).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
