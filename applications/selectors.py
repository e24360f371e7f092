"""Reads of applications: the citizen's own (and their minors'), one access check, the
timeline, and the outlook (stage, expected date, next step in plain words)."""

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.auth import TOKEN_BRANCH, PendingToken, require_bound, signed_in
from appointments.models import Appointment
from core.dates import today_shanghai
from core.errors import PermissionDenied
from core.i18n import localized
from core.rawsql import Part, RawSelect, RawUnion
from guide.calendar import SHANGHAI
from guide.models import Hall, Service
from persons.models import Person
from persons.selectors import minor_born_after, persons_acting_for
from staff.permissions import Permission
from staff.selectors import staff_can, staff_halls_in_scope

from .errors import ApplicationNotFound
from .models import IN_PROGRESS, Application, ApplicationEvent, ApplicationStatus, Delivery

if TYPE_CHECKING:
    from endorsements.models import Endorsement

A = ApplicationStatus


def _visible_to(user) -> QuerySet[Application]:
    persons = [p.pk for p in persons_acting_for(user=user)]
    return Application.objects.filter(person_id__in=persons).select_related(
        "person", "hall", "service", "appointment"
    )


def applications_for(*, user) -> QuerySet[Application]:
    """The applications of the user and of the minors they act for, newest first."""
    return _visible_to(user).order_by("-accepted_at", "-id")


# The applications of the bound person and of their registered minors (persons_acting_for),
# with applicant, hall, service and appointment, newest first, in one fixed SQL query: the hot
# path of GET /api/v1/me/applications (core.rawsql; docs/benchmarks.md "Applications").
_ACTING_FOR_APPLICATIONS = RawSelect(
    [
        # Not its `details` (the form as JSON, which the list does not show).
        Part(
            Application,
            "a",
            only=tuple(f.name for f in Application._meta.concrete_fields if f.name != "details"),
        ),
        # Of the applicant, hall and service only what the answer shows (name, masked ID
        # number; name, address, phone; code, name): a deferred field read later would cost a
        # query, which the query-count test of the list would catch.
        Part(Person, "p", only=("id", "id_number", "name_zh", "name_pinyin")),
        Part(
            Hall,
            "h",
            only=("id", "code", "name_zh", "name_en", "address_zh", "address_en", "phone"),
        ),
        Part(Service, "s", only=("id", "code", "name_zh", "name_en")),
        # The answer shows the appointment's number only: the rest (its form as JSON, four
        # times) is not read.
        Part(Appointment, "ap", only=("id", "number")),
    ],
    "FROM applications_application a"
    " JOIN persons_person p ON p.id = a.person_id"
    " JOIN guide_hall h ON h.id = a.hall_id"
    " JOIN guide_service s ON s.id = a.service_id"
    " LEFT JOIN appointments_appointment ap ON ap.id = a.appointment_id"
    # IN (UNION) as in documents.selectors: PostgreSQL keeps to the indexes.
    " WHERE a.person_id IN (SELECT %s UNION ALL"
    " SELECT g.child_id FROM persons_guardianship g"
    " JOIN persons_person c ON c.id = g.child_id"
    " WHERE g.guardian_id = %s AND c.birth_date > %s)",
    order_by="a.accepted_at DESC, a.id DESC",
)


def applications_page_for(
    *, user, limit: int, offset: int, today: dt.date | None = None
) -> tuple[int, list[Application]]:
    """How many applications the user and their minors have, and `limit` of them from `offset`
    (newest first), as applications_for orders them: one query.

    A family's applications are few (tens in a lifetime), so all are read and the page is cut
    here, which gives the count without a second query.
    """
    me = getattr(user, "person", None) if user.is_authenticated else None
    if me is None:
        return 0, []
    today = today or dt.datetime.now(SHANGHAI).date()
    values = _ACTING_FOR_APPLICATIONS.values([me.pk, me.pk, minor_born_after(today)])
    return len(values), _applications_of_rows(values[offset : offset + limit])


def _applications_of_rows(values: list[tuple]) -> list[Application]:
    page = []
    for row in values:
        application, person, hall, service, appointment = _ACTING_FOR_APPLICATIONS.instances(
            row, deferred=True
        )
        application.person, application.hall, application.service = person, hall, service
        if appointment is not None:
            application.appointment = appointment
        page.append(application)
    return page


