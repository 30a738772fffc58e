"""Import the unit tree and people's roles from CSV files, as HR systems and Excel export them.

One code path serves the management commands and the admin upload. Each import reads and
checks the whole file first; if anything is wrong it reports every problem with its line
number and stores nothing. A dry run does all the same work and stops before writing.

Units: ``code,name,parent_code[,kind]``. Re-importing renames, re-kinds and moves units
(a move takes the unit's subtree with it) and is idempotent; units missing from the file are
left as they are. The tree is built in memory (materialised paths computed here) and written
with a handful of bulk queries (COPY on PostgreSQL, ``tillit.bulk``), so 5,000 units import in
a few tenths of a second instead of the several queries per node that treebeard's
``add_child`` would cost.

Roles: ``email,unit_code,role``. People are matched by e-mail address; missing people are
created with an unusable password. Roles missing from the file are left as they are.

Both: every unit the file creates, renames, gives a new kind or moves, and every person and
role created, gets its entry in the audit log, as a save in admin would
(``tillit.audit.BulkLog``), with the importing administrator or, from a command, its name; a
unit's entry names its parent by code. Units whose only change is treebeard's numbering (moved
along with an ancestor, renumbered beside a new sibling) get none. The entries are written in
bulk inside the import's transaction, so a refused import leaves no entries either.

Both formats: UTF-8 with or without BOM, comma, semicolon or tab between fields, a header row.
Every value is checked against the model field it lands in (length, no control characters)
before anything is written, so a dry run finds everything the write would fail on.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import re
import secrets
import unicodedata
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, CharField, IntegerField, Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone
from django.utils.encoding import smart_str
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tillit.audit import BulkLog
from tillit.bulk import insert_rows, new_keys

from .models import Role, RoleKind, Unit, UnitKind

DELIMITERS = (",", ";", "\t")
UNIT_COLUMNS = ("code", "name", "parent_code")
UNIT_OPTIONAL_COLUMNS = ("kind",)
ROLE_COLUMNS = ("email", "unit_code", "role")

CODE_MAX = Unit._meta.get_field("code").max_length
NAME_MAX = Unit._meta.get_field("name").max_length
PATH_MAX = Unit._meta.get_field("path").max_length
MAX_DEPTH = PATH_MAX // Unit.steplen
MAX_CHILDREN = len(Unit.alphabet) ** Unit.steplen - 1
# Unicode's control characters (category Cc): C0, DEL and C1.
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Batches small enough for any database's parameter limit and for CASE-based bulk updates.
BATCH = 500
# The unit fields an import writes, and so the ones its audit entries compare.
WRITTEN_UNIT_FIELDS = ["path", "depth", "numchild", "name", "kind"]

# What HR files write for the kinds, besides our own values. Case does not matter.
KIND_ALIASES = {
    **{value: value for value in UnitKind.values},
    "förvaltning": UnitKind.DEPARTMENT,
    "forvaltning": UnitKind.DEPARTMENT,
    "avdelning": UnitKind.SECTION,
    "sektion": UnitKind.SECTION,
    "enhet": UnitKind.UNIT,
    "kommun": UnitKind.ORGANISATION,
    "region": UnitKind.ORGANISATION,
    "myndighet": UnitKind.ORGANISATION,
}
ROLE_ALIASES = {
    **{value: value for value in RoleKind.values},
    "quality developer": RoleKind.QUALITY_DEVELOPER,
    "chef": RoleKind.MANAGER,
    "enhetschef": RoleKind.MANAGER,
    "kvalitetsutvecklare": RoleKind.QUALITY_DEVELOPER,
    "steering owner": RoleKind.STEERING_OWNER,
    "förvaltningsledning": RoleKind.STEERING_OWNER,
    "forvaltningsledning": RoleKind.STEERING_OWNER,
}


# ---------------------------------------------------------------------------------------
# Reading CSV files
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong with the file. `line` is 0 when it concerns the file as a whole."""

    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}
        return self.message


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]


def _visible(text: str) -> str:
    """`text` with control characters shown as U+XXXX, for messages that quote the file."""
    return CONTROL_CHARACTER.sub(lambda match: f"U+{ord(match.group()):04X}", text)


def _control_character_problems(row: CsvRow) -> tuple[list[str], set[str]]:
    """Messages for the values of `row` holding control characters, and those columns.

    PostgreSQL cannot store NUL at all; tabs, line breaks and the other control characters
    do not belong in a code, name, e-mail address or role either.
    """
    messages, columns = [], set()
    for column, value in row.values.items():
        if match := CONTROL_CHARACTER.search(value):
            # Translated here, not for every row: thousands of gettext calls cost a tenth
            # of a second in a 5,000-row file.
            names = {"\x00": _("a NUL byte"), "\t": _("a tab"), "\n": _("a line break")}
            names["\r"] = names["\n"]
            char = match.group()
            code_point = f"U+{ord(char):04X}"
            columns.add(column)
            messages.append(
                _(
                    "the column “%(column)s” contains a control character (%(character)s), "
                    "which is not allowed; remove it and import again."
                )
                % {
                    "column": column,
                    "character": f"{code_point}, {names[char]}" if char in names else code_point,
                }
            )
    return messages, columns


