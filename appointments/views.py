"""Pages of service 3: my appointments, the booking journey (one question per page, then check
your answers), an appointment with its QR code and calendar file, cancel, reschedule, and seat
alerts.

The answers of the journey are kept in the session between its pages. Every page checks its
answer with appointments.applying (as the API does), and booking goes through
appointments.services.appointment_book, so the pages and the API can never disagree.
"""

import contextlib
import datetime as dt
import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.phones import phone_national
from core.dates import today_shanghai
from core.errors import Problem
from core.http import client_address
from core.i18n import is_chinese, localized
from documents.models import DocumentType
from documents.selectors import documents_of_person
from documents.views import bound_citizen
from guide import selectors as guide_selectors
from guide.calendar import SHANGHAI
from persons.models import Person
from persons.selectors import persons_acting_for

from . import selectors, services
from .applying import (
    DELIVERIES,
    DELIVERY_COLLECT,
    DELIVERY_MAIL,
    DOCUMENT_SERVICE,
    ENDORSEMENTS,
    REPLACEMENT_REASONS,
    answers_validate,
    endorsement_label,
    kind_check,
)
from .errors import AppointmentError
from .forms import (
    BookForm,
    DocumentForm,
    EndorsementsForm,
    HallChoiceForm,
    HallSearchForm,
    KindForm,
    PhoneForm,
    ReasonForm,
    SeatAlertForm,
    SlotForm,
    WeekForm,
    WhoForm,
)
from .models import ACTIVE_STATUSES, ApplicationKind, Appointment, AppointmentStatus
from .slots import slots_generate

# What the journey keeps in the session between its pages, and the bookings it has made
# (idempotency key -> appointment number), so a second submit of the same page shows the same one.
BOOKING = "appointments:booking"
BOOKED = "appointments:booked"
RESCHEDULE = "appointments:reschedule"
RESCHEDULE_HALL = "appointments:reschedule_hall"
BOOKED_KEPT = 10
HALLS_PER_PAGE = 10
WEEK_DAYS = 7

# The journey's pages in order: (step, the answer it gives, whether the answers so far need it).
STEPS: list[tuple[str, str, Callable[[dict], bool]]] = [
    ("who", "person_id", lambda a: True),
    ("document", "document_type", lambda a: True),
    ("application", "kind", lambda a: True),
    ("reason", "replacement_reason", lambda a: a.get("kind") == ApplicationKind.REPLACEMENT),
    ("endorsements", "endorsements", lambda a: a.get("document_type") in ENDORSEMENTS),
    ("phone", "contact_phone", lambda a: True),
    ("hall", "hall_code", lambda a: True),
    ("time", "slot_id", lambda a: True),
]
STEP_NAMES = [name for name, _key, _needed in STEPS]
# A changed answer voids the answers that were given on its basis.
DEPENDENTS = {
    "person_id": ("kind", "replacement_reason"),
    "document_type": ("kind", "replacement_reason", "endorsements", "hall_code", "slot_id"),
    "kind": ("replacement_reason",),
    "hall_code": ("slot_id",),
}
SLOT_ANSWERS = ("slot_id", "slot_starts_at", "slot_ends_at", "week")
# Which page asks for the field a problem names.
FIELD_STEP = {
    "person_id": "who",
    "document_type": "document",
    "kind": "application",
    "replacement_reason": "reason",
    "endorsements": "endorsements",
    "contact_phone": "phone",
    "delivery": "phone",
    "delivery_address": "phone",
    "slot_id": "time",
}


# Helpers


def _answers(request: HttpRequest) -> dict:
    return dict(request.session.get(BOOKING) or {})


def _save(request: HttpRequest, answers: dict, **values) -> dict:
    """Record answers; a changed answer drops those given on its basis."""
    for key, value in values.items():
        if key in answers and answers[key] != value:
            for dependent in DEPENDENTS.get(key, ()):
                answers.pop(dependent, None)
                if dependent == "slot_id":
                    for slot_key in SLOT_ANSWERS:
                        answers.pop(slot_key, None)
        answers[key] = value
    request.session[BOOKING] = answers
    return answers


def _step_url(step: str) -> str:
    return reverse(f"appointments:new_{step}")


def _first_missing(answers: dict) -> str | None:
    for name, key, needed in STEPS:
        if needed(answers) and key not in answers:
            return name
    return None


def _next(answers: dict) -> HttpResponse:
    """To the first question not yet answered, or to the check page once all are."""
    missing = _first_missing(answers)
    return redirect(_step_url(missing) if missing else reverse("appointments:new_check"))


def _guard(answers: dict, step: str) -> HttpResponse | None:
    """A redirect if an earlier question is unanswered or this one is not asked."""
    missing = _first_missing(answers)
    if missing is not None and STEP_NAMES.index(missing) < STEP_NAMES.index(step):
        return redirect(_step_url(missing))
    for name, _key, needed in STEPS:
        if name == step and not needed(answers):
            return _next(answers)
    return None


