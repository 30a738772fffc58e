"""Settings of the test OpenID Connect provider (django-oidc-provider), run by oidc_server.

Its cookies have their own names: cookies do not tell ports apart, and Tillit's live server
runs on the same host name, so a shared "sessionid" would log one out of the other.
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

SECRET_KEY = "test-identity-provider-only"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.idp.oidc_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["IDP_DATABASE"]}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
LOGIN_URL = "/login/"
SESSION_COOKIE_NAME = "idp_session"
CSRF_COOKIE_NAME = "idp_csrftoken"
SITE_URL = os.environ["IDP_SITE_URL"]
OIDC_USERINFO = "tests.idp.oidc_settings.userinfo"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}


def userinfo(claims: dict, user) -> dict:
    """The claims the provider tells about a person: e-mail, names, user name.

    E-mail addresses are verified, except for people whose user name says otherwise.
    """
    claims["email"] = user.email
    claims["email_verified"] = not user.username.startswith("unverified-")
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["name"] = f"{user.first_name} {user.last_name}".strip()
    claims["preferred_username"] = user.username
    return claims
