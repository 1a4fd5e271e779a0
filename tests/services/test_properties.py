"""Properties checked on generated input (hypothesis).

The credit-code check either gives a valid code or a ValidationError, whatever the text;
and the portal, public and review forms answer any text (control characters, NUL,
every plane of Unicode but surrogates, very long) with a page, never a server error.

Example counts stay modest: the suite runs twice in CI.
"""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from pledges.models import Enterprise, Pledge
from pledges.validators import normalise_credit_code
from tests import factories

# The alphabet of the code's characters 9-18 (GB 32100-2015): no I, O, Z, S or V.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DIGITS = "0123456789"

# Any character but surrogates (which no browser can send): controls and NUL included.
ANY_CHAR = st.characters(codec="utf-8")
# Characters that have broken parsers, queries and headers before.
AWKWARD = st.sampled_from(
    list("\x00\r\n\t\x0b\x1b%_\\'\"<>&;=@+-{}()[]*|!:/")
    + ["\u202e", "\ufeff", "\u200b", "\u3000", "ﬀ", "ß", "质", "量", "😀", "\U0010ffff"]
)
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=60),
    st.text(AWKWARD, max_size=60),
    # Very long: a short piece repeated, cheaper to generate than 10,000 random characters.
    st.text(st.one_of(ANY_CHAR, AWKWARD), min_size=1, max_size=8).map(lambda s: s * 1500),
)
QUICK = settings(max_examples=200, deadline=None, database=None)
# Each example is a request through the test client and the database.
REQUESTS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- The credit code -----------------------------------------------------------------------


def valid_codes():
    """Codes built the way the standard builds them: eight digits, nine characters of the
    alphabet, then the check character computed over those seventeen."""
    body = st.tuples(
        st.text(st.sampled_from(DIGITS), min_size=8, max_size=8),
        st.text(st.sampled_from(ALPHABET), min_size=9, max_size=9),
    ).map("".join)
    return body.map(lambda b: b + uscc.calc_check_digit(b))


@QUICK
@given(st.one_of(TEXT, st.text(st.sampled_from(ALPHABET + " -abcdefxy"), max_size=24)))
@example("")
@example("9111 0108-MA0000 01xT")
@example("ﬀ" * 9)
def test_any_text_is_a_valid_code_or_a_validation_error(text):
    try:
        code = normalise_credit_code(text)
    except ValidationError as error:
        assert error.code in {"length", "format", "checksum"}
        return
    assert len(code) == 18
    assert uscc.is_valid(code)
    assert code == uscc.compact(code)
    assert normalise_credit_code(code) == code  # idempotent


@QUICK
@given(valid_codes(), st.data())
def test_a_code_with_its_check_character_passes_however_it_is_typed(code, data):
    assert normalise_credit_code(code) == code
    # Lower case, spaces and dashes between characters, spaces around: the same code.
    typed = "".join(
        data.draw(st.sampled_from(["", " ", "-"])) + data.draw(st.sampled_from([c, c.lower()]))
        for c in code
    )
    assert normalise_credit_code(f"  {typed} ") == code


@QUICK
@given(valid_codes(), st.integers(0, 17), st.data())
def test_one_changed_character_always_fails(code, position, data):
    """The check character catches every single substitution, the check itself included."""
    allowed = DIGITS if position < 8 else ALPHABET
    replacement = data.draw(st.sampled_from([c for c in allowed if c != code[position]]))
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError) as refused:
        normalise_credit_code(changed)
    assert refused.value.code == "checksum"


# --- Forms never answer with a server error ------------------------------------------------

ENTERPRISE_TEXT_FIELDS = [
    "credit_code",
    "name",
    "name_en",
    "province",
    "city",
    "industry",
    "legal_representative",
    "address",
    "website",
    "contact_name",
    "contact_phone",
    "contact_email",
]


def register_data(**overrides) -> dict:
    data = {
        "credit_code": factories.credit_code("11"),
        "name": "北京质量测试有限公司",
        "name_en": "",
        "province": "11",
        "city": "北京市",
        "industry": "13",
        "legal_representative": "王芳",
        "address": "北京市海淀区中关村大街1号",
        "website": "",
        "contact_name": "李雷",
        "contact_phone": "010-88886666",
        "contact_email": "contact@example.com",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
@REQUESTS
@given(field=st.sampled_from(ENTERPRISE_TEXT_FIELDS), value=TEXT)
def test_enterprise_registration_never_fails_on_any_text(client, field, value):
    """Any text in any field is refused at that field or stored as typed (stripped)."""
    client.force_login(factories.user())
    response = client.post("/portal/enterprise/new/", register_data(**{field: value}))
    assert response.status_code < 500
    if response.status_code == 200:
        assert field in response.context["form"].errors
    else:
        assert response.status_code == 302
        stored = Enterprise.objects.order_by("-pk").first()
        if field not in ("credit_code", "province", "industry", "website"):
            assert getattr(stored, field) == value.strip()


@pytest.mark.django_db
@REQUESTS
@given(name=TEXT, title=TEXT, action=st.sampled_from(["save", "submit", "", "\x00"]))
def test_signing_never_fails_on_any_text(owner_client, enterprise, campaign, name, title, action):
    response = owner_client.post(
        f"/portal/sign/{campaign.year}/",
        {"signer_name": name, "signer_title": title, "signer_authorised": "on", "action": action},
    )
    assert response.status_code < 500
    # Without a stamped page nothing can be submitted: at most a draft is saved.
    assert not Pledge.objects.exclude(state=Pledge.State.DRAFT).exists()


PUBLIC_URLS = ["/pledges/", "/api/pledges/", "/pledges/export.csv"]
PUBLIC_PARAMS = ["q", "year", "province", "industry", "sort", "after", "before", "page"]


@pytest.mark.django_db
@REQUESTS
@given(
    url=st.sampled_from(PUBLIC_URLS),
    params=st.dictionaries(st.sampled_from(PUBLIC_PARAMS + ["cursor", "since", "limit"]), TEXT),
)
def test_public_list_and_open_data_never_fail_on_any_query(client, campaign, url, params):
    response = client.get(url, params)
    assert response.status_code in (200, 400)
    if response.streaming:
        b"".join(response.streaming_content)  # the CSV's rows are produced while sent


@pytest.mark.django_db
@REQUESTS
@given(number=TEXT)
@example(number="CQ-2026-%")
def test_verification_never_fails_on_any_number(client, number):
    cache.clear()  # the page is rate limited per address
    response = client.get("/verify/", {"number": number})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert client.get(response["Location"]).status_code in (200, 404)


@pytest.mark.django_db
@REQUESTS
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["q", "campaign", "province", "industry", "state", "waiting", "mine", "page"]
        ),
        TEXT,
    )
)
def test_review_queue_never_fails_on_any_filter(reviewer_client, campaign, params):
    response = reviewer_client.get("/review/", params)
    assert response.status_code == 200
