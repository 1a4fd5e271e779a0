"""A field's error and help are tied to its control: a screen reader that lands on the control
reads them (aria-describedby), and knows the value was refused (aria-invalid)."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.forms.utils import ErrorList
from django.template.loader import render_to_string

from .. import factories

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """Each element's attributes by id and by name, and the text inside each element with an id."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr", "area", "col"}

    def __init__(self, html: str):
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self.by_name: dict[str, list[dict]] = {}
        self.text: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {"tag": tag, **{key: value or "" for key, value in attrs}}
        if "id" in attributes:
            self.by_id[attributes["id"]] = attributes
            self.text.setdefault(attributes["id"], "")
        if "name" in attributes:
            self.by_name.setdefault(attributes["name"], []).append(attributes)
        if tag not in self.VOID:
            self._open.append(attributes.get("id"))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in filter(None, self._open):
            self.text[element_id] += data

    def control(self, name: str) -> dict:
        (element,) = self.by_name[name]
        return element

    def description(self, element: dict) -> str:
        """What aria-describedby names, as a screen reader reads it (each id must exist)."""
        ids = element.get("aria-describedby", "").split()
        missing = [i for i in ids if i not in self.by_id]
        assert not missing, f"aria-describedby names no element: {missing}"
        return " ".join(" ".join(self.text[i].split()) for i in ids)


def assert_tied(page: Page, element: dict, *messages) -> None:
    assert element.get("aria-invalid") == "true", element
    description = page.description(element)
    for message in messages:
        assert str(message) in description, (message, description)


def test_a_bad_credit_code_is_named_by_its_control(client):
    newcomer = factories.user("newcomer@example.com")
    client.force_login(newcomer)
    values = factories.profile()
    data = {
        **values,
        "province": values["province"].code,
        "industry": values["industry"].code,
        "credit_code": "91110108MA00000000",  # a wrong check character
    }
    response = client.post("/portal/enterprise/new/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["credit_code"]

    page = Page(response.content.decode())
    code = page.control("credit_code")
    assert_tied(page, code, form.errors["credit_code"][0], form["credit_code"].help_text)
    # The error list is the element named, and it holds the message.
    assert f"{code['id']}_error" in code["aria-describedby"].split()
    # A field without errors is not marked, and names only its help.
    name = page.control("name")
    assert "aria-invalid" not in name
    assert "aria-describedby" not in name
    # The summary at the top links to the field in error.
    assert page.by_id[code["id"]]
    assert f'href="#{code["id"]}"' in response.content.decode()


def test_submitting_without_a_stamped_page_names_the_error_at_the_file_input(client, campaign):
    owner = factories.user("owner@example.com")
    factories.enterprise(owner)
    client.force_login(owner)
    response = client.post(
        f"/portal/sign/{campaign.year}/",
        {"signer_name": "王芳", "signer_title": "法定代表人", "action": "submit"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"stamped_page", "signer_authorised"}

    page = Page(response.content.decode())
    stamped = page.control("stamped_page")
    assert_tied(page, stamped, form.errors["stamped_page"][0], form["stamped_page"].help_text)
    # The checkbox's error is tied to the checkbox.
    authorised = page.control("signer_authorised")
    assert_tied(page, authorised, form.errors["signer_authorised"][0])
    assert "aria-invalid" not in page.control("signer_name")


def test_a_decision_without_its_reason_names_the_error_at_the_reason(client, campaign):
    owner = factories.user("owner@example.com")
    pledge = factories.submitted_pledge(factories.enterprise(owner), campaign, owner)
    client.force_login(factories.staff("reviewer@association.example"))
    response = client.post(f"/review/pledges/{pledge.pk}/request_changes/", {"reason": ""})
    assert response.status_code == 200
    form = response.context["form"]
    page = Page(response.content.decode())
    assert_tied(page, page.control("reason"), form.errors["reason"][0], form["reason"].help_text)


class Choice(forms.Form):
    colour = forms.ChoiceField(
        label="Colour",
        choices=[("red", "Red"), ("blue", "Blue")],
        widget=forms.RadioSelect,
        help_text="Pick one.",
    )
    extras = forms.MultipleChoiceField(
        label="Extras",
        choices=[("a", "A"), ("b", "B")],
        widget=forms.CheckboxSelectMultiple,
    )


def test_a_group_of_radio_buttons_or_checkboxes_is_a_fieldset_that_names_its_errors():
    form = Choice(data={"colour": "green", "extras": ["z"]})
    assert not form.is_valid()
    html = "".join(
        render_to_string("includes/field.html", {"field": form[name]})
        for name in ("colour", "extras")
    )
    page = Page(html)
    fieldsets = _fieldsets(html)
    assert len(fieldsets) == 2
    for fieldset, name in zip(fieldsets, ("colour", "extras"), strict=True):
        description = page.description(fieldset)
        assert str(form.errors[name][0]) in description
        # Each choice is marked invalid; the group, not each choice, carries the description.
        for choice in page.by_name[name]:
            assert choice.get("aria-invalid") == "true"
            assert "aria-describedby" not in choice
    assert "Pick one." in page.description(fieldsets[0])
    assert html.count("<legend>") == 2


def _fieldsets(html: str) -> list[dict]:
    found = []

    class Fieldsets(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "fieldset":
                found.append(dict(attrs))

    Fieldsets().feed(html)
    return found


def test_allauths_own_field_element_names_its_help_text(client):
    """allauth's one-field element (overridden in templates/allauth/elements/field.html): the
    authenticator's secret on the page that sets up the second factor."""
    user = factories.user("two-factor@example.com")
    client.post("/accounts/login/", {"login": user.email, "password": "pw-Secret-123"})
    client.post("/accounts/reauthenticate/", {"password": "pw-Secret-123"})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    page = Page(response.content.decode())
    secret = page.by_id["authenticator_secret"]
    assert "aria-invalid" not in secret
    assert secret["aria-describedby"] == "authenticator_secret_helptext"
    assert page.description(secret)  # allauth's advice to keep the secret


def test_allauths_own_field_element_names_its_errors():
    errors = ErrorList(["Enter the address again."], field_id="id_email")
    html = render_to_string(
        "allauth/elements/field.html",
        {"attrs": {"id": "id_email", "type": "email", "errors": errors}, "slots": {}},
    )
    page = Page(html)
    assert_tied(page, page.by_id["id_email"], "Enter the address again.")
