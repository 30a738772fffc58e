"""A demo organisation, "Exempelkommun", with managers and quality developers to log in as.

Used by `manage.py setup_demo`. Idempotent: the units go through the ordinary CSV import (so
running again changes nothing, or puts back demo units an administrator renamed or moved),
and accounts are created only when missing; their generated passwords are shown once, when
they are created. `reset_demo_passwords` gives the accounts new ones
(`setup_demo --reset-passwords`).
"""

from __future__ import annotations

import secrets
from typing import IO

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from .importing import import_units
from .models import Role, RoleKind, Unit

ORGANISATION = ("EK", "Exempelkommun")

# (code, name, short name for the quality developer's account, [(code, name, kind, parent)])
# A parent of None means the department itself.
DEPARTMENTS = [
    (
        "EK-SOC",
        "Socialförvaltningen",
        "soc",
        [
            ("EK-SOC-AO", "Äldreomsorg", "section", None),
            ("EK-SOC-HTN", "Hemtjänst Norr", "unit", "EK-SOC-AO"),
            ("EK-SOC-HTS", "Hemtjänst Söder", "unit", "EK-SOC-AO"),
            ("EK-SOC-LIN", "Särskilt boende Lindgården", "unit", "EK-SOC-AO"),
            ("EK-SOC-IFO", "Individ- och familjeomsorg", "unit", None),
            ("EK-SOC-LSS", "LSS-boende Björken", "unit", None),
        ],
    ),
    (
        "EK-BOU",
        "Barn- och utbildningsförvaltningen",
        "bou",
        [
            ("EK-BOU-SOL", "Förskolan Solrosen", "unit", None),
            ("EK-BOU-HAR", "Förskolan Hästhagen", "unit", None),
            ("EK-BOU-OST", "Rektorsområde Öster", "unit", None),
            ("EK-BOU-VAS", "Rektorsområde Väster", "unit", None),
            ("EK-BOU-ELH", "Elevhälsan", "unit", None),
        ],
    ),
    (
        "EK-SBF",
        "Samhällsbyggnadsförvaltningen",
        "sbf",
        [
            ("EK-SBF-BYG", "Bygglov och tillsyn", "unit", None),
            ("EK-SBF-MIL", "Miljö- och hälsoskydd", "unit", None),
            ("EK-SBF-GAT", "Gata och park", "unit", None),
        ],
    ),
    (
        "EK-KOF",
        "Kultur- och fritidsförvaltningen",
        "kof",
        [
            ("EK-KOF-BIB", "Biblioteken", "unit", None),
            ("EK-KOF-FRI", "Fritidsgården Ungdomens hus", "unit", None),
            ("EK-KOF-KUL", "Kulturskolan", "unit", None),
        ],
    ),
]
FIRST_NAMES = [
    "Maria", "Johan", "Anna", "Erik", "Sara", "Ahmed", "Lena", "Karl", "Fatima", "Lars",
    "Emma", "Mikael", "Elin", "Anders", "Nadia", "Peter", "Karin", "Jonas", "Ida", "Ali",
    "Sofia", "Per",
]  # fmt: skip
EMAIL_DOMAIN = "exempelkommun.example"


