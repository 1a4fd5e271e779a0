"""CSV exports: permissions, Excel safety (BOM, formulas, credit codes), reports' content."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import models
from django.utils import translation
from stdnum.cn import uscc

from pledges.models import AuditEvent, Pledge
from pledges.responses import safe_cell, text_cell
from pledges.services.enterprises import enterprise_register
from pledges.services.pledges import (
    pledge_approve,
    pledge_create,
    pledge_reject,
    pledge_request_changes,
    pledge_revoke,
    pledge_submit,
)
from tests import factories

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


def owner_of(enterprise):
    return enterprise.memberships.get().user


def draft(campaign, enterprise=None, **profile):
    enterprise = enterprise or factories.enterprise(**profile)
    return pledge_create(
        enterprise=enterprise,
        campaign=campaign,
        actor=owner_of(enterprise),
        signer_name="王芳",
        signer_title="法定代表人",
        signer_authorised=True,
        stamped_page=factories.upload(factories.png_bytes()),
        stamped_page_type="image/png",
    )


def submitted(campaign, enterprise=None, **profile):
    pledge = draft(campaign, enterprise, **profile)
    return pledge_submit(pledge=pledge, actor=owner_of(pledge.enterprise))


def download(client, url) -> tuple[str, list[list[str]]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def digits_only_credit_code() -> str:
    """A valid credit code of 18 digits: the kind Excel would turn into 9.1E+17."""
    for serial in range(1, 100):
        body = f"91110108{serial:09d}"
        check = uscc.calc_check_digit(body)
        if check.isdigit():
            return body + check
    raise AssertionError("no digits-only code found")


# --- Permissions ------------------------------------------------------------------------

URLS = ["/review/exports/", "/review/exports/pledges.csv", "/review/exports/decisions.csv"]


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", URLS)
def test_enterprise_users_are_refused(owner_client, url):
    assert owner_client.get(url).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_reviewers_and_administrators_may_export(client, reviewer, administrator, url):
    for user in (reviewer, administrator):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_the_exports_page_offers_the_campaigns(reviewer_client, campaign):
    factories.campaign(campaign.year - 1, open_now=False)
    response = reviewer_client.get("/review/exports/")
    content = response.content.decode()
    assert f'<option value="{campaign.year}">' in content
    assert f'<option value="{campaign.year - 1}">' in content
    assert 'formaction="/review/exports/decisions.csv"' in content
    assert 'action="/review/exports/pledges.csv"' in content


@pytest.mark.parametrize("value", ["abc", "1999", "99999999999999999999", "2025'--"])
@pytest.mark.parametrize("report", ["pledges", "decisions"])
def test_a_bad_campaign_is_refused_with_a_message(reviewer_client, campaign, report, value):
    response = reviewer_client.get(f"/review/exports/{report}.csv", {"campaign": value})
    assert response.status_code == 302
    assert response["Location"] == "/review/exports/"


# --- The CSV format ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("北京质量测试有限公司", "北京质量测试有限公司"),
        ("a=b", "a=b"),
        (2025, "2025"),
        (None, ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_neutralised(value, written):
    assert safe_cell(value) == written


def test_only_plain_codes_get_the_text_tab():
    assert text_cell("911101080000000017") == "\t911101080000000017"
    assert text_cell("=1+2") == "'=1+2"
    assert text_cell("") == ""


def test_the_pledges_export_is_safe_in_excel(reviewer_client, campaign):
    code = digits_only_credit_code()
    owner = factories.user()
    enterprise = enterprise_register(
        actor=owner,
        credit_code=code,
        profile=factories.profile(name='=HYPERLINK("http://x")'),
    )
    draft(campaign, enterprise)
    for name in ("+1", "-1", "@SUM(A1)", "中文企业（北京）有限公司"):
        draft(campaign, name=name)

    response = reviewer_client.get("/review/exports/pledges.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="chengxin-pledges.csv"'
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    names = {row[1] for row in rows[1:]}
    assert names == {
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "中文企业（北京）有限公司",
    }
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name['\'=HYPERLINK("http://x")'][2] == "\t" + code
    assert "9.1E+17" not in raw.decode("utf-8")
    assert by_name["中文企业（北京）有限公司"][3] == "北京市"
    assert by_name["中文企业（北京）有限公司"][4].startswith("13 ")


def test_the_pledges_export_lists_every_state_translated(client, reviewer, campaign):
    approved = submitted(campaign, name="批准企业")
    pledge_approve(pledge=approved, actor=reviewer)
    rejected = submitted(campaign, name="拒绝企业")
    pledge_reject(pledge=rejected, actor=reviewer, reason="印章不清晰")
    draft(campaign, name="草稿企业")
    client.force_login(reviewer)

    _text, rows = download(client, "/review/exports/pledges.csv")
    with translation.override("zh-hans"):
        expected = {
            "批准企业": str(Pledge.State.APPROVED.label),
            "拒绝企业": str(Pledge.State.REJECTED.label),
            "草稿企业": str(Pledge.State.DRAFT.label),
        }
    assert expected["批准企业"] != "Approved"  # the default language is Chinese
    assert {row[1]: row[5] for row in rows[1:]} == expected
    assert len(rows[0]) == 9

    _text, rows = download(client, "/review/exports/pledges.csv?campaign=&x=1")
    assert len(rows) == 4
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    _text, rows = download(client, "/review/exports/pledges.csv")
    assert rows[0][:3] == ["Campaign", "Enterprise", "Unified Social Credit Code"]
    assert {row[1]: row[5] for row in rows[1:]} == {
        "批准企业": "Approved",
        "拒绝企业": "Rejected",
        "草稿企业": "Draft",
    }


def test_the_pledges_export_writes_china_time(reviewer_client, reviewer, campaign):
    pledge = submitted(campaign)
    pledge_approve(pledge=pledge, actor=reviewer)
    Pledge.objects.filter(pk=pledge.pk).update(
        created_at=datetime(2025, 9, 1, 1, 2, tzinfo=UTC),
        submitted_at=datetime(2025, 9, 1, 16, 30, tzinfo=UTC),
        decided_at=datetime(2025, 9, 3, 23, 59, tzinfo=UTC),
    )
    _text, rows = download(reviewer_client, "/review/exports/pledges.csv")
    assert rows[1][0] == str(campaign.year)
    assert rows[1][6:] == ["2025-09-01 09:02", "2025-09-02 00:30", "2025-09-04 07:59"]


def test_a_draft_has_empty_dates(reviewer_client, campaign):
    draft(campaign)
    _text, rows = download(reviewer_client, "/review/exports/pledges.csv")
    assert rows[1][7:] == ["", ""]


def test_the_pledges_export_filters_by_campaign(reviewer_client, campaign):
    older = factories.campaign(campaign.year - 1)
    draft(campaign, name="今年企业")
    draft(older, name="去年企业")
    response = reviewer_client.get("/review/exports/pledges.csv", {"campaign": older.year})
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="chengxin-pledges-{older.year}.csv"'
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["去年企业"]
    _text, rows = download(reviewer_client, "/review/exports/pledges.csv")
    assert [row[0] for row in rows[1:]] == [str(campaign.year), str(older.year)]


# What an export may cost with a few rows; then no more for many.
EXPORT_QUERIES = 6


def export_queries(client, url, assert_max_queries) -> int:
    with assert_max_queries(EXPORT_QUERIES) as queries:
        response = client.get(url)
        b"".join(response.streaming_content)
    return len(queries)


def test_the_pledges_export_takes_the_same_queries_for_many_rows(
    reviewer_client, campaign, django_assert_max_num_queries
):
    for _ in range(2):
        draft(campaign)
    few = export_queries(
        reviewer_client, "/review/exports/pledges.csv", django_assert_max_num_queries
    )
    for _ in range(40):
        draft(campaign)
    with django_assert_max_num_queries(few):
        response = reviewer_client.get("/review/exports/pledges.csv")
        rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + 42


# --- The decisions report ---------------------------------------------------------------


def at(pledge, action, when: datetime) -> None:
    """Date the decision's event: the report is about when decisions were made.

    The audit log refuses updates; only this test data goes around it, through the plain
    QuerySet's update()."""
    events = AuditEvent.objects.filter(pledge=pledge, action=action)
    assert models.QuerySet.update(events, created_at=when) == 1


