"""Importing the unit tree from CSV: the service, the command and the admin upload.

Every kind of bad input is reported with its line number and stores nothing.
"""

import time
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments import importing
from assessments.importing import import_units
from assessments.models import Role, RoleKind, Unit
from tests.factories import give_role, make_unit, make_user

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The default hasher costs seconds per persona; these tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Previewed uploads wait in the default storage: a fresh folder for each test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the msgids); pages ask for it with Accept-Language."""
    with translation.override("en"):
        yield


def csv_file(*lines: str, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    text = "\n".join(line.replace(",", delimiter) for line in lines) + "\n"
    return text.encode(encoding)


TREE = csv_file(
    "code,name,parent_code,kind",
    "ORG,Exempelkommun,,organisation",
    "SOC,Socialförvaltningen,ORG,department",
    "BOU,Barn- och utbildningsförvaltningen,ORG,department",
    "HTN,Hemtjänst Norr,SOC,unit",
    "HTS,Hemtjänst Söder,SOC,unit",
    "SOL,Förskolan Solrosen,BOU,unit",
)


def tree_state() -> list[tuple]:
    return list(
        Unit.objects.order_by("pk").values_list(
            "pk", "code", "name", "kind", "path", "depth", "numchild", "is_active"
        )
    )


def parent_code(code: str) -> str | None:
    parent = Unit.objects.get_parent(Unit.objects.get(code=code))
    return parent.code if parent else None


def assert_tree_is_sound() -> None:
    """Treebeard's own consistency check: paths, depths and child counts all agree."""
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def only_problem(result) -> str:
    assert len(result.errors) == 1, result.errors
    return str(result.errors[0])


# ---------------------------------------------------------------------------------------
# Good files
# ---------------------------------------------------------------------------------------


def test_it_imports_a_tree_from_a_comma_separated_file():
    result = import_units(TREE)

    assert result.ok
    assert [c.code for c in result.created] == ["ORG", "SOC", "BOU", "HTN", "HTS", "SOL"]
    assert Unit.objects.count() == 6
    assert parent_code("HTN") == "SOC"
    assert parent_code("SOC") == "ORG"
    assert parent_code("ORG") is None
    assert Unit.objects.get(code="SOC").kind == "department"
    assert Unit.objects.get(code="SOL").name == "Förskolan Solrosen"
    assert_tree_is_sound()


def test_it_reads_excel_semicolons_with_a_byte_order_mark():
    data = "\ufeff".encode() + csv_file(
        "code,name,parent_code,kind",
        "ORG,Exempelkommun,,organisation",
        '"ÄO","Äldreomsorg; norra delen",ORG,section',
        delimiter=";",
    )
    result = import_units(data)

    assert result.ok, result.errors
    assert Unit.objects.get(code="ÄO").name == "Äldreomsorg; norra delen"
    assert Unit.objects.get(code="ORG").code == "ORG"  # no BOM glued to the first code


def test_it_reads_tabs_crlf_trailing_empty_columns_and_blank_lines():
    data = b"code\tname\tparent_code\t\r\nORG\tExempelkommun\t\t\r\n\r\n A1 \t Enhet A1 \tORG\t\r\n"
    result = import_units(data)

    assert result.ok, result.errors
    assert Unit.objects.get(code="A1").name == "Enhet A1"


def test_it_accepts_the_columns_in_any_order_and_without_kind():
    result = import_units(csv_file("parent_code,code,name", ",ORG,Exempelkommun", "ORG,A1,Enhet"))

    assert result.ok, result.errors
    assert Unit.objects.get(code="A1").kind == "unit"  # the default for new units


def test_it_understands_swedish_kinds():
    data = csv_file(
        "code,name,parent_code,kind",
        "ORG,Exempelkommun,,Kommun",
        "SOC,Socialförvaltningen,ORG,förvaltning",
        "AO,Äldreomsorg,SOC,Avdelning",
        "HTN,Hemtjänst Norr,AO,enhet",
    )
    assert import_units(data).ok
    kinds = dict(Unit.objects.values_list("code", "kind"))
    assert kinds == {"ORG": "organisation", "SOC": "department", "AO": "section", "HTN": "unit"}


