"""Request helpers of the staff pages and API."""

import ipaddress

from axes.helpers import get_client_ip_address
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address as django-axes sees it (the same proxy settings), or None."""
    value = get_client_ip_address(request) or ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
