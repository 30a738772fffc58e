#!/usr/bin/env python3
"""Prove that every threshold check in the disclosure module is tested at its boundary.

Each check in ``assessments/disclosure.py`` is lowered by one in turn (``>= limit`` becomes
``>= limit - 1``, ``< limit`` becomes ``< limit - 1``, the share a respondent needs to count
is lowered by one statement), and the disclosure tests run against the mutant. A mutant that
no test kills is a check that could drift unnoticed. The file is restored after each run,
also when interrupted.

    .venv/bin/python scripts/mutate_disclosure.py            # every check
    .venv/bin/python scripts/mutate_disclosure.py --list     # only list the checks

Exit status 0 when every mutant is killed, 1 otherwise.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "assessments" / "disclosure.py"
TESTS = [
    "tests/assessments/test_disclosure.py",
    "tests/assessments/test_anonymity_attacks.py",
]

# (what the check is, a pattern matching it on one line, its replacement)
COMPARISONS = re.compile(
    r"(?P<left>\b[\w.()\[\]]+\s*)(?P<op>>=|<)(?P<right>\s*(?:limit|self\.threshold|layout\.needed)\b)"
)
EXTRA = [
    (
        "the SQL share a respondent needs",
        re.compile(r'F\("statements"\) \* COUNTED_SHARE'),
        'F("statements") * COUNTED_SHARE - 1',
    ),
    (
        "the SQL floor of one statement",
        re.compile(r"Q\(known__gte=1\)"),
        "Q(known__gte=0)",
    ),
    (
        "the share a respondent needs (Layout.needed)",
        re.compile(r"math\.ceil\(self\.statement_count \* COUNTED_SHARE\)\)"),
        "math.ceil(self.statement_count * COUNTED_SHARE) - 1)",
    ),
]


def mutants(source: str):
    """(line number, description, mutated source) for every check."""
    lines = source.splitlines(keepends=True)
    for index, line in enumerate(lines):
        code = line.split("#", 1)[0]
        for match in COMPARISONS.finditer(code):
            mutated = (
                line[: match.start("right")]
                + match.group("right")
                + " - 1"
                + line[match.end("right") :]
            )
            described = match.group(0).strip()
            yield index + 1, described, "".join([*lines[:index], mutated, *lines[index + 1 :]])
        for description, pattern, replacement in EXTRA:
            if pattern.search(code):
                mutated = pattern.sub(replacement, line, count=1)
                yield (
                    index + 1,
                    description,
                    "".join([*lines[:index], mutated, *lines[index + 1 :]]),
                )


def run_tests() -> tuple[bool, float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", *TESTS],
        cwd=ROOT,
        env={**os.environ, "TILLIT_TESTING": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return result.returncode != 0, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the checks and stop")
    args = parser.parse_args()
    original = TARGET.read_text(encoding="utf-8")
    found = list(mutants(original))
    if args.list:
        for line, description, _source in found:
            print(f"line {line}: {description}")
        return 0
    killed, survived, failed_unmutated = 0, [], False
    try:
        passes_unmutated = not run_tests()[0]
        if not passes_unmutated:
            print("The tests fail on the unmutated module: fix them first.")
            failed_unmutated = True
            return 1
        for line, description, source in found:
            TARGET.write_text(source, encoding="utf-8")
            was_killed, seconds = run_tests()
            verdict = "killed" if was_killed else "SURVIVED"
            print(f"line {line:4d}  {description:<55} {verdict} ({seconds:.0f} s)", flush=True)
            if was_killed:
                killed += 1
            else:
                survived.append((line, description))
    finally:
        TARGET.write_text(original, encoding="utf-8")
    if not failed_unmutated:
        print(f"\n{killed} of {len(found)} mutants killed; {len(survived)} survived.")
    return 0 if not survived else 1


if __name__ == "__main__":
    sys.exit(main())