@cache
def _applications_and_endorsements(with_token: bool = False) -> RawUnion:
    from endorsements.selectors import ACTING_FOR_ENDORSEMENTS

    branches = [(_ACTING_FOR_APPLICATIONS, ""), (ACTING_FOR_ENDORSEMENTS, "LIMIT %s")]
    return RawUnion([TOKEN_BRANCH, *branches] if with_token else branches)


def my_applications_page(
    *, user, limit: int, offset: int, today: dt.date | None = None
) -> tuple[int, list[Application], list["Endorsement"]]:
    """What "My applications" lists: applications_page_for's count and page and, on the first
    page (offset 0), endorsements.selectors.endorsement_applications_for's endorsement
    applications, read together in one statement (core.rawsql.RawUnion: a round trip costs
    more than either read, docs/benchmarks.md "Applications").

    `user` may be a PendingToken (request.auth of citizen_auth_pending): on the first page the
    token is read in the same statement and checked before anything is used; otherwise it is
    resolved first. Either way the caller is known (401) and bound (403) before anything is
    returned, and request.auth is the user afterwards."""
    from endorsements.selectors import MY_APPLICATIONS_MAX, endorsements_of_rows

    born_after = minor_born_after(today or dt.datetime.now(SHANGHAI).date())
    if isinstance(user, PendingToken) and offset == 0:
        me = user.person()
        token_rows, applications, endorsements = _applications_and_endorsements(True).values(
            [[user.prefix], [me, me, born_after], [me, me, born_after, MY_APPLICATIONS_MAX]]
        )
        accepted = user.accept(token_rows)
        if accepted is not None:
            require_bound(accepted)
            return (
                len(applications),
                _applications_of_rows(applications[:limit]),
                endorsements_of_rows(endorsements),
            )
    user = signed_in(user)
    require_bound(user)
    if offset != 0:
        count, page = applications_page_for(user=user, limit=limit, offset=offset, today=today)
        return count, page, []
    me = getattr(user, "person", None) if user.is_authenticated else None
    if me is None:
        return 0, [], []
    family = [me.pk, me.pk, born_after]
    applications, endorsements = _applications_and_endorsements().values(
        [family, [*family, MY_APPLICATIONS_MAX]]
    )
    return (
        len(applications),
        _applications_of_rows(applications[:limit]),
        endorsements_of_rows(endorsements),
    )


def application_number_clean(value: str) -> str:
    text = "".join(ch for ch in str(value or "") if ch not in " -\t")
    return text if 8 <= len(text) <= 16 and text.isascii() and text.isalnum() else ""


def application_get_for(*, user, number: str) -> Application:
    """One application of the user or a minor they act for; anything else is a 404."""
    clean = application_number_clean(number)
    found = _visible_to(user).filter(number=clean).first() if clean else None
    if found is None:
        raise ApplicationNotFound()
    return found


def application_timeline(application: Application) -> list[ApplicationEvent]:
    """The steps of the application, oldest first (who did them is staff-only)."""
    return list(application.events.order_by("at", "id"))


# Steps the citizen does not see: the authority's internal work.
INTERNAL_ACTIONS = frozenset({"reassign"})


def citizen_timeline(application: Application) -> list[ApplicationEvent]:
    """The steps the citizen sees, oldest first."""
    return [e for e in application_timeline(application) if e.action not in INTERNAL_ACTIONS]


