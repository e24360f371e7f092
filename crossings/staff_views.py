"""Officers' page of crossings: exits flagged because no valid endorsement was found."""

from django.http import HttpRequest, HttpResponse

from core.http import client_address
from staff.permissions import Permission
from staff.services import persons_back_office_list
from staff.views import _render, staff_page

from . import selectors


@staff_page(Permission.PERSON_LOOKUP)
def flagged(request: HttpRequest) -> HttpResponse:
    """Flagged crossings of persons in the officer's scope; each person shown is logged."""
    crossings = selectors.flagged_crossings_for(staff=request.user)
    if crossings:
        persons_back_office_list(
            staff=request.user,
            person_ids=[c.person_id for c in crossings],
            what="Flagged crossings (no valid endorsement)",
            client_address=client_address(request),
        )
    return _render(
        request,
        "crossings/staff_flagged.html",
        {"crossings": crossings, "days": selectors.FLAGGED_DAYS},
    )
