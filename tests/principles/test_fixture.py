"""The framework fixture carries the official texts of SOU 2018:47 word for word.

The constants below are copied from the source texts (Tillitsdelegationen's summary of
SOU 2018:47 and SKR's page on trust-based governance), not from the fixture, so that an
edit to the fixture that drifts from the official wording fails here.
"""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from principles.models import (
    Dimension,
    FrameworkVersion,
    Principle,
    ReflectionQuestion,
    Statement,
    SteeringKey,
    SteeringPrinciple,
    SupportingText,
    VersionStatus,
)
from principles.services import completeness_problems

pytestmark = pytest.mark.django_db

# The seven guiding principles (vägledande principer), Tillitsdelegationen, SOU 2018:47.
OFFICIAL_PRINCIPLE_NAMES = [
    "Tillit",
    "Medborgarfokus",
    "Helhetssyn",
    "Handlingsutrymme",
    "Stöd",
    "Kunskap",
    "Öppenhet",
]

# Their short definitions, as worded in Tillitsdelegationen's presentation of SOU 2018:47.
# (That source spells "oliktankande" without its ä; the word is "oliktänkande", as in SKR's
# version of the same list and in the report itself.)
OFFICIAL_DEFINITIONS = [
    "Sträva efter att som utgångspunkt välja att lita på dem du samarbetar med och ha "
    "positiva förväntningar.",
    "Sätt medborgarens upplevelse och kunskap i fokus och försök förstå vad medborgaren "
    "sätter värde på.",
    "Uppmuntra alla i styrkedjan att aktivt och gemensamt ta ansvar för helheten och "
    "samverka över gränser.",
    "Delegera handlingsutrymme och välkomna medbestämmande, men var också tydlig kring vem "
    "som har mandat att göra vad, och skapa goda förutsättningar för medarbetarna att klara "
    "sitt uppdrag.",
    "Säkerställ ett verksamhetsnära och kvalificerat professionellt, administrativt och "
    "psykosocialt stöd i kärnverksamheten.",
    "Premiera kunskapsutveckling, lärande och en praktik baserad på vetenskap och beprövad "
    "erfarenhet.",
    "Sträva efter öppenhet genom att dela information, välkomna oliktänkande och respektera "
    "kritik.",
]

# Control-based versus trust-based governance (SKR, after Bringselius): (key, control, trust).
OFFICIAL_DIMENSIONS = [
    (
        "design",
        "Utformningen av styrningen sker centralt, utifrån kontrollbehov",
        "Utformningen av styrningen sker i samskapande dialog med verksamheten",
    ),
    (
        "responsibility",
        "Ansvarsområdena är snäva och personliga",
        "Ansvarsområden är breda och gemensamma",
    ),
    (
        "focus",
        "Fokus på överordnade beslutsfattare (uppåt)",
        "Fokus på kärnverksamheten (nedåt)",
    ),
    (
        "instruments",
        "Viktigaste instrumenten är kontroll, angränsat ansvar och formalisering",
        "Viktigaste instrumenten är helhetssyn, lärande och samverkan",
    ),
    (
        "follow_up",
        "Uppföljning på distans från mätning, fokus på avvikelser",
        "Uppföljningen sker i nära dialog med verksamheten, delvis kvalitativt, fokus på främjande",
    ),
    (
        "means",
        "Främsta medel för att nå verksamhetens mål är följsamhet mot beslutslinje och "
        "formella processer",
        "Främsta medel för att nå verksamhetens mål är kollegialt lärande och ömsesidig anpassning",
    ),
]

# Balance between three steering principles (Tillitsdelegationen). The slides set each keyword
# on a line of its own with a capital; in running text they are written in lower case.
OFFICIAL_STEERING = {
    "market": ("Konkurrens", ["pris", "marknad", "incitament"]),
    "hierarchy": ("Reglering", ["auktoritet", "hierarki", "byråkrati"]),
    "trust": ("Tillit", ["samarbete", "kollegialitet", "värdegemenskap"]),
}

# The questions of the good meeting (det goda mötet), Tillitsdelegationen.
GOOD_MEETING_QUESTIONS = [
    "Vad skapar värde i det goda mötet?",
    "Vad skapar hinder?",
    "Stödjer hela styrkedjan det goda mötet?",
    "Vilka styrsignaler påverkar detta möte?",
]

OFFICIAL_DEFINITION_OF_TRUST_BASED_GOVERNANCE = (
    "Styrning, kultur och arbetssätt med fokus på verksamhetens syfte och medborgarens behov, "
    "där varje beslutsnivå aktivt verkar för att stimulera samverkan och helhetsperspektiv, "
    "bygga tillitsfulla relationer och säkerställa att medarbetaren kan, vill och vågar hjälpa "
    "medborgaren."
)


@pytest.fixture
def version() -> FrameworkVersion:
    call_command("loaddata", "framework", verbosity=0)
    return FrameworkVersion.objects.get()