def step_text(event: ApplicationEvent, application: Application) -> str:
    """One step of the timeline in plain words, in the active language."""
    data, hall = event.data or {}, application.hall
    texts = {
        "accept": lambda: _("Your application was accepted at %(hall)s.") % {"hall": hall.name},
        "start_review": lambda: _("An officer started reviewing your application."),
        "approve": lambda: _("Your application was approved."),
        "reject": lambda: (
            _("Your application was not approved: %(reason)s") % {"reason": event.note}
        ),
        "send_to_production": lambda: _("Your document went into production."),
        "produce": lambda: _("Your new document was made."),
        "ready": lambda: (
            _("Your document is ready for collection at %(hall)s.") % {"hall": hall.name}
        ),
        "mail": lambda: (
            _("Your document was mailed by %(carrier)s, tracking number %(tracking)s.")
            % {"carrier": data.get("carrier", ""), "tracking": data.get("tracking_number", "")}
        ),
        "deliver": lambda: _("Your document was delivered."),
        "hand_over": lambda: _("Your document was handed over at the hall."),
        "withdraw": lambda: _("The application was withdrawn."),
        "change_delivery": lambda: (
            _("You chose delivery by mail.")
            if data.get("delivery") == Delivery.MAIL
            else _("You chose to collect it at the hall.")
        ),
    }
    make = texts.get(event.action)
    return str(make()) if make else str(event.get_status_display())


# The outlook: what the citizen (and the anonymous progress lookup) is told


@dataclass(frozen=True)
class ApplicationOutlook:
    """Where an application stands, in the reader's language."""

    status: str
    stage_label: str
    expected_date: dt.date | None
    next_step: str


_REVIEW = (A.ACCEPTED, A.UNDER_REVIEW)
_PRODUCTION = (A.APPROVED, A.IN_PRODUCTION, A.PRODUCED)


def _stage_label(application: Application) -> str:
    status = application.status
    if status in _REVIEW:
        return _("Review")
    if status in _PRODUCTION:
        return _("Production")
    if status == A.READY:
        return _("Ready for collection")
    if status == A.MAILED:
        return _("On its way by mail")
    if status in (A.COLLECTED, A.DELIVERED):
        return _("Completed")
    return _("Ended")


def _day(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).date().isoformat()


def _next_step(application: Application) -> str:
    status, hall = application.status, application.hall
    by_mail = application.delivery == Delivery.MAIL
    if status in _REVIEW:
        return _(
            "Your application is being reviewed. There is nothing you need to do now: "
            "we will send you a message when it is decided."
        )
    if status in _PRODUCTION and by_mail:
        return _(
            "Your document is being made. It will be mailed to the address you gave, and we "
            "will send you the tracking number."
        )
    if status in _PRODUCTION:
        return _(
            "Your document is being made. We will send you a message when you can collect "
            "it at %(hall)s."
        ) % {"hall": hall.name}
    if status == A.READY:
        return _(
            "Collect it at %(hall)s, %(address)s, from %(date)s during opening hours. Bring "
            "your acceptance receipt and your ID card (for a child: the guardian's ID card too)."
        ) % {
            "hall": hall.name,
            "address": localized(hall, "address"),
            "date": _day(application.updated_at),
        }
    if status == A.MAILED:
        return _("Mailed by %(carrier)s: tracking number %(tracking)s.") % {
            "carrier": application.carrier,
            "tracking": application.tracking_number,
        }
    if status == A.COLLECTED:
        return _("Collected. Your new document is shown under My documents.")
    if status == A.DELIVERED:
        return _("Delivered. Your new document is shown under My documents.")
    if status == A.REJECTED:
        return _(
            "Your application was not approved; the reason is in the timeline. You can apply "
            "again once the reason is resolved."
        )
    return _("You withdrew this application. You can book a new appointment at any time.")


def application_outlook(application: Application) -> ApplicationOutlook:
    """The stage, the expected completion date (while it is still to come) and the next step,
    in plain words in the active language. Reads no more rows than the application and its
    hall (select_related)."""
    still_to_come = application.status in _REVIEW + _PRODUCTION
    return ApplicationOutlook(
        status=application.status,
        stage_label=str(_stage_label(application)),
        expected_date=application.expected_on if still_to_come else None,
        next_step=str(_next_step(application)),
    )


def application_in_progress(*, person_id: int, document_type: str) -> Application | None:
    """The person's application for the document that is still in progress (at most one)."""
    return (
        Application.objects.filter(
            person_id=person_id, document_type=document_type, status__in=IN_PROGRESS
        )
        .only("number")
        .first()
    )


# The authority's side

