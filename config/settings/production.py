"""Production: PostgreSQL, HTTPS only, every secret from the environment."""

from django.core.exceptions import ImproperlyConfigured

from config.env import demo_mode, read_environment
from config.settings.base import *  # noqa: F403
from config.settings.base import DEV_ONLY_FIELD_ENCRYPTION_KEY, configure

globals().update(configure(read_environment(secret_key_default=None, database_default="")))

if demo_mode():
    raise ImproperlyConfigured("OPENMARAC_DEMO_MODE cannot be enabled in production settings.")
if not globals()["OPENMARAC_FIELD_ENCRYPTION_KEYS"]:
    raise ImproperlyConfigured(
        "Set the environment variable OPENMARAC_FIELD_ENCRYPTION_KEYS to at least one Fernet key (newest first): "
        "addresses and referrals are encrypted with it. See docs/operations.md, Key rotation."
    )
if DEV_ONLY_FIELD_ENCRYPTION_KEY in globals()["OPENMARAC_FIELD_ENCRYPTION_KEYS"]:
    raise ImproperlyConfigured("OPENMARAC_FIELD_ENCRYPTION_KEYS cannot include the development key in production.")

DEBUG = False
OPENMARAC_DEMO_MODE = False
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
