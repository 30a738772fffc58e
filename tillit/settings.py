"""Settings for Tillit, read from environment variables.

DATABASE_URL selects PostgreSQL (or any database dj-database-url knows); without it an
embedded SQLite file serves, so a newcomer runs the app with no database server.
"""

import json
import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The longest retention a setting may ask for: a hundred years (a date further back than
# year 1 cannot be computed).
MAX_RETENTION_DAYS = 36_500


def env_days(name: str, default: int) -> int:
    """A retention period in whole days, 0 to MAX_RETENTION_DAYS, or a clear error at start-up."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of days from 0 to {MAX_RETENTION_DAYS} (got {raw!r})."
        )
    return int(raw)


def parse_proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """ "X-Forwarded-Proto" or "X-Forwarded-Proto=https" -> ("HTTP_X_FORWARDED_PROTO", "https")."""
    name, _, expected = value.partition("=")
    name = name.strip()
    if not name:
        return None
    return "HTTP_" + name.upper().replace("-", "_"), (expected.strip() or "https")


DEBUG = env_bool("DEBUG")
# The test suite runs with DEBUG off, like production, but needs no secret or collectstatic.
TESTING = env_bool("TILLIT_TESTING") or "pytest" in sys.modules

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Only ever used on a developer's machine or in the test suite.
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "value (or DEBUG=1 for local development)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin, its modules loaded with the URLs rather than by every command.
    "tillit.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "tillit.apps.StaticFiles",  # django.contrib.staticfiles, collecting only what is served
    "crispy_forms",
    "crispy_bootstrap5",
    "treebeard",
    "tillit.apps.AxesConfig",  # django-axes, with a Swedish name in admin
    # django-auditlog, named in Swedish; before "tillit", whose admin replaces its log page.
    "tillit.apps.AuditlogConfig",
    "tillit",
    "principles",
    "assessments",
    "reports",
    "governance.apps.GovernanceConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so every response carries the policy, static files (served below) included.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their long cache headers.
    "tillit.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: the audit log's entries name the signed-in person who made them.
    "auditlog.middleware.AuditlogMiddleware",
    # After sessions, language and user, so its 400 page speaks the visitor's language.
    "tillit.middleware.RefuseNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns locked-out logins into a clear response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tillit.urls"
WSGI_APPLICATION = "tillit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A kept connection is tested before each request reuses it, so a database restart
        # costs one reconnect instead of a server error on every worker's stale connection.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's password check, open to all or to break-glass administrators only (LOCAL_LOGIN);
    # the identity providers' backends follow (see "Single sign-on" below).
    "tillit.sso.backends.LocalPasswordBackend",
]
if TESTING:
    # Hashing speed is a production safeguard; the test suite logs in thousands of times.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

# Failed-login throttling: lock a username+IP pair after five failures for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The user name as axes logs it: without NUL and cut to its varchar(255) column.
AXES_USERNAME_CALLABLE = "tillit.accounts.axes_username"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Stockholm")
USE_I18N = True
USE_TZ = True
# One date style per language (tillit/formats/*/formats.py says which, and why).
FORMAT_MODULE_PATH = ["tillit.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end libraries come from npm at set-up (package-lock.json pins them).
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/axe-core", BASE_DIR / "node_modules" / "axe-core"),
    # Fonts for the PDF reports, so they look the same on every machine.
    ("vendor/source-sans", BASE_DIR / "node_modules" / "source-sans" / "TTF"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve straight from the finders when developing or testing, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG
# Fonts compress poorly and slowly, and source maps are for developer tools only: serve them
# as they are.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    "map",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "zip",
    "gz",
    "tgz",
    "bz2",
    "tbz",
    "xz",
    "br",
    "swf",
    "flv",
    "woff",
    "woff2",
    "ttf",
    "otf",
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tillit@localhost")
# Reminders of actions (assessments/followup.py): this many days before an action falls due,
# and once when it is overdue. SITE_URL is the address the e-mails link to (no request there
# to take it from), e.g. https://tillit.kommun.se.
ACTION_REMINDER_DAYS_BEFORE = int(os.environ.get("ACTION_REMINDER_DAYS_BEFORE", "7"))
if ACTION_REMINDER_DAYS_BEFORE < 0:
    raise ImproperlyConfigured("ACTION_REMINDER_DAYS_BEFORE must be 0 or more.")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# Where accessibility reports from the accessibility statement go.
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get(
    "ACCESSIBILITY_CONTACT_EMAIL", "tillganglighet@example.se"
)

# The join rate limit counts in the cache, so several web workers must share one: set
# REDIS_URL in production. Without it each process keeps its own (fine for one process).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Room for the comparison's medians of a thousand units (default is 300 entries).
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

# The organisation's name, on the join page and the cover of every report ("" leaves it out).
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "").strip()
# A logo for the report cover: a static file's name (e.g. "img/logo.svg") or a file under
# MEDIA_ROOT; empty, no logo. Only the app's own files: the PDF renderer fetches nothing else.
REPORT_LOGO = os.environ.get("REPORT_LOGO", "").strip()

# Group figures are shown only where at least this many have answered (assessments.disclosure
# reads it; Swedish survey practice reports no smaller group).
MIN_RESPONDENTS = int(os.environ.get("MIN_RESPONDENTS", "5"))
if MIN_RESPONDENTS < 5:
    # Below five, a median and an interquartile range together can give back one person's
    # answer (three values: all three; the quartiles rest on the extremes).
    raise ImproperlyConfigured("MIN_RESPONDENTS must be at least 5.")

# Retention (gallring): `manage.py purge_expired` (daily, see deploy/tillit-purge.timer) deletes
# what has been kept this many days. Individual answers and comments: counted from the
# assessment's completion; the released figures, agreements, notes and actions stay, so every
# report reads the same afterwards. Login logs (django-axes) and the assessments' state-change
# history: counted from when each row was written.
RETENTION_ANSWERS_DAYS = env_days("RETENTION_ANSWERS_DAYS", 90)
RETENTION_LOGIN_LOG_DAYS = env_days("RETENTION_LOGIN_LOG_DAYS", 90)
RETENTION_STATE_LOG_DAYS = env_days("RETENTION_STATE_LOG_DAYS", 365)

# Respondents one network address may create in one assessment per ten minutes: a whole
# meeting on one office network fits, a script making blank respondents does not get far.
JOIN_CREATES_PER_ADDRESS = int(os.environ.get("JOIN_CREATES_PER_ADDRESS", "40"))
# Failed join codes per ten minutes. Per client address: generous for people mistyping, even
# a whole office behind one NAT address. Per network (IPv4 /24, IPv6 /64): someone holding a
# block of addresses gets three addresses' worth, not hundreds. There is no overall limit, so
# no flood can lock out everyone (assessments.joincodes says why 50-bit codes need none).
JOIN_FAILURES_PER_CLIENT = int(os.environ.get("JOIN_FAILURES_PER_CLIENT", "20"))
JOIN_FAILURES_PER_NETWORK = int(os.environ.get("JOIN_FAILURES_PER_NETWORK", "60"))
# Behind a reverse proxy every request comes from the proxy's address: name the header the
# proxies write the client's address into ("X-Forwarded-For") and how many proxies append to
# it, or every limit per address counts all clients as one (tillit.clientip reads them).
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "").strip()
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
if TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be at least 1.")
# Failed logins are counted per address too, so django-axes must see the same one.
AXES_CLIENT_IP_CALLABLE = "tillit.clientip.client_ip"

# The round form posts one field per unit taking part, and a round over a whole municipality
# may have a few thousand units; Django's default of 1,000 fields would refuse it. The request
# body is still capped by DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Transport security. Production (neither DEBUG nor the test suite) is HTTPS-only by default:
# redirect, HSTS and secure cookies. A TLS proxy that redirects and sends HSTS itself can turn
# them off (SECURE_SSL_REDIRECT=0, SECURE_HSTS_SECONDS=0); plain HTTP on loopback for
# benchmarks is SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0.
PRODUCTION = not DEBUG and not TESTING
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Load balancers check nodes over plain HTTP on the inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600 if PRODUCTION else 0))
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is a promise about the whole domain that only its owner can make.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Behind a TLS-terminating proxy Django sees plain HTTP; without this it would redirect in a
# loop and never send HSTS. "X-Forwarded-Proto" (value https implied) or "Header=value"; set it
# only when the proxy always sets or strips that header.
SECURE_PROXY_SSL_HEADER = parse_proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER", ""))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# A session ends when the browser closes and after SESSION_HOURS at most: managers open the
# dialogue, with verbatim comments, on shared projector laptops.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_HOURS", "8")) * 3600)
if SESSION_COOKIE_AGE <= 0:
    raise ImproperlyConfigured("SESSION_HOURS must be more than 0.")
# Content-Security-Policy (django-csp 4): a strict policy with no 'unsafe-inline' or
# 'unsafe-eval' anywhere. Templates hold no inline scripts, event-handler attributes, style
# elements or style="" attributes (tests/tillit/test_csp.py scans them); bars and markers are
# sized with the classes in static/css/percent.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        # Anything not named below: only from this site.
        "default-src": [SELF],
        # Our own script files (Bootstrap, the page scripts, the admin's); nothing inline.
        "script-src": [SELF],
        # Our own style sheets; no <style> or style="" (JavaScript may still set element.style).
        "style-src": [SELF],
        # Bootstrap's CSS draws its icons (menu toggler, selects, checks) as data: SVG images.
        "img-src": [SELF, "data:"],
        # Fonts are served from this site (no font CDN).
        "font-src": [SELF],
        # The live counts, presenter and batch progress poll JSON from this site only.
        "connect-src": [SELF],
        # Forms post only back to this site.
        "form-action": [SELF],
        # No one may frame the pages (clickjacking), as X-Frame-Options DENY says for old browsers.
        "frame-ancestors": [NONE],
        # An injected <base> must not redirect relative links and scripts elsewhere.
        "base-uri": [NONE],
        # No plugins (<object>, <embed>).
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A join code is the key to an assessment: the loggers that write request paths write
    # "/delta/[code]/…" instead (tillit.logging).
    "filters": {"redact_join_codes": {"()": "tillit.logging.RedactJoinCodes"}},
    "formatters": {
        "django.server": {  # Django's own, repeated because the logger is configured here
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        "django.request": {"filters": ["redact_join_codes"]},
        "django.security.csrf": {"filters": ["redact_join_codes"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_join_codes"],
        },
    },
}

# Audit log (django-auditlog; tillit.audit says which models and fields are logged). It keeps
# who changed what, never a network address (nor anything a participant wrote); entries older
# than AUDIT_RETENTION_DAYS are deleted by `manage.py purge_audit_log`.
AUDITLOG_DISABLE_REMOTE_ADDR = True
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "730"))
if AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 1.")

# Who is responsible for the personal data (personuppgiftsansvarig), as participants are told on
# the join page (GDPR art. 13). Empty values are left out of the text, not shown empty.
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "").strip()
# How to reach the organisation about personal data: an e-mail address or a postal address.
ORGANISATION_CONTACT = os.environ.get("ORGANISATION_CONTACT", "").strip()
# The data protection officer's (dataskyddsombud) contact.
DATA_PROTECTION_OFFICER = os.environ.get("DATA_PROTECTION_OFFICER", "").strip()

# Background tasks and generated files (department comparison, batch reports).
# django-tasks backports Django 6's django.tasks; 0.11 ships its database backend and worker.
INSTALLED_APPS += [
    "django_tasks",
    "tillit.apps.TasksDatabaseConfig",  # django_tasks.backends.database, named in Swedish
    "batches",
]
# With PostgreSQL a worker runs the tasks (`python manage.py db_worker`, beside gunicorn). On the
# embedded SQLite default they run in a background thread of the web process (tillit.tasks:
# no extra process, and never inside a request); in tests at once, where they are enqueued.
# TASKS_BACKEND=immediate|thread|database overrides the choice.
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "thread": "tillit.tasks.ThreadBackend",
    "database": "django_tasks.backends.database.DatabaseBackend",
}
TASKS_BACKEND = os.environ.get(
    "TASKS_BACKEND",
    "immediate"
    if TESTING
    else "database"
    if DATABASES["default"]["ENGINE"].endswith("postgresql")
    else "thread",
)
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'immediate', 'thread' or 'database'.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}
# Generated files (stored reports, batch ZIPs) are private: written and read only through the
# storage API and served only through scoped views, never at MEDIA_URL. By default a folder
# (MEDIA_ROOT; one directory shared by every node); FILE_STORAGE_BACKEND names another storage
# class, e.g. django-storages' "storages.backends.s3.S3Storage", with FILE_STORAGE_OPTIONS as
# a JSON object of its options (deploy/README.md, "Files").
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
if os.environ.get("FILE_STORAGE_BACKEND"):
    try:
        _storage_options = json.loads(os.environ.get("FILE_STORAGE_OPTIONS") or "{}")
    except ValueError as error:
        raise ImproperlyConfigured(f"FILE_STORAGE_OPTIONS is not valid JSON: {error}") from error
    if not isinstance(_storage_options, dict):
        raise ImproperlyConfigured("FILE_STORAGE_OPTIONS must be a JSON object.")
    STORAGES["default"] = {
        "BACKEND": os.environ["FILE_STORAGE_BACKEND"],
        "OPTIONS": _storage_options,
    }

# ---------------------------------------------------------------------------------------
# Single sign-on: staff sign in with the municipality's identity provider (tillit/sso and
# README, "Signing in with the municipality's identity provider"). How someone signed in
# changes nothing about what they see: roles still come from the role import and admin.
# ---------------------------------------------------------------------------------------
# Who may log in with a local password: "all", or "breakglass" for only the user names in
# BREAK_GLASS_USERNAMES (an emergency administrator for when the identity provider is down).
LOCAL_LOGIN = os.environ.get("LOCAL_LOGIN", "all").strip().lower()
if LOCAL_LOGIN not in {"all", "breakglass"}:
    raise ImproperlyConfigured("LOCAL_LOGIN must be 'all' or 'breakglass'.")
BREAK_GLASS_USERNAMES = env_list("BREAK_GLASS_USERNAMES")
# Both ways of signing in are always wired; each is off until its settings are given, and its
# backend and pages do nothing (404) until then.
AUTHENTICATION_BACKENDS += ["tillit.sso.backends.OIDCBackend", "tillit.sso.backends.SAMLBackend"]
_MATCH_FIELDS = {"email", "username"}
# Refused sign-ins through an identity provider are not counted as failed logins by django-axes
# (they have no user name: it would lock out whole offices by address); see the function.
AXES_WHITELIST_CALLABLE = "tillit.sso.backends.axes_ignores"
# pysaml2 loads its XML schemas at import, and xmlschema logs each one.
LOGGING["loggers"]["xmlschema"] = {"level": "WARNING"}

# OpenID Connect (Microsoft Entra ID, Freja eID) with mozilla-django-oidc: the authorisation
# code flow with PKCE. On when OIDC_RP_CLIENT_ID is set; the endpoints are in the provider's
# /.well-known/openid-configuration.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
# The ID token's "iss" must be this when set (mozilla-django-oidc itself does not check it).
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
# The claim (from the userinfo endpoint) that finds the person, and the user field it is
# compared with (case-insensitively): "email" (as the role import knows people) or "username".
OIDC_MATCH_CLAIM = os.environ.get("OIDC_MATCH_CLAIM", "email")
OIDC_MATCH_FIELD = os.environ.get("OIDC_MATCH_FIELD", "email")
OIDC_DISPLAY_NAME = os.environ.get("OIDC_DISPLAY_NAME", "OpenID Connect")
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
# Seconds to wait for the provider's token, userinfo and key endpoints.
OIDC_TIMEOUT = int(os.environ.get("OIDC_TIMEOUT", "10"))
if OIDC_RP_CLIENT_ID:
    _missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
        )
        if not globals()[name]
    ]
    if OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")) and not OIDC_OP_JWKS_ENDPOINT:
        _missing.append("OIDC_OP_JWKS_ENDPOINT")
    if _missing:
        raise ImproperlyConfigured("OIDC_RP_CLIENT_ID is set, so also set " + ", ".join(_missing))
if OIDC_MATCH_FIELD not in _MATCH_FIELDS:
    raise ImproperlyConfigured("OIDC_MATCH_FIELD must be 'email' or 'username'.")

# SAML 2 (federations such as Sambi and Skolfederation) with djangosaml2 and pysaml2, which
# signs and checks with xmlsec1 (Debian package xmlsec1). On when IdP metadata is given: a
# file (refreshed by whoever fetches and checks it) or a URL, checked with the federation's
# certificate. Our SP metadata is served at /konto/saml/metadata/.
SAML_IDP_METADATA_FILE = os.environ.get("SAML_IDP_METADATA_FILE", "")
SAML_IDP_METADATA_URL = os.environ.get("SAML_IDP_METADATA_URL", "")
SAML_IDP_METADATA_CERT = os.environ.get("SAML_IDP_METADATA_CERT", "")
# The municipality's IdP in the metadata: sign-in always goes there, and only it is believed.
SAML_IDP_ENTITY_ID = os.environ.get("SAML_IDP_ENTITY_ID", "")
# Our entity id; by default the address of our SP metadata on the host asked.
SAML_SP_ENTITY_ID = os.environ.get("SAML_SP_ENTITY_ID", "")
# Our key and certificate (PEM): they sign our requests and decrypt encrypted assertions.
SAML_KEY_FILE = os.environ.get("SAML_KEY_FILE", "")
SAML_CERT_FILE = os.environ.get("SAML_CERT_FILE", "")
SAML_XMLSEC_BINARY = os.environ.get("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1")
# The attribute that finds the person (its friendly name, e.g. eduPersonPrincipalName or
# mail) and the user field it is compared with, as for OIDC.
SAML_MATCH_ATTRIBUTE = os.environ.get("SAML_MATCH_ATTRIBUTE", "mail")
SAML_MATCH_FIELD = os.environ.get("SAML_MATCH_FIELD", "email")
SAML_DISPLAY_NAME = os.environ.get("SAML_DISPLAY_NAME", "SAML")
if SAML_MATCH_FIELD not in _MATCH_FIELDS:
    raise ImproperlyConfigured("SAML_MATCH_FIELD must be 'email' or 'username'.")
if bool(SAML_KEY_FILE) != bool(SAML_CERT_FILE):
    raise ImproperlyConfigured("Set both SAML_KEY_FILE and SAML_CERT_FILE, or neither.")
INSTALLED_APPS += ["djangosaml2"]
# The IdP posts its answer from another site, which brings no SameSite=Lax session cookie:
# the ids of our outstanding requests live in a separate SameSite=None cookie (Secure, so
# only over HTTPS; without secure cookies, on a developer's machine, Lax has to do).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "djangosaml2.middleware.SamlSessionMiddleware",
)
SAML_SESSION_COOKIE_NAME = "saml_session"
SAML_SESSION_COOKIE_SAMESITE = "None" if SESSION_COOKIE_SECURE else "Lax"
SAML_CONFIG_LOADER = "tillit.sso.saml.config_loader"
# Redirect binding: sign-in is a redirect, so no auto-posting form (which the
# Content-Security-Policy would refuse) and no loosening of form-action.
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_CSP_HANDLER = ""
SAML_CREATE_UNKNOWN_USER = True
