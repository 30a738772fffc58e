"""Hostile and careless input to the two CSV imports (units and roles).

Every value is checked against the field it lands in before anything is written, so the dry
run, the admin preview and the command's dry run refuse exactly what the write would fail on
(on PostgreSQL: a user name over its varchar length, a NUL byte). The admin keeps a previewed
file on the server, so a file of several megabytes confirms as well as a small one.
"""

import os
import random
import re
import string
import time
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.core.validators import validate_email
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assessments import admin as assessments_admin
from assessments.importing import import_roles, import_units
from assessments.models import Role, Unit
from tests.factories import make_user

pytestmark = pytest.mark.django_db
User = get_user_model()
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
UNIT_IMPORT = "admin:assessments_unit_import"
ROLE_IMPORT = "admin:assessments_role_import"
# Whatever the user model says, not what it says today.
USERNAME_MAX = User._meta.get_field("username").max_length
EMAIL_MAX = User._meta.get_field("email").max_length


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The default hasher costs seconds per persona; these tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Previewed uploads wait in the default storage: a fresh folder for each test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the msgids); pages ask for it with Accept-Language."""
    with translation.override("en"):
        yield


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def tree(db):
    assert import_units(
        csv_file(
            "code,name,parent_code,kind",
            "ORG,Exempelkommun,,organisation",
            "SOC,Socialförvaltningen,ORG,department",
            "HTN,Hemtjänst Norr,SOC,unit",
        )
    ).ok
    return {unit.code: unit for unit in Unit.objects.all()}


def stored() -> tuple:
    """Everything an import could write: units, people and roles."""
    return (
        sorted(Unit.objects.values_list("code", "name", "kind", "path", "numchild")),
        sorted(User.objects.values_list("username", "email", "password")),
        sorted(Role.objects.values_list("user__username", "unit__code", "kind")),
    )


def address(length: int) -> str:
    """A valid e-mail address of exactly `length` characters (Django accepts up to 320)."""
    domain = "exempelkommun.se"
    local = "p" * min(64, length - 1 - len(domain))
    rest = length - len(local) - 1 - len(domain)
    if rest == 1:  # no label is one character including its dot
        local, rest = local[:-1], 2
    labels = []
    while rest:
        size = min(63, rest - 1)
        if rest - (size + 1) == 1:
            size -= 1
        labels.append("d" * size)
        rest -= size + 1
    email = f"{local}@{''.join(label + '.' for label in labels)}{domain}"
    assert len(email) == length
    validate_email(email)
    return email


def run_command(command: str, tmp_path: Path, data: bytes, *args: str) -> str:
    path = tmp_path / "import.csv"
    path.write_bytes(data)
    out = StringIO()
    call_command(command, str(path), *args, stdout=out)
    return out.getvalue()


def upload(client, url_name: str, data: bytes, name: str = "import.csv"):
    return client.post(
        reverse(url_name), {"file": SimpleUploadedFile(name, data, "text/csv")}, **EN
    )


def confirm_form(page) -> dict[str, str]:
    """The fields of the preview's confirmation form, as a browser would send them."""
    content = page.content.decode()
    form = next(
        match.group(0)
        for match in re.finditer(r"<form\b.*?</form>", content, re.DOTALL)
        if 'name="confirm"' in match.group(0)
    )
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return {**fields, "confirm": "Import"}


def kept_files(media_root: Path) -> list[Path]:
    return sorted(p for p in media_root.rglob("*") if p.is_file())


# ---------------------------------------------------------------------------------------
# 1. An e-mail address longer than a user name (or the e-mail field) can hold
# ---------------------------------------------------------------------------------------