# Permissions of the staff who work on applications.
WORK = (
    Permission.APPLICATION_REVIEW,
    Permission.APPLICATION_PRODUCE,
    Permission.APPLICATION_DECIDE,
    Permission.HALL_SERVICE,
)
# What is still to be done by someone: the queues.
OPEN = (A.ACCEPTED, A.UNDER_REVIEW, A.APPROVED, A.IN_PRODUCTION, A.PRODUCED)


def _require_work(staff) -> None:
    if not any(staff_can(staff, p) for p in WORK):
        raise PermissionDenied()


def _in_scope(staff) -> QuerySet[Application]:
    _require_work(staff)
    return Application.objects.filter(hall__in=staff_halls_in_scope(staff)).select_related(
        "person", "hall", "service", "appointment", "assigned_to", "issued_document"
    )


def application_for_staff(*, staff, number: str) -> Application:
    """One application at a hall in the staff member's scope; anything else is a 404."""
    clean = application_number_clean(number)
    found = _in_scope(staff).filter(number=clean).first() if clean else None
    if found is None:
        raise ApplicationNotFound()
    return found


def staff_may_work_on(*, staff, application: Application) -> bool:
    """Whether `staff` works on applications and has the application's hall in scope."""
    if not getattr(staff, "is_active", False) or not any(staff_can(staff, p) for p in WORK):
        return False
    return staff_halls_in_scope(staff).filter(pk=application.hall_id).exists()


@dataclass(frozen=True)
class QueueFilters:
    hall: str = ""
    document_type: str = ""
    age: str = ""  # "under_16" or "16_or_over"
    due_by: dt.date | None = None
    overdue: bool = False
    status: str = ""
    assigned: str = ""  # "me", "nobody", or a username


def _minor_born_after(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - 16)
    except ValueError:
        return today.replace(year=today.year - 16, day=28)


def applications_queue(
    *, staff, filters: QueueFilters | None = None, today: dt.date | None = None
) -> QuerySet[Application]:
    """The applications still to be worked on at the halls in scope, the most urgent first
    (due date, then acceptance); filters by hall, document, age, due date, overdue, status
    and assignee."""
    filters = filters or QueueFilters()
    today = today or today_shanghai()
    found = _in_scope(staff).filter(status__in=OPEN)
    if filters.status in OPEN:
        found = found.filter(status=filters.status)
    if filters.hall:
        found = found.filter(hall__code=filters.hall)
    if filters.document_type:
        found = found.filter(document_type=filters.document_type)
    if filters.age == "under_16":
        found = found.filter(person__birth_date__gt=_minor_born_after(today))
    elif filters.age == "16_or_over":
        found = found.filter(person__birth_date__lte=_minor_born_after(today))
    if filters.due_by:
        found = found.filter(due_on__lte=filters.due_by)
    if filters.overdue:
        found = found.filter(due_on__lt=today)
    if filters.assigned == "me":
        found = found.filter(assigned_to=staff)
    elif filters.assigned == "nobody":
        found = found.filter(assigned_to__isnull=True)
    elif filters.assigned:
        found = found.filter(assigned_to__username=filters.assigned)
    return found.order_by("due_on", "accepted_at", "id")


def is_overdue(application: Application, today: dt.date | None = None) -> bool:
    today = today or today_shanghai()
    return (
        application.status in OPEN and application.due_on is not None and application.due_on < today
    )


@dataclass(frozen=True)
class OfficerLoad:
    username: str
    open: int
    overdue: int


def officers_load(*, staff, today: dt.date | None = None) -> list[OfficerLoad]:
    """Each officer's open applications and how many are late, at the halls in scope
    (supervisors). "" is the applications nobody has taken yet."""
    today = today or today_shanghai()
    rows = (
        _in_scope(staff)
        .filter(status__in=OPEN)
        .values("assigned_to__username")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_on__lt=today)),
        )
        .order_by("assigned_to__username")
    )
    return [
        OfficerLoad(username=r["assigned_to__username"] or "", open=r["open"], overdue=r["overdue"])
        for r in rows
    ]


def application_actions_for(application: Application, actor) -> list:
    """The workflow's actions `actor` may take now (what pages and the API offer)."""
    from .workflow import APPLICATIONS

    return APPLICATIONS.available_actions(application, actor)
