"""Production: PostgreSQL, HTTPS only, every secret from the environment."""

from django.core.exceptions import ImproperlyConfigured

from config.env import demo_mode, read_environment
from config.settings.base import *  # noqa: F403
from config.settings.base import configure

globals().update(configure(read_environment(secret_key_default=None, database_default="")))

if demo_mode():
    raise ImproperlyConfigured("OPENMARAC_DEMO_MODE cannot be enabled in production settings.")

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