def test_it_refuses_an_email_longer_than_a_user_name_can_hold_in_the_dry_run_and_the_write(
    tree,
):
    too_long = address(USERNAME_MAX + 1)
    data = csv_file("email,unit_code,role", "kim@example.org,HTN,manager", f"{too_long},HTN,chef")
    before = stored()
    expected = (
        f"Line 3: {too_long} is not in Tillit yet, and a new person's user name is their "
        f"e-mail address, which can be at most {USERNAME_MAX} characters; create the person "
        "in admin with a shorter user name first."
    )

    dry_run = import_roles(data, dry_run=True)
    write = import_roles(data)

    assert [str(problem) for problem in dry_run.errors] == [expected]
    assert [str(problem) for problem in write.errors] == [expected]
    assert write.summary() == ["Nothing was imported: the file has 1 problem."]
    assert stored() == before


def test_it_creates_a_person_whose_address_just_fits_a_user_name(tree):
    just_fits = address(USERNAME_MAX)

    result = import_roles(csv_file("email,unit_code,role", f"{just_fits},HTN,manager"))

    assert result.ok, result.errors
    person = User.objects.get(email=just_fits)
    assert person.username == just_fits
    assert list(person.roles.values_list("unit__code", "kind")) == [("HTN", "manager")]


def test_it_gives_a_known_person_with_a_long_address_a_role(tree):
    """The user name is only made from the address for new people."""
    longest = address(EMAIL_MAX)
    person = make_user("lang-adress", email=longest)

    result = import_roles(csv_file("email,unit_code,role", f"{longest.upper()},HTN,manager"))

    assert result.ok, result.errors
    assert result.created_people == []
    assert list(person.roles.values_list("unit__code", flat=True)) == ["HTN"]
    assert User.objects.count() == 1


def test_it_refuses_an_email_longer_than_the_email_field_in_the_dry_run_and_the_write(tree):
    too_long = address(EMAIL_MAX + 1)
    make_user("lang-adress", email=too_long[:EMAIL_MAX])  # close, but not this address
    data = csv_file("email,unit_code,role", f"{too_long},HTN,manager")
    before = stored()
    expected = (
        f"Line 2: the e-mail address is longer than the {EMAIL_MAX} characters Tillit can store."
    )

    assert [str(p) for p in import_roles(data, dry_run=True).errors] == [expected]
    assert [str(p) for p in import_roles(data).errors] == [expected]
    assert stored() == before


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "write"])
def test_it_fails_the_role_command_on_an_email_too_long_for_a_user_name(tree, tmp_path, dry_run):
    too_long = address(USERNAME_MAX + 1)
    before = stored()

    with pytest.raises(CommandError) as error:
        run_command(
            "import_roles",
            tmp_path,
            csv_file("email,unit_code,role", f"{too_long},HTN,manager"),
            *(["--dry-run"] if dry_run else []),
        )

    message = str(error.value)
    assert "Nothing was imported: the file has 1 problem." in message
    assert f"Line 2: {too_long} is not in Tillit yet" in message
    assert f"at most {USERNAME_MAX} characters" in message
    assert stored() == before


def test_it_shows_an_email_too_long_for_a_user_name_in_the_admin_preview(
    client, administrator, tree
):
    client.force_login(administrator)
    too_long = address(USERNAME_MAX + 1)
    before = stored()

    page = upload(client, ROLE_IMPORT, csv_file("email,unit_code,role", f"{too_long},HTN,chef"))
    content = page.content.decode()

    assert "Problems in import.csv" in content
    assert f"Line 2: {too_long} is not in Tillit yet" in content
    assert 'name="confirm"' not in content
    assert stored() == before


# ---------------------------------------------------------------------------------------
# 2. NUL bytes and other control characters
# ---------------------------------------------------------------------------------------

UNIT_FIELDS_WITH_NUL = {
    "code": ("NY\x00A,Ny enhet,ORG,unit", "code"),
    "name": ("NYA,Ny\x00enhet,ORG,unit", "name"),
    "parent code": ("NYA,Ny enhet,O\x00RG,unit", "parent_code"),
    "kind": ("NYA,Ny enhet,ORG,un\x00it", "kind"),
}