def _column_name(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


def _decode(data: bytes) -> tuple[str, Problem | None]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "", Problem(
            0,
            _(
                "The file is saved as UTF-16 (“Unicode text”). Save it as UTF-8 (in Excel: "
                "“CSV UTF-8”) and import it again."
            ),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return "", Problem(
            line,
            _(
                "the file is not saved as UTF-8: this line contains characters in another "
                "encoding, probably Windows-1252 or Latin-1 (what Excel writes for plain "
                "“CSV”). Save the file as UTF-8 (in Excel: “CSV UTF-8”) and import it again."
            ),
        )
    if not text.strip():
        return "", Problem(0, _("The file is empty."))
    return text, None


def _header_fields(first_line: str, delimiter: str) -> list[str]:
    fields = next(csv.reader([first_line], delimiter=delimiter), [])
    names = [_column_name(name) for name in fields]
    while names and not names[-1]:  # Excel pads rows with empty trailing columns
        names.pop()
    return names


def read_csv(
    data: bytes, required: Sequence[str], optional: Sequence[str] = ()
) -> tuple[list[CsvRow], list[Problem]]:
    """Rows of a CSV file with a header naming `required` (and maybe `optional`) columns.

    Values are stripped of surrounding white space; blank lines are skipped. The delimiter is
    whichever of comma, semicolon or tab makes the header line name the expected columns.
    """
    text, problem = _decode(data)
    if problem:
        return [], [problem]
    first_line = text.splitlines()[0] if text else ""
    allowed = set(required) | set(optional)
    header = delimiter = None
    for candidate in DELIMITERS:
        names = _header_fields(first_line, candidate)
        if set(required) <= set(names) and set(names) <= allowed and len(names) == len(set(names)):
            header, delimiter = names, candidate
            break
    if header is None:
        expected = ",".join(required) + "".join(f"[,{name}]" for name in optional)
        return [], [
            Problem(
                1,
                _(
                    "the first line must name the columns %(expected)s, separated by commas "
                    "or semicolons; it reads “%(found)s”."
                )
                % {"expected": expected, "found": _visible(first_line.strip()[:200])},
            )
        ]

    rows: list[CsvRow] = []
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        next(reader)  # the header
        for fields in reader:
            if not any(value.strip() for value in fields):
                continue
            values = [value.strip() for value in fields]
            if len(values) > len(header) and not any(values[len(header) :]):
                values = values[: len(header)]
            if len(values) != len(header):
                problems.append(
                    Problem(
                        reader.line_num,
                        _("the line has %(found)d fields, the header %(expected)d.")
                        % {"found": len(values), "expected": len(header)},
                    )
                )
                continue
            rows.append(CsvRow(reader.line_num, dict(zip(header, values, strict=True))))
    except csv.Error as error:
        problems.append(
            Problem(
                reader.line_num,
                _("the line cannot be read as CSV (%(error)s).") % {"error": error},
            )
        )
    if not rows and not problems:
        problems.append(Problem(0, _("The file has no rows after the header line.")))
    return rows, problems


def sort_key(name: str) -> str:
    """Swedish alphabetical order: case-insensitive, å ä ö after z, other accents ignored."""
    return "".join(map(_sort_letter, name.casefold()))


@functools.lru_cache(maxsize=4096)
def _sort_letter(char: str) -> str:
    # Cached: normalising each character anew made sorting long names the slowest step.
    if char in "åäöæø":
        return {"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"}[char]
    return unicodedata.normalize("NFKD", char)[:1]


# ---------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------


@dataclass
class UnitChange:
    """One unit in the import result; `old_*` are the values before the import."""

    code: str
    name: str
    kind: str
    parent_code: str | None
    line: int
    old_name: str = ""
    old_kind: str = ""
    old_parent_code: str | None = None

    @property
    def kind_label(self) -> str:
        return UnitKind(self.kind).label

    @property
    def old_kind_label(self) -> str:
        return UnitKind(self.old_kind).label if self.old_kind else ""


@dataclass
class UnitImportResult:
    dry_run: bool
    errors: list[Problem] = field(default_factory=list)
    created: list[UnitChange] = field(default_factory=list)
    # Name or kind changed. A unit both renamed and moved is in `updated` and in `moved`.
    updated: list[UnitChange] = field(default_factory=list)
    moved: list[UnitChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Units in the database that the file does not mention: left exactly as they are.
    not_in_file: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated or self.moved)

    def summary(self) -> list[str]:
        """Short lines for the command line and the admin messages."""
        if self.errors:
            return [
                ngettext(
                    "Nothing was imported: the file has %(count)d problem.",
                    "Nothing was imported: the file has %(count)d problems.",
                    len(self.errors),
                )
                % {"count": len(self.errors)}
            ]
        if self.dry_run:
            lines = [_("Dry run: nothing has been saved. Importing the file would give:")]
        else:
            lines = [_("The units have been imported:")]
        counts = [
            (
                len(self.created),
                ngettext("%(count)d new unit", "%(count)d new units", len(self.created)),
            ),
            (
                len(self.updated),
                ngettext(
                    "%(count)d unit with a new name or kind",
                    "%(count)d units with a new name or kind",
                    len(self.updated),
                ),
            ),
            (
                len(self.moved),
                ngettext(
                    "%(count)d unit moved to a new parent",
                    "%(count)d units moved to a new parent",
                    len(self.moved),
                ),
            ),
            (
                len(self.unchanged),
                ngettext(
                    "%(count)d unit unchanged", "%(count)d units unchanged", len(self.unchanged)
                ),
            ),
        ]
        lines += [f"– {text % {'count': count}}" for count, text in counts]
        if self.not_in_file:
            lines.append(
                "– "
                + ngettext(
                    "%(count)d unit in Tillit is not in the file; it is left as it is "
                    "(an import never deletes units).",
                    "%(count)d units in Tillit are not in the file; they are left as they are "
                    "(an import never deletes units).",
                    len(self.not_in_file),
                )
                % {"count": len(self.not_in_file)}
            )
        return lines

    def details(self) -> list[str]:
        """One line per change, for the command line."""
        lines = []
        for c in self.created:
            lines.append(
                _("+ %(code)s “%(name)s” (%(kind)s) under %(parent)s")
                % {
                    "code": c.code,
                    "name": c.name,
                    "kind": c.kind_label,
                    "parent": c.parent_code or _("(top level)"),
                }
            )
        for c in self.updated:
            lines.append(
                _("~ %(code)s “%(old_name)s” (%(old_kind)s) → “%(name)s” (%(kind)s)")
                % {
                    "code": c.code,
                    "old_name": c.old_name,
                    "old_kind": c.old_kind_label,
                    "name": c.name,
                    "kind": c.kind_label,
                }
            )
        for c in self.moved:
            lines.append(
                _("> %(code)s “%(name)s” moves from %(old_parent)s to %(parent)s")
                % {
                    "code": c.code,
                    "name": c.name,
                    "old_parent": c.old_parent_code or _("(top level)"),
                    "parent": c.parent_code or _("(top level)"),
                }
            )
        return lines


@dataclass
class _UnitRow:
    line: int
    code: str
    name: str
    parent_code: str | None
    kind: str | None  # None: keep the existing unit's kind, or the default for a new one


@dataclass
class _Existing:
    pk: int
    code: str
    name: str
    kind: str
    path: str
    numchild: int
    parent_code: str | None = None


def _parse_unit_rows(rows: list[CsvRow]) -> tuple[list[_UnitRow], list[Problem], set[str]]:
    """Valid rows, problems, and every code the file names (valid row or not)."""
    parsed: list[_UnitRow] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for row in rows:
        code, name = row.values["code"], row.values["name"]
        parent_code = row.values["parent_code"] or None
        raw_kind = row.values.get("kind", "")
        kind = KIND_ALIASES.get(raw_kind.lower()) if raw_kind else None
        # A value with control characters gets that message only and is never quoted back.
        row_problems, unreadable = _control_character_problems(row)
        if "code" in unreadable:
            code = ""  # not a code any other line can name
        elif not code:
            row_problems.append(_("the code is empty."))
        elif len(code) > CODE_MAX:
            row_problems.append(
                _("the code “%(code)s” is longer than %(max)d characters.")
                % {"code": code, "max": CODE_MAX}
            )
        if "name" not in unreadable and not name:
            row_problems.append(_("the name is empty."))
        elif "name" not in unreadable and len(name) > NAME_MAX:
            row_problems.append(
                _("the name is longer than %(max)d characters.") % {"max": NAME_MAX}
            )
        if raw_kind and kind is None and "kind" not in unreadable:
            row_problems.append(
                _("unknown kind “%(kind)s”; use one of %(kinds)s (or leave it empty).")
                % {"kind": raw_kind, "kinds": ", ".join(UnitKind.values)}
            )
        if code and code in first_line:
            row_problems.append(
                _("the code “%(code)s” is already on line %(first)d; each unit once only.")
                % {"code": code, "first": first_line[code]}
            )
        problems += [Problem(row.line, message) for message in row_problems]
        if code and code not in first_line:
            first_line[code] = row.line
            if not row_problems:
                parsed.append(_UnitRow(row.line, code, name, parent_code, kind))
    return parsed, problems, set(first_line)


def _load_tree(*, lock: bool) -> dict[str, _Existing]:
    queryset = Unit.objects.order_by("path").values_list(
        "pk", "code", "name", "kind", "path", "numchild"
    )
    if lock:
        # Serialises concurrent imports on PostgreSQL; SQLite locks the whole file anyway.
        queryset = queryset.select_for_update()
    existing = {row[1]: _Existing(*row) for row in queryset}
    code_at = {unit.path: unit.code for unit in existing.values()}
    for unit in existing.values():
        unit.parent_code = code_at.get(unit.path[: -Unit.steplen])
    return existing


def _check_parents(
    rows: list[_UnitRow], existing: dict[str, _Existing], codes_in_file: set[str]
) -> tuple[dict[str, str | None], list[Problem]]:
    """The parent of every unit after the import, or problems: unknown parents and cycles."""
    problems = []
    in_file = {row.code: row for row in rows}
    for row in rows:
        parent = row.parent_code
        if parent and parent not in codes_in_file and parent not in existing:
            problems.append(
                Problem(
                    row.line,
                    _(
                        "unknown parent code “%(parent)s”: it is neither in the file nor a "
                        "unit in Tillit."
                    )
                    % {"parent": row.parent_code},
                )
            )
    if problems:
        return {}, problems

    parent_of = {code: unit.parent_code for code, unit in existing.items()}
    parent_of.update({row.code: row.parent_code for row in rows})
    done: set[str] = set()
    for row in rows:
        chain: list[str] = []
        position: dict[str, int] = {}
        code: str | None = row.code
        while code is not None and code not in done:
            if code in position:
                cycle = chain[position[code] :]
                lines = sorted(in_file[c].line for c in cycle if c in in_file)
                if len(cycle) == 1:
                    message = _("a unit cannot be its own parent.")
                else:
                    message = _(
                        "the units %(cycle)s form a cycle (lines %(lines)s): a unit cannot lie "
                        "beneath itself."
                    ) % {
                        "cycle": " → ".join([*cycle, cycle[0]]),
                        "lines": ", ".join(map(str, lines)),
                    }
                problems.append(Problem(lines[0], message))
                break
            position[code] = len(chain)
            chain.append(code)
            # A parent on a line with problems of its own has no entry: the walk ends there.
            code = parent_of.get(code)
        done.update(chain)
    return parent_of, problems


def _step(number: int) -> str:
    key = Unit._int2str(number)
    return Unit.alphabet[0] * (Unit.steplen - len(key)) + key


@transaction.atomic
def import_units(
    data: bytes,
    *,
    dry_run: bool = False,
    actor: AbstractBaseUser | None = None,
    source: str = "import",
) -> UnitImportResult:
    """Create, rename and move units as the CSV file says; all of it or, on any problem, none.

    The audit log names `actor` (the administrator importing in admin) and `source` (what ran
    the import: a command has no actor).
    """
    result = UnitImportResult(dry_run=dry_run)
    csv_rows, problems = read_csv(data, UNIT_COLUMNS, UNIT_OPTIONAL_COLUMNS)
    if problems:  # the file itself cannot be read: no point looking at its contents
        result.errors = sorted(problems)
        return result
    rows, problems, codes_in_file = _parse_unit_rows(csv_rows)
    existing = _load_tree(lock=not dry_run)
    parent_of, parent_problems = _check_parents(rows, existing, codes_in_file)
    problems += parent_problems
    if problems:
        result.errors = sorted(problems)
        return result

    in_file = {row.code: row for row in rows}
    name_of = {code: unit.name for code, unit in existing.items()}
    kind_of = {code: unit.kind for code, unit in existing.items()}
    for row in rows:
        name_of[row.code] = row.name
        kind_of[row.code] = row.kind or kind_of.get(row.code, UnitKind.UNIT)

    # Siblings are numbered in name order. A parent keeps its children's numbers unless it
    # gains a child or one of them is renamed; then they are renumbered. Untouched parts of
    # the tree keep their paths, so an unchanged re-import writes nothing.
    children: dict[str | None, list[str]] = defaultdict(list)
    renumber: set[str | None] = set()
    for code, parent in parent_of.items():
        children[parent].append(code)
        old = existing.get(code)
        if old is None or old.parent_code != parent or old.name != name_of[code]:
            renumber.add(parent)

    new_path: dict[str, str] = {}
    queue: deque[str | None] = deque([None])
    too_deep: set[int] = set()
    while queue:
        parent = queue.popleft()
        base = new_path[parent] if parent is not None else ""
        kids = children.get(parent, [])
        if parent in renumber:
            if len(kids) > MAX_CHILDREN:
                line = in_file[parent].line if parent in in_file else 0
                result.errors.append(Problem(line, _("too many units directly beneath one.")))
                return result
            kids.sort(key=lambda c: (sort_key(name_of[c]), name_of[c], c))
            for number, code in enumerate(kids, start=1):
                new_path[code] = base + _step(number)
        else:
            for code in kids:
                new_path[code] = base + existing[code].path[-Unit.steplen :]
        for code in kids:
            if len(new_path[code]) > PATH_MAX:
                ancestor = code
                while ancestor not in in_file:
                    ancestor = parent_of[ancestor]
                too_deep.add(in_file[ancestor].line)
            else:
                queue.append(code)
    if too_deep:
        result.errors = [
            Problem(
                line,
                _("the tree would be deeper than %(max)d levels.") % {"max": MAX_DEPTH},
            )
            for line in sorted(too_deep)
        ]
        return result

    # The fields of each unit to write; Unit objects only for those the audit log names.
    to_create: list[dict[str, Any]] = []
    to_update: list[dict[str, Any]] = []
    for code, parent in parent_of.items():
        path = new_path[code]
        fields = {
            "code": code,
            "name": name_of[code],
            "kind": kind_of[code],
            "path": path,
            "depth": len(path) // Unit.steplen,
            "numchild": len(children.get(code, ())),
        }
        old = existing.get(code)
        row = in_file.get(code)
        if old is None:
            to_create.append(fields)
            result.created.append(
                UnitChange(code, fields["name"], fields["kind"], parent, row.line)
            )
            continue
        if (old.path, old.numchild, old.name, old.kind) != (
            path,
            fields["numchild"],
            fields["name"],
            fields["kind"],
        ):
            to_update.append({"pk": old.pk, **fields})
        if row is None:
            result.not_in_file.append(code)
            continue
        change = UnitChange(
            code,
            fields["name"],
            fields["kind"],
            parent,
            row.line,
            old_name=old.name,
            old_kind=old.kind,
            old_parent_code=old.parent_code,
        )
        if (old.name, old.kind) != (change.name, change.kind):
            result.updated.append(change)
        if old.parent_code != parent:
            result.moved.append(change)
        if (old.name, old.kind, old.parent_code) == (change.name, change.kind, parent):
            result.unchanged.append(code)
    for changes in (result.created, result.updated, result.moved):
        changes.sort(key=lambda change: change.line)
    result.not_in_file.sort()

    if dry_run:
        return result
    try:
        with transaction.atomic():
            created = _write_units(to_create, to_update, existing)
            _log_units(created, to_update, existing, parent_of, BulkLog(actor=actor, source=source))
    except IntegrityError:
        # Someone else changed the tree between our reading and writing it.
        result.errors = [
            Problem(
                0,
                _(
                    "The unit tree was changed by someone else during the import; nothing was "
                    "imported. Import the file again."
                ),
            )
        ]
        result.created, result.updated, result.moved, result.unchanged = [], [], [], []
    return result


def _write_units(
    to_create: list[dict[str, Any]], to_update: list[dict[str, Any]], existing: dict[str, _Existing]
) -> list[Unit]:
    """Write the units' fields; returns the new units, with their keys."""
    old_paths = {unit.pk: unit.path for unit in existing.values()}
    moving = [unit["pk"] for unit in to_update if old_paths[unit["pk"]] != unit["path"]]
    # Paths are unique and checked row by row, so first park every moving unit on a
    # temporary path outside treebeard's alphabet, then write the final ones.
    for start in range(0, len(moving), BATCH):
        Unit.objects.filter(pk__in=moving[start : start + BATCH]).update(
            path=Concat(Value("~"), Cast("pk", output_field=CharField()))
        )
    # Django's bulk_update builds a CASE expression per row and field in Python, which costs
    # seconds for thousands of units; plain SQL does the same in a fraction of that.
    fields = WRITTEN_UNIT_FIELDS
    quote = connection.ops.quote_name
    table = quote(Unit._meta.db_table)
    pk = quote(Unit._meta.pk.column)
    columns = [quote(Unit._meta.get_field(name).column) for name in fields]
    rows = [[unit["pk"]] + [unit[name] for name in fields] for unit in to_update]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per batch instead of one round trip per row.
            assignments = ", ".join(f"{column} = v.{column}" for column in columns)
            names = ", ".join([pk, *columns])
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                values = ", ".join(["(" + ", ".join(["%s"] * len(batch[0])) + ")"] * len(batch))
                cursor.execute(
                    f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v({names}) "
                    f"WHERE {table}.{pk} = v.{pk}",
                    [value for row in batch for value in row],
                )
        else:  # SQLite runs executemany in-process, row by row, quickly
            cursor.executemany(
                f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in columns)} WHERE {pk} = %s",
                [row[1:] + row[:1] for row in rows],
            )
    return _insert_units([Unit(**fields) for fields in to_create])


