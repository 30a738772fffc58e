"""The start page for visitors, managers, quality developers, administrators and the rest."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from assessments.importing import import_units
from assessments.models import AssessmentState, RoleKind, Unit
from assessments.views import home as home_view
from tests.factories import give_role, make_assessment, make_round, make_user

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class TreeParser(HTMLParser):
    """Reads `<ul class="unit-tree">` back into nested (name, [children]) pairs."""

    def __init__(self):
        super().__init__()
        self.roots: list = []
        self.stack: list = []  # the lists currently open: each a list of nodes
        self.inside = False
        self.in_strong = False

    def handle_starttag(self, tag, attrs):
        if tag == "ul" and ("class", "unit-tree") in attrs:
            self.inside = True
            self.stack = [self.roots]
        elif self.inside and tag == "ul":
            self.stack.append(self.stack[-1][-1][1])
        elif self.inside and tag == "strong":
            self.in_strong = True

    def handle_endtag(self, tag):
        if self.inside and tag == "ul":
            self.stack.pop()
            self.inside = bool(self.stack)
        elif tag == "strong":
            self.in_strong = False

    def handle_data(self, data):
        if self.inside and self.in_strong:
            self.stack[-1].append((data.strip(), []))


def tree_of(response) -> list:
    parser = TreeParser()
    parser.feed(response.content.decode())
    return parser.roots


def get(client, **headers):
    response = client.get(reverse("home"), **{**EN, **headers})
    assert response.status_code == 200
    return response


# ---------------------------------------------------------------------------------------
# Each persona
# ---------------------------------------------------------------------------------------


def test_it_tells_visitors_what_tillit_is_and_lets_them_join_or_log_in(client):
    content = get(client).content.decode()

    assert "Self-assessment of trust-based governance" in content
    assert "SOU 2018:47" in content
    assert f'action="{home_view._join_url()}"' in content
    assert 'name="code"' in content
    assert '<label class="form-label" for="join-code">Join code</label>' in content
    assert f'href="{reverse("login")}"' in content


def test_it_posts_the_join_form_to_the_join_view(client):
    try:
        expected = reverse("join")
    except NoReverseMatch:  # not built yet: the agreed address
        expected = "/delta/"
    assert f'action="{expected}"' in get(client).content.decode()


def test_it_falls_back_to_delta_until_the_join_view_exists(monkeypatch):
    def missing(name, *args, **kwargs):
        raise NoReverseMatch(name)

    monkeypatch.setattr(home_view, "reverse", missing)
    assert home_view._join_url() == "/delta/"


def test_it_shows_a_manager_their_units_and_a_friendly_empty_state(persona):
    content = get(persona("manager_of_a")).content.decode()

    assert "Welcome, Maja" in content
    assert "Your units" in content
    assert "Enhet A1" in content
    assert "Enhet A2" not in content and "Förvaltning B" not in content
    assert "No self-assessments yet" in content
    assert "Go to administration" not in content


def test_it_shows_a_manager_their_unit_assessments_and_no_one_elses(org, persona):
    round_ = make_round(org.root, name="Tillitsskattning HT 2026")
    make_assessment(round_, org.a1, state=AssessmentState.INDIVIDUAL)
    make_assessment(round_, org.a2)

    response = get(persona("manager_of_a"))
    content = response.content.decode()

    assert [a.unit.code for a in response.context["managed_assessments"]] == ["A1"]
    assert "Tillitsskattning HT 2026" in content
    assert "Individual reflection" in content
    assert "No self-assessments yet" not in content


def test_it_shows_a_quality_developer_their_subtree_as_nested_lists_with_counts(org, persona):
    round_ = make_round(org.root)
    make_assessment(round_, org.a1, state=AssessmentState.COMPLETED, completed_at=timezone.now())
    make_assessment(round_, org.a2)
    make_assessment(round_, org.b1)

    response = get(persona("quality_developer"))
    content = response.content.decode()

    assert tree_of(response) == [("Förvaltning A", [("Enhet A1", []), ("Enhet A2", [])])]
    assert "Your part of the organisation" in content
    assert "2 units beneath · 2 self-assessments, 1 completed" in content
    assert "Förvaltning B" not in content and "Enhet B1" not in content
    assert "Your units" not in content


def test_it_nests_deeper_trees_and_several_roles_correctly(org, persona):
    import_units(
        b"code,name,parent_code\nA1-X,Arbetslag X,A1\nA1-Y,Arbetslag Y,A1\nX-1,Grupp 1,A1-X\n"
    )
    give_role(org.quality_developer, org.b1, RoleKind.QUALITY_DEVELOPER)

    tree = tree_of(get(persona("quality_developer")))

    assert tree == [
        (
            "Förvaltning A",
            [
                ("Enhet A1", [("Arbetslag X", [("Grupp 1", [])]), ("Arbetslag Y", [])]),
                ("Enhet A2", []),
            ],
        ),
        ("Enhet B1", []),
    ]


def test_it_marks_inactive_units(org, persona):
    Unit.objects.filter(pk=org.a2.pk).update(is_active=False)
    content = get(persona("quality_developer")).content.decode()
    assert "inactive" in content


def test_it_gives_an_administrator_the_top_of_the_tree_and_a_link_to_admin(persona):
    response = get(persona("administrator"))
    content = response.content.decode()

    assert f'href="{reverse("admin:index")}"' in content
    assert "Go to administration" in content
    assert tree_of(response) == [("Exempelkommun", [("Förvaltning A", []), ("Förvaltning B", [])])]
    assert "5 units beneath" in content
    assert "Your units" not in content


def test_it_tells_someone_without_a_role_how_to_get_one(persona):
    content = get(persona("outsider")).content.decode()

    assert "You have no role on a unit yet" in content
    assert "Your units" not in content and "unit-tree" not in content
    assert 'name="code"' in content  # they may still take part as a participant


def test_it_renders_in_swedish_by_default_and_in_english_on_request(client):
    swedish = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="sv")
    english = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    assert '<html lang="sv">' in swedish.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert "Taking part in a self-assessment?" in english.content.decode()


# ---------------------------------------------------------------------------------------
# A constant number of queries whatever the size of the tree
# ---------------------------------------------------------------------------------------


def build(size: int) -> dict:
    lines = ["code,name,parent_code", "ORG,Kommunen,"]
    lines += [f"D{d},Förvaltning {d},ORG" for d in range(4)]
    lines += [f"U{i},Enhet {i},D{i % 4}" for i in range(size - 5)]
    assert import_units(("\n".join(lines) + "\n").encode()).ok
    units = {u.code: u for u in Unit.objects.all()}
    round_ = make_round(units["ORG"])
    for i in range(0, size - 5, 3):
        make_assessment(round_, units[f"U{i}"])
    people = {
        "manager": make_user("m"),
        "developer": make_user("q"),
        "administrator": make_user("a", is_staff=True, is_superuser=True),
        "outsider": make_user("o"),
    }
    give_role(people["manager"], units["U0"], RoleKind.MANAGER)
    give_role(people["manager"], units["U4"], RoleKind.MANAGER)
    give_role(people["developer"], units["D0"], RoleKind.QUALITY_DEVELOPER)
    give_role(people["developer"], units["D1"], RoleKind.QUALITY_DEVELOPER)
    return people


def count_queries(client, people, who) -> int:
    client.logout()
    if who != "anonymous":
        client.force_login(people[who])
    with CaptureQueriesContext(connection) as queries:
        get(client)
    return len(queries)


@pytest.mark.parametrize("who", ["anonymous", "outsider", "manager", "developer", "administrator"])
def test_it_takes_the_same_number_of_queries_for_10_and_500_units(client, who):
    people = build(10)
    small = count_queries(client, people, who)
    Unit.objects.filter(code__startswith="U").update(name="x")  # unchanged shape, names only
    import_units(
        (
            "code,name,parent_code\n"
            + "".join(f"V{i},Ny enhet {i},D{i % 4}\n" for i in range(490))
            + "".join(f"W{i},Arbetslag {i},V{i}\n" for i in range(0, 490, 49))
        ).encode()
    )
    assert Unit.objects.count() == 510
    large = count_queries(client, people, who)

    assert small == large
    # session + user + roles + the scopes the person has
    expected = {"anonymous": 0, "outsider": 3, "manager": 5, "developer": 4, "administrator": 3}
    assert large == expected[who]


def test_it_shows_an_administrator_the_start_page_before_any_unit_exists(client, administrator):
    client.force_login(administrator)
    client.cookies["django_language"] = "en"
    response = client.get("/")
    assert response.status_code == 200
    assert "Tillit" in response.content.decode()