def test_decisions_are_counted_per_reviewer_and_china_day(client, campaign, reviewer):
    second = factories.staff("second@association.example", role="Reviewers")
    pledges = [submitted(campaign) for _ in range(6)]
    utc = UTC

    # 1 September, China time.
    pledge_approve(pledge=pledges[0], actor=reviewer)
    at(pledges[0], Action.PLEDGE_APPROVED, datetime(2025, 9, 1, 1, 0, tzinfo=utc))
    pledge_approve(pledge=pledges[1], actor=reviewer)
    # 23:59 in Beijing is still 1 September.
    at(pledges[1], Action.PLEDGE_APPROVED, datetime(2025, 9, 1, 15, 59, tzinfo=utc))
    pledge_request_changes(pledge=pledges[2], actor=reviewer, reason="请补充盖章页")
    at(pledges[2], Action.PLEDGE_CHANGES_REQUESTED, datetime(2025, 9, 1, 3, 0, tzinfo=utc))
    pledge_reject(pledge=pledges[3], actor=second, reason="非本企业")
    at(pledges[3], Action.PLEDGE_REJECTED, datetime(2025, 9, 1, 4, 0, tzinfo=utc))
    # 17:30 UTC on 1 September is 01:30 on 2 September in Beijing.
    pledge_approve(pledge=pledges[4], actor=second)
    at(pledges[4], Action.PLEDGE_APPROVED, datetime(2025, 9, 1, 17, 30, tzinfo=utc))
    # 2 September.
    pledge_revoke(pledge=pledges[0], actor=reviewer, reason="证书被滥用")
    at(pledges[0], Action.PLEDGE_REVOKED, datetime(2025, 9, 2, 2, 0, tzinfo=utc))
    pledge_approve(pledge=pledges[5], actor=second)
    at(pledges[5], Action.PLEDGE_APPROVED, datetime(2025, 9, 2, 8, 0, tzinfo=utc))

    client.force_login(second)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    text, rows = download(client, f"/review/exports/decisions.csv?campaign={campaign.year}")
    assert text.startswith("\ufeff")
    assert rows == [
        ["Date", "Reviewer", "Approved", "Changes requested", "Rejected", "Revoked", "Total"],
        ["2025-09-01", "reviewer@association.example", "2", "1", "0", "0", "3"],
        ["2025-09-01", "second@association.example", "0", "0", "1", "0", "1"],
        ["2025-09-02", "reviewer@association.example", "0", "0", "0", "1", "1"],
        ["2025-09-02", "second@association.example", "2", "0", "0", "0", "2"],
    ]