@pytest.mark.parametrize("case", UNIT_FIELDS_WITH_NUL, ids=list(UNIT_FIELDS_WITH_NUL))
def test_it_refuses_a_nul_byte_in_a_unit_field_in_the_dry_run_and_the_write(tree, case):
    line, column = UNIT_FIELDS_WITH_NUL[case]
    data = csv_file("code,name,parent_code,kind", "OK,Bra enhet,ORG,unit", line)
    before = stored()
    expected = (
        f"Line 3: the column “{column}” contains a control character (U+0000, a NUL byte), "
        "which is not allowed; remove it and import again."
    )

    for result in (import_units(data, dry_run=True), import_units(data)):
        assert [str(problem) for problem in result.errors] == [expected]
        assert (result.created, result.updated, result.moved) == ([], [], [])
    assert stored() == before


ROLE_FIELDS_WITH_NUL = {
    "e-mail": ("maja\x00@example.org,HTN,manager", "email"),
    "unit code": ("maja@example.org,H\x00TN,manager", "unit_code"),
    "role": ("maja@example.org,HTN,man\x00ager", "role"),
}


@pytest.mark.parametrize("case", ROLE_FIELDS_WITH_NUL, ids=list(ROLE_FIELDS_WITH_NUL))
def test_it_refuses_a_nul_byte_in_a_role_field_in_the_dry_run_and_the_write(tree, case):
    line, column = ROLE_FIELDS_WITH_NUL[case]
    data = csv_file("email,unit_code,role", "kim@example.org,HTN,manager", line)
    before = stored()
    expected = (
        f"Line 3: the column “{column}” contains a control character (U+0000, a NUL byte), "
        "which is not allowed; remove it and import again."
    )

    for result in (import_roles(data, dry_run=True), import_roles(data)):
        assert [str(problem) for problem in result.errors] == [expected]
        assert result.created == []
    assert stored() == before


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "write"])
def test_it_fails_the_unit_command_on_a_nul_byte_in_a_code_or_name(tree, tmp_path, dry_run):
    data = csv_file("code,name,parent_code", "NY\x00A,Ny enhet,ORG", "NYB,Ny\x00enhet,ORG")
    before = stored()

    with pytest.raises(CommandError) as error:
        run_command("import_units", tmp_path, data, *(["--dry-run"] if dry_run else []))

    message = str(error.value)
    assert "Nothing was imported: the file has 2 problems." in message
    assert "Line 2: the column “code” contains a control character (U+0000, a NUL byte)" in message
    assert "Line 3: the column “name” contains a control character (U+0000, a NUL byte)" in message
    assert "\x00" not in message
    assert stored() == before


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "write"])
def test_it_fails_the_role_command_on_a_nul_byte(tree, tmp_path, dry_run):
    data = csv_file("email,unit_code,role", "maja@example.org,H\x00TN,manager")
    before = stored()

    with pytest.raises(CommandError) as error:
        run_command("import_roles", tmp_path, data, *(["--dry-run"] if dry_run else []))

    assert (
        "Line 2: the column “unit_code” contains a control character (U+0000, a NUL byte)"
        in str(error.value)
    )
    assert stored() == before


def test_it_shows_a_nul_byte_in_a_unit_upload_in_the_admin_preview(client, administrator, tree):
    client.force_login(administrator)
    before = stored()

    page = upload(client, UNIT_IMPORT, csv_file("code,name,parent_code", "NYA,Ny\x00enhet,ORG"))
    content = page.content.decode()

    assert "Problems in import.csv" in content
    assert "Line 2: the column “name” contains a control character (U+0000, a NUL byte)" in content
    assert "\x00" not in content
    assert 'name="confirm"' not in content
    assert stored() == before


def test_it_shows_a_nul_byte_in_a_role_upload_in_the_admin_preview(client, administrator, tree):
    client.force_login(administrator)
    before = stored()

    page = upload(client, ROLE_IMPORT, csv_file("email,unit_code,role", "ma\x00ja@ex.org,HTN,chef"))
    content = page.content.decode()

    assert "Line 2: the column “email” contains a control character (U+0000, a NUL byte)" in content
    assert "\x00" not in content
    assert 'name="confirm"' not in content
    assert stored() == before


