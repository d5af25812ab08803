"""The client address the rate limit and the sign-in lockout count by (modsite.security):
X-Forwarded-For only from our own proxies, IPv6 by /64."""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from modsite.security import client_ip
from modsite.settings.env import env_networks

LOOPBACK = ["127.0.0.0/8", "::1/128"]


@pytest.fixture(autouse=True)
def _loopback_proxies(settings):
    settings.TRUSTED_PROXIES = LOOPBACK


def address_of(rf, remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(rf.get("/", REMOTE_ADDR=remote, **headers))


def test_a_direct_caller_is_its_socket_address_whatever_it_forwards(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address_of(rf, "198.51.100.9", "203.0.113.1") == "198.51.100.9"
    assert address_of(rf, "198.51.100.9", "10.0.0.5") == "198.51.100.9"


def test_behind_a_trusted_proxy_the_caller_is_the_address_the_proxy_saw(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The left-most entry is the caller's own to forge; the proxy appended the right one.
    assert address_of(rf, "10.0.0.1", "1.1.1.1, 203.0.113.5") == "203.0.113.5"


def test_forwarded_for_is_walked_right_to_left_past_every_trusted_proxy(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.168.1.0/24"]
    forwarded = "6.6.6.6, 203.0.113.5, 192.168.1.7, 10.1.2.3"
    assert address_of(rf, "10.0.0.1", forwarded) == "203.0.113.5"
    # Every hop trusted: the left-most is the caller.
    assert address_of(rf, "10.0.0.1", "192.168.1.7, 10.1.2.3") == "192.168.1.7"


def test_a_proxy_on_the_same_machine_is_trusted_by_default(rf):
    assert address_of(rf, "127.0.0.1", "203.0.113.5") == "203.0.113.5"
    assert address_of(rf, "::1", "203.0.113.5") == "203.0.113.5"


def test_a_unix_socket_connection_counts_as_the_local_proxy(rf):
    assert address_of(rf, "", "203.0.113.5") == "203.0.113.5"


def test_no_trusted_proxies_means_the_socket_address_only(rf, settings):
    settings.TRUSTED_PROXIES = []
    assert address_of(rf, "127.0.0.1", "203.0.113.5") == "127.0.0.1"


@pytest.mark.parametrize("junk", ["unknown", "203.0.113.5x", "<script>", "", " , ,"])
def test_junk_where_our_proxy_writes_keeps_the_proxy_address(rf, settings, junk):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address_of(rf, "10.0.0.1", junk) == "10.0.0.1"


def test_ports_and_brackets_some_proxies_add_are_understood(rf):
    assert address_of(rf, "127.0.0.1", "203.0.113.5:5123") == "203.0.113.5"
    assert address_of(rf, "127.0.0.1", "[2001:db8::1]:443") == "2001:db8::"


def test_ipv6_clients_are_counted_by_their_slash_64(rf):
    first = address_of(rf, "2001:db8:aa:bb::1")
    assert first == "2001:db8:aa:bb::"
    assert address_of(rf, "2001:db8:aa:bb:ffff:1234:5678:9abc") == first
    assert address_of(rf, "2001:db8:aa:bc::1") != first
    assert address_of(rf, "::ffff:203.0.113.5") == "203.0.113.5"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("10.0.0.0/8", ["10.0.0.0/8"]),
        (" 10.1.2.3 , 2001:db8::/32 ", ["10.1.2.3/32", "2001:db8::/32"]),
        ("10.1.2.3/8", ["10.0.0.0/8"]),
        ("", LOOPBACK),
        ("none", []),
    ],
)
def test_trusted_proxies_setting_is_read_as_address_ranges(monkeypatch, value, expected):
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    assert env_networks("TRUSTED_PROXIES", LOOPBACK) == expected


@pytest.mark.parametrize("value", ["10.0.0/33", "proxy.internal", "1", "10.0.0.0/8;10.1.0.0/16"])
def test_a_mistyped_trusted_proxies_setting_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        env_networks("TRUSTED_PROXIES", LOOPBACK)


network = st.one_of(
    st.builds(lambda a, n: f"{a}/{n}", st.ip_addresses(v=4), st.integers(0, 32)),
    st.builds(lambda a, n: f"{a}/{n}", st.ip_addresses(v=6), st.integers(0, 128)),
    st.sampled_from(LOOPBACK),
).map(lambda text: str(ipaddress.ip_network(text, strict=False)))
address_text = st.one_of(
    st.ip_addresses().map(str),
    st.sampled_from(["", " ", "unknown", "[::1]:80", "10.0.0.1:99999", "fe80::1%eth0", "[x"]),
    st.text(max_size=30),
)


@hyp_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    remote=address_text,
    forwarded=st.lists(address_text, max_size=5).map(", ".join),
    proxies=st.lists(network, max_size=3),
)
def test_any_addresses_give_a_valid_key_and_only_trusted_hops_are_believed(
    rf, remote, forwarded, proxies
):
    # Hypothesis runs the examples inside one test, so the setting is changed by hand.
    from django.test import override_settings

    with override_settings(TRUSTED_PROXIES=proxies):
        key = address_of(rf, remote, forwarded)
        direct = address_of(rf, remote)
        assert key == "" or ipaddress.ip_address(key)
        try:
            connecting = ipaddress.ip_address(remote)
        except ValueError:
            return
        if connecting.version == 6 and connecting.ipv4_mapped:
            connecting = connecting.ipv4_mapped
        if not any(connecting in ipaddress.ip_network(p) for p in proxies):
            assert key == direct  # a caller's own headers never change its key
