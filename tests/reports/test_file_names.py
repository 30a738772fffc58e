"""Every download is named in its own language: English files get English names."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from batches.models import Batch, BatchStatus
from tests.factories_compare import compared_org
from tests.factories_reports import get_rendered, make_report_scenario

pytestmark = pytest.mark.django_db


def named(response) -> str:
    assert response.status_code == 200, response.status_code
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="'), disposition
    return disposition.split('filename="', 1)[1].rstrip('"')


def test_it_names_the_unit_report_pdf_in_the_reports_language(org, persona):
    scenario = make_report_scenario(org, respondents=5)
    client = persona("quality_developer")
    url = reverse("unit_report_pdf", args=[scenario.assessment.pk])

    english = named(get_rendered(client, url, {"lang": "en"}))
    swedish = named(get_rendered(client, url, {"lang": "sv"}))

    assert english == "balance-report-a1-tillitsskattning-ht-2026.pdf"
    assert swedish == "balansrapport-a1-tillitsskattning-ht-2026.pdf"


def test_it_names_the_comparison_files_in_their_language(org, persona):
    compared = compared_org(org)
    client = persona("quality_developer")
    args = [compared.round.pk, org.dep_a.pk]
    pdf = reverse("compare_pdf", args=args)
    slug = "forvaltning-a-tillitsskattning-ht-2026"

    # The page's language (the browser's), or the PDF's own ?lang=.
    assert named(get_rendered(client, pdf, HTTP_ACCEPT_LANGUAGE="en")) == f"comparison-{slug}.pdf"
    assert named(get_rendered(client, pdf, {"lang": "sv"}, HTTP_ACCEPT_LANGUAGE="en")) == (
        f"jamforelse-{slug}.pdf"
    )
    assert named(get_rendered(client, pdf, HTTP_ACCEPT_LANGUAGE="sv")) == f"jamforelse-{slug}.pdf"
    for view, extension in (("compare_csv", "csv"), ("compare_xlsx", "xlsx")):
        url = reverse(view, args=args)
        english = named(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
        swedish = named(client.get(url, HTTP_ACCEPT_LANGUAGE="sv"))
        assert english == f"comparison-{slug}.{extension}"
        assert swedish == f"jamforelse-{slug}.{extension}"
    for view, extension in (
        ("governance_overview_csv", "csv"),
        ("governance_overview_xlsx", "xlsx"),
    ):
        url = reverse(view, args=args)
        assert named(client.get(url, HTTP_ACCEPT_LANGUAGE="en")) == (
            f"steering-signals-{slug}.{extension}"
        )
        assert named(client.get(url, HTTP_ACCEPT_LANGUAGE="sv")) == (
            f"styrsignaler-{slug}.{extension}"
        )


def test_it_names_a_batch_zip_in_the_batchs_language(org, persona):
    compared = compared_org(org)
    client = persona("quality_developer")
    slug = "forvaltning-a-tillitsskattning-ht-2026"
    for language, word in (("en", "reports"), ("sv", "rapporter")):
        name = default_storage.save(f"batches/batch-{language}.zip", ContentFile(b"PK\x05\x06"))
        batch = Batch.objects.create(
            round=compared.round,
            node=org.dep_a,
            created_by=org.quality_developer,
            language=language,
            status=BatchStatus.DONE,
            file=name,
        )
        response = client.get(reverse("batch_download", args=[batch.pk]))
        assert named(response) == f"{word}-{slug}.zip"