OTHER_CONTROL_CHARACTERS = {
    "tab in a comma file": (b"NYA,Ny\tenhet,ORG", "U+0009, a tab"),
    "line break in quotes": (b'NYA,"Ny\nenhet",ORG', "U+000A, a line break"),
    "carriage return": (b'NYA,"Ny\renhet",ORG', "U+000D, a line break"),
    "escape": (b"NYA,Ny\x1benhet,ORG", "U+001B"),
    "delete": (b"NYA,Ny\x7fenhet,ORG", "U+007F"),
    "C1 next line": ("NYA,Ny\x85enhet,ORG".encode(), "U+0085"),
}


@pytest.mark.parametrize("case", OTHER_CONTROL_CHARACTERS, ids=list(OTHER_CONTROL_CHARACTERS))
def test_it_refuses_other_control_characters_in_a_name(tree, case):
    line, character = OTHER_CONTROL_CHARACTERS[case]
    before = stored()

    result = import_units(b"code,name,parent_code\n" + line + b"\n")

    assert len(result.errors) == 1
    assert f"the column “name” contains a control character ({character})" in str(result.errors[0])
    assert stored() == before


def test_it_accepts_letters_from_anywhere_and_the_byte_order_mark(tree):
    """Only control characters are refused: not Swedish, Sami or other letters."""
    data = "\ufeffcode,name,parent_code\nSÁM,Sámi giellaguovddáš – Ájtte,ORG\n".encode()

    result = import_units(data)

    assert result.ok, result.errors
    assert Unit.objects.get(code="SÁM").name == "Sámi giellaguovddáš – Ájtte"


def test_it_shows_control_characters_in_a_bad_header_as_code_points(tree):
    result = import_units(b"co\x00de,name,parent_code\nNYA,Ny,ORG\n")

    message = str(result.errors[0])
    assert message.startswith("Line 1: the first line must name the columns")
    assert "coU+0000de,name,parent_code" in message


# ---------------------------------------------------------------------------------------
# 3. Large files in admin: kept on the server between preview and confirmation
# ---------------------------------------------------------------------------------------


def large_unit_file(size: int) -> tuple[bytes, list[str]]:
    """A unit file of at least `size` bytes and its codes, in file order.

    Codes and names carry random letters, as a file of real codes and names compresses
    poorly too: squeezing the file into the page would not make it small.
    """
    letters = random.Random(47).choices
    alphabet = string.ascii_letters + "åäöÅÄÖ"
    lines = ["code;name;parent_code;kind", "ORG;Storkommunen;;organisation"]
    lines += [f"D{d};Förvaltning {d};ORG;department" for d in range(10)]
    lines += [f"D{d}S{s};Avdelning {d}.{s};D{d};section" for d in range(10) for s in range(10)]
    total, number = sum(len(line.encode()) + 1 for line in lines), 0
    while total < size:
        code = f"U{number:05d}-{''.join(letters(alphabet, k=40))}"
        name = f"Enhet {number:05d} {''.join(letters(alphabet, k=100))}"
        lines.append(f"{code};{name};D{number % 10}S{number // 10 % 10};unit")
        total += len(lines[-1].encode()) + 1
        number += 1
    return ("\n".join(lines) + "\n").encode(), [line.split(";")[0] for line in lines[1:]]


def test_it_imports_a_four_megabyte_file_through_preview_and_confirmation_in_admin(
    client, administrator, media_root
):
    data, codes = large_unit_file(3_800_000)
    assert 3_500_000 < len(data) < 4_000_000
    client.force_login(administrator)

    preview = upload(client, UNIT_IMPORT, data, name="stor.csv")
    content = preview.content.decode()

    assert preview.status_code == 200
    assert f"{len(codes)} new units" in content
    # The file waits on the server: the page carries a token, not the file.
    assert len(content) < len(data) // 10
    assert codes[-1] not in content  # far beyond the 200 rows the preview lists
    form = confirm_form(preview)
    assert set(form) == {"csrfmiddlewaretoken", "token", "confirm"}
    assert len(form["token"]) < 100
    [kept] = kept_files(media_root)
    assert kept.read_bytes() == data
    assert kept.name not in content
    assert Unit.objects.count() == 0

    confirmed = client.post(reverse(UNIT_IMPORT), form, **EN)

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:assessments_unit_changelist")
    assert sorted(Unit.objects.values_list("code", flat=True)) == sorted(codes)
    assert Unit.objects.get_parent(Unit.objects.get(code=codes[-1])).code.startswith("D")
    assert kept_files(media_root) == []  # deleted after the confirmation
    changelist = client.get(confirmed["Location"], **EN).content.decode()
    assert "The units have been imported" in changelist


