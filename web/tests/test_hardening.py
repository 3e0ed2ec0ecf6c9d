import pytest
from django.core.cache import cache
from django.test import override_settings


@pytest.mark.django_db
@override_settings(OPENMARAC_API_RATE_LIMIT=3)
def test_the_api_refuses_a_caller_over_its_rate_limit(client_for, referrer):
    cache.clear()
    client = client_for(referrer)
    answers = [client.get("/api/v1/referrals").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get("/api/v1/referrals")
    assert "Too many requests" in refused.json()["error"]
    assert int(refused["Retry-After"]) <= 60
    cache.clear()


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client_for, coordinator):
    response = client_for(coordinator).get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_an_oversized_form_post_is_refused(client_for, coordinator):
    response = client_for(coordinator).post("/marac/choose/", {"big": "x" * 3_000_000})
    assert response.status_code == 400
