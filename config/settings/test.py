"""The test suite: SQLite unless DATABASE_URL names the throwaway PostgreSQL cluster."""

from config.env import read_environment
from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, DEV_ONLY_FIELD_ENCRYPTION_KEY, configure

globals().update(
    configure(
        read_environment(
            secret_key_default="test-only-not-secret-5e4d3c2b1a0f9e8d7c6b",  # noqa: S106
            database_default=f"sqlite:///{BASE_DIR / 'var' / 'test.sqlite3'}",
        )
    )
)
OPENMARAC_FIELD_ENCRYPTION_KEYS: list[str] = globals()["OPENMARAC_FIELD_ENCRYPTION_KEYS"] or [
    DEV_ONLY_FIELD_ENCRYPTION_KEY
]
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, for tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
OPENMARAC_DEMO_MODE = False
ALLOWED_HOSTS: list[str] = [*globals()["ALLOWED_HOSTS"], "testserver"]