def _insert_units(units: list[Unit]) -> list[Unit]:
    """Insert new units and give them their keys (the audit entries name them).

    Rather than bulk_create, whose preparing of every value for its INSERT took longer than
    the database took to store them: on PostgreSQL the keys are taken from the sequence first
    and the rows copied in (``tillit.bulk``); elsewhere the rows go in without keys, which are
    then read back by code.
    """
    if not units:
        return units
    meta = Unit._meta
    keys = new_keys(meta.db_table, meta.pk.column, len(units))
    if keys is not None:
        for unit, key in zip(units, keys, strict=True):
            unit.pk = key
    fields = [field for field in meta.concrete_fields if keys is not None or not field.primary_key]
    # Text, numbers and flags go in as they are; any other kind of field as Django prepares it.
    plain = [isinstance(field, CharField | IntegerField | BooleanField) for field in fields]
    insert_rows(
        meta.db_table,
        [field.column for field in fields],
        (
            [
                getattr(unit, field.attname)
                if is_plain
                else field.get_db_prep_save(getattr(unit, field.attname), connection)
                for field, is_plain in zip(fields, plain, strict=True)
            ]
            for unit in units
        ),
        batch_size=BATCH,
    )
    if keys is None:
        codes = [unit.code for unit in units]
        key_of = {}
        for start in range(0, len(codes), BATCH):  # within SQLite's limit of parameters
            key_of.update(
                Unit.objects.filter(code__in=codes[start : start + BATCH]).values_list("code", "pk")
            )
        for unit in units:
            unit.pk = key_of[unit.code]
    return units