def _back_url(answers: dict, step: str) -> str:
    """The page before `step` among those asked."""
    previous = reverse("appointments:list")
    for name, _key, needed in STEPS:
        if name == step:
            return previous
        if needed(answers):
            previous = _step_url(name)
    return previous


def _person(request: HttpRequest, answers: dict):
    for person in persons_acting_for(user=request.user):
        if person.pk == answers.get("person_id"):
            return person
    return None


def _documents(person) -> list:
    return [view.document for view in documents_of_person(person=person)]


def _details(answers: dict, **overrides) -> dict:
    details = {
        "replacement_reason": answers.get("replacement_reason"),
        "endorsements": answers.get("endorsements") or [],
        "contact_phone": answers.get("contact_phone") or "",
        "delivery": answers.get("delivery"),
        "delivery_address": answers.get("delivery_address"),
    }
    details.update(overrides)
    return {k: v for k, v in details.items() if v not in (None, "")}


def _validate(person, answers: dict, **overrides) -> tuple[dict | None, list[dict]]:
    """The answers so far checked as the API checks them: (clean answers, errors)."""
    try:
        clean = answers_validate(
            documents=_documents(person),
            document_type=answers.get("document_type", ""),
            kind=answers.get("kind", ""),
            details=_details(answers, **overrides),
            default_phone="",
            today=today_shanghai(),
        )
    except Problem as problem:
        return None, problem.errors or [{"field": "", "message": problem.detail}]
    return clean, []


def _place_errors(form, errors: list[dict], field: str) -> None:
    """Put the errors about this page's field on it; others above the form."""
    for error in errors:
        if error.get("field") == field or error.get("field") in form.fields:
            form.add_error(error["field"], error["message"])
        elif error.get("field") in FIELD_STEP and FIELD_STEP[error["field"]] != "phone":
            form.add_error(None, error["message"])


def _problem_on(form, problem: Problem, field: str | None = None) -> None:
    placed = False
    for error in problem.errors:
        name = error.get("field")
        if name in form.fields:
            form.add_error(name, error["message"])
            placed = True
    if not placed:
        form.add_error(field if field in form.fields else None, problem.detail)


def _caption(request: HttpRequest, person) -> str:
    if person is None or person.pk == request.user.person_id:
        return _("Book an appointment")
    return _("Book an appointment for %(name)s") % {"name": person.name}


def _question(request: HttpRequest, template: str, step: str, answers: dict, **context):
    person = _person(request, answers) if "person_id" in answers else None
    return render(
        request,
        template,
        {
            "step": step,
            "back_url": _back_url(answers, step),
            "caption": _caption(request, person),
            **context,
        },
    )


def _aware(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).astimezone(SHANGHAI)


@dataclass(frozen=True)
class FreeTime:
    slot_id: int
    starts_at: dt.datetime
    available: int


def _free_times(problem: Problem) -> list[FreeTime]:
    times = []
    for item in problem.extra.get("next_free") or []:
        try:
            times.append(
                FreeTime(int(item["slot_id"]), _aware(item["starts_at"]), int(item["available"]))
            )
        except (KeyError, TypeError, ValueError):
            continue
    return times


def _free_window(times: list[FreeTime]) -> dict:
    """The range of days the next free times lie in (what the time page then checks)."""
    if not times:
        return {}
    first, last = times[0].starts_at.date(), times[-1].starts_at.date()
    return {"week": first.isoformat(), "days": min(31, (last - first).days + 1)}


# The week of times at a hall


@dataclass(frozen=True)
class Week:
    start: dt.date
    days: int
    availability: selectors.Availability | None
    previous: dt.date | None
    next: dt.date | None


def _week(hall_code: str, service_code: str, form: WeekForm) -> Week:
    """The week asked for (from today by default), or an error on the (bound) form."""
    today = today_shanghai()
    start = today
    days = WEEK_DAYS
    if form.is_valid() and form.cleaned_data.get("week"):
        start = form.cleaned_data["week"]

    def read(first: dt.date):
        return selectors.availability(
            hall_code=hall_code,
            service_code=service_code,
            date_from=first,
            date_to=first + dt.timedelta(days=days - 1),
            make_slots=slots_generate,
        )

    try:
        found = read(start)
    except Problem as problem:
        if problem.status == 404:
            raise
        # the week asked for cannot be shown: say why, and show this week instead
        form.add_error("week" if start != today else None, problem.detail)
        start = today
        try:
            found = read(start)
        except Problem as again:
            if again.status == 404:
                raise
            found = None
    start = found.date_from if found else start
    last_shown = found.released_through + dt.timedelta(days=WEEK_DAYS) if found else today
    return Week(
        start=start,
        days=days,
        availability=found,
        previous=max(today, start - dt.timedelta(days=days)) if start > today else None,
        next=start + dt.timedelta(days=days)
        if start + dt.timedelta(days=days) <= last_shown
        else None,
    )


