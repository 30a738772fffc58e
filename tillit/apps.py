from auditlog import apps as auditlog_apps
from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin.apps import SimpleAdminConfig
from django.contrib.admin.checks import check_admin_app, check_dependencies
from django.contrib.staticfiles.apps import StaticFilesConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy
from django_tasks.backends.database import apps as tasks_apps


class TillitConfig(AppConfig):
    """The project package as an app, so its system checks run with every `manage.py`."""

    name = "tillit"
    verbose_name = "Tillit"
    # This module holds other apps' configurations too: this one is the project's own.
    default = True

    def ready(self) -> None:
        from . import audit, checks  # noqa: F401  (checks registers the checks)

        audit.register_models()


class AdminConfig(SimpleAdminConfig):
    """Django's admin, with every app's admin module loaded when the URLs load (tillit/urls.py).

    Loading them imports the admin's forms and what its pages use (the CSV import and the
    workflow with their dependencies), which cost every command a tenth of a second or more at
    start-up, also the many that never show the admin: the CSV imports, the purges, the task
    worker. Web workers load the URLs as they start (``warm_up``), and the admin's system
    checks load the modules themselves before they look at them.
    """

    default = False

    def ready(self) -> None:
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(check_admin_modules, checks.Tags.admin)


def check_admin_modules(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Django's checks of what is registered in the admin, once the admin modules are loaded."""
    from django.contrib import admin

    admin.autodiscover()  # a no-op once the modules are loaded
    return check_admin_app(app_configs, **kwargs)


# Third-party apps as the admin shows them: with a Swedish name instead of "AXES" and
# "TASKS DATABASE BACKEND". Only the names change: labels, models and migrations stay theirs.


class AxesConfig(axes_apps.AppConfig):
    default = False
    verbose_name = _("Login protection")


class AuditlogConfig(auditlog_apps.AuditlogConfig):
    default = False
    verbose_name = _("Audit log")


class TasksDatabaseConfig(tasks_apps.TasksAppConfig):
    default = False
    verbose_name = _("Background tasks")


# The names these apps give their models, fields and choices, which they ship no Swedish for.
# Marked here so that makemessages keeps them in the project's catalogue, which Django merges
# over the apps' own; the models themselves (and so their migrations) stay as they are.
THIRD_PARTY_MESSAGES = [
    # django-axes: models, fields, admin
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    # django-auditlog: the model and the fields and choices its admin page filters by
    gettext_noop("log entry"),
    gettext_noop("log entries"),
    gettext_noop("action"),
    gettext_noop("timestamp"),
    gettext_noop("Resource Type"),
    gettext_noop("create"),
    gettext_noop("update"),
    gettext_noop("delete"),
    gettext_noop("access"),
    # django-tasks (database backend): model, fields, states
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("args kwargs"),
    gettext_noop("priority"),
    gettext_noop("task path"),
    gettext_noop("worker id"),
    gettext_noop("queue name"),
    gettext_noop("backend name"),
    gettext_noop("run after"),
    gettext_noop("return value"),
    gettext_noop("exception class path"),
    gettext_noop("traceback"),
    gettext_noop("metadata"),
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Succeeded"),
]


class StaticFiles(StaticFilesConfig):
    """collectstatic leaves out what the npm packages ship besides the files the pages use.

    With WhiteNoise's compressed manifest every collected file is hashed and compressed twice
    (gzip and Brotli): other builds and their source maps, right-to-left styles, axe-core and
    the font weights no stylesheet names took a minute of every deployment and 40 MB.
    Development and tests serve from the finders, which do not read these patterns.
    """

    default = False
    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "*.rtl.*",
        "*.d.ts",
        "*.md",
        "package.json",
        # Bootstrap: the pages load bootstrap.min.css and bootstrap.bundle.min.js only (their
        # source maps stay: the manifest rewrites the references to them).
        "bootstrap-grid*",
        "bootstrap-reboot*",
        "bootstrap-utilities*",
        "bootstrap.css*",
        "bootstrap.js*",
        "bootstrap.min.js*",
        "bootstrap.esm*",
        "bootstrap.bundle.js*",
        # axe-core runs in the browser tests only, served by the finders there.
        "axe.js",
        "axe.min.js",
        "locales",
        "sri-history.json",
        "gather-internals.js",
        # The admin loads the minified jQuery, Select2 and XRegExp unless DEBUG is on.
        "jquery.js",
        "select2.full.js",
        "xregexp.js",
        # Source Sans 3: report.css uses regular, italic, semibold and bold.
        "SourceSans3-*Light*",
        "SourceSans3-Medium*",
        "SourceSans3-Black*",
        "SourceSans3-BoldIt.ttf",
        "SourceSans3-SemiboldIt.ttf",
    ]
