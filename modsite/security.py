"""Who is asking: the client address the rate limit and the sign-in lockout count by."""

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# One household or phone gets a whole IPv6 /64 and can pick any address in it.
IPV6_CLIENT_PREFIX = 64


@functools.lru_cache(maxsize=8)
def _networks(ranges):
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in ranges)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must list addresses or ranges like 10.0.0.0/8, not {ranges!r}."
        ) from None


def trusted_proxies():
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(text):
    """An address from REMOTE_ADDR or one X-Forwarded-For entry (some proxies add a port:
    1.2.3.4:5678, [2001:db8::1]:443), or None if it is not one."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text.partition("%")[0])
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address):
    # No address at all is a Unix socket, which only this machine can reach: the same
    # trust as loopback.
    if address is None:
        address = ipaddress.ip_address("127.0.0.1")
    return any(address in network for network in trusted_proxies())


def from_trusted_proxy(request):
    """Whether the connection itself comes from one of our proxies (TRUSTED_PROXIES)."""
    return _is_trusted(_address(request.META.get("REMOTE_ADDR", "")))


def client_address(request):
    """The first address, from the right, that is not one of our proxies.

    Each trusted proxy appends the address it saw, so X-Forwarded-For is walked from the
    right only while the hop that wrote an entry is trusted; whatever lies further left was
    sent by the caller and could be made up. A connection from anywhere else is the client,
    whatever headers it sends.
    """
    address = _address(request.META.get("REMOTE_ADDR", ""))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    hops = [hop for hop in forwarded if hop.strip()]
    while hops and _is_trusted(address):
        previous = _address(hops.pop())
        if previous is None:
            break  # not what a proxy writes: stay with the proxy we know
        address = previous
    return address


def client_ip(request):
    """The key the caller is counted by (AXES_CLIENT_IP_CALLABLE, the form's rate limit):
    the address, or for IPv6 the first address of its /64, so that one client cannot
    count as many by changing the low bits."""
    address = client_address(request)
    if address is None:
        return ""
    if address.version == 6:
        network = ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False)
        return str(network.network_address)
    return str(address)