def test_it_orders_siblings_alphabetically_the_swedish_way():
    import_units(
        csv_file(
            "code,name,parent_code",
            "ORG,Kommunen,",
            "1,Öster,ORG",
            "2,Ängen,ORG",
            "3,Åsen,ORG",
            "4,Zeta,ORG",
            "5,alfa,ORG",
        )
    )
    children = Unit.objects.get_children(Unit.objects.get(code="ORG"))
    assert [u.name for u in children] == ["alfa", "Zeta", "Åsen", "Ängen", "Öster"]


def test_it_leaves_a_tree_treebeard_keeps_working_with():
    import_units(TREE)
    soc = Unit.objects.get(code="SOC")

    Unit.objects.add_child(soc, {"code": "IFO", "name": "Individ- och familjeomsorg"})
    Unit.objects.move(Unit.objects.get(code="HTS"), Unit.objects.get(code="BOU"), "sorted-child")

    assert_tree_is_sound()
    assert [u.code for u in Unit.objects.get_children(soc)] == ["HTN", "IFO"]
    assert parent_code("HTS") == "BOU"


# ---------------------------------------------------------------------------------------
# Re-importing
# ---------------------------------------------------------------------------------------


def test_it_renames_and_moves_on_reimport_and_keeps_the_units_identity():
    import_units(TREE)
    manager = make_user("maja")
    hts = Unit.objects.get(code="HTS")
    give_role(manager, hts, RoleKind.MANAGER)

    result = import_units(
        csv_file(
            "code,name,parent_code,kind",
            "ORG,Exempelkommun,,organisation",
            "SOC,Socialförvaltningen,ORG,department",
            "BOU,Utbildningsförvaltningen,ORG,department",
            "HTN,Hemtjänst Norr,SOC,unit",
            "HTS,Hemtjänst Syd,BOU,section",
            "SOL,Förskolan Solrosen,HTS,unit",
        )
    )

    assert result.ok, result.errors
    assert [c.code for c in result.updated] == ["BOU", "HTS"]
    assert [(c.code, c.old_parent_code, c.parent_code) for c in result.moved] == [
        ("HTS", "SOC", "BOU"),
        ("SOL", "BOU", "HTS"),
    ]
    assert sorted(result.unchanged) == ["HTN", "ORG", "SOC"]
    assert result.created == []
    assert Unit.objects.get(code="HTS").pk == hts.pk
    assert Unit.objects.get(code="HTS").kind == "section"
    assert Unit.objects.get(code="BOU").name == "Utbildningsförvaltningen"
    assert parent_code("SOL") == "HTS"
    assert parent_code("HTS") == "BOU"
    assert Role.objects.get(user=manager).unit_id == hts.pk
    assert_tree_is_sound()


def test_it_moves_a_unit_with_its_whole_subtree():
    import_units(TREE)
    result = import_units(
        csv_file("code,name,parent_code", "SOC,Socialförvaltningen,BOU"), dry_run=False
    )

    assert [c.code for c in result.moved] == ["SOC"]
    assert parent_code("SOC") == "BOU"
    assert parent_code("HTN") == "SOC"
    assert Unit.objects.get(code="HTN").depth == 4
    assert Unit.objects.get(code="HTN").path.startswith(Unit.objects.get(code="BOU").path)
    assert_tree_is_sound()


def test_it_changes_nothing_when_the_same_file_is_imported_again():
    import_units(TREE)
    before = tree_state()

    with CaptureQueriesContext(connection) as queries:
        result = import_units(TREE)

    assert result.ok
    assert not result.has_changes
    assert (result.created, result.updated, result.moved) == ([], [], [])
    assert len(result.unchanged) == 6
    assert tree_state() == before
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert writes == []


def test_it_reports_no_changes_on_the_second_run_of_a_changing_file():
    import_units(TREE)
    changed = TREE.replace(
        b"HTS,Hemtj\xc3\xa4nst S\xc3\xb6der,SOC", b"HTS,Hemtj\xc3\xa4nst Syd,BOU"
    )
    first = import_units(changed)
    second = import_units(changed)

    assert first.has_changes
    assert not second.has_changes
    assert len(second.unchanged) == 6


