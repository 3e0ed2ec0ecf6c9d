"""The client's address behind trusted proxies (web/client_address.py): one rule for the audit trail, the API's
rate limit and allauth's sign-in limits."""

import ipaddress

import pytest
from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import Client, RequestFactory, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from web.client_address import client_address

BALANCER = "10.0.0.5"
CLIENT = "203.0.113.9"


def _request(remote: str | None = BALANCER, **headers: str):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/", headers=headers)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    return request


def test_trusting_no_proxy_the_address_is_the_connections_whatever_the_client_claims():
    assert client_address(_request(x_forwarded_for="198.51.100.1")) == BALANCER


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_balancer_the_client_is_the_address_it_added():
    assert client_address(_request(x_forwarded_for=CLIENT)) == CLIENT
    # A client that sends its own X-Forwarded-For cannot choose its address: the balancer's entry is last.
    assert client_address(_request(x_forwarded_for=f"198.51.100.1, {CLIENT}")) == CLIENT


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_client_is_the_second_address_from_the_right():
    assert client_address(_request(x_forwarded_for=f"198.51.100.1, {CLIENT}, 10.0.0.7")) == CLIENT
    # Not through both proxies: the connection's address, not a guess.
    assert client_address(_request(x_forwarded_for=CLIENT)) == BALANCER


@override_settings(ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
def test_a_trusted_header_names_the_client_and_its_absence_leaves_the_address_unknown():
    assert client_address(_request(x_real_ip=CLIENT, x_forwarded_for="198.51.100.1")) == CLIENT
    assert client_address(_request()) is None


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_an_address_is_written_in_its_standard_form_and_nonsense_is_no_address():
    assert client_address(_request(x_forwarded_for=" [2001:DB8::1]:443")) == "2001:db8::1"
    assert client_address(_request(x_forwarded_for="203.0.113.9:51000")) == CLIENT
    assert client_address(_request(x_forwarded_for="<script>")) is None


_addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)
_hops = st.lists(st.one_of(_addresses, st.sampled_from(["unknown", "", " "])), min_size=0, max_size=4)


@settings(max_examples=200, deadline=None)
@given(hops=_hops, remote=_addresses, count=st.integers(min_value=0, max_value=3), header=st.booleans())
def test_it_follows_the_same_rule_as_allauths_sign_in_limits(hops, remote, count, header):  # type: ignore[no-untyped-def]
    forwarded = ", ".join(hops)
    headers = {"x_forwarded_for": forwarded} if hops else {}
    if header and hops:
        headers["x_real_ip"] = hops[0]
    with override_settings(
        ALLAUTH_TRUSTED_PROXY_COUNT=count, ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP" if header else None
    ):
        request = _request(remote, **headers)
        ours = client_address(request)
        try:
            theirs: str | None = get_adapter(request).get_client_ip(request)
        except PermissionDenied:  # allauth knows no address either
            theirs = None
        except ImproperlyConfigured:  # allauth refuses a request that did not pass every trusted proxy
            assert ours == remote
            return
    assert ours == theirs
    if ours is not None:
        ipaddress.ip_address(ours)


@pytest.mark.django_db
@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_balancer_the_audit_trail_records_the_clients_address(client_for, coordinator, marac):
    from audit.models import AuditEvent
    from testing.factories import CaseFactory

    case = CaseFactory(marac=marac)
    response = client_for(coordinator).get(f"/cases/{case.pk}/", REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=CLIENT)
    assert response.status_code == 200
    assert AuditEvent.objects.get(object_type="cases.case", object_id=str(case.pk)).client_address == CLIENT


@pytest.mark.django_db
@override_settings(
    ALLAUTH_TRUSTED_PROXY_COUNT=1,
    ACCOUNT_RATE_LIMITS={"login_failed": "3/15m/ip", "login": "30/m/ip"},
)
def test_behind_a_balancer_one_clients_failed_sign_ins_do_not_lock_out_everyone_else(coordinator, chair):
    cache.clear()
    attacker = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.66")
    for _ in range(4):
        attacker.post("/accounts/login/", {"login": "nobody@example.invalid", "password": "wrong password"})
    password = "correct horse battery staple"
    refused = attacker.post("/accounts/login/", {"login": coordinator.email, "password": password})
    assert "/accounts/2fa/authenticate/" not in refused.get("Location", "")
    colleague = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=CLIENT)
    response = colleague.post("/accounts/login/", {"login": chair.email, "password": password})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    cache.clear()


@pytest.mark.django_db
@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1, OPENMARAC_API_RATE_LIMIT=2)
def test_behind_a_balancer_the_apis_limit_for_callers_not_signed_in_is_per_client():
    cache.clear()
    one = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.66")
    other = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=CLIENT)
    assert [one.get("/api/v1/cases").status_code for _ in range(3)] == [401, 401, 429]
    assert other.get("/api/v1/cases").status_code == 401
    cache.clear()
