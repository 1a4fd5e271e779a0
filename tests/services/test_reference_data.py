"""Reference data shipped with the app and the credit-code rules built on it."""

import pytest
from django.core.exceptions import ValidationError

from pledges.models import Industry, Province
from pledges.validators import credit_code_province, normalise_credit_code
from tests import factories

pytestmark = pytest.mark.django_db


def test_provinces_are_the_34_gbt2260_divisions():
    codes = set(Province.objects.values_list("code", flat=True))
    assert len(codes) == 34
    assert {"11", "31", "44", "65", "71", "81", "82"} <= codes
    assert Province.objects.get(code="54").name == "西藏自治区"


def test_industries_are_gbt4754_2017_sections_and_divisions():
    assert Industry.objects.filter(level="section").count() == 20
    assert Industry.objects.filter(level="division").count() == 97
    manufacturing = Industry.objects.get(code="C")
    assert manufacturing.name == "制造业"
    divisions = Industry.objects.filter(section=manufacturing, level="division")
    assert sorted(divisions.values_list("code", flat=True))[:2] == ["13", "14"]
    assert Industry.objects.get(code="15").name == "酒、饮料和精制茶制造业"


def test_credit_code_is_normalised():
    code = factories.credit_code("44")
    messy = " " + code[:6].lower() + " " + code[6:].lower() + " "
    assert normalise_credit_code(messy) == code
    assert credit_code_province(code) == "44"


@pytest.mark.parametrize(
    ("value", "error_code"),
    [
        ("", "length"),
        ("91110108MA0000001", "length"),
        ("91110108MA00000011X", "length"),
        ("91110108MA000000I1", "format"),
        ("ABCDEFGHMA00000011", "format"),
    ],
)
def test_bad_credit_codes_are_refused_with_a_reason(value, error_code):
    with pytest.raises(ValidationError) as caught:
        normalise_credit_code(value)
    assert caught.value.code == error_code


def test_a_wrong_check_character_is_refused():
    code = factories.credit_code("11")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as caught:
        normalise_credit_code(wrong)
    assert caught.value.code == "checksum"