def test_it_leaves_units_missing_from_the_file_as_they_are():
    import_units(TREE)
    before = {row[1]: row for row in tree_state()}

    result = import_units(csv_file("code,name,parent_code", "NEW,Ny enhet,SOC"))

    assert result.ok
    assert sorted(result.not_in_file) == ["BOU", "HTN", "HTS", "ORG", "SOC", "SOL"]
    assert Unit.objects.count() == 7
    assert any("never deletes" in line for line in result.summary())
    for code in ("ORG", "BOU", "HTN", "SOL"):
        assert (
            Unit.objects.filter(code=code)
            .values_list("pk", "code", "name", "kind", "path", "depth", "numchild", "is_active")
            .get()
            == before[code]
        )
    assert parent_code("NEW") == "SOC"
    assert_tree_is_sound()


def test_it_keeps_the_kind_of_an_existing_unit_when_the_kind_is_empty():
    import_units(TREE)
    result = import_units(csv_file("code,name,parent_code,kind", "SOC,Socialförvaltningen,ORG,"))

    assert result.unchanged == ["SOC"]
    assert Unit.objects.get(code="SOC").kind == "department"


# ---------------------------------------------------------------------------------------
# Dry run
# ---------------------------------------------------------------------------------------


def test_it_writes_nothing_on_a_dry_run_but_says_what_would_change():
    import_units(TREE)
    before = tree_state()
    data = csv_file(
        "code,name,parent_code",
        "SOC,Socialtjänsten,ORG",
        "HTS,Hemtjänst Söder,BOU",
        "NEW,Ny enhet,HTS",
    )

    with CaptureQueriesContext(connection) as queries:
        result = import_units(data, dry_run=True)

    assert result.dry_run and result.ok
    assert [c.code for c in result.created] == ["NEW"]
    assert [c.code for c in result.updated] == ["SOC"]
    assert [c.code for c in result.moved] == ["HTS"]
    assert result.summary()[0].startswith("Dry run: nothing has been saved")
    assert tree_state() == before
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert writes == []


# ---------------------------------------------------------------------------------------
# Bad input: a clear message naming the line, and nothing stored
# ---------------------------------------------------------------------------------------


@pytest.fixture
def existing_tree():
    import_units(TREE)
    return tree_state()