def _slot_chosen(*, hall_code: str, service_code: str, form: SlotForm) -> selectors.SlotView | None:
    """The time posted, if it is one of the free times shown; else an error on the form."""
    if not form.is_valid():
        return None
    start = form.cleaned_data.get("week") or today_shanghai()
    days = form.cleaned_data.get("days") or WEEK_DAYS
    try:
        found = selectors.availability(
            hall_code=hall_code,
            service_code=service_code,
            date_from=start,
            date_to=start + dt.timedelta(days=days - 1),
            make_slots=slots_generate,
        )
    except Problem as problem:
        form.add_error("slot", problem.detail)
        return None
    for day in found.days:
        for slot in day.slots:
            if slot.id == form.cleaned_data["slot"]:
                if not slot.is_released:
                    form.add_error("slot", _("This time cannot be booked yet: choose another."))
                    return None
                if slot.available <= 0:
                    form.add_error("slot", _("This time is fully booked. Choose another time."))
                    return None
                return slot
    form.add_error("slot", _("Choose one of the times shown."))
    return None


def _posted_week(form: SlotForm) -> dt.date | None:
    """The week a time was posted from (shown again when the choice is refused)."""
    if not form.is_bound:
        return None
    return getattr(form, "cleaned_data", {}).get("week")


def _chosen_day(
    request: HttpRequest, week: Week, slot_form: SlotForm, default: dt.date | None = None
) -> dt.date | None:
    """The day whose times to show: the one asked for (?day=), the one a refused time was
    posted from, or `default`; None shows the week's days to choose from first."""
    found = week.availability
    if found is None:
        return None
    candidates = []
    posted = getattr(slot_form, "cleaned_data", {}) if slot_form.is_bound else {}
    if posted.get("days") == 1 and posted.get("week"):
        candidates.append(posted["week"])
    with contextlib.suppress(ValueError):
        candidates.append(dt.date.fromisoformat(request.GET.get("day", "")))
    if default is not None:
        candidates.append(default)
    for day in candidates:
        if found.date_from <= day <= found.date_to:
            return day
    return None


def _alert_form(hall_code: str, service_code: str, week: Week) -> SeatAlertForm:
    return SeatAlertForm(
        initial={
            "hall": hall_code,
            "service": service_code,
            "date_from": week.start,
            "date_to": week.start + dt.timedelta(days=week.days - 1),
        }
    )


# My appointments


@dataclass(frozen=True)
class AppointmentRow:
    appointment: Appointment
    status: str
    label: str
    is_self: bool
    can_change: bool

    @property
    def is_upcoming(self) -> bool:
        return self.status in ACTIVE_STATUSES


def _row(request: HttpRequest, appointment: Appointment, now: dt.datetime) -> AppointmentRow:
    status = selectors.appointment_display_status(appointment, now)
    return AppointmentRow(
        appointment=appointment,
        status=status,
        label=str(AppointmentStatus(status).label),
        is_self=appointment.person_id == request.user.person_id,
        can_change=selectors.appointment_can_change(appointment, now),
    )


def _appointment_or_404(request: HttpRequest, number: str) -> Appointment:
    try:
        return selectors.appointment_get_for(user=request.user, number=number)
    except Problem as problem:
        raise Http404(problem.detail) from problem


@bound_citizen
def appointment_list(request: HttpRequest) -> HttpResponse:
    """My appointments and my minors': upcoming first, then past; my seat alerts."""
    now = timezone.now()
    rows = [_row(request, a, now) for a in selectors.appointments_for(user=request.user)]
    upcoming = sorted((r for r in rows if r.is_upcoming), key=lambda r: r.appointment.starts_at)
    return render(
        request,
        "appointments/list.html",
        {
            "upcoming": upcoming,
            "past": [r for r in rows if not r.is_upcoming],
            "watches": selectors.seat_watches_for(user=request.user),
        },
    )


def _appointment_context(request: HttpRequest, appointment: Appointment) -> dict:
    now = timezone.now()
    row = _row(request, appointment, now)
    endorsements = [endorsement_label(c) for c in appointment.details.get("endorsements") or []]
    reason = appointment.details.get("replacement_reason")
    return {
        "row": row,
        "appointment": appointment,
        "hall_entry": guide_selectors.get_directory().by_code.get(appointment.hall.code),
        "cutoff": selectors.change_cutoff(appointment),
        "cutoff_hours": settings.APPOINTMENT_CHANGE_CUTOFF_HOURS,
        "endorsements": endorsements,
        "reason": str(REPLACEMENT_REASONS[reason]) if reason in REPLACEMENT_REASONS else "",
        "what_to_bring": selectors.what_to_bring(appointment),
        "qr_svg": selectors.appointment_qr_svg(appointment)
        if row.status in ACTIVE_STATUSES
        else "",
        "kind_label": str(ApplicationKind(appointment.kind).label),
    }