def test_the_decisions_report_filters_by_campaign(client, campaign, reviewer):
    older = factories.campaign(campaign.year - 1)
    this_year = submitted(campaign)
    last_year = submitted(older)
    pledge_approve(pledge=this_year, actor=reviewer)
    pledge_approve(pledge=last_year, actor=reviewer)
    at(this_year, Action.PLEDGE_APPROVED, datetime(2025, 9, 1, 2, 0, tzinfo=UTC))
    at(last_year, Action.PLEDGE_APPROVED, datetime(2025, 9, 1, 3, 0, tzinfo=UTC))
    client.force_login(reviewer)

    _text, rows = download(client, "/review/exports/decisions.csv")
    assert rows[1:] == [["2025-09-01", "reviewer@association.example", "2", "0", "0", "0", "2"]]
    response = client.get("/review/exports/decisions.csv", {"campaign": older.year})
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="chengxin-decisions-{older.year}.csv"'
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body)))[1][2:] == ["1", "0", "0", "0", "1"]


def test_the_decisions_report_is_grouped_in_the_database(
    client, campaign, reviewer, django_assert_max_num_queries
):
    for _ in range(5):
        pledge_approve(pledge=submitted(campaign), actor=reviewer)
    client.force_login(reviewer)
    few = export_queries(client, "/review/exports/decisions.csv", django_assert_max_num_queries)
    for _ in range(15):
        pledge_approve(pledge=submitted(campaign), actor=reviewer)
    with django_assert_max_num_queries(few):
        _text, rows = download(client, "/review/exports/decisions.csv")
    assert len(rows) == 2
    assert rows[1][-1] == "20"