def test_it_loads_one_published_version(version):
    assert FrameworkVersion.objects.count() == 1
    assert version.status == VersionStatus.PUBLISHED
    assert version.is_default
    assert version.published_at is not None
    assert version.based_on is None
    assert "SOU 2018:47" in version.source
    assert FrameworkVersion.objects.current() == version


def test_it_has_the_seven_official_principles_in_order(version):
    principles = list(version.principles.order_by("order"))
    assert [p.name_sv for p in principles] == OFFICIAL_PRINCIPLE_NAMES
    assert [p.key for p in principles] == [
        "tillit",
        "medborgarfokus",
        "helhetssyn",
        "handlingsutrymme",
        "stod",
        "kunskap",
        "oppenhet",
    ]


def test_it_quotes_the_official_definitions_verbatim(version):
    principles = list(version.principles.order_by("order"))
    assert [p.definition_sv for p in principles] == OFFICIAL_DEFINITIONS
    assert {p.definition_source for p in principles} == {"SOU 2018:47"}


def test_it_gives_every_principle_statements_and_questions(version):
    for principle in version.principles.all():
        statements = list(principle.statements.all())
        questions = list(principle.questions.all())
        assert len(statements) >= 3, principle.key
        assert len(questions) >= 2, principle.key
        assert all(s.key.startswith(f"{principle.key}-") for s in statements)
        assert all(q.key.startswith(f"{principle.key}-q") for q in questions)
        assert principle.description_sv.strip(), principle.key


def test_it_has_the_six_control_trust_dimensions_of_the_table(version):
    dimensions = list(version.dimensions.order_by("order"))
    assert [(d.key, d.control_pole_sv, d.trust_pole_sv) for d in dimensions] == (
        OFFICIAL_DIMENSIONS
    )


def test_it_has_exactly_the_three_steering_principles(version):
    steering = list(version.steering_principles.order_by("order"))
    assert [s.key for s in steering] == ["market", "hierarchy", "trust"]
    for item in steering:
        name, keywords = OFFICIAL_STEERING[item.key]
        assert item.name_sv == name
        with translation.override("sv"):  # the keywords follow the reader's language
            assert item.keyword_list == keywords
        assert len(item.keywords_en.split(",")) == 3, item.key
        assert item.keywords_en == item.keywords_en.lower(), item.key


def test_it_names_the_steering_principles_as_the_app_does_everywhere(version):
    steering = {s.key: s for s in version.steering_principles.all()}
    with translation.override("en"):
        labels = {key: str(label) for key, label in SteeringKey.choices}
        assert {key: s.name_en for key, s in steering.items()} == labels
    assert labels == {"market": "Competition", "hierarchy": "Regulation", "trust": "Trust"}
    # Why these names: said beside the fixture, since JSON has no comments.
    notes = (settings.BASE_DIR / "fixtures" / "README.md").read_text(encoding="utf-8")
    assert "Konkurrens" in notes and "Tillitsdelegationen" in notes


def test_it_carries_the_questions_of_the_good_meeting(version):
    texts = version.supporting_texts.filter(kind="good_meeting").order_by("order")
    assert [t.title_sv for t in texts] == GOOD_MEETING_QUESTIONS
    medborgarfokus = version.principles.get(key="medborgarfokus")
    questions = [q.text_sv for q in medborgarfokus.questions.order_by("order")]
    assert questions[:4] == GOOD_MEETING_QUESTIONS


def test_it_carries_the_definition_cornerstones_and_reservations(version):
    texts = version.supporting_texts
    definition = texts.get(kind="definition")
    assert definition.body_sv == OFFICIAL_DEFINITION_OF_TRUST_BASED_GOVERNANCE
    assert definition.is_quotation and "SOU 2018:47" in definition.source
    assert list(texts.filter(is_quotation=True)) == [definition]
    assert [t.title_sv for t in texts.filter(kind="cornerstone").order_by("order")] == [
        "Samverkan och helhetsperspektiv",
        "Tillitsfulla relationer",
        "Medarbetaren kan, vill och vågar",
    ]
    assert texts.filter(kind="reservation").count() == 6


def test_it_is_complete_enough_to_publish(version):
    assert completeness_problems(version) == []


def test_it_fills_every_english_field(version):
    items = [
        version,
        *Principle.objects.filter(version=version),
        *Statement.objects.filter(principle__version=version),
        *ReflectionQuestion.objects.filter(principle__version=version),
        *Dimension.objects.filter(version=version),
        *SteeringPrinciple.objects.filter(version=version),
        *SupportingText.objects.filter(version=version),
    ]
    checked = 0
    for item in items:
        for field in item._meta.concrete_fields:
            if field.name.endswith("_en"):
                checked += 1
                assert str(getattr(item, field.name)).strip(), f"{item!r}.{field.name}"
    assert checked > 0