@bound_citizen
def appointment_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One appointment: when and where, QR code, what to bring, change or cancel."""
    appointment = _appointment_or_404(request, number)
    return render(request, "appointments/detail.html", _appointment_context(request, appointment))


@bound_citizen
def appointment_confirmation(request: HttpRequest, number: str) -> HttpResponse:
    """The booking is confirmed: number, time, place, QR code, what to bring, calendar file."""
    appointment = _appointment_or_404(request, number)
    return render(
        request, "appointments/confirmation.html", _appointment_context(request, appointment)
    )


@bound_citizen
def appointment_ics(request: HttpRequest, number: str) -> HttpResponse:
    """The appointment as a calendar file to download."""
    appointment = _appointment_or_404(request, number)
    response = HttpResponse(
        selectors.appointment_ics(appointment), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.number}.ics"'
    return response


@bound_citizen
@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Ask for confirmation, then cancel; the seat goes back at once."""
    appointment = _appointment_or_404(request, number)
    context = _appointment_context(request, appointment)
    error = ""
    if request.method == "POST" and context["row"].can_change:
        try:
            services.appointment_cancel(user=request.user, appointment=appointment)
        except Problem as problem:
            error = problem.detail
        else:
            messages.success(
                request,
                _("Appointment %(number)s is cancelled.") % {"number": appointment.number_display},
            )
            return redirect("appointments:detail", number=appointment.number)
    return render(request, "appointments/cancel.html", {**context, "error": error})


@bound_citizen
@require_http_methods(["GET", "POST"])
def appointment_reschedule(request: HttpRequest, number: str) -> HttpResponse:
    """Choose another date and time at the same hall."""
    appointment = _appointment_or_404(request, number)
    context = _appointment_context(request, appointment)
    if not context["row"].can_change:
        return render(request, "appointments/reschedule.html", context)
    hall_code, service_code = _reschedule_hall(request, appointment), appointment.service.code
    slot_form = SlotForm(_posted(request))
    if request.method == "POST":
        slot = _slot_chosen(hall_code=hall_code, service_code=service_code, form=slot_form)
        if slot is not None and slot.id == appointment.slot_id:
            slot_form.add_error(
                "slot", _("This is the time you already have: choose another time.")
            )
        elif slot is not None:
            request.session[RESCHEDULE] = {
                "number": appointment.number,
                "hall_code": hall_code,
                "slot_id": slot.id,
                "starts_at": slot.starts_at.isoformat(),
                "ends_at": slot.ends_at.isoformat(),
            }
            return redirect("appointments:reschedule_confirm", number=appointment.number)
    week_form = WeekForm(request.GET)
    if posted_week := _posted_week(slot_form):
        week_form = WeekForm({"week": posted_week.isoformat()})
    try:
        week = _week(hall_code, service_code, week_form)
    except Problem as problem:
        raise Http404(problem.detail) from problem
    return render(
        request,
        "appointments/reschedule.html",
        {
            **context,
            "week": week,
            "week_form": week_form,
            "slot_form": slot_form,
            "chosen": appointment.slot_id,
            "chosen_day": _chosen_day(request, week, slot_form),
            "other_hall": hall_code != appointment.hall.code,
            "page_url": reverse("appointments:reschedule", args=[appointment.number]),
            "hall_url": reverse("appointments:reschedule_hall", args=[appointment.number]),
        },
    )


def _reschedule_hall(request: HttpRequest, appointment: Appointment) -> str:
    """The hall the citizen chose to move to, else the appointment's own."""
    chosen = request.session.get(RESCHEDULE_HALL) or {}
    if chosen.get("number") == appointment.number and chosen.get("hall_code"):
        return str(chosen["hall_code"])
    return appointment.hall.code


@bound_citizen
@require_http_methods(["GET", "POST"])
def appointment_reschedule_hall(request: HttpRequest, number: str) -> HttpResponse:
    """Move to another hall offering the service: find it, choose it, then a time there."""
    appointment = _appointment_or_404(request, number)
    context = _appointment_context(request, appointment)
    if not context["row"].can_change:
        return redirect("appointments:reschedule", number=appointment.number)
    service_code = appointment.service.code
    choice = HallChoiceForm(_posted(request))
    if request.method == "POST" and choice.is_valid():
        try:
            hall = selectors.hall_entry_for_service(
                hall_code=choice.cleaned_data["hall"], service_code=service_code
            )
        except Problem as problem:
            choice.add_error("hall", problem.detail)
        else:
            request.session[RESCHEDULE_HALL] = {
                "number": appointment.number,
                "hall_code": hall.code,
            }
            return redirect("appointments:reschedule", number=appointment.number)
    chosen = guide_selectors.get_directory().by_code.get(_reschedule_hall(request, appointment))
    return render(
        request,
        "appointments/hall.html",
        {
            **_hall_search_context(request, service_code),
            "choice": choice,
            "chosen": chosen,
            "chosen_name": localized(chosen, "name") if chosen else "",
            "caption": _("Appointment %(number)s") % {"number": appointment.number_display},
            "back_url": reverse("appointments:reschedule", args=[appointment.number]),
            "step": "reschedule_hall",
        },
    )