def _log_units(
    created: list[Unit],
    updated: list[dict[str, Any]],
    existing: dict[str, _Existing],
    parent_of: dict[str, str | None],
    log: BulkLog,
) -> None:
    """One audit entry per unit the file creates, renames, gives a new kind or moves.

    A new or moved unit's entry names its parent by code (``parent``), which the path says
    only in treebeard's numbering. Units whose only change is that numbering get none: those
    carried along by a moving ancestor, renumbered after a sibling arrived or was renamed, or
    with a new child count (which auditlog leaves out). Nothing about them changed that anyone
    sees, and the entry of the unit that moved or was renamed says what did.
    """
    for unit in created:
        parent = parent_of[unit.code]
        log.created(unit, {"parent": ["None", parent]} if parent is not None else None)
    for fields in updated:
        was = existing[fields["code"]]
        parent = parent_of[was.code]
        moved = was.parent_code != parent
        if not moved and (was.name, was.kind) == (fields["name"], fields["kind"]):
            continue
        old = Unit(
            pk=was.pk,
            code=was.code,
            name=was.name,
            kind=was.kind,
            path=was.path,
            depth=len(was.path) // Unit.steplen,
            numchild=was.numchild,
        )
        more = {"parent": [smart_str(was.parent_code), smart_str(parent)]} if moved else None
        log.updated(old, Unit(**fields), WRITTEN_UNIT_FIELDS, more)
    log.save()


