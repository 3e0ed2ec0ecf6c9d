"""Local development and the demo: SQLite by default, emails to the console."""

from config.env import demo_mode, read_environment
from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, DEV_ONLY_FIELD_ENCRYPTION_KEY, configure

globals().update(
    configure(
        read_environment(
            secret_key_default="dev-only-not-secret-0a9f8e7d6c5b4a392817",  # noqa: S106
            database_default=f"sqlite:///{BASE_DIR / 'var' / 'openmarac.sqlite3'}",
        )
    )
)
OPENMARAC_FIELD_ENCRYPTION_KEYS: list[str] = globals()["OPENMARAC_FIELD_ENCRYPTION_KEYS"] or [
    DEV_ONLY_FIELD_ENCRYPTION_KEY
]
DEBUG = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
OPENMARAC_DEMO_MODE = demo_mode()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The demo's sign-in shortcut: allauth accepts this code in place of a TOTP code only while DEBUG is on,
# and production settings refuse demo mode altogether.
if OPENMARAC_DEMO_MODE:
    MFA_TOTP_INSECURE_BYPASS_CODE = "000000"
