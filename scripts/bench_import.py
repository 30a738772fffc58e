#!/usr/bin/env python3
"""Time `manage.py import_units` of a generated 5,000-unit file, the whole command, beside a floor.

Each round runs, as separate processes with production settings (DEBUG off) on a database of
their own:

- the floor: `python -c "import django; django.setup()"`, the least any command costs;
- a first import of the file into an empty tree;
- the same file again (nothing changes);
- a reorganisation: every section moves to another department, taking its units along, and
  every tenth unit is renamed (nearly every path changes; about 600 units change).

Then one more process of each import runs with its steps timed (`--phases`): start-up, the
system checks the command skips, reading, checking, computing the tree, the writes and the audit
entries.

    python scripts/bench_import.py --database sqlite
    python scripts/bench_import.py --database postgres://postgres@127.0.0.1:5432/postgres

A PostgreSQL URL names the server: the script creates a database of its own there, migrates it
and drops it afterwards. The project's modules are compiled first (`compileall`), as a
deployment has them; otherwise a shell with PYTHONDONTWRITEBYTECODE compiles them anew in every
command. The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("tillit", "principles", "assessments", "reports", "governance", "batches")
FLOOR = "import django; django.setup()"


def generated_file(units: int) -> bytes:
    """10 departments, 10 sections each, and the rest units beneath the sections.

    The same shape as the file tests/assessments/test_import_units.py generates.
    """
    lines = ["code;name;parent_code;kind", "ORG;Storkommunen;;organisation"]
    for d in range(10):
        lines.append(f"D{d};Förvaltning {d};ORG;department")
        lines += [f"D{d}S{s};Avdelning {d}.{s};D{d};section" for s in range(10)]
    lines += [
        f"U{i};Enhet {i:04d} Östra;D{i % 10}S{(i // 10) % 10};unit" for i in range(units - 111)
    ]
    return ("\n".join(lines) + "\n").encode()


def reorganised(data: bytes) -> bytes:
    """Every section under the next department; every unit ending in 0 renamed."""
    lines = data.decode().splitlines()
    for number, line in enumerate(lines):
        code, name, parent, kind = line.split(";")
        if kind == "section":
            lines[number] = f"{code};{name};D{(int(parent[1:]) + 1) % 10};{kind}"
    return ("\n".join(lines) + "\n").encode().replace("0 Östra".encode(), "0 Västra".encode())


# ---------------------------------------------------------------------------------------
# A database of its own
# ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def scratch_database(database: str, folder: Path) -> Iterator[str]:
    if database == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    if urllib.parse.urlsplit(database).scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit("--database is 'sqlite' or a postgres:// URL of a server.")
    import two_nodes  # beside this file: the two-node run makes its database the same way

    with two_nodes.scratch_database(database, prefix="tillit_import_bench") as url:
        yield url


def empty_tree(url: str) -> None:
    """No units and no audit entries, as before a first import (the scratch database only)."""
    statements = ["DELETE FROM auditlog_logentry", "DELETE FROM assessments_unit"]
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
            for statement in statements:
                connection.execute(statement)
            connection.commit()
        return
    import psycopg2

    with contextlib.closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        connection.commit()


# ---------------------------------------------------------------------------------------
# Timing processes
# ---------------------------------------------------------------------------------------


def timed(env: dict[str, str], *args: str, cwd: Path = ROOT) -> tuple[float, float]:
    """Wall-clock seconds of the process, and the CPU seconds it used (the database's not)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


# Runs in a fresh interpreter (the phases run): wraps the import's steps with clocks. Besides
# the wall clock it reads the CPU time of this process and, where the database server runs on
# this machine and /proc shows its processes, of the server process serving the connection:
# figures the machine's other load changes less than the wall clock.
PHASES = r"""
import os, sys, time
started, cpu_started = time.perf_counter(), time.process_time()
import django
django.setup()
setup = (time.perf_counter() - started, time.process_time() - cpu_started)
from django.core import checks
from django.db import connection

def clocks():
    database = None
    if connection.vendor == "postgresql":
        try:
            with open(f"/proc/{backend}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
            database = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return time.perf_counter(), time.process_time(), database

with connection.cursor() as cursor:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
from assessments import importing
from tillit import audit

STEPS = [
    ("reading the CSV", importing, "read_csv"),
    ("checking the rows", importing, "_parse_unit_rows"),
    ("reading the tree", importing, "_load_tree"),
    ("checking parents", importing, "_check_parents"),
    ("writing the units", importing, "_write_units"),
    ("audit entries", importing, "_log_units"),
    ("  of which inserting them", audit.BulkLog, "save"),
]
spent = {label: [0.0, 0.0, 0.0] for label, _owner, _name in STEPS}

def clocked(label, function):
    def wrapper(*args, **kwargs):
        start = clocks()
        try:
            return function(*args, **kwargs)
        finally:
            for i, (a, b) in enumerate(zip(start, clocks())):
                spent[label][i] += (b - a) if a is not None and b is not None else float("nan")
    return wrapper

for label, owner, name in STEPS:
    setattr(owner, name, clocked(label, getattr(owner, name)))

def line(label, figures):
    cells = [f"{value:8.3f}" if value == value and value is not None else "       –"
             for value in figures]
    print(f"  {label:<30}{''.join(cells)}")

data = open(sys.argv[1], "rb").read()
import gc
gc.freeze()  # as the command does before it runs (CsvImportCommand.run_from_argv)
start = clocks()
result = importing.import_units(data, source="bench_import")
end = clocks()
assert result.ok, result.errors
# After the import, so that it finds what the command finds: no admin, no URLs loaded.
before = clocks()
checks.run_checks(include_deployment_checks=False)
after = clocks()
checks_spent = [b - a if a is not None else None for a, b in zip(before, after)]
total = [(b - a) if a is not None and b is not None else None for a, b in zip(start, end)]
print(f"  {'seconds':<30}{'wall':>8}{'CPU':>8}{'CPU db':>8}")
line("import django + setup", [*setup, None])
line("(system checks, skipped)", checks_spent)
line("import_units()", total)
for label, _owner, _name in STEPS:
    line("  " + label, spent[label])
rest = [
    t - sum(spent[label][i] for label, _o, _n in STEPS if not label.startswith(" "))
    if t is not None else None
    for i, t in enumerate(total)
]
line("  computing the tree, commit", rest)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite", help="'sqlite' or a postgres:// URL")
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5, help="rounds of the timed commands")
    parser.add_argument("--no-phases", action="store_true", help="skip the timed steps")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of the project (e.g. `git archive` of an earlier commit) whose "
        "command is timed too, round by round alternately with this one, on the same database "
        "and so under the same load of the machine",
    )
    options = parser.parse_args(argv)

    trees = {"": ROOT} if options.baseline is None else {"": ROOT, "baseline ": options.baseline}
    for tree in trees.values():
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", *PROJECT_PACKAGES], cwd=tree, check=True
        )
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        first, second = folder / "units.csv", folder / "reorganised.csv"
        first.write_bytes(generated_file(options.units))
        second.write_bytes(reorganised(first.read_bytes()))
        with scratch_database(options.database, folder) as url:
            env = {
                key: value
                for key, value in os.environ.items()
                if key not in {"DEBUG", "TILLIT_TESTING", "DATABASE_URL"}
            }
            env.update(
                DJANGO_SETTINGS_MODULE="tillit.settings",
                DATABASE_URL=url,
                SECRET_KEY=secrets.token_hex(32),
            )
            timed(env, "manage.py", "migrate", "-v0")
            vendor = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
            print(f"{options.units:,} units on {vendor}, {options.runs} rounds; load {load()}")
            figures: dict[str, list[tuple[float, float]]] = {"floor: django.setup()": []}
            command = ("manage.py", "import_units")
            for number in range(options.runs):
                figures["floor: django.setup()"].append(timed(env, "-c", FLOOR))
                order = list(trees.items())
                for prefix, tree in order if number % 2 == 0 else reversed(order):
                    empty_tree(url)
                    for label, path in [
                        ("first import", first),
                        ("same file again", first),
                        ("reorganisation", second),
                    ]:
                        figures.setdefault(prefix + label, [])
                        figures[prefix + label].append(timed(env, *command, str(path), cwd=tree))
            print(f"{'seconds':<33}{'wall min / median / max':<26}{'CPU min / median / max':<25}")
            for label, values in figures.items():
                wall, cpu = [v[0] for v in values], [v[1] for v in values]
                print(f"{label:<33}{spread(wall):<26}{spread(cpu):<25}")
            print(f"load afterwards {load()}")
            if not options.no_phases:
                for label, path in [("first import", first), ("reorganisation", second)]:
                    if label == "first import":
                        empty_tree(url)
                    else:
                        timed(env, *command, str(first))
                    print(f"{label}, step by step (one run):")
                    sys.stdout.flush()
                    subprocess.run(
                        [sys.executable, "-c", PHASES, str(path)], cwd=ROOT, env=env, check=True
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