# ---------------------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------------------


@dataclass
class RoleChange:
    email: str
    unit_code: str
    unit_name: str
    kind: str
    line: int
    new_person: bool = False

    @property
    def kind_label(self) -> str:
        return RoleKind(self.kind).label


@dataclass
class RoleImportResult:
    dry_run: bool
    errors: list[Problem] = field(default_factory=list)
    created_people: list[str] = field(default_factory=list)
    created: list[RoleChange] = field(default_factory=list)
    unchanged: list[RoleChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.created_people)

    def summary(self) -> list[str]:
        if self.errors:
            return [
                ngettext(
                    "Nothing was imported: the file has %(count)d problem.",
                    "Nothing was imported: the file has %(count)d problems.",
                    len(self.errors),
                )
                % {"count": len(self.errors)}
            ]
        if self.dry_run:
            lines = [_("Dry run: nothing has been saved. Importing the file would give:")]
        else:
            lines = [_("The roles have been imported:")]
        lines += [
            "– "
            + ngettext(
                "%(count)d new person (without a password until they set one)",
                "%(count)d new people (without a password until they set one)",
                len(self.created_people),
            )
            % {"count": len(self.created_people)},
            "– "
            + ngettext("%(count)d new role", "%(count)d new roles", len(self.created))
            % {"count": len(self.created)},
            "– "
            + ngettext(
                "%(count)d role existed already",
                "%(count)d roles existed already",
                len(self.unchanged),
            )
            % {"count": len(self.unchanged)},
            "– " + _("Roles that are not in the file are left as they are."),
        ]
        return lines

    def details(self) -> list[str]:
        lines = []
        for change in self.created:
            line = _("+ %(email)s: %(role)s of %(code)s “%(name)s”") % {
                "email": change.email,
                "role": change.kind_label,
                "code": change.unit_code,
                "name": change.unit_name,
            }
            if change.new_person:
                line += " " + _("(new person)")
            lines.append(line)
        return lines


