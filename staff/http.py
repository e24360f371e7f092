"""Request helpers of the staff pages and API."""

from core.http import client_address

__all__ = ["client_address"]
