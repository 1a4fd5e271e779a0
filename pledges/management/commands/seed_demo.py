"""Demo data: an open campaign, staff accounts and enterprises with pledges in every state.

Safe to run again: existing rows are kept and nothing is duplicated.
"""

import io
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw
from stdnum.cn import uscc

from accounts.models import Membership, User
from pledges.errors import CalendarNotCovered
from pledges.models import Campaign, Enterprise, Industry, Pledge, Province
from pledges.reference import DATA_DIR
from pledges.roles import ADMINISTRATORS, REVIEWERS
from pledges.services import pledges as pledge_services
from pledges.services.campaigns import campaign_create
from pledges.services.enterprises import enterprise_register

DEMO_PASSWORD = "chengxin-demo"  # noqa: S105 - printed demo credential for local use only
# The demo campaign's pledge text (the association publishes its own each year).
DEMO_PLEDGE_TEXT = DATA_DIR / "demo-pledge-text.txt"


# (name, city, region code, industry division, owner e-mail, the state the pledge ends in)
DEMO_ENTERPRISES = [
    (
        "北京华质精密仪器有限公司",
        "北京市",
        "110108",
        "40",
        "draft@demo.chengxin.localhost",
        "draft",
    ),
    (
        "上海申诚食品股份有限公司",
        "上海市",
        "310115",
        "14",
        "submitted@demo.chengxin.localhost",
        "submitted",
    ),
    (
        "广东粤信家电制造有限公司",
        "佛山市",
        "440606",
        "38",
        "changes@demo.chengxin.localhost",
        "changes_requested",
    ),
    (
        "浙江之江纺织集团有限公司",
        "杭州市",
        "330108",
        "17",
        "approved@demo.chengxin.localhost",
        "approved",
    ),
    (
        "四川天府建材有限公司",
        "成都市",
        "510104",
        "30",
        "rejected@demo.chengxin.localhost",
        "rejected",
    ),
    (
        "江苏苏质医疗器械有限公司",
        "苏州市",
        "320506",
        "35",
        "withdrawn@demo.chengxin.localhost",
        "withdrawn",
    ),
    ("山东齐鲁质量检测有限公司", "济南市", "370102", "74", "new@demo.chengxin.localhost", None),
]


def demo_credit_code(region: str, serial: int) -> str:
    body = f"91{region}MA{serial:06d}X"[:17]
    return body + uscc.calc_check_digit(body)


def stamped_page_png() -> SimpleUploadedFile:
    image = Image.new("RGB", (620, 877), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 580, 837), outline="black", width=2)
    draw.ellipse((380, 640, 540, 800), outline=(200, 0, 0), width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("stamped.png", buffer.getvalue(), content_type="image/png")


class Command(BaseCommand):
    help = "Create demo data for trying Chengxin locally (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now()
        admin = self._user("admin@chengxin.localhost", "管理员", superuser=True)
        reviewer = self._user("reviewer@chengxin.localhost", "审核员")
        reviewer.groups.add(Group.objects.get(name=REVIEWERS))
        admin.groups.add(Group.objects.get(name=ADMINISTRATORS))
        campaign = Campaign.objects.filter(year=now.year).first() or campaign_create(
            actor=admin,
            year=now.year,
            title=f"{now.year}年企业质量诚信倡议",
            pledge_text=DEMO_PLEDGE_TEXT.read_text(encoding="utf-8"),
            opens_at=now - timedelta(days=30),
            closes_at=now + timedelta(days=90),
            number_prefix="CQ",
        )
        for serial, (name, city, region, industry, email, final_state) in enumerate(
            DEMO_ENTERPRISES, start=1
        ):
            owner = self._user(email, f"{name[:2]}联系人")
            if Membership.objects.filter(user=owner).exists():
                continue
            enterprise = enterprise_register(
                actor=owner,
                credit_code=demo_credit_code(region, serial),
                profile=self._profile(name, city, region, industry, email),
            )
            if final_state:
                self._pledge(enterprise, campaign, owner, reviewer, final_state)
        self._print(campaign)

    def _user(self, email, full_name, *, staff=False, superuser=False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            create = User.objects.create_superuser if superuser else User.objects.create_user
            user = create(
                email=email,
                password=DEMO_PASSWORD,
                full_name=full_name,
                is_staff=staff or superuser,
            )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _profile(self, name, city, region, industry, email) -> dict:
        return {
            "name": name,
            "name_en": "",
            "province": Province.objects.get(code=region[:2]),
            "city": city,
            "industry": Industry.objects.get(code=industry),
            "legal_representative": "张伟",
            "address": f"{city}高新区质量大道1号",
            "website": "",
            "contact_name": "李娜",
            "contact_phone": "010-12345678",
            "contact_email": email,
        }

    def _pledge(self, enterprise: Enterprise, campaign, owner, reviewer, final_state) -> Pledge:
        pledge = pledge_services.pledge_create(
            enterprise=enterprise,
            campaign=campaign,
            actor=owner,
            signer_name="张伟",
            signer_title="法定代表人",
            signer_authorised=True,
            stamped_page=stamped_page_png(),
            stamped_page_type="image/png",
        )
        if final_state == "draft":
            return pledge
        if final_state == "withdrawn":
            return pledge_services.pledge_withdraw(pledge=pledge, actor=owner)
        pledge_services.pledge_submit(pledge=pledge, actor=owner)
        if final_state == "approved":
            # The demo reviewer ticks the whole checklist.
            checked = list(pledge.campaign.checklist.values_list("pk", flat=True))
            try:
                pledge_services.pledge_approve(pledge=pledge, actor=reviewer, checked=checked)
            except CalendarNotCovered as error:
                # Demo data, not a decision: published without notice rather than not at
                # all (the warning says why; upgrading chinesecalendar mends it).
                self.stderr.write(self.style.WARNING(str(error.message)))
                with override_settings(NOTICE_WORKING_DAYS=0):
                    pledge_services.pledge_approve(pledge=pledge, actor=reviewer, checked=checked)
        elif final_state == "changes_requested":
            pledge_services.pledge_request_changes(
                pledge=pledge,
                actor=reviewer,
                reason="盖章页不清晰，请重新扫描上传。",
            )
        elif final_state == "rejected":
            pledge_services.pledge_reject(
                pledge=pledge,
                actor=reviewer,
                reason="营业执照信息与填报信息不一致。",
            )
        return pledge

    def _print(self, campaign):
        write = self.stdout.write
        write(self.style.SUCCESS(f"Demo data ready: campaign {campaign.year} «{campaign.title}»"))
        write(f"  password for every demo account: {DEMO_PASSWORD}")
        write("  administrator: admin@chengxin.localhost   (/admin/)")
        write("  reviewer:      reviewer@chengxin.localhost")
        for *_, email, state in DEMO_ENTERPRISES:
            write(f"  enterprise:    {email:<38} pledge: {state or 'not started'}")