def _user_field_max_length(name: str) -> int:
    return get_user_model()._meta.get_field(name).max_length


@dataclass
class _RoleRow:
    line: int
    email: str
    unit_code: str
    kind: str


def _email_problem(email: str, max_length: int) -> str | None:
    if not email:
        return _("the e-mail address is empty.")
    if len(email) > max_length:
        # Django's validator accepts up to 320 characters; the field holds fewer.
        return _("the e-mail address is longer than the %(max)d characters Tillit can store.") % {
            "max": max_length
        }
    try:
        validate_email(email)
    except ValidationError:
        return _("“%(email)s” is not a valid e-mail address.") % {"email": email}
    return None


def _parse_role_rows(rows: list[CsvRow]) -> tuple[list[_RoleRow], list[Problem]]:
    parsed, problems = [], []
    first_line: dict[tuple[str, str, str], int] = {}
    email_max = _user_field_max_length("email")
    for row in rows:
        email = row.values["email"].lower()
        unit_code = row.values["unit_code"]
        raw_role = row.values["role"]
        kind = ROLE_ALIASES.get(raw_role.lower()) or ROLE_ALIASES.get(
            raw_role.lower().replace("_", " ")
        )
        # A value with control characters gets that message only and is never quoted back.
        row_problems, unreadable = _control_character_problems(row)
        if "email" not in unreadable and (problem := _email_problem(email, email_max)):
            row_problems.append(problem)
        if "unit_code" not in unreadable and not unit_code:
            row_problems.append(_("the unit code is empty."))
        if kind is None and "role" not in unreadable:
            row_problems.append(
                _("unknown role “%(role)s”; use %(roles)s.")
                % {"role": raw_role, "roles": ", ".join(RoleKind.values)}
            )
        key = (email, unit_code, kind or "")
        if not row_problems and key in first_line:
            row_problems.append(
                _("the same role is already on line %(first)d.") % {"first": first_line[key]}
            )
        problems += [Problem(row.line, message) for message in row_problems]
        if not row_problems:
            first_line[key] = row.line
            parsed.append(_RoleRow(row.line, email, unit_code, kind))
    return parsed, problems


