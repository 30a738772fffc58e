"""Django admin in Swedish: every app and model named in Swedish, third-party apps included
(django-axes, django-tasks), and a language switch in the admin's header."""

import re

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

# What the admin index showed in Swedish before: the third-party apps' own English names.
ENGLISH_NAMES = [
    "Axes",
    "Access attempts",
    "Access failures",
    "Access logs",
    "Tasks Database Backend",
    "Task Results",
]
SWEDISH_NAMES = [
    "Inloggningsskydd",
    "Inloggningsförsök",
    "Misslyckade inloggningar",
    "Inloggningsloggar",
    "Bakgrundsjobb",
    "Jobbresultat",
]


@pytest.fixture
def staff_client(client, administrator):
    client.force_login(administrator)
    return client


def _text(html: str) -> str:
    """What the page says, without its markup (URLs such as /admin/axes/ are not text)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _app_list(administrator, language: str) -> dict[str, tuple[str, dict[str, str]]]:
    """app label -> (the app's name, model name -> its name), as the admin index lists them."""
    admin.autodiscover()  # the admin modules load with the URLs, which no request loaded here
    request = RequestFactory().get("/admin/")
    request.user = administrator
    with translation.override(language):
        return {
            app["app_label"]: (
                str(app["name"]),
                {model["object_name"]: str(model["name"]) for model in app["models"]},
            )
            for app in admin.site.get_app_list(request)
        }


def test_it_shows_no_english_app_or_model_name_on_the_swedish_admin_index(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv"' in html
    text = _text(html)
    for name in ENGLISH_NAMES:
        assert name.lower() not in text.lower(), name
    for name in SWEDISH_NAMES:
        assert name in text, name


def test_it_names_every_app_and_model_in_both_languages(administrator):
    swedish = _app_list(administrator, "sv")
    english = _app_list(administrator, "en")
    assert swedish.keys() == english.keys() and len(english) >= 6
    for label, (en_app, en_models) in english.items():
        # The same app in the other language: its name and each of its models' names differ.
        sv_app, sv_models = swedish[label]
        assert sv_app != en_app, en_app
        untranslated = [en for model, en in en_models.items() if sv_models[model] == en]
        assert untranslated == [], en_app
    assert english["axes"] == (
        "Login protection",
        {
            "AccessAttempt": "Access attempts",
            "AccessFailureLog": "Access failures",
            "AccessLog": "Access logs",
        },
    )
    assert english["django_tasks_database"] == (
        "Background tasks",
        {"DBTaskResult": "Task Results"},
    )


def test_it_translates_the_third_party_lists_too(staff_client):
    text = _text(staff_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode())
    assert "Inloggningsförsök" in text and "Access attempt" not in text
    text = _text(
        staff_client.get(
            reverse("admin:django_tasks_database_dbtaskresult_changelist")
        ).content.decode()
    )
    assert "Jobbresultat" in text and "Task Result" not in text


def _language_form(html: str) -> str:
    match = re.search(
        r'<form action="/i18n/setlang/" method="post" class="admin-language".*?</form>',
        html,
        flags=re.S,
    )
    assert match, "no language switch in the admin's header"
    return match.group(0)


@pytest.mark.parametrize("url_name", ["admin:index", "admin:login"])
def test_it_has_a_language_switch_in_the_admin_header(client, administrator, url_name):
    if url_name == "admin:index":
        client.force_login(administrator)
    html = client.get(reverse(url_name)).content.decode()
    header = html.split('<header id="header">', 1)[1].split("</header>", 1)[0]
    form = _language_form(header)
    assert 'name="csrfmiddlewaretoken"' in form
    assert f'<input name="next" type="hidden" value="{reverse(url_name)}">' in form
    assert re.search(r'value="sv" lang="sv"\s+aria-current="true">Svenska</button>', form)
    assert re.search(r'value="en" lang="en"\s*>English</button>', form)


def test_it_switches_the_admin_to_english_and_back(staff_client):
    response = staff_client.post(
        reverse("set_language"), {"language": "en", "next": reverse("admin:index")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert '<html lang="en"' in html
    text = _text(html)
    assert "Login protection" in text and "Background tasks" in text
    assert "Inloggningsskydd" not in text
    assert re.search(r'value="en" lang="en"\s+aria-current="true">English</button>', html)

    staff_client.post(reverse("set_language"), {"language": "sv", "next": reverse("admin:index")})
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert '<html lang="sv"' in html and "Inloggningsskydd" in _text(html)


def test_it_names_the_columns_of_state_changes_and_actions_in_the_admins_language(
    staff_client, org
):
    from assessments.models import Action, AssessmentState, StateChange
    from tests.factories_dialogue import make_unit_assessment

    assessment = make_unit_assessment(org, state=AssessmentState.COMPLETED)
    StateChange.objects.create(
        assessment=assessment,
        from_state=AssessmentState.PREPARING,
        to_state=AssessmentState.INDIVIDUAL,
        changed_by=org.manager_of_a,
    )
    Action.objects.create(assessment=assessment, title="Ses varje vecka", responsible="Maja")
    change = reverse("admin:assessments_unitassessment_change", args=[assessment.pk])
    actions = reverse("admin:assessments_action_changelist")
    columns = {
        "sv": (["Från läge", "Till läge", "Ändrat av", "Tidpunkt"], "Enhetens skattning"),
        "en": (["From state", "To state", "Changed by", "Changed at"], "Unit assessment"),
    }
    for language, (state_columns, action_column) in columns.items():
        staff_client.cookies["django_language"] = language
        text = _text(staff_client.get(change).content.decode())
        for column in state_columns:
            assert column in text, (language, column)
        assert ("Förberedelse" if language == "sv" else "Preparing") in text
        text = _text(staff_client.get(actions).content.decode())
        assert action_column in text and "Assessment " not in text, language


def test_it_labels_both_definitions_alike_in_swedish():
    from django.utils import translation

    from principles.models import Principle

    with translation.override("sv"):
        sv = str(Principle._meta.get_field("definition_sv").verbose_name)
        en = str(Principle._meta.get_field("definition_en").verbose_name)
    assert (sv, en) == (
        "definition (svenska, citerad ur källan)",
        "definition (engelska, vår översättning)",
    )