BAD_FILES = {
    "unknown parent": (
        csv_file("code,name,parent_code", "NEW,Ny enhet,SOC", "X1,Enhet X1,NOPE"),
        "Line 3: unknown parent code “NOPE”",
    ),
    "cycle in the file": (
        csv_file("code,name,parent_code", "C1,Ett,C2", "C2,Två,C3", "C3,Tre,C1"),
        "Line 2: the units C1 → C2 → C3 → C1 form a cycle (lines 2, 3, 4)",
    ),
    "own parent": (
        csv_file("code,name,parent_code", "NEW,Ny,ORG", "SELF,Själv,SELF"),
        "Line 3: a unit cannot be its own parent.",
    ),
    "moved beneath its own descendant": (
        csv_file("code,name,parent_code", "SOC,Socialförvaltningen,HTN"),
        "Line 2: the units SOC → HTN → SOC form a cycle",
    ),
    "duplicate code": (
        csv_file("code,name,parent_code", "NEW,Ny,ORG", "X,Enhet X,ORG", "NEW,Ny igen,ORG"),
        "Line 4: the code “NEW” is already on line 2",
    ),
    "empty name": (
        csv_file("code,name,parent_code", "NEW,Ny,ORG", "X, ,ORG"),
        "Line 3: the name is empty.",
    ),
    "empty code": (
        csv_file("code,name,parent_code", ",Utan kod,ORG"),
        "Line 2: the code is empty.",
    ),
    "code too long": (
        csv_file("code,name,parent_code", f"{'K' * 51},Lång,ORG"),
        "Line 2: the code “KKK",
    ),
    "unknown kind": (
        csv_file("code,name,parent_code,kind", "NEW,Ny,ORG,unit", "X,Enhet X,ORG,avdelningen"),
        "Line 3: unknown kind “avdelningen”; use one of organisation, department, section, unit",
    ),
    "wrong columns": (
        csv_file("kod,namn,förälder", "NEW,Ny,ORG"),
        "Line 1: the first line must name the columns code,name,parent_code[,kind]",
    ),
    "missing column": (
        csv_file("code,name", "NEW,Ny"),
        "Line 1: the first line must name the columns",
    ),
    "unknown extra column": (
        csv_file("code,name,parent_code,manager", "NEW,Ny,ORG,Maja"),
        "Line 1: the first line must name the columns",
    ),
    "wrong number of fields": (
        csv_file("code,name,parent_code", "NEW,Ny,ORG", "X,Enhet X,ORG,extra"),
        "Line 3: the line has 4 fields, the header 3.",
    ),
    "broken quoting": (
        b'code,name,parent_code\nNEW,"Ny "enhet",ORG\n',
        "Line 2: the line cannot be read as CSV",
    ),
    "Windows-1252 file": (
        csv_file(
            "code,name,parent_code", "NEW,Ny enhet,ORG", "SOL,Förskolan Solrosen,ORG",
            encoding="cp1252",
        ),
        "Line 3: the file is not saved as UTF-8",
    ),
    "UTF-16 file": (
        "code,name,parent_code\nNEW,Ny,ORG\n".encode("utf-16"),
        "The file is saved as UTF-16",
    ),
    "empty file": (b"", "The file is empty."),
    "header only": (b"code,name,parent_code\n", "The file has no rows after the header line."),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_it_reports_bad_input_with_its_line_and_imports_nothing(existing_tree, case):
    data, expected = BAD_FILES[case]

    result = import_units(data)

    assert not result.ok
    assert any(str(problem).startswith(expected) for problem in result.errors), result.errors
    assert (result.created, result.updated, result.moved) == ([], [], [])
    assert result.summary()[0].startswith("Nothing was imported")
    assert tree_state() == existing_tree


def test_it_tells_how_to_fix_a_windows_1252_file(existing_tree):
    data = csv_file("code,name,parent_code", "SOL,Förskolan Solrosen,ORG", encoding="cp1252")
    message = only_problem(import_units(data))
    assert "UTF-8" in message
    assert "CSV UTF-8" in message


def test_it_reports_every_problem_at_once_in_line_order(existing_tree):
    data = csv_file(
        "code,name,parent_code,kind",
        ",Utan kod,ORG,unit",
        "OK,Bra enhet,ORG,unit",
        "B,,ORG,unit",
        "C,Enhet C,ORG,planet",
    )
    result = import_units(data)

    assert [problem.line for problem in result.errors] == [2, 4, 5]
    assert tree_state() == existing_tree


def test_it_refuses_a_tree_deeper_than_the_paths_allow(existing_tree):
    lines = ["code,name,parent_code", "L0,Nivå 0,ORG"]
    lines += [f"L{i},Nivå {i},L{i - 1}" for i in range(1, 64)]
    result = import_units(csv_file(*lines))

    assert not result.ok
    assert "deeper than 63 levels" in str(result.errors[0])
    assert tree_state() == existing_tree


def test_it_imports_nothing_if_someone_else_changes_the_tree_while_writing(existing_tree):
    def collide(*args, **kwargs):
        Unit.objects.filter(code="ORG").update(name="Halvvägs")  # a write that must roll back
        raise IntegrityError("duplicate key value violates unique constraint")

    with mock.patch.object(importing, "_write_units", side_effect=collide):
        result = import_units(csv_file("code,name,parent_code", "NEW,Ny,ORG"))

    assert "changed by someone else" in only_problem(result)
    assert result.created == []
    assert tree_state() == existing_tree


# ---------------------------------------------------------------------------------------
# Size
# ---------------------------------------------------------------------------------------


def generated_file(units: int) -> bytes:
    """An organisation with 10 departments, 10 sections each, and units beneath them."""
    lines = ["code;name;parent_code;kind", "ORG;Storkommunen;;organisation"]
    for d in range(10):
        lines.append(f"D{d};Förvaltning {d};ORG;department")
        lines += [f"D{d}S{s};Avdelning {d}.{s};D{d};section" for s in range(10)]
    lines += [
        f"U{i};Enhet {i:04d} Östra;D{i % 10}S{(i // 10) % 10};unit" for i in range(units - 111)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_it_imports_five_thousand_units_well_under_ten_seconds():
    data = generated_file(5000)

    started = time.perf_counter()
    result = import_units(data)
    elapsed = time.perf_counter() - started

    assert result.ok and len(result.created) == 5000
    assert elapsed < 10, f"5,000 units took {elapsed:.2f} s"
    print(f"\n5,000 units on {connection.vendor}: first import {elapsed:.2f} s")

    started = time.perf_counter()
    again = import_units(data)
    elapsed = time.perf_counter() - started
    assert not again.has_changes
    assert elapsed < 10
    print(f"5,000 units on {connection.vendor}: unchanged re-import {elapsed:.2f} s")

    # A reorganisation: every section moves to another department, taking its units along,
    # and every tenth unit is renamed. Nearly every path in the tree changes.
    lines = data.decode().splitlines()
    for number, line in enumerate(lines):
        code, name, parent, kind = line.split(";")
        if kind == "section":
            lines[number] = f"{code};{name};D{(int(parent[1:]) + 1) % 10};{kind}"
    reorganised = ("\n".join(lines) + "\n").encode().replace(b"0 \xc3\x96stra", b"0 V\xc3\xa4stra")
    started = time.perf_counter()
    third = import_units(reorganised)
    elapsed = time.perf_counter() - started
    assert third.ok
    assert (len(third.moved), len(third.updated)) == (100, 489)
    assert elapsed < 10
    print(f"5,000 units on {connection.vendor}: reorganising re-import {elapsed:.2f} s")
    assert parent_code("D3S4") == "D4"
    assert_tree_is_sound()
    assert Unit.objects.get_descendant_count(Unit.objects.get(code="D3S4")) == 49


# ---------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_units", *args, stdout=OutputWrapper(out))
    return out.getvalue()


def test_it_imports_from_the_command_line(tmp_path):
    path = tmp_path / "enheter.csv"
    path.write_bytes(TREE)

    output = run(str(path))

    assert "6 new units" in output
    assert Unit.objects.count() == 6


def test_it_shows_the_changes_and_writes_nothing_with_dry_run(tmp_path):
    path = tmp_path / "enheter.csv"
    path.write_bytes(TREE)

    output = run(str(path), "--dry-run")

    assert "Dry run" in output
    assert "+ HTN “Hemtjänst Norr” (Unit) under SOC" in output
    assert Unit.objects.count() == 0


def test_it_fails_the_command_with_the_lines_of_the_problems(tmp_path):
    path = tmp_path / "enheter.csv"
    path.write_bytes(csv_file("code,name,parent_code", "A,,", "B,Enhet B,NOPE"))

    with pytest.raises(CommandError) as error:
        run(str(path))

    message = str(error.value)
    assert "Nothing was imported: the file has 2 problems." in message
    assert "Line 2: the name is empty." in message
    assert "Line 3: unknown parent code “NOPE”" in message
    assert Unit.objects.count() == 0


def test_it_fails_the_command_for_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "saknas.csv"))


