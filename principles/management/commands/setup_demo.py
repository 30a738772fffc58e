"""Prepare a local demo: migrate, load the framework, create an administrator and a demo
organisation (Exempelkommun, its units, managers, quality developers and förvaltning
management) with two rounds of answers, agreements, actions and steering signals, dated from
today.

Idempotent: running it again leaves the data as it was. The passwords of the accounts it
creates are listed in one block at the end of its output, once; `--reset-passwords` gives
every demo account (and the administrator) a new one and lists them the same way. Refuses
anything but SQLite unless given --force, so that it is never run against a production
database by mistake.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from assessments.demo import (
    account_descriptions,
    create_demo_organisation,
    reset_demo_passwords,
)
from assessments.demo_rounds import create_demo_rounds
from governance.demo import create_demo_signals
from principles.models import FrameworkVersion

ADMIN_USERNAME = "admin"
RESET_COMMAND = "DEBUG=1 .venv/bin/python manage.py setup_demo --reset-passwords"
RULE = "-" * 72


class Command(BaseCommand):
    help = (
        "Migrate, load the framework and create a local administrator and a demo organisation "
        "with its accounts (SQLite only). --reset-passwords gives the demo accounts new "
        "passwords."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run against a database other than SQLite.",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give the administrator and every demo account a new password and list them.",
        )

    def handle(self, *args, force: bool = False, reset_passwords: bool = False, **options) -> None:
        if connection.vendor != "sqlite" and not force:
            raise CommandError(
                f"setup_demo creates demo accounts and data; the database is {connection.vendor}, "
                "not SQLite. Run it with --force if that is really what you want."
            )
        call_command("migrate", interactive=False, verbosity=0)
        self._load_framework()
        self._add_governance_content()
        passwords = self._ensure_admin()
        result = create_demo_organisation(self.stdout, show_passwords=False)
        passwords.update(result["passwords"])
        create_demo_rounds(self.stdout)
        create_demo_signals(self.stdout)
        if reset_passwords:
            passwords.update(self._reset_passwords(exclude=set(passwords)))
        self._list_passwords(passwords, reset=reset_passwords)

    def _load_framework(self) -> None:
        # Only into an empty database: loading again would overwrite published texts and
        # make the fixture's version the default once more.
        current = FrameworkVersion.objects.current()
        if FrameworkVersion.objects.exists():
            default = f"; default for new rounds: “{current.name}”" if current else ""
            self.stdout.write(f"Framework kept as it is{default}.")
            return
        call_command("loaddata", "framework", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Framework loaded."))

    def _add_governance_content(self) -> None:
        # Databases set up before the governance chain existed get its kinds, purposes and
        # levels added to their versions (new rows only; nothing else changes).
        from governance.content import add_missing_content

        if added := add_missing_content():
            self.stdout.write(self.style.SUCCESS(f"Governance chain content added ({added})."))

    def _ensure_admin(self) -> dict[str, str]:
        """The administrator's password, if this call created the account."""
        user_model = get_user_model()
        if user_model.objects.filter(username=ADMIN_USERNAME).exists():
            self.stdout.write(f"Administrator '{ADMIN_USERNAME}' exists already.")
            return {}
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(ADMIN_USERNAME, "admin@example.org", password)
        return {ADMIN_USERNAME: password}

    @transaction.atomic
    def _reset_passwords(self, exclude: set[str]) -> dict[str, str]:
        passwords = {}
        admin = get_user_model().objects.filter(username=ADMIN_USERNAME).first()
        if admin is not None and ADMIN_USERNAME not in exclude:
            password = secrets.token_urlsafe(12)
            admin.set_password(password)
            admin.save(update_fields=["password"])
            passwords[ADMIN_USERNAME] = password
        fresh = reset_demo_passwords()
        passwords.update({name: pw for name, pw in fresh.items() if name not in exclude})
        return passwords

    def _list_passwords(self, passwords: dict[str, str], *, reset: bool) -> None:
        """One block at the very end, so the passwords do not drown in install output."""
        self.stdout.write(RULE)
        if not passwords:
            self.stdout.write(
                "The accounts exist already and keep their passwords. For new ones run:\n"
                f"  {RESET_COMMAND}"
            )
            self.stdout.write(RULE)
            return
        heading = "New passwords" if reset else "Accounts created"
        self.stdout.write(
            self.style.SUCCESS(f"{heading} (the passwords are shown only this once):")
        )
        descriptions = {ADMIN_USERNAME: "administrator, log in at /admin/"}
        descriptions.update(account_descriptions())
        order = list(descriptions)
        for username in sorted(passwords, key=order.index):
            self.stdout.write(f"  {username} / {passwords[username]}  ({descriptions[username]})")
        self.stdout.write(f"Lost them? New passwords for every demo account:\n  {RESET_COMMAND}")
        self.stdout.write(RULE)
