"""Logging in and out, password reset and change, failed-login throttling, and what admin shows.

Pages are checked in English (Accept-Language: en) and, where Django's own catalogue decides
the words, in Swedish too.
"""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments import models
from assessments.models import AssessmentState, Respondent
from tests.factories import make_assessment, make_round, make_user

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
SV = {"HTTP_ACCEPT_LANGUAGE": "sv"}
PASSWORD = "pw-test-1234"  # what tests.factories.make_user gives everyone


@pytest.fixture(autouse=True)
def fast_passwords_and_a_known_limit(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 5  # the default; pinned so the tests do not follow the env


@pytest.fixture
def maja(db):
    return make_user("maja", email="maja@example.org", first_name="Maja")


def log_in(client, username, password, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password, **extra}, **EN
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# ---------------------------------------------------------------------------------------
# Log in and out
# ---------------------------------------------------------------------------------------


def test_it_shows_the_login_page_in_english_and_swedish(client):
    english = client.get(reverse("login"), **EN).content.decode()
    swedish = client.get(reverse("login"), **SV).content.decode()

    assert '<html lang="en">' in english
    assert "Username" in english and "Password" in english
    assert "Forgotten your password?" in english
    assert '<html lang="sv">' in swedish
    assert "Användarnamn" in swedish and "Lösenord" in swedish
    assert 'autocomplete="current-password"' in english


def test_it_logs_in_and_goes_to_the_start_page(client, maja):
    response = log_in(client, "maja", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in(client)


def test_it_goes_back_to_the_page_asked_for_after_login(client, maja):
    response = log_in(client, "maja", PASSWORD, next=reverse("password_change"))
    assert response["Location"] == reverse("password_change")


def test_it_refuses_a_wrong_password_with_a_clear_message(client, maja):
    response = log_in(client, "maja", "fel-lösenord")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not logged_in(client)


def test_it_explains_when_a_logged_in_person_lacks_access(client, maja):
    client.force_login(maja)
    page = client.get(reverse("login"), {"next": "/admin/"}, **EN).content.decode()
    assert "your account has no access to that page" in page


def test_it_logs_out_with_a_post_only(client, maja):
    client.force_login(maja)

    assert client.get(reverse("logout")).status_code == 405
    assert logged_in(client)
    response = client.post(reverse("logout"), **EN)

    assert response.status_code == 200
    assert "You are logged out" in response.content.decode()
    assert not logged_in(client)


def test_it_has_a_logged_out_page():
    """Shown after logging out (LOGOUT_REDIRECT_URL is unset)."""
    from django.utils import translation

    with translation.override("en"):
        html = render_to_string("registration/logged_out.html")
    assert "You are logged out" in html
    assert reverse("login") in html


# ---------------------------------------------------------------------------------------
# Passwords
# ---------------------------------------------------------------------------------------


def test_it_resets_a_forgotten_password_by_e_mail(client, maja):
    form = client.get(reverse("password_reset"), **EN)
    assert "Reset your password" in form.content.decode()

    sent = client.post(reverse("password_reset"), {"email": "maja@example.org"}, **EN)
    assert sent.status_code == 302
    assert "Check your e-mail" in client.get(sent["Location"], **EN).content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maja@example.org"]
    assert message.subject == "Choose a new password for Tillit"
    assert "Your user name is maja." in message.body
    link = re.search(r"https?://[^/\s]+(/konto/reset/\S+/)", message.body).group(1)

    confirm = client.get(link, follow=True, **EN)
    assert "Choose a new password" in confirm.content.decode()
    done = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": "Ett nytt lösen 2026", "new_password2": "Ett nytt lösen 2026"},
        **EN,
    )
    assert done.status_code == 302
    assert "Your new password is saved" in client.get(done["Location"], **EN).content.decode()

    assert log_in(client, "maja", "Ett nytt lösen 2026").status_code == 302
    assert logged_in(client)


def test_it_reveals_nothing_about_unknown_addresses(client, maja):
    response = client.post(reverse("password_reset"), {"email": "okand@example.org"}, **EN)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_it_says_so_when_a_reset_link_is_spoiled(client, maja):
    page = client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "fel-token"}), **EN
    )
    assert "The link does not work" in page.content.decode()
    assert reverse("password_reset") in page.content.decode()


def test_it_sends_the_reset_mail_from_a_swedish_page_too(client, maja):
    client.post(reverse("password_reset"), {"email": "maja@example.org"}, **SV)
    assert len(mail.outbox) == 1
    assert "/konto/reset/" in mail.outbox[0].body


def test_it_changes_the_password_of_a_logged_in_person(client, maja):
    assert client.get(reverse("password_change"))["Location"].startswith(reverse("login"))
    client.force_login(maja)
    assert "Change your password" in client.get(reverse("password_change"), **EN).content.decode()

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Ett annat lösen 2026",
            "new_password2": "Ett annat lösen 2026",
        },
        **EN,
    )

    assert response.status_code == 302
    assert "Your password is changed" in client.get(response["Location"], **EN).content.decode()
    maja.refresh_from_db()
    assert maja.check_password("Ett annat lösen 2026")