# ---------------------------------------------------------------------------------------
# The admin upload
# ---------------------------------------------------------------------------------------

IMPORT_URL = "admin:assessments_unit_import"


def upload(client, data: bytes, name: str = "enheter.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, data, "text/csv")}, **EN
    )


def test_it_links_the_import_page_from_the_unit_changelist(client, administrator):
    client.force_login(administrator)
    page = client.get(reverse("admin:assessments_unit_changelist"), **EN)

    assert page.status_code == 200
    assert reverse(IMPORT_URL) in page.content.decode()
    assert "Import units from CSV" in page.content.decode()


def test_it_previews_an_upload_then_imports_it_on_confirmation(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse(IMPORT_URL), **EN).status_code == 200

    preview = upload(client, TREE)
    content = preview.content.decode()

    assert preview.status_code == 200
    assert "Preview of enheter.csv" in content
    assert "6 new units" in content
    assert "Hemtjänst Norr" in content
    assert Unit.objects.count() == 0  # the preview is a dry run

    confirmed = client.post(
        reverse(IMPORT_URL), {"token": preview.context["token"], "confirm": "1"}, **EN
    )

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:assessments_unit_changelist")
    assert Unit.objects.count() == 6
    assert_tree_is_sound()
    changelist = client.get(confirmed["Location"], **EN)
    assert "The units have been imported" in changelist.content.decode()


