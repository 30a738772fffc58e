"""`manage.py export_reports`: one PDF per completed unit assessment of a round."""

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from assessments.models import AssessmentState
from tests.factories import make_assessment, make_round, make_version
from tests.factories_reports import add_answers, agree, complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(org):
    """A round in which A1 and A2 completed and B1 is still in dialogue."""
    version = make_version(published=True)
    round_ = make_round(org.root, version, name="Tillitsskattning HT 2026")
    for unit, state in ((org.a1, "completed"), (org.a2, "completed"), (org.b1, "dialogue")):
        assessment = make_assessment(round_, unit)
        add_answers(assessment, 5)
        agree(assessment, scores={"p1": 3, "p2": 4})
        if state == AssessmentState.COMPLETED:
            complete(assessment)
        else:
            assessment.state = state
            assessment.save()
    return round_


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_reports", *args, stdout=out)
    return out.getvalue()


def test_it_writes_one_pdf_per_completed_assessment(round_, tmp_path):
    output = export("--round", "Tillitsskattning HT 2026", "--out", str(tmp_path))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "balansrapport-a1-tillitsskattning-ht-2026.pdf",
        "balansrapport-a2-tillitsskattning-ht-2026.pdf",
    ]
    for name in names:
        assert str(tmp_path / name) in output
    assert "Wrote 2 report(s)" in output
    assert "1 assessment(s) not completed yet were skipped" in output
    text = PdfReader(tmp_path / names[1]).pages[0].extract_text()
    assert "Enhet A2" in text


def test_it_exports_one_unit_by_round_id_in_english(round_, tmp_path):
    output = export(
        "--round", str(round_.pk), "--unit", "A1", "--lang", "en", "--out", str(tmp_path)
    )
    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == ["balance-report-a1-tillitsskattning-ht-2026.pdf"]
    assert "Wrote 1 report(s)" in output
    reader = PdfReader(files[0])
    assert reader.metadata.title.startswith("Balance report – Enhet A1")


def test_it_creates_the_output_directory(round_, tmp_path):
    target = tmp_path / "a" / "b"
    export("--round", str(round_.pk), "--unit", "A2", "--out", str(target))
    assert len(list(target.iterdir())) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--round", "Tillitsskattning VT 2099"], "No round with the id or the exact name"),
        (["--round", "9999"], "No round with the id or the exact name “9999”"),
        (["--unit", "NOPE"], "No unit with the code “NOPE”"),
        (["--unit", "DEP-A"], "Unit “DEP-A” has no assessment in the round"),
        (["--unit", "B1"], "is not completed"),
    ],
)
def test_it_explains_what_it_cannot_find(round_, tmp_path, args, message):
    if "--round" not in args:
        args = ["--round", str(round_.pk), *args]
    with pytest.raises(CommandError, match=message):
        export(*args, "--out", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_it_asks_for_the_id_when_two_rounds_share_a_name(round_, org, tmp_path):
    make_round(org.root, round_.framework_version, name=round_.name)
    with pytest.raises(CommandError, match="Several rounds are named"):
        export("--round", round_.name, "--out", str(tmp_path))


def test_it_refuses_an_unknown_language(round_, tmp_path):
    with pytest.raises(CommandError, match="invalid choice"):
        export("--round", str(round_.pk), "--lang", "de", "--out", str(tmp_path))
