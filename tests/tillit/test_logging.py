"""No join code reaches the logs: the loggers that write request paths redact it."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from assessments import joincodes
from assessments.models import AssessmentState
from tests.factories import make_assessment, make_round, make_unit, make_version
from tillit.logging import redact

pytestmark = pytest.mark.django_db

CODE = "K7QM2XHP9R"


@pytest.fixture
def assessment(db):
    unit = make_unit("U1", "Enhet Ett")
    version = make_version(published=True, principles=2, statements=2, dimensions=2)
    return make_assessment(
        make_round(unit, version),
        unit,
        join_code=joincodes.generate(),
        state=AssessmentState.INDIVIDUAL,
    )


def messages(caplog, logger: str) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == logger]


def test_it_redacts_the_code_of_a_link_nobody_has_from_the_not_found_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        Client().get(reverse("join_link", kwargs={"code": CODE}))
    assert messages(caplog, "django.request") == ["Not Found: /delta/[code]/"]
    assert CODE not in caplog.text


def test_it_redacts_a_real_code_and_keeps_the_rest_of_the_path(caplog, assessment):
    code = assessment.join_code
    with caplog.at_level(logging.WARNING, logger="django.request"):
        # No cookie: the answer page refuses this browser (403).
        Client().get(reverse("participant_principle", kwargs={"code": code, "number": 1}))
    assert messages(caplog, "django.request") == ["Forbidden: /delta/[code]/princip/1/"]
    assert code not in caplog.text


def test_it_redacts_the_code_from_a_refused_csrf_check(caplog):
    with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
        Client(enforce_csrf_checks=True).post(reverse("join_link", kwargs={"code": CODE}))
    [message] = messages(caplog, "django.security.csrf")
    assert message.startswith("Forbidden (CSRF cookie not set.)")
    assert message.endswith(": /delta/[code]/")
    assert CODE not in caplog.text


def test_it_redacts_the_request_line_of_the_development_server(caplog):
    server = logging.getLogger("django.server")  # does not propagate: listen on it directly
    server.addHandler(caplog.handler)
    try:
        server.warning('"%s" %s %s', f"GET /delta/{CODE}/klart/?nav=back HTTP/1.1", "404", "9")
    finally:
        server.removeHandler(caplog.handler)
    assert messages(caplog, "django.server") == [
        '"GET /delta/[code]/klart/?nav=back HTTP/1.1" 404 9'
    ]


def test_it_leaves_the_join_page_and_other_paths_alone():
    assert redact("Bad Request: /delta/") == "Bad Request: /delta/"
    assert redact("Not Found: /rapporter/12/") == "Not Found: /rapporter/12/"
    # Django writes non-ASCII in paths escaped; the whole segment goes.
    assert redact("Not Found: /delta/K7QM\\xe52/") == "Not Found: /delta/[code]/"
    assert redact("/delta/AAAAABBBBB/ and /delta/CCCCCDDDDD/x/") == (
        "/delta/[code]/ and /delta/[code]/x/"
    )
