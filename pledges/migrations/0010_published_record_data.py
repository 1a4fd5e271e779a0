"""The published record for what was published before it existed, the name search index on
listings (PostgreSQL), and the default banned terms."""

from django.db import migrations

from pledges.reference import DATA_DIR, china_date
from pledges.search import name_ngrams, search_index

LISTING_INDEX = "listing_name_ngrams"


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("pledges", "Listing"), search_index(LISTING_INDEX))


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(
            apps.get_model("pledges", "Listing"), search_index(LISTING_INDEX)
        )


def default_terms():
    lines = (DATA_DIR / "banned-terms.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def add_banned_terms(apps, schema_editor):
    alias = schema_editor.connection.alias
    BannedTerm = apps.get_model("pledges", "BannedTerm")
    for term in default_terms():
        BannedTerm.objects.using(alias).get_or_create(term=term)


def publish_existing(apps, schema_editor):
    """One listing per pledge already approved or revoked, as the decisions made it."""
    alias = schema_editor.connection.alias
    Pledge = apps.get_model("pledges", "Pledge")
    Listing = apps.get_model("pledges", "Listing")
    ListingTally = apps.get_model("pledges", "ListingTally")
    AuditEvent = apps.get_model("pledges", "AuditEvent")
    Certificate = apps.get_model("pledges", "Certificate")
    PublicDataVersion = apps.get_model("pledges", "PublicDataVersion")
    revocations = {
        e.pledge_id: e
        for e in AuditEvent.objects.using(alias).filter(action="pledge_revoked").order_by("created_at", "id")
    }
    certificates = {
        c.pledge_id: c
        for c in Certificate.objects.using(alias).exclude(number="").exclude(rendered_at=None)
    }
    pledges = (
        Pledge.objects.using(alias).filter(state__in=("approved", "revoked"))
        .exclude(decided_at=None)
        .select_related("enterprise__industry", "campaign")
        .order_by("decided_at", "pk")
    )
    tallies = {}
    batch = []
    sequence = 1
    for pledge in pledges.iterator(chunk_size=2000):
        enterprise = pledge.enterprise
        revoked = revocations.get(pledge.pk) if pledge.state == "revoked" else None
        certificate = certificates.get(pledge.pk)
        status = "revoked" if pledge.state == "revoked" else "listed"
        sequence += 1
        batch.append(
            Listing(
                pledge_id=pledge.pk,
                enterprise_id=enterprise.pk,
                campaign_id=pledge.campaign_id,
                year=pledge.campaign.year,
                status=status,
                name=enterprise.name,
                name_en=enterprise.name_en,
                credit_code=enterprise.credit_code,
                province_id=enterprise.province_id,
                city=enterprise.city,
                industry_id=enterprise.industry_id,
                section_id=enterprise.industry.section_id,
                website=enterprise.website,
                text_sha256=pledge.text_sha256,
                signed_on=china_date(pledge.submitted_at),
                approved_at=pledge.decided_at,
                revoked_at=revoked.created_at if revoked else None,
                revocation_reason=revoked.reason if revoked else "",
                certificate_number=certificate.number if certificate else "",
                certificate_sha256=certificate.sha256 if certificate else "",
                certificate_issued_on=china_date(certificate.issued_at) if certificate else None,
                search_ngrams=name_ngrams(enterprise.name),
                sequence=sequence,
                changed_at=pledge.updated_at,
            )
        )
        key = (pledge.campaign.year, enterprise.province_id, enterprise.industry.section_id, status)
        tallies[key] = tallies.get(key, 0) + 1
        if len(batch) >= 2000:
            Listing.objects.using(alias).bulk_create(batch)
            batch = []
    Listing.objects.using(alias).bulk_create(batch)
    ListingTally.objects.using(alias).bulk_create(
        ListingTally(year=y, province=p, section=s, status=st, count=n)
        for (y, p, s, st), n in tallies.items()
    )
    PublicDataVersion.objects.using(alias).update_or_create(pk=1, defaults={"version": sequence + 1})


def unpublish(apps, schema_editor):
    alias = schema_editor.connection.alias
    apps.get_model("pledges", "ListingTally").objects.using(alias).all().delete()
    apps.get_model("pledges", "Listing").objects.using(alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("pledges", "0009_published_record")]

    operations = [
        migrations.RunPython(publish_existing, unpublish),
        migrations.RunPython(add_search_index, drop_search_index),
        migrations.RunPython(add_banned_terms, migrations.RunPython.noop),
    ]
