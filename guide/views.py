"""Pages of the service guide: the hall finder, hall pages, and the guides."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from appointments.applying import SERVICE_DOCUMENT
from core.errors import Problem
from core.i18n import is_chinese, localized

from . import selectors
from .calendar import SHANGHAI
from .forms import HallSearchForm, HallWeekForm
from .maps import map_links


def _booking_url(**suggestions: str) -> str:
    """A link into the booking journey with answers suggested."""
    return f"{reverse('appointments:new')}?{urlencode(suggestions)}"


PAGE_SIZE = 20


def hall_search(request: HttpRequest) -> HttpResponse:
    """Find a hall by name, region, service, location and opening."""
    form = HallSearchForm(request.GET or None, language_zh=is_chinese())
    page = results = None
    searched = bool(request.GET)
    if form.is_bound and form.is_valid():
        number = form.cleaned_data.get("page") or 1
        try:
            page = selectors.hall_search(
                q=form.cleaned_data["q"],
                region=form.cleaned_data["region"] or None,
                service=form.cleaned_data["service"] or None,
                near=form.near,
                open_now=form.cleaned_data["open_now"],
                limit=PAGE_SIZE,
                offset=(number - 1) * PAGE_SIZE,
            )
        except Problem as problem:
            for error in problem.errors:
                field = {"near": "lat"}.get(error["field"], error["field"])
                form.add_error(field if field in form.fields else None, error["message"])
        else:
            results = page.results
    elif not form.is_bound:
        searched = False
    pages = None
    if page is not None:
        number = form.cleaned_data.get("page") or 1
        last = max(1, -(-page.count // PAGE_SIZE))
        query = request.GET.copy()
        query.pop("page", None)
        pages = {
            "number": number,
            "last": last,
            "query": query.urlencode(),
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < last else None,
        }
    return render(
        request,
        "guide/hall_search.html",
        {
            "form": form,
            "results": results,
            "count": page.count if page else 0,
            "searched": searched,
            "pages": pages,
            "near": form.near if form.is_bound and form.is_valid() else None,
        },
    )


def hall_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A hall: address, phone, map, the week's hours with holidays, services."""
    try:
        hall = selectors.hall_get(code=code)
    except Problem as problem:
        raise Http404(problem.detail) from problem
    now = timezone.now()
    today = now.astimezone(SHANGHAI).date()
    name = localized(hall, "name")
    week_form = HallWeekForm(request.GET or None)
    start = today
    if week_form.is_bound and week_form.is_valid() and week_form.cleaned_data["from"]:
        start = week_form.cleaned_data["from"]
    try:
        week = selectors.hall_week(hall=hall, start=start)
    except Problem as problem:
        week_form.add_error("from", problem.detail)
        week = selectors.hall_week(hall=hall, start=today)
    return render(
        request,
        "guide/hall_detail.html",
        {
            "hall": hall,
            "name": name,
            "status": selectors.hall_status(hall=hall, now=now),
            "week": week,
            "week_form": week_form,
            "week_is_current": start == today,
            "services": selectors.service_names(hall.services),
            "booking_url": _booking_url(hall=hall.code)
            if set(hall.services) & set(SERVICE_DOCUMENT)
            else "",
            "map_links": map_links(latitude=hall.latitude, longitude=hall.longitude, name=name),
        },
    )


def guide_list(request: HttpRequest) -> HttpResponse:
    """All guides, grouped by service."""
    groups: dict[str, dict] = {}
    for guide in selectors.guide_list():
        group = groups.setdefault(guide.service.code, {"service": guide.service, "guides": []})
        group["guides"].append(guide)
    return render(request, "guide/guide_list.html", {"groups": list(groups.values())})


def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One guide, in the reader's language."""
    try:
        guide = selectors.guide_get(slug=slug)
    except Problem as problem:
        raise Http404(problem.detail) from problem
    document = SERVICE_DOCUMENT.get(guide.service.code)
    booking_url = _booking_url(document=document) if document else ""
    from endorsements.selectors import guide_policy  # the endorsement guides show the policy

    return render(
        request,
        "guide/guide_detail.html",
        {"guide": guide, "booking_url": booking_url, "policy": guide_policy(slug=guide.slug)},
    )
