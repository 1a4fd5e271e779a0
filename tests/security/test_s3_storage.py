"""Private files on S3-compatible object storage, against a real S3 server (moto's, over HTTP).

The storage settings are built from the environment by ``config/settings/base.py`` itself,
so these tests prove the variables the production guide documents, not a hand-made copy.
Uploads go through the portal's forms, certificates through the approval and the task, and
every download through the views that check who is asking.
"""

import hashlib
import runpy
import socket
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from pledges.models import Certificate, Enterprise, Pledge
from pledges.services import pledges as services
from pledges.services.certificates import certificate_rerender
from pledges.tasks import issue_certificate
from tests import factories
from tests.pdf import pdf_text
from tests.worker import celery_worker, wait_for

BUCKET = "chengxin-private"
REGION = "eu-central-1"
BASE_SETTINGS = django_settings.BASE_DIR / "config" / "settings" / "base.py"

pytestmark = pytest.mark.django_db


CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-access-key", "AWS_SECRET_ACCESS_KEY": "test-secret-key"}


@pytest.fixture(scope="session")
def s3_endpoint():
    """One S3 server and bucket per run (moto keeps its state for the whole process)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    yield endpoint
    server.stop()


@pytest.fixture(scope="module")
def s3_environment(s3_endpoint):
    """The variables a production machine sets (credentials through boto3's usual chain),
    for this module only: other modules' worker processes inherit the environment."""
    values = {"S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3_endpoint, "S3_REGION": REGION}
    values.update(CREDENTIALS)
    with pytest.MonkeyPatch.context() as patch:
        for name in (
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "S3_LOCATION",
            "S3_ADDRESSING_STYLE",
            "S3_SERVER_SIDE_ENCRYPTION",
        ):
            patch.delenv(name, raising=False)
        for name, value in values.items():
            patch.setenv(name, value)
        yield values


@pytest.fixture(scope="module")
def s3_client(s3_environment):
    return boto3.client("s3", endpoint_url=s3_environment["S3_ENDPOINT_URL"], region_name=REGION)


def storages_from_environment(**overrides) -> dict:
    """STORAGES exactly as config/settings/base.py builds it from the current environment."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in overrides.items():
            patch.setenv(name, value)
        return runpy.run_path(str(BASE_SETTINGS))["STORAGES"]


@pytest.fixture
def s3(settings, s3_client):
    """Private files on the S3 server for one test; the bucket starts and ends empty."""
    settings.STORAGES = {**settings.STORAGES, "default": storages_from_environment()["default"]}
    empty_bucket(s3_client)
    yield s3_client
    empty_bucket(s3_client)


def empty_bucket(client) -> None:
    for key in bucket_keys(client):
        client.delete_object(Bucket=BUCKET, Key=key)


def bucket_keys(client, prefix: str = "") -> list[str]:
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def stored_bytes(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def downloaded(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Cache-Control"] == "private, no-store"
    return b"".join(response.streaming_content)


def anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# --- Settings ---------------------------------------------------------------------------


def test_without_a_bucket_private_files_stay_on_the_filesystem(s3_environment, tmp_path):
    default = storages_from_environment(S3_BUCKET="", PRIVATE_MEDIA_ROOT=str(tmp_path))["default"]
    assert default["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert default["OPTIONS"] == {"location": str(tmp_path), "base_url": None}


def test_a_bucket_switches_private_files_to_private_s3_objects(s3_environment):
    default = storages_from_environment()["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == BUCKET
    assert options["endpoint_url"] == s3_environment["S3_ENDPOINT_URL"]
    assert options["region_name"] == REGION
    assert options["location"] == "private"
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert options["object_parameters"] == {}


# --- Uploads through the portal ---------------------------------------------------------


def test_a_licence_scan_uploaded_at_registration_is_a_private_object(s3, campaign):
    newcomer = factories.user("newcomer@example.com")
    scan = factories.pdf_bytes()
    response = login(newcomer).post(
        "/portal/enterprise/new/",
        {
            "credit_code": factories.credit_code("11"),
            **{name: getattr(value, "code", value) for name, value in factories.profile().items()},
            "licence_scan": factories.upload(scan, "营业执照.pdf", "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    enterprise = Enterprise.objects.get(memberships__user=newcomer)
    name = enterprise.licence_scan.name
    assert name.startswith("licences/") and name.endswith(".pdf")
    key = f"private/{name}"
    assert bucket_keys(s3) == [key]
    assert stored_bytes(s3, key) == scan
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentType"] == "application/pdf"

    assert downloaded(login(newcomer).get(reverse("portal:licence_scan"))) == scan
    # A member of another enterprise has no licence of its own to download, and never this one.
    stranger = factories.user("stranger@example.com")
    factories.enterprise(stranger, name="上海别家有限公司")
    assert login(stranger).get(reverse("portal:licence_scan")).status_code == 404


def test_a_stamped_page_reaches_the_bucket_and_only_its_enterprise_and_reviewers(
    s3, owner, enterprise, campaign, reviewer
):
    page = factories.png_bytes(size=(120, 160))
    response = login(owner).post(
        reverse("portal:sign", args=[campaign.year]),
        {
            "signer_name": "王芳",
            "signer_title": "法定代表人",
            "signer_authorised": "on",
            "stamped_page": factories.upload(page, "盖章页.png"),
            "action": "submit",
        },
    )
    assert response.status_code == 302
    pledge = Pledge.objects.get(enterprise=enterprise, campaign=campaign)
    assert pledge.state == Pledge.State.SUBMITTED
    key = f"private/{pledge.stamped_page.name}"
    assert bucket_keys(s3, "private/stamped-pages/") == [key]
    assert stored_bytes(s3, key) == page

    url = reverse("portal:stamped_page", args=[pledge.pk])
    assert downloaded(login(owner).get(url)) == page
    review_url = reverse("review:stamped_page", args=[pledge.pk])
    assert downloaded(login(reviewer).get(review_url)) == page
    other = factories.user("other@example.com")
    factories.enterprise(other, name="上海别家有限公司")
    assert login(other).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


def test_an_object_missing_from_the_bucket_is_a_404_not_an_error(s3, owner, enterprise, campaign):
    pledge = factories.complete_draft(enterprise, campaign, owner)
    s3.delete_object(Bucket=BUCKET, Key=f"private/{pledge.stamped_page.name}")
    url = reverse("portal:stamped_page", args=[pledge.pk])
    assert login(owner).get(url).status_code == 404


# --- Certificates -----------------------------------------------------------------------


@pytest.fixture
def approved(s3, owner, enterprise, campaign, reviewer, django_capture_on_commit_callbacks):
    """Approved, and its certificate rendered by the (eager) task after the commit."""
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, actor=reviewer)
    return pledge


def test_an_issued_certificate_is_stored_in_the_bucket_and_downloaded_intact(s3, approved, owner):
    certificate = Certificate.objects.get(pledge=approved)
    assert certificate.state == Certificate.State.READY
    key = f"private/{certificate.file.name}"
    assert bucket_keys(s3, "private/certificates/") == [key]
    stored = stored_bytes(s3, key)
    assert hashlib.sha256(stored).hexdigest() == certificate.sha256
    assert len(stored) == certificate.size
    assert certificate.number in pdf_text(stored)

    response = login(owner).get(reverse("portal:certificate", args=[approved.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert downloaded(response) == stored
    stranger = factories.user("stranger@example.com")
    factories.enterprise(stranger, name="上海别家有限公司")
    url = reverse("portal:certificate", args=[approved.pk])
    assert login(stranger).get(url).status_code == 404


def test_a_rerendered_certificate_replaces_its_object(
    s3, approved, administrator, django_capture_on_commit_callbacks
):
    certificate = Certificate.objects.get(pledge=approved)
    first = certificate.file.name
    with django_capture_on_commit_callbacks(execute=True):
        certificate_rerender(certificate=certificate, actor=administrator)
    certificate.refresh_from_db()
    assert certificate.state == Certificate.State.READY and certificate.file.name != first
    assert bucket_keys(s3, "private/certificates/") == [f"private/{certificate.file.name}"]


def test_objects_are_not_publicly_readable(s3, approved, s3_environment):
    certificate = Certificate.objects.get(pledge=approved)
    key = f"private/{certificate.file.name}"
    plain_url = f"{s3_environment['S3_ENDPOINT_URL']}/{BUCKET}/{key}"
    assert anonymous_get(plain_url) == 403
    # The same object through a signed URL (what the storage would hand out) is readable,
    # so the 403 above is the ACL speaking, not a wrong address.
    signed_url = default_storage.url(certificate.file.name)
    assert "X-Amz-Signature=" in signed_url
    assert anonymous_get(signed_url) == 200
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [(grant["Grantee"]["Type"], grant["Permission"]) for grant in grants] == [
        ("CanonicalUser", "FULL_CONTROL")
    ]


def test_server_side_encryption_is_requested_when_configured(
    s3, settings, owner, enterprise, campaign
):
    storages = storages_from_environment(S3_SERVER_SIDE_ENCRYPTION="AES256")
    settings.STORAGES = {**settings.STORAGES, "default": storages["default"]}
    pledge = factories.complete_draft(enterprise, campaign, owner)
    key = f"private/{pledge.stamped_page.name}"
    assert s3.head_object(Bucket=BUCKET, Key=key)["ServerSideEncryption"] == "AES256"
    url = reverse("portal:stamped_page", args=[pledge.pk])
    assert downloaded(login(owner).get(url)) == stored_bytes(s3, key)


def test_a_storage_briefly_unreachable_is_retried_not_recorded_as_failed(
    s3, monkeypatch, owner, enterprise, campaign, reviewer, django_capture_on_commit_callbacks
):
    """The first run meets a connection refused by the storage; the retry stores the file."""
    options = storages_from_environment()["default"]["OPTIONS"]
    unreachable = S3Storage(
        **{
            **options,
            "endpoint_url": f"http://127.0.0.1:{closed_port()}",
            # One attempt (boto3 retries on its own otherwise), so the task's retry is what
            # this test sees.
            "client_config": Config(retries={"max_attempts": 1}, connect_timeout=2),
        }
    )
    storages = iter([unreachable])
    monkeypatch.setattr(
        "pledges.services.certificates.private_storage", lambda: next(storages, default_storage)
    )
    with django_capture_on_commit_callbacks(execute=False):
        pledge = services.pledge_approve(
            pledge=factories.submitted_pledge(enterprise, campaign, owner), actor=reviewer
        )
    certificate = Certificate.objects.get(pledge=pledge)
    # Applied in-process, Celery runs the retry at once instead of after the countdown.
    issue_certificate.apply(args=[certificate.pk], throw=False)
    certificate.refresh_from_db()
    assert certificate.state == Certificate.State.READY, certificate.error
    assert certificate.attempts == 2
    assert bucket_keys(s3, "private/certificates/") == [f"private/{certificate.file.name}"]


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- A real worker process --------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_stores_the_certificate_in_the_bucket(
    s3, s3_environment, tmp_path, owner, enterprise, campaign
):
    reviewer = factories.staff("reviewer@example.com")
    with celery_worker(tmp_path, env=s3_environment):
        pledge = factories.submitted_pledge(enterprise, campaign, owner)
        services.pledge_approve(pledge=pledge, actor=reviewer)
        certificate = Certificate.objects.get(pledge=pledge)
        wait_for(
            lambda: Certificate.objects.get(pk=certificate.pk).state == Certificate.State.READY,
            timeout=90,
            what=lambda: (tmp_path / "worker.log").read_text(),
        )
    certificate.refresh_from_db()
    key = f"private/{certificate.file.name}"
    assert bucket_keys(s3, "private/certificates/") == [key]
    stored = stored_bytes(s3, key)
    assert hashlib.sha256(stored).hexdigest() == certificate.sha256
    assert not (tmp_path / "private").exists()  # nothing went to the worker's local folder
    response = login(owner).get(reverse("portal:certificate", args=[pledge.pk]))
    assert downloaded(response) == stored
