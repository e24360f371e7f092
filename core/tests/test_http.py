from django.test import RequestFactory

from core.http import client_address

NGINX = "10.0.0.2"


def request(remote=NGINX, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    # given no proxy configured
    settings.TRUSTED_PROXY_COUNT = 0
    # when a client sends its own X-Forwarded-For / then the peer's address counts
    assert client_address(request(forwarded="203.0.113.9")) == NGINX


def test_one_trusted_proxy_takes_the_address_it_appended(settings):
    # given nginx in front, appending the address it saw
    settings.TRUSTED_PROXY_COUNT = 1
    # when the client forged an entry on the left / then only nginx's entry counts
    assert client_address(request(forwarded="1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_address(request(forwarded="203.0.113.9")) == "203.0.113.9"


def test_two_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request(forwarded="6.6.6.6, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"


def test_no_header_or_garbage(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request(forwarded="")) == NGINX
    assert client_address(request(forwarded="not-an-address")) is None
    assert client_address(request(remote="")) is None


def test_axes_uses_the_same_helper(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = 1
    assert get_client_ip_address(request(forwarded="203.0.113.9")) == "203.0.113.9"
