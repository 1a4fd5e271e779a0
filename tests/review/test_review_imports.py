"""The administrators' import page: dry run, import, the report, and bad files at the field."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from pledges.models import ImportedSignature, SignatoryImport
from tests import factories
from tests.history.messy_files import messy_csv, messy_xlsx

pytestmark = pytest.mark.django_db
URL = "/review/imports/"


def post(client, *, year="2010", data=None, name="2010.csv", dry_run=False, language="en"):
    fields = {"year": year, "file": SimpleUploadedFile(name, messy_csv() if data is None else data)}
    if dry_run:
        fields["dry_run"] = "on"
    return client.post(URL, fields, HTTP_ACCEPT_LANGUAGE=language)


def test_only_administrators_may_import(client, reviewer, administrator):
    assert client.get(URL).status_code == 302
    client.force_login(reviewer)
    assert client.get(URL).status_code == 403
    assert post(client).status_code == 403
    assert not ImportedSignature.objects.exists()
    client.force_login(administrator)
    page = client.get(URL)
    assert page.status_code == 200
    # A dry run is what the form offers first.
    assert page.context["form"]["dry_run"].value() is True


def test_a_dry_run_shows_every_refused_row_and_writes_nothing(client, administrator):
    client.force_login(administrator)
    response = post(client, dry_run=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "nothing was written" in html
    assert "scientific notation" in html and "9.11101E+17" in html
    assert not ImportedSignature.objects.exists() and not SignatoryImport.objects.exists()


def test_an_import_is_recorded_with_its_report(client, administrator):
    client.force_login(administrator)
    response = post(client)
    assert response.status_code == 200
    record = SignatoryImport.objects.get()
    assert record.imported_by == administrator
    assert ImportedSignature.objects.filter(year=2010).count() == 4
    report_url = reverse("review:import_report", args=[record.pk])
    assert report_url in response.content.decode()
    report = client.get(report_url)
    assert report["Content-Type"].startswith("text/csv")
    assert report.content.startswith(b"\xef\xbb\xbf") and report.content.count(b"\r\n") == 9
    # The same file again: nothing to change, nothing recorded.
    again = post(client)
    assert "nothing to change" in again.content.decode()
    assert SignatoryImport.objects.count() == 1


def test_the_page_speaks_chinese(client, administrator):
    client.force_login(administrator)
    with translation.override("zh-hans"):
        response = post(
            client, data=messy_xlsx(), name="2011.xlsx", year="2011", language="zh-hans"
        )
    html = response.content.decode()
    assert "已导入" in html or "新增" in html
    assert "以数字存储" in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"data": b"a,b\n1,2\n"}, "file", "No header row"),
        ({"data": b"PK\x03\x04 not a workbook", "name": "x.xlsx"}, "file", "could not be opened"),
        ({"year": "1999"}, "year", "greater than or equal to 2000"),
        ({"year": "3000"}, "year", "between"),
    ],
)
def test_bad_input_is_refused_at_its_field(client, administrator, fields, field, message):
    client.force_login(administrator)
    response = post(client, **fields)
    assert response.status_code == 400
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    # What the administrator typed is kept.
    assert form["year"].value() == fields.get("year", "2010")
    assert not ImportedSignature.objects.exists()


def test_a_year_run_here_is_refused_at_the_year(client, administrator):
    campaign = factories.campaign()
    client.force_login(administrator)
    response = post(client, year=str(campaign.year))
    assert response.status_code == 400
    assert "campaign run here" in " ".join(response.context["form"].errors["year"])