@bound_citizen
@require_http_methods(["GET", "POST"])
def appointment_reschedule_confirm(request: HttpRequest, number: str) -> HttpResponse:
    """Check the new time, then move the appointment."""
    appointment = _appointment_or_404(request, number)
    chosen = request.session.get(RESCHEDULE) or {}
    if chosen.get("number") != appointment.number:
        return redirect("appointments:reschedule", number=appointment.number)
    context = _appointment_context(request, appointment)
    error = ""
    free_times: list[FreeTime] = []
    if request.method == "POST":
        try:
            services.appointment_reschedule(
                user=request.user, appointment=appointment, slot_id=chosen["slot_id"]
            )
        except Problem as problem:
            error = problem.detail
            free_times = _free_times(problem)
        else:
            request.session.pop(RESCHEDULE, None)
            request.session.pop(RESCHEDULE_HALL, None)
            new_start = _aware(chosen["starts_at"])
            messages.success(
                request,
                _("Your appointment is moved to %(when)s.")
                % {"when": new_start.strftime("%Y-%m-%d %H:%M")},
            )
            return redirect("appointments:detail", number=appointment.number)
    return render(
        request,
        "appointments/reschedule_confirm.html",
        {
            **context,
            "new_hall": guide_selectors.get_directory().by_code.get(chosen.get("hall_code", ""))
            if chosen.get("hall_code") not in (None, appointment.hall.code)
            else None,
            "new_starts_at": _aware(chosen["starts_at"]),
            "new_ends_at": _aware(chosen["ends_at"]),
            "error": error,
            "free_times": free_times,
            "free_window": _free_window(free_times),
            "slot_form": SlotForm(),
            "pick_url": reverse("appointments:reschedule", args=[appointment.number]),
        },
    )


# The booking journey


# Suggestions a link into the journey may carry (a hall's page, a guide, My documents, a
# document just reported lost): they preselect an answer, the citizen still confirms each page.
SUGGESTIONS = {
    "person": "suggested_person",
    "document": "suggested_document",
    "kind": "suggested_kind",
    "reason": "suggested_reason",
    "hall": "suggested_hall",
}


def _suggestions(request: HttpRequest) -> dict:
    """The suggestions of the link that started the journey, those that are well formed."""
    found = {}
    for param, key in SUGGESTIONS.items():
        value = request.GET.get(param, "")
        if not value or len(value) > 40 or not value.replace("-", "").replace("_", "").isalnum():
            continue
        if param == "person" and not value.isdigit():
            continue
        found[key] = int(value) if param == "person" else value
    return found


def _suggested(answers: dict, key: str, suggestion: str) -> str | None:
    """The answer given, else the suggestion of the link that started the journey."""
    value = answers.get(key, answers.get(suggestion))
    return None if value is None else str(value)


def _posted(request: HttpRequest):
    """The form data of a POST, None for a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def booking_step(step: str, *, needs_person: bool = True):
    """The skeleton of a page of the booking journey: a bound citizen, GET or POST, the answers
    so far (an earlier question unanswered sends back to it) and, for the steps about the
    person, the person it is for (none chosen: back to the first question). The view gets
    (request, answers, person)."""

    def decorate(view):
        @bound_citizen
        @require_http_methods(["GET", "POST"])
        @functools.wraps(view)
        def step_view(request: HttpRequest) -> HttpResponse:
            answers = _answers(request)
            if guard := _guard(answers, step):
                return guard
            person = None
            if needs_person:
                person = _person(request, answers)
                if person is None:
                    return redirect("appointments:new_who")
            return view(request, answers, person)

        return step_view

    return decorate


@bound_citizen
def booking_start(request: HttpRequest) -> HttpResponse:
    """Start a new booking: forget the answers of an earlier one, keep the link's suggestions."""
    request.session[BOOKING] = _suggestions(request)
    return redirect("appointments:new_who")


@bound_citizen
@require_http_methods(["GET", "POST"])
def booking_who(request: HttpRequest) -> HttpResponse:
    answers = _answers(request)
    persons = persons_acting_for(user=request.user)
    person = _suggested(answers, "person_id", "suggested_person")
    initial = {"person": person} if person else None
    form = WhoForm(
        _posted(request),
        initial=initial,
        persons=persons,
        self_id=request.user.person_id,
    )
    if request.method == "POST" and form.is_valid():
        person = next(p for p in persons if str(p.pk) == form.cleaned_data["person"])
        block = selectors.booking_block(person=person)
        if block is not None:
            form.add_error("person", block.reason)
        else:
            return _next(_save(request, answers, person_id=person.pk))
    return _question(request, "appointments/question.html", "who", answers, form=form)


@booking_step("document")
def booking_document(request: HttpRequest, answers: dict, person: Person) -> HttpResponse:
    document_type = _suggested(answers, "document_type", "suggested_document")
    initial = {"document_type": document_type} if document_type else None
    form = DocumentForm(_posted(request), initial=initial)
    existing = None
    if request.method == "POST" and form.is_valid():
        document_type = form.cleaned_data["document_type"]
        existing = selectors.active_appointment(person_id=person.pk, document_type=document_type)
        if existing is not None:
            form.add_error(
                "document_type",
                _(
                    "There is already an appointment (%(number)s) for this document. Cancel or "
                    "move it instead of booking another."
                )
                % {"number": existing.number_display},
            )
        else:
            return _next(_save(request, answers, document_type=document_type))
    return _question(
        request, "appointments/question.html", "document", answers, form=form, existing=existing
    )


