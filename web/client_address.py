"""The address a request came from, behind the load balancers or proxies this deployment trusts.

One rule for everything that uses the address: the audit trail's client address, the API's per-address rate
limit and allauth's sign-in limits (which read the same two settings, ALLAUTH_TRUSTED_PROXY_COUNT and
ALLAUTH_TRUSTED_CLIENT_IP_HEADER, set from OPENMARAC_TRUSTED_PROXY_COUNT and
OPENMARAC_TRUSTED_CLIENT_ADDRESS_HEADER: docs/operations.md).

- Trusting no proxy (the default), X-Forwarded-For is ignored, since any client can send it: the address is the
  connection's.
- Trusting N proxies, each of which appends the address it was reached from, the client's address is the N-th
  from the right of X-Forwarded-For: whatever a client wrote further left is not believed.
- Trusting a header that a proxy sets to the client's address (X-Real-IP, say), that header is the address.

Where the trusted entry is missing (a request that did not come through the proxies) the connection's address is
used, except with a trusted header, where no address is known. allauth refuses such a sign-in rather than guess.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port


def client_address(request: HttpRequest) -> str | None:
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    if header:
        return _address(request.headers.get(header))
    count = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0))
    forwarded = request.headers.get("x-forwarded-for")
    if count and forwarded:
        hops = forwarded.split(",")
        if len(hops) >= count and hops[-count]:
            return _address(hops[-count])
    return _address(request.META.get("REMOTE_ADDR"))


def _address(text: str | None) -> str | None:
    """A valid IP address in its standard form, or None (a port after the address is dropped)."""
    if not text:
        return None
    text = text.strip()
    try:
        host, port = split_domain_port(text)
        if host and port:
            text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
