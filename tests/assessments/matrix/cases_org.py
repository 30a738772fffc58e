"""Organisation and access: the start page, the account pages and the organisation admin.

Admin pages send everyone who is not staff to the *admin* login (a 302 that is not the site's
LOGIN); tests/assessments/test_import_units.py checks where that redirect goes.
"""

from django.urls import reverse

from . import LOGIN, PERSONAS, Case

EVERYONE = dict.fromkeys(PERSONAS, 200)
LOGGED_IN = {**EVERYONE, "anonymous": LOGIN}
# Not staff: redirected to the admin's own login page.
ADMIN_ONLY = {**dict.fromkeys(PERSONAS, 302), "administrator": 200}


def _url(name: str, *args):
    return lambda org, data: reverse(name, args=args)


def _admin_object(name: str, attribute: str):
    return lambda org, data: reverse(name, args=[getattr(org, attribute).pk])


CASES = [
    Case("home", _url("home"), EVERYONE),
    Case("login", _url("login"), EVERYONE),
    Case("logout", _url("logout"), dict.fromkeys(PERSONAS, 200), method="post"),
    Case("password-reset", _url("password_reset"), EVERYONE),
    Case("password-reset-done", _url("password_reset_done"), EVERYONE),
    Case(
        "password-reset-confirm-bad-link",
        lambda org, data: reverse(
            "password_reset_confirm", kwargs={"uidb64": "MQ", "token": "not-a-token"}
        ),
        EVERYONE,
    ),
    Case("password-reset-complete", _url("password_reset_complete"), EVERYONE),
    Case("password-change", _url("password_change"), LOGGED_IN),
    Case("password-change-done", _url("password_change_done"), LOGGED_IN),
    Case("admin-unit-list", _url("admin:assessments_unit_changelist"), ADMIN_ONLY),
    Case("admin-unit-import", _url("admin:assessments_unit_import"), ADMIN_ONLY),
    Case(
        "admin-unit-import-upload",
        _url("admin:assessments_unit_import"),
        ADMIN_ONLY,
        method="post",
        data=lambda org, data: {},  # no file: the form's own error, for the administrator
    ),
    Case(
        "admin-unit-change",
        _admin_object("admin:assessments_unit_change", "a1"),
        ADMIN_ONLY,
    ),
    Case("admin-role-list", _url("admin:assessments_role_changelist"), ADMIN_ONLY),
    Case("admin-role-import", _url("admin:assessments_role_import"), ADMIN_ONLY),
    Case(
        "admin-user-change-with-roles",
        _admin_object("admin:auth_user_change", "manager_of_a"),
        ADMIN_ONLY,
    ),
    Case("admin-round-list", _url("admin:assessments_round_changelist"), ADMIN_ONLY),
    Case(
        "admin-assessment-list",
        _url("admin:assessments_unitassessment_changelist"),
        ADMIN_ONLY,
    ),
]