@transaction.atomic
def import_roles(
    data: bytes,
    *,
    dry_run: bool = False,
    actor: AbstractBaseUser | None = None,
    source: str = "import",
) -> RoleImportResult:
    """Give people roles on units as the CSV file says; all of it or, on any problem, none.

    The audit log names `actor` and `source` as for `import_units`.
    """
    result = RoleImportResult(dry_run=dry_run)
    csv_rows, problems = read_csv(data, ROLE_COLUMNS)
    rows, row_problems = _parse_role_rows(csv_rows)
    problems += row_problems
    if problems:
        result.errors = sorted(problems)
        return result

    units = {
        code: (pk, name)
        for pk, code, name in Unit.objects.filter(
            code__in={row.unit_code for row in rows}
        ).values_list("pk", "code", "name")
    }
    user_model = get_user_model()
    emails = {row.email for row in rows}
    people: dict[str, list[int]] = defaultdict(list)
    usernames: dict[int, str] = {}  # for the audit entries' "person – role – unit"
    username_field = user_model.USERNAME_FIELD
    for pk, email, username in (
        user_model.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("pk", "email_lower", username_field)
    ):
        people[email].append(pk)
        usernames[pk] = username
    missing = emails - set(people)
    # A new person's user name is their e-mail address, which may be too long for it.
    username_max = _user_field_max_length("username")
    too_long = {email for email in missing if len(email) > username_max}
    taken_usernames = set(
        user_model.objects.filter(username__in=missing - too_long).values_list(
            "username", flat=True
        )
    )
    reported: set[str] = set()
    for row in rows:
        if row.unit_code not in units:
            problems.append(
                Problem(
                    row.line,
                    _("unknown unit code “%(code)s”: import the units first.")
                    % {"code": row.unit_code},
                )
            )
        if row.email in reported:
            continue
        if len(people.get(row.email, ())) > 1:
            reported.add(row.email)
            problems.append(
                Problem(
                    row.line,
                    _(
                        "several people in Tillit have the e-mail address %(email)s; give "
                        "them their roles in admin instead."
                    )
                    % {"email": row.email},
                )
            )
        elif row.email in too_long:
            reported.add(row.email)
            problems.append(
                Problem(
                    row.line,
                    _(
                        "%(email)s is not in Tillit yet, and a new person's user name is their "
                        "e-mail address, which can be at most %(max)d characters; create the "
                        "person in admin with a shorter user name first."
                    )
                    % {"email": row.email, "max": username_max},
                )
            )
        elif row.email in taken_usernames:
            reported.add(row.email)
            problems.append(
                Problem(
                    row.line,
                    _(
                        "a person with the user name %(email)s has another e-mail address; "
                        "correct it in admin first."
                    )
                    % {"email": row.email},
                )
            )
    if problems:
        result.errors = sorted(problems)
        return result

    existing_roles = set(
        Role.objects.filter(
            user_id__in=[pks[0] for pks in people.values()],
            unit_id__in=[pk for pk, _name in units.values()],
        ).values_list("user_id", "unit_id", "kind")
    )
    result.created_people = sorted(missing)
    for row in rows:
        unit_pk, unit_name = units[row.unit_code]
        change = RoleChange(
            row.email, row.unit_code, unit_name, row.kind, row.line, row.email in missing
        )
        user_pk = people[row.email][0] if row.email in people else None
        if user_pk is not None and (user_pk, unit_pk, row.kind) in existing_roles:
            result.unchanged.append(change)
        else:
            result.created.append(change)
    if dry_run:
        return result

    try:
        with transaction.atomic():
            new_people = []
            for email in result.created_people:
                person = user_model(username=email, email=email)
                person.set_unusable_password()
                new_people.append(person)
            user_model.objects.bulk_create(new_people)
            user_pks = {email: pks[0] for email, pks in people.items()}
            user_pks.update(
                user_model.objects.filter(username__in=result.created_people).values_list(
                    "username", "pk"
                )
            )
            for person in new_people:
                person.pk = user_pks[person.username]
            # In-memory people and units, so that each role's audit text needs no query.
            person_of = {
                email: user_model(pk=pk, **{username_field: usernames[pk]})
                for email, pk in user_pks.items()
                if pk in usernames
            }
            person_of.update({person.username: person for person in new_people})
            unit_of = {
                code: Unit(pk=pk, code=code, name=name) for code, (pk, name) in units.items()
            }
            roles = [
                Role(
                    user=person_of[change.email],
                    unit=unit_of[change.unit_code],
                    kind=change.kind,
                )
                for change in result.created
            ]
            Role.objects.bulk_create(roles)
            _log_roles(new_people, roles, BulkLog(actor=actor, source=source))
    except IntegrityError:
        result.errors = [
            Problem(
                0,
                _(
                    "People or roles were changed by someone else during the import; nothing "
                    "was imported. Import the file again."
                ),
            )
        ]
        result.created, result.unchanged, result.created_people = [], [], []
    return result


