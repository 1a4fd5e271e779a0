import pytest

pytestmark = pytest.mark.django_db


def test_dashboard_shows_the_enterprise(owner_client, enterprise, campaign):
    response = owner_client.get("/portal/")
    assert response.status_code == 200
    assert enterprise.name in response.content.decode()
