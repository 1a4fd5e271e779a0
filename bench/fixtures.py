"""Rows the benchmarks share, inserted in bulk (fixtures, not the services under test).

Imported after ``django.setup()``: unlike ``bench.harness``, this module uses the models.
"""

from accounts.models import Membership, User
from pledges.models import Enterprise


def owned_enterprises(names: list[str], codes: list[str], *, domain: str, batch_size: int = 500):
    """One enterprise per name and credit code (in Suzhou, manufacturing), each with one owner
    who has no password; the owners and the enterprises, in order."""
    owners = []
    for i in range(1, len(names) + 1):
        owner = User(email=f"owner{i}@{domain}", language="zh-hans")
        owner.set_unusable_password()
        owners.append(owner)
    owners = User.objects.bulk_create(owners, batch_size=batch_size)
    enterprises = Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=name,
                credit_code=code,
                province_id="32",
                city="苏州市",
                industry_id="34",
                legal_representative="王芳",
                address="江苏省苏州市工业园区星湖街1号",
                contact_name="李雷",
                contact_phone="0512-88886666",
                contact_email=f"contact{i}@{domain}",
            )
            for i, (name, code) in enumerate(zip(names, codes, strict=True), start=1)
        ],
        batch_size=batch_size,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=owner, enterprise=enterprise, role=Membership.Role.OWNER)
            for owner, enterprise in zip(owners, enterprises, strict=True)
        ],
        batch_size=batch_size,
    )
    return owners, enterprises
