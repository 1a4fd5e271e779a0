"""Test data built through the real services, so tests see what users would create."""

import io
import itertools
from datetime import UTC, datetime, timedelta
from unittest import mock

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter
from stdnum.cn import uscc

from accounts.models import User
from pledges.models import Campaign, Industry, Province
from pledges.services import pledges as services
from pledges.services.enterprises import enterprise_register

# The public reason the tests give when they revoke a pledge.
REVOCATION_REASON = "发生质量安全事故"

_serial = itertools.count(1)
PLEDGE_TEXT = "我们郑重承诺：坚持质量第一，诚信经营，守住安全底线。"


def credit_code(province: str = "11", serial: int | None = None) -> str:
    """A valid Unified Social Credit Code registered in ``province``."""
    serial = next(_serial) if serial is None else serial
    body = f"91{province}0108MA{serial:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def user(
    email: str | None = None, *, verified: bool = True, password: str = "pw-Secret-123", **fields
) -> User:
    email = email or f"user{next(_serial)}@example.com"
    created = User.objects.create_user(email=email, password=password, **fields)
    EmailAddress.objects.create(user=created, email=email, verified=verified, primary=True)
    return created


def profile(**overrides) -> dict:
    values = {
        "name": "北京质量测试有限公司",
        "name_en": "",
        "province": Province.objects.get(code="11"),
        "city": "北京市",
        "industry": Industry.objects.get(code="13"),
        "legal_representative": "王芳",
        "address": "北京市海淀区中关村大街1号",
        "website": "",
        "contact_name": "李雷",
        "contact_phone": "010-88886666",
        "contact_email": "contact@example.com",
    }
    values.update(overrides)
    return values


def enterprise(owner: User | None = None, *, province: str = "11", **overrides):
    owner = owner or user()
    return enterprise_register(
        actor=owner,
        credit_code=credit_code(province),
        profile=profile(province=Province.objects.get(code=province), **overrides),
    )


def campaign(year: int | None = None, *, open_now: bool = True, text: str = PLEDGE_TEXT):
    now = timezone.now()
    year = year or now.year
    opens = now - timedelta(days=10) if open_now else now - timedelta(days=400)
    closes = now + timedelta(days=30) if open_now else now - timedelta(days=300)
    return Campaign.objects.create(
        year=year,
        title=f"{year}年企业质量诚信倡议",
        pledge_text=text,
        opens_at=opens,
        closes_at=closes,
    )


def png_bytes(size=(60, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(60, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "page.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def staff(email: str | None = None, *, role: str = "Reviewers", **fields) -> User:
    """A reviewer or administrator: a user in that role's group."""
    member = user(email, **fields)
    member.groups.add(Group.objects.get(name=role))
    return member


def complete_draft(enterprise, campaign, actor, *, stamped_pdf: bool = False):
    """A draft with everything needed to submit it; its stamped page a PNG, or a PDF."""
    if stamped_pdf:
        stamped = {
            "stamped_page": upload(pdf_bytes(), "page.pdf", "application/pdf"),
            "stamped_page_type": "application/pdf",
        }
    else:
        stamped = {"stamped_page": upload(png_bytes()), "stamped_page_type": "image/png"}
    return services.pledge_create(
        enterprise=enterprise,
        campaign=campaign,
        actor=actor,
        signer_name="王芳",
        signer_title="法定代表人",
        signer_authorised=True,
        **stamped,
    )


def submitted_pledge(enterprise, campaign, actor, *, stamped_pdf: bool = False):
    """A complete pledge, submitted through the real services."""
    draft = complete_draft(enterprise, campaign, actor, stamped_pdf=stamped_pdf)
    return services.pledge_submit(pledge=draft, actor=actor)


# A day whose answer due date (OBJECTION_WORKING_DAYS later) the working-day calendar covers
# whatever day the tests run: confirming counts the deadline from "today".
OBJECTION_CONFIRMED_AT = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)


def objection(
    listing,
    *,
    name: str = "李实名",
    email: str = "objector@example.org",
    confirmed: bool = True,
    evidence: bytes | None = None,
    statement: str = "该企业公布的地址与营业执照不符，已向市场监管部门核实。",
):
    """An objection to ``listing`` (by its author, from one client address), confirmed on
    ``OBJECTION_CONFIRMED_AT`` unless ``confirmed`` is False."""
    from pledges.services.objections import objection_confirm, objection_submit

    files = []
    if evidence is not None:
        file = upload(evidence, "evidence.png")
        file.checked_type = "image/png"
        files.append(file)
    made = objection_submit(
        listing=listing,
        name=name,
        email=email,
        phone="13800001111",
        relationship="customer",
        grounds=["false_details"],
        statement=statement,
        language="zh-hans",
        client_ip="203.0.113.9",
        evidence=files,
    )
    if confirmed:
        with mock.patch.object(timezone, "now", lambda: OBJECTION_CONFIRMED_AT):
            objection_confirm(objection=made)
    return made