def test_it_refuses_a_file_over_the_size_limit_at_the_upload_step(
    client, administrator, media_root
):
    client.force_login(administrator)
    limit = assessments_admin.MAX_UPLOAD_BYTES

    def padded(size: int) -> bytes:
        """A header and blank lines (of spaces, which the import skips) up to `size` bytes."""
        header = b"code,name,parent_code\n"
        data = header + (b" " * 1023 + b"\n") * ((size - len(header)) // 1024)
        data += b"\n" * (size - len(data))
        assert len(data) == size
        return data

    over = upload(client, UNIT_IMPORT, padded(limit + 1))
    at_limit = upload(client, UNIT_IMPORT, padded(limit))

    assert over.status_code == 200
    assert (
        f"The file is larger than {limit >> 20} MB. Split it into smaller files and import them "
        "one after the other."
    ) in over.content.decode()
    assert over.context["result"] is None
    assert "larger than" not in at_limit.content.decode()
    assert "The file has no rows after the header line." in at_limit.content.decode()
    assert kept_files(media_root) == []
    assert Unit.objects.count() == 0


def test_it_keeps_the_previewed_file_where_no_url_serves_it(client, administrator, media_root):
    client.force_login(administrator)
    upload(client, UNIT_IMPORT, csv_file("code,name,parent_code", "ORG,Kommun,"))
    [kept] = kept_files(media_root)

    assert kept.relative_to(media_root).parts[0] == "imports"
    assert len(kept.stem) >= 40  # random: not guessable from the upload's name
    assert client.get(f"/media/imports/{kept.name}").status_code == 404


def test_it_refuses_a_token_from_another_administrator(client, administrator, media_root):
    client.force_login(administrator)
    anna_form = confirm_form(
        upload(client, UNIT_IMPORT, csv_file("code,name,parent_code", "ORG,Kommun,"))
    )
    bertil = Client()
    bertil.force_login(make_user("admin-bertil", is_staff=True, is_superuser=True))

    refused = bertil.post(reverse(UNIT_IMPORT), anna_form, follow=True, **EN)

    assert (
        "This preview is no longer waiting to be imported: it has expired, a newer upload "
        "replaced it, or it is not yours. Upload the file again."
    ) in refused.content.decode()
    assert Unit.objects.count() == 0
    # Anna's own preview is untouched and still hers to confirm.
    assert client.post(reverse(UNIT_IMPORT), anna_form).status_code == 302
    assert list(Unit.objects.values_list("code", flat=True)) == ["ORG"]


def test_it_refuses_a_token_from_the_other_kind_of_import(client, administrator, tree):
    client.force_login(administrator)
    roles = csv_file("email,unit_code,role", "maja@example.org,HTN,manager")
    role_form = confirm_form(upload(client, ROLE_IMPORT, roles))
    before = stored()

    refused = client.post(reverse(UNIT_IMPORT), role_form, follow=True, **EN)

    assert "This preview is no longer waiting to be imported" in refused.content.decode()
    assert stored() == before


def test_it_refuses_the_token_of_a_preview_a_newer_upload_replaced(
    client, administrator, media_root
):
    client.force_login(administrator)
    first = confirm_form(
        upload(client, UNIT_IMPORT, csv_file("code,name,parent_code", "ORG,Kommun,"))
    )
    second = confirm_form(
        upload(client, UNIT_IMPORT, csv_file("code,name,parent_code", "REG,Region,"))
    )
    assert len(kept_files(media_root)) == 1  # the first file went with its preview

    refused = client.post(reverse(UNIT_IMPORT), first, follow=True, **EN)

    assert "This preview is no longer waiting to be imported" in refused.content.decode()
    assert Unit.objects.count() == 0
    assert client.post(reverse(UNIT_IMPORT), second).status_code == 302
    assert list(Unit.objects.values_list("code", flat=True)) == ["REG"]


def test_it_refuses_an_expired_preview_and_deletes_its_file(client, administrator, media_root):
    client.force_login(administrator)
    form = confirm_form(
        upload(client, UNIT_IMPORT, csv_file("code,name,parent_code", "ORG,Kommun,"))
    )
    session = client.session
    session["tillit.import.assessments.unit"]["kept_at"] -= assessments_admin.PREVIEW_MAX_AGE + 1
    session.save()

    refused = client.post(reverse(UNIT_IMPORT), form, follow=True, **EN)

    assert "This preview is no longer waiting to be imported" in refused.content.decode()
    assert Unit.objects.count() == 0
    assert kept_files(media_root) == []


def test_it_refuses_a_confirmation_twice(client, administrator, media_root):
    client.force_login(administrator)
    form = confirm_form(
        upload(client, UNIT_IMPORT, csv_file("code,name,parent_code", "ORG,Kommun,"))
    )
    assert client.post(reverse(UNIT_IMPORT), form).status_code == 302
    Unit.objects.all().delete()

    again = client.post(reverse(UNIT_IMPORT), form, follow=True, **EN)

    assert "This preview is no longer waiting to be imported" in again.content.decode()
    assert Unit.objects.count() == 0


def test_it_deletes_the_file_when_the_import_is_cancelled(client, administrator, media_root):
    client.force_login(administrator)
    form = confirm_form(
        upload(client, UNIT_IMPORT, csv_file("code,name,parent_code", "ORG,Kommun,"))
    )
    assert len(kept_files(media_root)) == 1

    del form["confirm"]
    cancelled = client.post(reverse(UNIT_IMPORT), {**form, "cancel": "Cancel"}, follow=True, **EN)

    assert cancelled.redirect_chain[-1][0] == reverse("admin:assessments_unit_changelist")
    assert "The import was cancelled; nothing was imported." in cancelled.content.decode()
    assert kept_files(media_root) == []
    late = client.post(reverse(UNIT_IMPORT), {**form, "confirm": "Import"}, follow=True, **EN)
    assert "This preview is no longer waiting to be imported" in late.content.decode()
    assert Unit.objects.count() == 0


def test_it_deletes_the_file_when_the_confirmation_finds_problems(
    client, administrator, tree, media_root
):
    client.force_login(administrator)
    form = confirm_form(upload(client, UNIT_IMPORT, csv_file("code,name,parent_code", "A1,A,ORG")))
    Unit.objects.filter(code="ORG").update(code="KOMMUN")  # recoded by someone meanwhile
    before = stored()

    page = client.post(reverse(UNIT_IMPORT), form, **EN)

    assert "Line 2: unknown parent code “ORG”" in page.content.decode()
    assert 'name="confirm"' not in page.content.decode()
    assert stored() == before
    assert kept_files(media_root) == []


def test_it_deletes_previews_nobody_confirmed_or_cancelled(client, administrator, media_root):
    client.force_login(administrator)
    upload(client, UNIT_IMPORT, csv_file("code,name,parent_code", "ORG,Kommun,"))
    [abandoned] = kept_files(media_root)
    long_ago = time.time() - assessments_admin.PREVIEW_MAX_AGE - 60
    os.utime(abandoned, (long_ago, long_ago))
    other = Client()
    other.force_login(make_user("admin-bertil", is_staff=True, is_superuser=True))

    upload(other, UNIT_IMPORT, csv_file("code,name,parent_code", "REG,Region,"))

    assert abandoned not in kept_files(media_root)
    assert len(kept_files(media_root)) == 1