def test_it_shows_password_change_errors_next_to_the_field(client, maja):
    client.force_login(maja)
    response = client.post(
        reverse("password_change"),
        {"old_password": "fel", "new_password1": "kort", "new_password2": "kort"},
        **EN,
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in content
    assert 'aria-invalid="true"' in content or "is-invalid" in content


# ---------------------------------------------------------------------------------------
# Failed-login throttling (django-axes)
# ---------------------------------------------------------------------------------------


def test_it_refuses_even_the_right_password_after_five_failures(client, maja):
    for attempt in range(1, 6):
        response = log_in(client, "maja", f"gissning-{attempt}")
    assert response.status_code == 429  # the fifth failure locks

    sixth = log_in(client, "maja", PASSWORD)

    assert sixth.status_code == 429
    assert not logged_in(client)
    content = sixth.content.decode()
    assert "Too many failed attempts" in content
    assert "Wait 15 minutes and try again." in content
    assert "even the right password is refused" in content


def test_it_locks_only_that_user_name_from_that_address(client, maja):
    make_user("bo")
    for attempt in range(5):
        log_in(client, "maja", f"gissning-{attempt}")

    assert log_in(client, "bo", PASSWORD).status_code == 302
    assert logged_in(client)


def test_it_lets_the_person_in_again_after_fifteen_minutes(client, maja):
    for attempt in range(5):
        log_in(client, "maja", f"gissning-{attempt}")
    assert log_in(client, "maja", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))

    assert log_in(client, "maja", PASSWORD).status_code == 302
    assert logged_in(client)


def test_it_forgets_earlier_failures_after_a_successful_login(client, maja):
    for attempt in range(4):
        log_in(client, "maja", f"gissning-{attempt}")
    assert log_in(client, "maja", PASSWORD).status_code == 302
    client.logout()

    for attempt in range(4):
        assert log_in(client, "maja", f"igen-{attempt}").status_code == 200
    assert log_in(client, "maja", PASSWORD).status_code == 302


# ---------------------------------------------------------------------------------------
# What admin shows: counts, never an individual's answers
# ---------------------------------------------------------------------------------------


def test_it_never_registers_individual_answers_in_admin():
    admin.autodiscover()  # every admin module, as the URLs load them
    for model in (
        Respondent,
        models.StatementAnswer,
        models.DimensionAnswer,
        models.BalanceAnswer,
        models.PrincipleComment,
    ):
        assert not admin.site.is_registered(model), model


def test_it_shows_assessments_in_admin_read_only_with_counts(client, org):
    round_ = make_round(org.root, name="Våren 2027")
    assessment = make_assessment(round_, org.a1, state=AssessmentState.INDIVIDUAL)
    for number in range(3):
        Respondent.objects.create(
            assessment=assessment,
            token_hash=f"{number:064d}",
            finished_at=timezone.now() if number else None,
        )
    client.force_login(org.administrator)

    listing = client.get(reverse("admin:assessments_unitassessment_changelist"), **EN)
    page = client.get(
        reverse("admin:assessments_unitassessment_change", args=[assessment.pk]), **EN
    )

    assert listing.status_code == 200
    row = listing.context["cl"].result_list.get(pk=assessment.pk)
    assert (row.respondent_total, row.finished_total, row.action_total) == (3, 2, 0)
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()  # nothing to edit
    url = reverse("admin:assessments_unitassessment_change", args=[assessment.pk])
    assert client.post(url, {"state": "completed"}).status_code == 403
    assert client.get(reverse("admin:assessments_unitassessment_add")).status_code == 403
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.INDIVIDUAL


def test_it_lets_admin_correct_a_rounds_name_and_dates_but_not_add_or_delete(client, org):
    round_ = make_round(org.root, name="Höst 2026")
    client.force_login(org.administrator)
    url = reverse("admin:assessments_round_change", args=[round_.pk])

    listing = client.get(reverse("admin:assessments_round_changelist"), **EN)
    response = client.post(
        url, {"name": "Hösten 2026", "opens_on": "2026-09-01", "closes_on": "2026-12-20"}
    )
    wrong = client.post(
        url, {"name": "Baklänges", "opens_on": "2026-09-01", "closes_on": "2026-08-01"}, **EN
    )

    assert listing.status_code == 200
    assert response.status_code == 302
    round_.refresh_from_db()
    assert (round_.name, round_.closes_on) == ("Hösten 2026", datetime.date(2026, 12, 20))
    assert wrong.status_code == 200  # the constraint's message, and nothing saved
    round_.refresh_from_db()
    assert round_.name == "Hösten 2026"
    assert client.get(reverse("admin:assessments_round_add")).status_code == 403
    assert (
        client.get(reverse("admin:assessments_round_delete", args=[round_.pk])).status_code == 403
    )


@pytest.mark.parametrize(
    "name",
    [
        "admin:assessments_unit_changelist",
        "admin:assessments_unit_add",
        "admin:assessments_role_changelist",
        "admin:assessments_role_add",
        "admin:assessments_round_changelist",
        "admin:assessments_unitassessment_changelist",
        "admin:assessments_action_changelist",
        "admin:auth_user_changelist",
        "admin:auth_user_add",
    ],
)
def test_it_opens_every_organisation_admin_page(client, org, name):
    client.force_login(org.administrator)
    assert client.get(reverse(name)).status_code == 200


def test_it_lets_an_imported_person_without_a_password_set_a_first_one(client):
    from django.core import mail

    from tests.factories import make_user

    person = make_user("imported", email="ny.chef@kommun.example")
    person.set_unusable_password()
    person.save()
    client.post(reverse("password_reset"), {"email": "NY.CHEF@kommun.example"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ny.chef@kommun.example"]


def test_it_sends_no_reset_mail_to_an_inactive_account(client):
    from django.core import mail

    from tests.factories import make_user

    make_user("gone", email="slutat@kommun.example", is_active=False)
    client.post(reverse("password_reset"), {"email": "slutat@kommun.example"})
    assert mail.outbox == []


def test_it_shows_the_logged_out_page_after_logging_out(client, org):
    client.force_login(org.manager_of_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 200
    assert "registration/logged_out.html" in [t.name for t in response.templates]