@booking_step("application")
def booking_application(request: HttpRequest, answers: dict, person: Person) -> HttpResponse:
    kind = _suggested(answers, "kind", "suggested_kind")
    initial = {"kind": kind} if kind else None
    form = KindForm(
        _posted(request),
        initial=initial,
        document_type=answers["document_type"],
    )
    if request.method == "POST" and form.is_valid():
        try:
            kind_check(
                documents=_documents(person),
                document_type=answers["document_type"],
                kind=form.cleaned_data["kind"],
                today=today_shanghai(),
            )
        except Problem as problem:
            _problem_on(form, problem, "kind")
        else:
            return _next(_save(request, answers, kind=form.cleaned_data["kind"]))
    return _question(
        request,
        "appointments/question.html",
        "application",
        answers,
        form=form,
        document_label=DocumentType(answers["document_type"]).label,
    )


@booking_step("reason")
def booking_reason(request: HttpRequest, answers: dict, person: Person) -> HttpResponse:
    reason = _suggested(answers, "replacement_reason", "suggested_reason")
    initial = {"replacement_reason": reason} if reason else None
    form = ReasonForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["replacement_reason"]
        _clean, errors = _validate(person, answers, replacement_reason=reason)
        _place_errors(form, errors, "replacement_reason")
        if not form.errors:
            return _next(_save(request, answers, replacement_reason=reason))
    return _question(
        request,
        "appointments/question.html",
        "reason",
        answers,
        form=form,
        documents_url=reverse("documents:list"),
    )


@booking_step("endorsements")
def booking_endorsements(request: HttpRequest, answers: dict, person: Person) -> HttpResponse:
    initial = {"endorsements": answers["endorsements"]} if "endorsements" in answers else None
    form = EndorsementsForm(
        _posted(request),
        initial=initial,
        document_type=answers["document_type"],
    )
    if request.method == "POST" and form.is_valid():
        wanted = list(form.cleaned_data["endorsements"])
        _clean, errors = _validate(person, answers, endorsements=wanted)
        _place_errors(form, errors, "endorsements")
        if not form.errors:
            return _next(_save(request, answers, endorsements=wanted))
    return _question(request, "appointments/question.html", "endorsements", answers, form=form)


@booking_step("phone")
def booking_phone(request: HttpRequest, answers: dict, person: Person) -> HttpResponse:
    initial = PhoneForm.initial_for(
        answers.get("contact_phone") or request.user.phone or "",
        answers.get("delivery") or "",
        answers.get("delivery_address") or "",
    )
    form = PhoneForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        given = {
            "contact_phone": form.cleaned_data["contact_phone"],
            "delivery": form.cleaned_data["delivery"] or "collect",
            "delivery_address": form.cleaned_data["delivery_address"],
        }
        clean, errors = _validate(person, answers, **given)
        _place_errors(form, errors, "contact_phone")
        if clean is not None and not form.errors:
            return _next(
                _save(
                    request,
                    answers,
                    contact_phone=clean["contact_phone"],
                    delivery=clean.get("delivery", "collect"),
                    delivery_address=clean.get("delivery_address", ""),
                )
            )
    return _question(request, "appointments/phone.html", "phone", answers, form=form)


@booking_step("hall", needs_person=False)
def booking_hall(request: HttpRequest, answers: dict, person: None) -> HttpResponse:
    """Find a hall offering the service anywhere in the country, and choose it."""
    service_code = DOCUMENT_SERVICE[answers["document_type"]]
    choice = HallChoiceForm(_posted(request))
    if request.method == "POST" and choice.is_valid():
        try:
            hall = selectors.hall_entry_for_service(
                hall_code=choice.cleaned_data["hall"], service_code=service_code
            )
        except Problem as problem:
            choice.add_error("hall", problem.detail)
        else:
            return _next(_save(request, answers, hall_code=hall.code))
    chosen = guide_selectors.get_directory().by_code.get(
        _suggested(answers, "hall_code", "suggested_hall") or ""
    )
    if chosen is not None and service_code not in chosen.services:
        chosen = None  # the suggested hall does not offer this service
    return _question(
        request,
        "appointments/hall.html",
        "hall",
        answers,
        **_hall_search_context(request, service_code),
        choice=choice,
        chosen=chosen,
        chosen_name=localized(chosen, "name") if chosen else "",
    )


