"""Settings shared by every profile. Values that differ between deployments come from config.env."""

from pathlib import Path
from typing import Any

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import Environment

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Development and tests only: a key anyone can read (it decodes to "dev-only-not-secret-openmarac-01"), so that
# a fresh clone runs without setup. The production settings refuse it and demand keys from the environment.
DEV_ONLY_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktbm90LXNlY3JldC1vcGVubWFyYWMtMDE="


def _checked_field_encryption_keys(keys: list[str]) -> list[str]:
    """Fail at start-up on a malformed key, rather than at the first address read."""
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            # The message names the key's position, never the key.
            raise ImproperlyConfigured(
                f"Key {position} in OPENMARAC_FIELD_ENCRYPTION_KEYS is not a Fernet key (32 url-safe base64 bytes)."
            ) from None
    return keys


# psycopg binds parameters on the server and prepares a query (parsed and planned once a connection) from its
# fifth use: the pages' few dozen queries repeat all day, and planning was a fifth of the database's CPU a page
# (docs/performance.md, Meeting-day load). Prepared statements live in a connection's server session, which
# PgBouncer in transaction mode does not keep: switch them off there (docs/operations.md).
PREPARE_THRESHOLD = 5


# SQLite (the demo's and the tests' default) lets one writer in at a time. A transaction that starts as a reader and
# then writes cannot wait for another writer and fails at once with "database is locked": two coordinators accepting
# the same referral gave one of them a 500. BEGIN IMMEDIATE takes the write lock at the start of every transaction,
# so the second waits (up to the timeout, in seconds) for the first to commit, then runs its own checks.
SQLITE_OPTIONS = {"transaction_mode": "IMMEDIATE", "timeout": 20}


def _database(url: str, env: Environment) -> dict[str, Any]:
    database: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if database["ENGINE"] == "django.db.backends.postgresql" and env.prepared_statements:
        database.setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": PREPARE_THRESHOLD})
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    return database


def _databases(env: Environment) -> dict[str, Any]:
    """The primary, and the read replica that reports and exports may read from (config/db_router.py)."""
    databases = {"default": _database(env.database_url, env)}
    if env.replica_database_url:
        replica = _database(env.replica_database_url, env)
        # A streaming replica copies the whole cluster, so the test database made on the primary is already there:
        # tests read it through the replica's own connection and never try to create it on the read-only standby.
        replica["TEST"] = {"MIRROR": "default"}
        databases["replica"] = replica
    return databases


def configure(env: Environment) -> dict[str, object]:
    """The settings that depend on the environment, for each profile to merge into its globals."""
    timeout_seconds = env.idle_timeout_minutes * 60
    providers: dict[str, object] = {}
    if env.oidc_server_url:
        providers["openid_connect"] = {
            "APPS": [
                {
                    "provider_id": "organisation",
                    "name": env.oidc_name,
                    "client_id": env.oidc_client_id,
                    "secret": env.oidc_client_secret,
                    "settings": {"server_url": env.oidc_server_url},
                }
            ]
        }
    return {
        "SECRET_KEY": env.secret_key,
        "DATABASES": _databases(env),
        "ALLOWED_HOSTS": env.allowed_hosts,
        "CSRF_TRUSTED_ORIGINS": env.csrf_trusted_origins,
        "EMAIL_HOST": env.email_url_host,
        "EMAIL_PORT": env.email_port,
        "EMAIL_HOST_USER": env.email_user,
        "EMAIL_HOST_PASSWORD": env.email_password,
        "EMAIL_USE_TLS": env.email_use_tls,
        "DEFAULT_FROM_EMAIL": env.default_from_email,
        "OPENMARAC_SITE_URL": env.site_url,
        "SESSION_COOKIE_AGE": timeout_seconds,
        "SOCIALACCOUNT_PROVIDERS": providers,
        "OPENMARAC_OIDC_ENABLED": bool(env.oidc_server_url),
        # Calls a minute to /api/ per credential, and per address without one (web.middleware.ApiRateLimit).
        "OPENMARAC_API_RATE_LIMIT": env.api_rate_limit,
        "OPENMARAC_REPORT_CONNECTIONS": env.report_connections,
        # Keys for people.encryption, newest first; each profile decides what happens when none are set.
        "OPENMARAC_FIELD_ENCRYPTION_KEYS": _checked_field_encryption_keys(env.field_encryption_keys),
        # The client's address behind trusted proxies, for allauth's sign-in limits and, by the same rule, the
        # audit trail and the API's rate limit (web/client_address.py).
        "ALLAUTH_TRUSTED_PROXY_COUNT": env.trusted_proxy_count,
        "ALLAUTH_TRUSTED_CLIENT_IP_HEADER": env.trusted_client_address_header or None,
    }


INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rules",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_tasks_db",
    "web",
    "accounts",
    "marac",
    "people",
    "cases",
    "referrals",
    "meetings",
    "actions",
    "governance",
    "reports",
    "audit",
    "api",
    "imports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",  # renews the session's expiry (the idle timeout) while in use
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "web.middleware.RequestSizeLimitMiddleware",  # before any body is read; inside auth and X-Frame-Options
    "allauth.account.middleware.AccountMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "api.middleware.ServiceAccountGuardMiddleware",  # before MFA: a service account never holds a session
    "accounts.middleware.RequireMultiFactorMiddleware",
    "api.middleware.ApiCredentialMiddleware",  # after MFA, before the rate limit (see the module)
    "web.middleware.ApiRateLimitMiddleware",
    "web.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
            ],
            "builtins": ["web.templatetags.dates"],
        },
    },
]
FORM_RENDERER = "web.forms.GovukFormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Sign-in (django-allauth). Accounts are made by administrators: nobody signs up.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "OpenMARAC: "
# Lock-out: after five wrong passwords for one account's address in 15 minutes (or, counted apart, five wrong codes
# from its authenticator app), refuse more for it. Not per network address: a whole office, or a force's network,
# shares one, and five mistakes by one person locked everyone in it out. The per-address limits are only against
# someone trying many accounts from one place (a few common passwords each), or hammering the pages: a hundred
# failures in 15 minutes, or two sign-ins a second, is no office's morning. Beyond a limit the sign-in form says when
# to try again, and any other page answers with templates/429.html.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/15m/key,100/15m/ip",
    "login": "120/m/ip",
    "reset_password": "20/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
}
# A reset link (asked for with "Forgotten your password?") works for 2 hours: enough for the email to arrive, not a
# lasting key to the account in a mailbox. An invitation's link works longer (its token is told apart:
# accounts/tokens.py), as a new user may not read their mail the day they are added.
PASSWORD_RESET_TIMEOUT = 2 * 60 * 60
OPENMARAC_INVITATION_TIMEOUT = 3 * 24 * 60 * 60
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "accounts.tokens.SetPasswordTokenGenerator"  # noqa: S105 (a class)
# allauth's own "your account changed" emails give the network address and browser: OpenMARAC sends its own, with
# neither (accounts/signals.py), and its adapter drops any allauth email it has not worded (accounts/adapters.py).
ACCOUNT_EMAIL_NOTIFICATIONS = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# allauth refuses an authenticator to an account with an unverified address, lest someone sign up with another's
# address and lock its owner out. Nobody signs up here: administrators set every address, and nobody can add one
# (/accounts/email/ is closed, config/urls.py). allauth records an address as unverified when it first makes a
# password link, so the refusal blocked every invited user, and anyone who had reset their password and later removed
# their authenticator. A used reset or invitation link marks the address verified too (accounts/signals.py).
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TOTP_ISSUER = "OpenMARAC"
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateCodeForm",
    "reauthenticate": "accounts.forms.ReauthenticateAuthenticatorForm",
}
# allauth's account forms in sentence case and without placeholders (accounts/forms.py).
ACCOUNT_FORMS = {
    "login": "accounts.forms.SignInForm",
    "reset_password": "accounts.forms.PasswordResetRequestForm",
    "reset_password_from_key": "accounts.forms.PasswordResetKeyForm",
    "change_password": "accounts.forms.PasswordChangeForm",
    "reauthenticate": "accounts.forms.ReauthenticatePasswordForm",
}
LOGIN_REDIRECT_URL = "web:home"
LOGIN_URL = "account_login"

# Idle timeout: the session ends after SESSION_COOKIE_AGE seconds without a request. It is saved, renewing its
# expiry, when it changes or at most once a minute while in use (accounts.middleware.IdleTimeoutMiddleware).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A refused form gets a page in the service's layout that says what happened and what to do (web/csrf.py).
CSRF_FAILURE_VIEW = "web.csrf.csrf_failure"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    BASE_DIR / "build" / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("moj", BASE_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj"),
    ("axe", BASE_DIR / "node_modules" / "axe-core"),
]
# GOV.UK Frontend's CSS asks for /assets/...; WhiteNoise serves them from there as well.
WHITENOISE_ROOT = BASE_DIR / "build" / "webroot"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Reads for reports and exports go to the read replica when one is configured; see config/db_router.py.
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]

# One cache for every app server, in the database they already share: allauth's sign-in lockout and rate limits,
# the used authenticator codes and the API's rate limit hold across servers behind a load balancer (a per-process
# cache would give each server its own count). `manage.py createcachetable` makes the table, after migrate.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "openmarac_cache",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Content-Security-Policy: nothing inline, nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest request body taken at all (web.middleware.RequestSizeLimitMiddleware), checked before Django writes
# uploads to disk: the history import's two files of 15 MB each (imports.services.MAX_UPLOAD_BYTES) and its form.
OPENMARAC_MAX_REQUEST_BYTES = 32 * 1024 * 1024

# Application logs carry request ids and record ids, never a person's details.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "audit.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "audit.logging.NothingPersonalFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Django's request logger prints the full path of failing requests; paths hold only ids here,
        # but the error reporter would add POST data, so it is not used.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "audit.logging.NothingPersonalFilter"

OPENMARAC_DEMO_MODE = False

# people.Person's covering index (id with date of birth, for the reports' look-ups on PostgreSQL) is a plain
# index on SQLite, which has no INCLUDE columns: that is expected, not a problem to warn about.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
