"""Prepare a local demo: migrate, load the framework, create an administrator and a demo
organisation (Exempelkommun, its units, managers and quality developers) with two rounds of
answers, agreements and actions.

Idempotent: running it again leaves the data as it was and prints fresh passwords only for
accounts it had to create. Refuses anything but SQLite unless given --force, so that it is
never run against a production database by mistake.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from assessments.demo import create_demo_organisation
from assessments.demo_rounds import create_demo_rounds

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Migrate, load the framework and create a local administrator and a demo organisation "
        "with its accounts (SQLite only)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run against a database other than SQLite.",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if connection.vendor != "sqlite" and not force:
            raise CommandError(
                f"setup_demo creates demo accounts and data; the database is {connection.vendor}, "
                "not SQLite. Run it with --force if that is really what you want."
            )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("loaddata", "framework", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Framework loaded."))
        self._ensure_admin()
        create_demo_organisation(self.stdout)
        create_demo_rounds(self.stdout)

    def _ensure_admin(self) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(username=ADMIN_USERNAME).exists():
            self.stdout.write(f"Administrator '{ADMIN_USERNAME}' exists already (password kept).")
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(ADMIN_USERNAME, "admin@example.org", password)
        self.stdout.write(
            self.style.SUCCESS(f"Administrator: {ADMIN_USERNAME} / {password}  (log in at /admin/)")
        )