def demo_csv() -> bytes:
    """The demo tree as a units CSV file, exactly what an HR system would export."""
    code, name = ORGANISATION
    lines = ["code;name;parent_code;kind", f"{code};{name};;organisation"]
    for dep_code, dep_name, _short, units in DEPARTMENTS:
        lines.append(f"{dep_code};{dep_name};{code};department")
        for unit_code, unit_name, kind, parent in units:
            lines.append(f"{unit_code};{unit_name};{parent or dep_code};{kind}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, unit code, role) for every demo account."""
    accounts = [("kvalitet.kommun", ORGANISATION[0], RoleKind.QUALITY_DEVELOPER)]
    for dep_code, _name, short, units in DEPARTMENTS:
        accounts.append((f"kvalitet.{short}", dep_code, RoleKind.QUALITY_DEVELOPER))
        # Förvaltning management: answers the steering signals its units raise.
        accounts.append((f"ledning.{short}", dep_code, RoleKind.STEERING_OWNER))
        accounts += [
            (f"chef.{slugify(unit_name)}", unit_code, RoleKind.MANAGER)
            for unit_code, unit_name, kind, _parent in units
            if kind == "unit"
        ]
    return accounts


def account_descriptions() -> dict[str, str]:
    """What each demo account is, for the list of passwords: "manager, Hemtjänst Norr"."""
    names = dict(Unit.objects.values_list("code", "name"))
    return {
        username: f"{RoleKind(kind).label.lower()}, {names.get(unit_code, unit_code)}"
        for username, unit_code, kind in demo_accounts()
    }


def reset_demo_passwords() -> dict[str, str]:
    """Give each demo account that exists a new generated password; returns them by username.

    Failed logins recorded against the accounts are cleared too, so the new passwords work
    at once.
    """
    from axes.utils import reset as reset_lockouts

    user_model = get_user_model()
    passwords: dict[str, str] = {}
    usernames = [username for username, _unit, _kind in demo_accounts()]
    for user in user_model.objects.filter(username__in=usernames).order_by("pk"):
        passwords[user.username] = _set_new_password(user)
        reset_lockouts(username=user.username)
    # In the order of demo_accounts(), as the list is printed.
    return {name: passwords[name] for name in usernames if name in passwords}


def _set_new_password(user) -> str:
    password = secrets.token_urlsafe(9)
    user.set_password(password)
    user.save(update_fields=["password"])
    return password


def create_demo_organisation(stdout: IO[str], *, show_passwords: bool = True) -> dict:
    """Create (or complete) Exempelkommun and its demo accounts; print new passwords once.

    Returns ``{"units": {code: Unit}, "users": {username: User}, "passwords": {username:
    password}}`` where ``passwords`` holds only the accounts created by this call. With
    ``show_passwords`` off, the caller shows them (`setup_demo` lists every account at the
    end of its output).
    """
    result = import_units(demo_csv())
    if result.errors:  # only if the demo data itself were broken
        raise RuntimeError("; ".join(map(str, result.errors)))
    codes = [ORGANISATION[0]] + [
        code
        for dep_code, _n, _s, units in DEPARTMENTS
        for code in (dep_code, *(u[0] for u in units))
    ]
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
    stdout.write(
        f"Demo organisation {ORGANISATION[1]}: {len(result.created)} units created, "
        f"{len(result.unchanged)} already there.\n"
    )

    user_model = get_user_model()
    accounts = demo_accounts()
    users = {
        u.username: u for u in user_model.objects.filter(username__in=[a[0] for a in accounts])
    }
    passwords: dict[str, str] = {}
    for number, (username, unit_code, kind) in enumerate(accounts):
        if username not in users:
            password = secrets.token_urlsafe(9)
            users[username] = user_model.objects.create_user(
                username,
                f"{username}@{EMAIL_DOMAIN}",
                password,
                first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
            )
            passwords[username] = password
        Role.objects.get_or_create(user=users[username], unit=units[unit_code], kind=kind)

    existing = len(accounts) - len(passwords)
    if passwords and show_passwords:
        stdout.write("New demo accounts (the passwords are shown only this once):\n")
        for username, unit_code, kind in accounts:
            if username in passwords:
                stdout.write(
                    f"  {username} / {passwords[username]}  "
                    f"({RoleKind(kind).label.lower()}, {units[unit_code].name})\n"
                )
    if existing and show_passwords:
        stdout.write(
            f"{existing} demo accounts exist already (passwords kept; "
            "`manage.py setup_demo --reset-passwords` gives them new ones).\n"
        )
    elif existing:
        stdout.write(f"{existing} demo accounts exist already.\n")
    return {"units": units, "users": users, "passwords": passwords}
