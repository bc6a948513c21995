"""The client address behind the reverse proxy: the forwarded header counts only when a trusted proxy sent it."""

import pytest
from django.test import RequestFactory

from ggzy.accounts.client_address import client_address

PROXIES = ["10.0.0.0/8", "2001:db8:100::/48"]


@pytest.mark.parametrize(("trusted", "remote", "forwarded", "expected"), [
    ([], "10.0.0.1", "203.0.113.5", "10.0.0.1"),
    (PROXIES, "198.51.100.9", "203.0.113.5", "198.51.100.9"),
    (PROXIES, "10.0.0.1", "203.0.113.5", "203.0.113.5"),
    (PROXIES, "10.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5"),
    (PROXIES, "10.0.0.1", "203.0.113.5, 10.0.0.2", "203.0.113.5"),
    (PROXIES, "10.0.0.1", "10.0.0.3", "10.0.0.3"),
    (PROXIES, "10.0.0.1", "", "10.0.0.1"),
    (PROXIES, "10.0.0.1", "203.0.113.5, unknown", "10.0.0.1"),
    (PROXIES, "::ffff:10.0.0.1", "203.0.113.5", "203.0.113.5"),
    (PROXIES, "2001:db8:100::1", "2001:db8:9::5", "2001:db8:9::5"),
    (["10.0.0.1"], "10.0.0.1", "203.0.113.5", "203.0.113.5"),
    (PROXIES, "", "203.0.113.5", None),
], ids=["no-trusted-proxies-header-ignored", "untrusted-sender-header-ignored", "trusted-proxy",
        "forged-left-part-ignored", "two-trusted-proxies", "all-hops-trusted", "trusted-proxy-no-header",
        "unreadable-hop-falls-back-to-proxy", "ipv4-mapped-proxy", "ipv6", "single-address-entry",
        "no-remote-address"])
def test_client_address(settings, trusted, remote, forwarded, expected):
    # given the trusted proxies and a request as the last proxy hands it over
    settings.GGZY_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    # then the client address is the one a trusted proxy vouches for
    assert client_address(request) == expected


def test_the_header_is_configurable(settings):
    settings.GGZY_TRUSTED_PROXIES = PROXIES
    settings.GGZY_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.7",
                                   HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_address(request) == "203.0.113.7"