def test_it_shows_the_problems_of_an_upload_and_offers_no_confirmation(
    client, administrator, existing_tree
):
    client.force_login(administrator)
    data = csv_file("code,name,parent_code", "SOL,Förskolan Solrosen,ORG", encoding="cp1252")

    page = upload(client, data)
    content = page.content.decode()

    assert page.status_code == 200
    assert "Problems in enheter.csv" in content
    assert "Line 2: the file is not saved as UTF-8" in content
    assert 'name="confirm"' not in content
    assert tree_state() == existing_tree


def test_it_says_so_when_an_upload_changes_nothing(client, administrator, existing_tree):
    client.force_login(administrator)
    content = upload(client, TREE).content.decode()

    assert "there is nothing to import" in content
    assert 'name="confirm"' not in content


def test_it_refuses_a_tampered_confirmation(client, administrator):
    client.force_login(administrator)
    token = upload(client, TREE).context["token"]

    response = client.post(
        reverse(IMPORT_URL), {"token": token[:-3] + "abc", "confirm": "1"}, follow=True, **EN
    )

    assert "Upload the file again" in response.content.decode()
    assert Unit.objects.count() == 0


def test_it_validates_again_on_confirmation(client, administrator):
    """The tree may change between preview and confirmation; the import checks it afresh."""
    make_unit("ORG", "Exempelkommun", kind="organisation")
    client.force_login(administrator)
    token = upload(client, csv_file("code,name,parent_code", "A1,Enhet A1,ORG")).context["token"]
    Unit.objects.filter(code="ORG").update(code="KOMMUN")  # recoded by someone meanwhile

    page = client.post(reverse(IMPORT_URL), {"token": token, "confirm": "1"}, **EN)

    assert page.status_code == 200
    assert "unknown parent code “ORG”" in page.content.decode()
    assert Unit.objects.count() == 1


def test_it_sends_non_staff_to_the_admin_login(client):
    client.force_login(make_user("maja"))
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_refuses_the_import_to_staff_without_unit_permissions(client):
    client.force_login(make_user("staff-without-rights", is_staff=True))
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert upload(client, TREE).status_code == 403
    assert Unit.objects.count() == 0


# ---------------------------------------------------------------------------------------
# The unit admin
# ---------------------------------------------------------------------------------------


def test_it_searches_units_by_code_and_name_in_admin(client, administrator, existing_tree):
    client.force_login(administrator)
    url = reverse("admin:assessments_unit_changelist")

    by_code = client.get(url, {"q": "HTN"}).content.decode()
    by_name = client.get(url, {"q": "Solrosen"}).content.decode()
    by_kind = client.get(url, {"kind__exact": "department"}).content.decode()

    assert "Hemtjänst Norr" in by_code and "Hemtjänst Söder" not in by_code
    assert "Förskolan Solrosen" in by_name
    assert "Socialförvaltningen" in by_kind and "Hemtjänst Norr" not in by_kind


def test_it_moves_a_unit_with_the_treebeard_form_in_admin(client, administrator, existing_tree):
    client.force_login(administrator)
    hts = Unit.objects.get(code="HTS")
    bou = Unit.objects.get(code="BOU")
    url = reverse("admin:assessments_unit_change", args=[hts.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "code": "HTS",
            "name": "Hemtjänst Söder",
            "kind": "unit",
            "is_active": "on",
            "treebeard_position": "sorted-child",
            "treebeard_ref_node": bou.pk,
            "roles-TOTAL_FORMS": 0,
            "roles-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert parent_code("HTS") == "BOU"
    assert_tree_is_sound()


def test_it_gives_roles_on_the_unit_page_in_admin(client, administrator, existing_tree):
    client.force_login(administrator)
    person = make_user("maja")
    hts = Unit.objects.get(code="HTS")
    url = reverse("admin:assessments_unit_change", args=[hts.pk])
    page = client.get(url).content.decode()
    assert "admin-autocomplete" in page  # the person is picked with autocomplete

    response = client.post(
        url,
        {
            "code": "HTS",
            "name": "Hemtjänst Söder",
            "kind": "unit",
            "is_active": "on",
            "treebeard_position": "sorted-child",
            "treebeard_ref_node": Unit.objects.get(code="SOC").pk,
            "roles-TOTAL_FORMS": 1,
            "roles-INITIAL_FORMS": 0,
            "roles-0-user": person.pk,
            "roles-0-kind": "manager",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Role.objects.filter(user=person, unit=hts, kind="manager").exists()