def _hall_search_context(request: HttpRequest, service_code: str) -> dict:
    """The halls offering the service that match the search (text, region, near a place),
    a page of them, each with its opening status and distance."""
    form = HallSearchForm(request.GET, language_zh=is_chinese())
    page = None
    number = 1
    if form.is_valid():
        number = form.cleaned_data.get("page") or 1
        try:
            page = guide_selectors.hall_search(
                q=form.cleaned_data["q"],
                region=form.cleaned_data["region"] or None,
                near=form.near,
                service=service_code,
                limit=HALLS_PER_PAGE,
                offset=(number - 1) * HALLS_PER_PAGE,
            )
        except Problem as problem:
            _problem_on(form, problem)
    pages = None
    if page is not None:
        last = max(1, -(-page.count // HALLS_PER_PAGE))
        params = request.GET.copy()
        params.pop("page", None)
        pages = {
            "number": number,
            "last": last,
            "query": params.urlencode(),
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < last else None,
        }
    return {
        "form": form,
        "results": page.results if page else None,
        "count": page.count if page else 0,
        "pages": pages,
        "near": form.near if form.is_bound and form.is_valid() else None,
        "service_name": _service_name(service_code),
        "today": today_shanghai().isoformat(),
    }


def _service_name(code: str) -> str:
    names = guide_selectors.get_directory().services.get(code)
    if not names:
        return code
    return names[0] if is_chinese() else names[1]


@booking_step("time", needs_person=False)
def booking_time(request: HttpRequest, answers: dict, person: None) -> HttpResponse:
    """A week of times at the chosen hall; full and closed times shown as unavailable."""
    hall_code = answers["hall_code"]
    service_code = DOCUMENT_SERVICE[answers["document_type"]]
    slot_form = SlotForm(_posted(request))
    if request.method == "POST":
        slot = _slot_chosen(hall_code=hall_code, service_code=service_code, form=slot_form)
        if slot is not None:
            week_start = slot_form.cleaned_data.get("week") or today_shanghai()
            _save(
                request,
                answers,
                slot_id=slot.id,
                slot_starts_at=slot.starts_at.isoformat(),
                slot_ends_at=slot.ends_at.isoformat(),
                week=week_start.isoformat(),
            )
            return redirect("appointments:new_check")
    if posted_week := _posted_week(slot_form):
        week_form = WeekForm({"week": posted_week.isoformat()})
    elif request.GET or not answers.get("week"):
        week_form = WeekForm(request.GET)
    else:
        week_form = WeekForm({"week": answers["week"]})
    try:
        week = _week(hall_code, service_code, week_form)
    except Problem as problem:
        messages.error(request, problem.detail)
        answers.pop("hall_code", None)
        request.session[BOOKING] = answers
        return redirect("appointments:new_hall")
    return _question(
        request,
        "appointments/time.html",
        "time",
        answers,
        week=week,
        week_form=week_form,
        slot_form=slot_form,
        chosen=answers.get("slot_id"),
        chosen_day=_chosen_day(
            request,
            week,
            slot_form,
            default=_aware(answers["slot_starts_at"]).date()
            if answers.get("slot_starts_at") and not request.GET
            else None,
        ),
        page_url=_step_url("time"),
        alert_form=_alert_form(hall_code, service_code, week),
        alert_next=request.get_full_path(),
    )


def _summary(request: HttpRequest, answers: dict, person) -> list[dict]:
    """The answers as check-your-answers rows, each with the page that changes it."""
    is_self = person.pk == request.user.person_id
    who = _("Myself (%(name)s)") % {"name": person.name} if is_self else person.name
    rows = [
        (_("Who"), [who], "who", _("who the appointment is for")),
        (_("Document"), [DocumentType(answers["document_type"]).label], "document", _("document")),
        (
            _("Application"),
            [ApplicationKind(answers["kind"]).label],
            "application",
            _("application"),
        ),
    ]
    if answers.get("kind") == ApplicationKind.REPLACEMENT:
        reason = REPLACEMENT_REASONS.get(answers.get("replacement_reason"), "")
        rows.append((_("Reason"), [reason], "reason", _("reason")))
    if answers["document_type"] in ENDORSEMENTS:
        wanted = [endorsement_label(c) for c in answers.get("endorsements") or []]
        rows.append((_("Endorsements"), wanted or [_("None")], "endorsements", _("endorsements")))
    hall = guide_selectors.get_directory().by_code.get(answers["hall_code"])
    hall_lines = [localized(hall, "name"), localized(hall, "address")] if hall else []
    rows += [
        (
            _("Contact phone"),
            [phone_national(answers["contact_phone"])],
            "phone",
            _("contact phone"),
        ),
        (
            _("How you receive the document"),
            [str(DELIVERIES[answers.get("delivery") or DELIVERY_COLLECT])]
            + ([answers["delivery_address"]] if answers.get("delivery") == DELIVERY_MAIL else []),
            "phone",
            _("how you receive the document"),
        ),
        (_("Hall"), hall_lines, "hall", _("hall")),
    ]
    summary = [
        {"key": key, "lines": lines, "url": _step_url(step), "change": change}
        for key, lines, step, change in rows
    ]
    summary.append(
        {
            "key": _("Date and time"),
            "time": (_aware(answers["slot_starts_at"]), _aware(answers["slot_ends_at"])),
            "url": _step_url("time"),
            "change": _("date and time"),
        }
    )
    return summary


@bound_citizen
@require_http_methods(["GET"])
def booking_check(request: HttpRequest) -> HttpResponse:
    """Check your answers; the button carries a fresh key, so a double submit books once."""
    answers = _answers(request)
    if missing := _first_missing(answers):
        return redirect(_step_url(missing))
    person = _person(request, answers)
    if person is None:
        return redirect("appointments:new_who")
    form = BookForm(initial={"idempotency_key": uuid.uuid4().hex})
    return _check_page(request, answers, person, form)


def _check_page(request, answers, person, form, *, problem: Problem | None = None):
    step_errors = []
    free_times: list[FreeTime] = []
    existing = ""
    if problem is not None:
        for error in problem.errors:
            step = FIELD_STEP.get(error.get("field"))
            step_errors.append(
                {"message": error["message"], "url": _step_url(step) if step else ""}
            )
        if not step_errors:
            step_errors.append({"message": problem.detail, "url": ""})
        free_times = _free_times(problem)
        if problem.code == AppointmentError.ALREADY_BOOKED:
            existing = str(problem.extra.get("appointment") or "")
    for error in form.errors.get("idempotency_key", []):
        step_errors.append({"message": error, "url": ""})
    return _question(
        request,
        "appointments/check.html",
        "check",
        answers,
        rows=_summary(request, answers, person),
        form=form,
        step_errors=step_errors,
        free_times=free_times,
        free_window=_free_window(free_times),
        existing=existing,
        back_url=_step_url("time"),
        pick_url=_step_url("time"),
        cutoff_hours=settings.APPOINTMENT_CHANGE_CUTOFF_HOURS,
    )


def _remember_booking(request: HttpRequest, key: str, number: str) -> None:
    booked = dict(request.session.get(BOOKED) or {})
    booked[key] = number
    request.session[BOOKED] = dict(list(booked.items())[-BOOKED_KEPT:])


@bound_citizen
@require_POST
def booking_book(request: HttpRequest) -> HttpResponse:
    """Book at once; a double submit of the check page gets the one booking it made."""
    form = BookForm(request.POST)
    if form.is_valid():
        done = (request.session.get(BOOKED) or {}).get(form.cleaned_data["idempotency_key"])
        if done:
            return redirect("appointments:confirmation", number=done)
    answers = _answers(request)
    if missing := _first_missing(answers):
        messages.error(request, _("Your answers were not kept. Please start again."))
        return redirect(_step_url(missing))
    person = _person(request, answers)
    if person is None:
        return redirect("appointments:new_who")
    if not form.is_valid():
        return _check_page(request, answers, person, form)
    key = form.cleaned_data["idempotency_key"]
    try:
        booking = services.appointment_book(
            user=request.user,
            person_id=person.pk,
            document_type=answers["document_type"],
            kind=answers["kind"],
            details=_details(answers),
            slot_id=answers["slot_id"],
            idempotency_key=key,
            client_address=client_address(request),
        )
    except Problem as problem:
        retry = BookForm(initial={"idempotency_key": uuid.uuid4().hex})
        return _check_page(request, answers, person, retry, problem=problem)
    number = booking.appointment.number
    _remember_booking(request, key, number)
    request.session.pop(BOOKING, None)
    return redirect("appointments:confirmation", number=number)


# Seat alerts


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/appointments/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@bound_citizen
@require_http_methods(["GET", "POST"])
def seat_alert_new(request: HttpRequest) -> HttpResponse:
    """ "Tell me when a seat opens": a hall, a service and the days that would suit."""
    if request.method == "POST":
        form = SeatAlertForm(request.POST)
    else:
        form = SeatAlertForm(initial=request.GET.dict())
    hall_code = (form.data if form.is_bound else form.initial).get("hall", "")
    service_code = (form.data if form.is_bound else form.initial).get("service", "")
    try:
        hall = selectors.hall_entry_for_service(
            hall_code=str(hall_code), service_code=str(service_code)
        )
    except Problem as problem:
        raise Http404(problem.detail) from problem
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.seat_watch_create(
                user=request.user,
                hall_code=hall.code,
                service_code=str(service_code),
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
        except Problem as problem:
            dated = [e for e in problem.errors if e.get("field") in ("date_from", "date_to")]
            for error in dated:
                form.add_error(error["field"], error["message"])
            if not dated:
                form.add_error(None, problem.detail)
        else:
            messages.success(
                request,
                _(
                    "We will send you a text message when a seat opens at %(hall)s between "
                    "%(start)s and %(end)s."
                )
                % {
                    "hall": localized(hall, "name"),
                    "start": data["date_from"].isoformat(),
                    "end": data["date_to"].isoformat(),
                },
            )
            return redirect(_safe_next(request, reverse("appointments:list") + "#alerts"))
    return render(
        request,
        "appointments/alert_form.html",
        {
            "form": form,
            "hall": hall,
            "service_name": _service_name(str(service_code)),
            "next": _safe_next(request, ""),
        },
    )


@bound_citizen
@require_POST
def seat_alert_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.seat_watch_cancel(user=request.user, watch_id=pk)
    except Problem as problem:
        raise Http404(problem.detail) from problem
    messages.success(request, _("The seat alert is cancelled."))
    return redirect(reverse("appointments:list") + "#alerts")