def _log_roles(new_people: list, roles: list[Role], log: BulkLog) -> None:
    """One audit entry per person created and per role given."""
    if any(role.pk is None for role in roles):  # a database that returns no new keys
        pks = {
            (user_id, unit_id, kind): pk
            for pk, user_id, unit_id, kind in Role.objects.filter(
                user_id__in={role.user_id for role in roles},
                unit_id__in={role.unit_id for role in roles},
            ).values_list("pk", "user_id", "unit_id", "kind")
        }
        for role in roles:
            role.pk = pks[(role.user_id, role.unit_id, role.kind)]
    for person in new_people:
        log.created(person)
    for role in roles:
        log.created(role)
    log.save()


# ---------------------------------------------------------------------------------------
# Uploaded files waiting for their confirmation in admin
# ---------------------------------------------------------------------------------------

# In the default storage (MEDIA_ROOT, which is never served at a URL), under random names.
UPLOAD_FOLDER = "imports"


def keep_upload(data: bytes, *, max_age: int) -> str:
    """Keep an uploaded file until it is confirmed; returns its private, unguessable name.

    Files left longer than `max_age` seconds (previews never confirmed nor cancelled) are
    deleted on the way.
    """
    _discard_uploads_older_than(max_age)
    return default_storage.save(
        f"{UPLOAD_FOLDER}/{secrets.token_urlsafe(32)}.csv", ContentFile(data)
    )


def take_upload(name: str | None) -> bytes | None:
    """The kept file's bytes, deleting it; None if it is gone or `name` is not a kept file."""
    if not _is_upload_name(name):
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    discard_upload(name)
    return data


def discard_upload(name: str | None) -> None:
    if _is_upload_name(name):
        default_storage.delete(name)


def _is_upload_name(name: object) -> bool:
    """Only files kept here may be read or deleted through a name taken from a session."""
    if not isinstance(name, str):
        return False
    folder, _slash, file_name = name.partition("/")
    return (
        folder == UPLOAD_FOLDER
        and file_name.endswith(".csv")
        and "/" not in file_name
        and not file_name.startswith(".")
    )


def _discard_uploads_older_than(seconds: int) -> None:
    try:
        _folders, files = default_storage.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - timedelta(seconds=seconds)
    for file_name in files:
        name = f"{UPLOAD_FOLDER}/{file_name}"
        with contextlib.suppress(FileNotFoundError):  # another request may delete it first
            if default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
