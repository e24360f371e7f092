"""Writes of the hall reception: check-in (booked or walk-in) with a queue number, the steps at
the counter, and the decision (accepted: the application starts; or not accepted, with a reason).

Each function is one transaction. Status changes of the appointment go through
appointments.services (which appends its events); accepting goes through applications.services.
An officer acts only at the halls of their hall-officer role: an appointment elsewhere is a 404.
"""

import datetime as dt
import logging
import re

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.services import application_accept
from appointments.models import Appointment, AppointmentStatus
from appointments.services import appointment_transition, appointment_walk_in
from core.errors import InvalidInput, NotFound, Problem
from core.logging import redact
from guide.calendar import SHANGHAI
from guide.models import Hall
from persons.models import Person
from staff import services as staff_services
from staff.selectors import PersonFile

from . import selectors
from .errors import ReceptionError
from .models import PaymentMethod, QueueCounter, Reception, photo_path
from .photos import photo_clean

logger = logging.getLogger(__name__)

RECEIPT_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]{3,39}")
REASON_MIN_LENGTH = 5
REASON_MAX_LENGTH = 500
MAX_NOT_APPLICABLE_REASON = 200
STEP_LABELS = {
    "materials": lambda: _("Materials checked"),
    "fingerprints": lambda: _("Fingerprints captured"),
    "photo": lambda: _("Photo taken"),
    "fee": lambda: _("Fee paid"),
}


def _time(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%H:%M")


# Queue numbers


def queue_number_next(*, hall: Hall, day: dt.date) -> int:
    """The next queue number at a hall on a day. Call inside a transaction.

    The counter row is created if missing (a conflicting insert does nothing) and moved by one
    UPDATE, which holds its row lock until the transaction ends: concurrent check-ins wait for
    each other and never get the same number. The unique constraint on Reception backs it up.
    """
    QueueCounter.objects.bulk_create([QueueCounter(hall=hall, day=day)], ignore_conflicts=True)
    QueueCounter.objects.filter(hall=hall, day=day).update(last=F("last") + 1)
    return QueueCounter.objects.filter(hall=hall, day=day).values_list("last", flat=True).get()


def _reception_create(
    *, appointment: Appointment, officer, now: dt.datetime, queue_number: int
) -> Reception:
    return Reception.objects.create(
        appointment=appointment,
        hall=appointment.hall,
        day=selectors.local_day(now),
        queue_number=queue_number,
        checked_in_at=now,
        checked_in_by=officer,
    )


# Check-in


def _checkin_refusal(appointment: Appointment, now: dt.datetime) -> Problem | None:
    """Why this appointment cannot be checked in now, or None."""
    if appointment.status != AppointmentStatus.BOOKED:
        return Problem(
            status=409,
            code=ReceptionError.CANNOT_CHECK_IN,
            detail=_("This appointment cannot be checked in: it is %(status)s.")
            % {"status": str(AppointmentStatus(appointment.status).label).lower()},
        )
    window = selectors.checkin_window(appointment)
    today = selectors.local_day(now)
    if today != window.day:
        return Problem(
            status=409,
            code=ReceptionError.WRONG_DAY,
            detail=_(
                "This appointment is for %(day)s, not today. Check in on that day, or record "
                "the applicant as a walk-in."
            )
            % {"day": window.day.isoformat()},
        )
    if now < window.opens_at:
        return Problem(
            status=409,
            code=ReceptionError.TOO_EARLY,
            detail=_(
                "Too early: the appointment is at %(start)s; check-in opens at %(opens)s, "
                "%(minutes)s minutes before."
            )
            % {
                "start": _time(appointment.starts_at),
                "opens": _time(window.opens_at),
                "minutes": int(selectors.CHECKIN_EARLY.total_seconds() // 60),
            },
        )
    if now >= window.closes_at:
        return Problem(
            status=409,
            code=ReceptionError.TOO_LATE,
            detail=_(
                "Too late: check-in for this appointment closed at %(closes)s, when the hall "
                "closed. The applicant can book again or come as a walk-in."
            )
            % {"closes": _time(window.closes_at)},
        )
    return None


@transaction.atomic
def reception_check_in(*, officer, code: str, now: dt.datetime | None = None) -> Reception:
    """Check in the appointment a typed number or a scanned QR code names; give a queue number.

    404 unknown or at another hall; 409 already checked in, cancelled, another day, too early
    (more than an hour before) or too late (after the hall closed).
    """
    now = now or timezone.now()
    found = selectors.appointment_by_checkin_code(officer=officer, code=code)
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("hall", "person")
        .get(pk=found.pk)
    )
    existing = Reception.objects.filter(appointment=appointment).first()
    if existing is not None:
        raise Problem(
            status=409,
            code=ReceptionError.ALREADY_CHECKED_IN,
            detail=_("Already checked in at %(at)s with queue number %(queue)s.")
            % {"at": _time(existing.checked_in_at), "queue": existing.queue_display},
            extra={"queue_number": existing.queue_number},
        )
    refusal = _checkin_refusal(appointment, now)
    if refusal is not None:
        raise refusal
    queue = queue_number_next(hall=appointment.hall, day=selectors.local_day(now))
    appointment_transition(
        appointment=appointment,
        to=AppointmentStatus.CHECKED_IN,
        actor=officer,
        data={"queue_number": queue},
    )
    reception = _reception_create(
        appointment=appointment, officer=officer, now=now, queue_number=queue
    )
    logger.info("appointment checked in at hall %s, queue %s", appointment.hall.code, queue)
    return reception


# Walk-ins


def walk_in_reason(hall: Hall) -> str:
    """The access log's reason for a walk-in lookup (a record, kept in one language)."""
    return f"walk-in at {hall.name_zh} ({hall.code})"


def walk_in_lookup(
    *, officer, hall: Hall, id_number: str, client_address: str | None
) -> PersonFile:
    """Find the person who came without an appointment; the lookup is logged (access log)."""
    if not selectors.reception_halls(officer).filter(pk=hall.pk).exists():
        raise NotFound(
            code=ReceptionError.HALL_NOT_FOUND, detail=_("There is no such hall in your scope.")
        )
    return staff_services.person_lookup(
        staff=officer,
        id_number=id_number,
        reason=walk_in_reason(hall),
        client_address=client_address,
    )


@transaction.atomic
def reception_walk_in(
    *,
    officer,
    hall: Hall,
    person_id: int,
    document_type: str,
    kind: str,
    details: dict | None = None,
    now: dt.datetime | None = None,
) -> Reception:
    """Record a walk-in (looked up before with walk_in_lookup) as checked in, with a number."""
    now = now or timezone.now()
    if not selectors.reception_halls(officer).filter(pk=hall.pk).exists():
        raise NotFound(
            code=ReceptionError.HALL_NOT_FOUND, detail=_("There is no such hall in your scope.")
        )
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound(
            code=ReceptionError.APPOINTMENT_NOT_FOUND, detail=_("There is no such person.")
        )
    appointment = appointment_walk_in(
        officer=officer,
        hall=hall,
        person=person,
        document_type=document_type,
        kind=kind,
        details=details or {},
        now=now,
    )
    queue = queue_number_next(hall=hall, day=selectors.local_day(now))
    reception = _reception_create(
        appointment=appointment, officer=officer, now=now, queue_number=queue
    )
    logger.info("walk-in recorded at hall %s, queue %s", hall.code, queue)
    return reception


# The steps at the counter


def _locked(*, officer, number: str) -> Reception:
    """The reception (and its appointment) locked for a change, while the visit is open."""
    found = selectors.reception_get_for(officer=officer, number=number)
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("hall", "person", "service")
        .get(pk=found.appointment_id)
    )
    reception = Reception.objects.select_for_update().get(pk=found.pk)
    reception.appointment = appointment
    if appointment.status != AppointmentStatus.CHECKED_IN:
        raise Problem(
            status=409,
            code=ReceptionError.ALREADY_DECIDED,
            detail=_("This visit is finished: the application is %(status)s.")
            % {"status": str(AppointmentStatus(appointment.status).label).lower()},
        )
    return reception


def _step_open(reception: Reception, step: str) -> None:
    if reception.steps_done[step]:
        raise Problem(
            status=409,
            code=ReceptionError.STEP_ALREADY_DONE,
            detail=_("“%(step)s” is already recorded for this applicant.")
            % {"step": STEP_LABELS[step]()},
            extra={"step": step},
        )


@transaction.atomic
def materials_record(
    *,
    officer,
    number: str,
    checked: list[int],
    not_applicable: dict[int, str] | None = None,
    now: dt.datetime | None = None,
) -> Reception:
    """Record that every material on the applicant's checklist was shown (`checked`: their
    positions) or does not apply to them (`not_applicable`: position -> the officer's reason)."""
    now = now or timezone.now()
    reception = _locked(officer=officer, number=number)
    _step_open(reception, "materials")
    items = selectors.materials_checklist(reception.appointment)
    ticked = {i for i in checked or [] if isinstance(i, int) and not isinstance(i, bool)}
    unknown = [i for i in checked or [] if i not in ticked or not 0 <= i < len(items)]
    unknown += [
        i for i in not_applicable or {} if not isinstance(i, int) or not 0 <= i < len(items)
    ]
    if unknown:
        raise InvalidInput(
            field="checked",
            code=ReceptionError.MATERIALS_INCOMPLETE,
            message=_("Tick materials from the list only."),
        )
    reasons = {i: (reason or "").strip() for i, reason in (not_applicable or {}).items()}
    for index, reason in sorted(reasons.items()):
        if not reason or len(reason) > MAX_NOT_APPLICABLE_REASON:
            raise InvalidInput(
                field="not_applicable",
                code=ReceptionError.MATERIALS_INCOMPLETE,
                message=_(
                    "Give the reason why “%(item)s” does not apply, in at most %(max)d characters."
                )
                % {"item": items[index], "max": MAX_NOT_APPLICABLE_REASON},
            )
        if index in ticked:
            raise InvalidInput(
                field="not_applicable",
                code=ReceptionError.MATERIALS_INCOMPLETE,
                message=_("“%(item)s” cannot be both shown and not applicable.")
                % {"item": items[index]},
            )
    missing = [item for index, item in enumerate(items) if index not in ticked | set(reasons)]
    if missing:
        raise InvalidInput(
            field="checked",
            code=ReceptionError.MATERIALS_INCOMPLETE,
            message=_(
                "Every material must be checked or marked not applicable. Still missing: %(items)s."
            )
            % {"items": "; ".join(missing)},
        )
    reception.materials = [item for index, item in enumerate(items) if index in ticked]
    reception.materials_not_applicable = [
        {"item": items[index], "reason": reason} for index, reason in sorted(reasons.items())
    ]
    reception.materials_checked_at = now
    reception.materials_checked_by = officer
    reception.save(
        update_fields=[
            "materials",
            "materials_not_applicable",
            "materials_checked_at",
            "materials_checked_by",
        ]
    )
    return reception


@transaction.atomic
def fingerprints_record(
    *, officer, number: str, confirmed: bool, now: dt.datetime | None = None
) -> Reception:
    """Record that the fingerprints were captured (the officer confirms it)."""
    now = now or timezone.now()
    reception = _locked(officer=officer, number=number)
    _step_open(reception, "fingerprints")
    if confirmed is not True:
        raise InvalidInput(
            field="confirmed",
            code=ReceptionError.CONFIRMATION_REQUIRED,
            message=_("Confirm that the fingerprints were captured."),
        )
    reception.fingerprints_at = now
    reception.fingerprints_by = officer
    reception.save(update_fields=["fingerprints_at", "fingerprints_by"])
    return reception


def photo_record(*, officer, number: str, upload, now: dt.datetime | None = None) -> Reception:
    """Check and store the photo taken at the counter (re-encoded JPEG, under MEDIA_ROOT).

    The access check comes first, so an appointment elsewhere is a 404 whatever is uploaded.
    If the transaction fails after the file was written, the file is removed again.
    """
    now = now or timezone.now()
    selectors.reception_get_for(officer=officer, number=number)
    photo = photo_clean(upload)
    written: list[str] = []
    try:
        with transaction.atomic():
            reception = _locked(officer=officer, number=number)
            _step_open(reception, "photo")
            name = default_storage.save(photo_path(reception, ""), ContentFile(photo.content))
            written.append(name)
            reception.photo.name = name
            reception.photo_width, reception.photo_height = photo.width, photo.height
            reception.photo_at = now
            reception.photo_by = officer
            reception.save(
                update_fields=["photo", "photo_width", "photo_height", "photo_at", "photo_by"]
            )
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return reception


def receipt_number_clean(value: str) -> str:
    text = "".join(str(value or "").split()).upper()
    if not RECEIPT_NUMBER.fullmatch(text):
        raise InvalidInput(
            field="receipt_number",
            code=ReceptionError.INVALID_RECEIPT_NUMBER,
            message=_("Enter the receipt number: 4 to 40 letters, digits or hyphens."),
        )
    return text


@transaction.atomic
def fee_record(
    *,
    officer,
    number: str,
    method: str,
    receipt_number: str,
    now: dt.datetime | None = None,
) -> Reception:
    """Record the fee as paid: the amount from the fee table in force today, how, the receipt."""
    now = now or timezone.now()
    reception = _locked(officer=officer, number=number)
    _step_open(reception, "fee")
    if method not in PaymentMethod.values:
        raise InvalidInput(
            field="method",
            code=ReceptionError.INVALID_PAYMENT_METHOD,
            message=_("Choose how the fee was paid: cash, bank card, WeChat Pay or Alipay."),
        )
    receipt = receipt_number_clean(receipt_number)
    appointment = reception.appointment
    fee = selectors.fee_for(
        document_type=appointment.document_type,
        kind=appointment.kind,
        on=selectors.local_day(now),
    )
    if fee is None:
        raise Problem(
            status=409,
            code=ReceptionError.FEE_NOT_SET,
            detail=_(
                "The fee table has no fee for this application. Ask an administrator to add it."
            ),
        )
    reception.fee = fee
    # The pass's fee and each endorsement asked for with it, from the policy table.
    reception.fee_amount = selectors.fee_due(appointment=appointment, on=selectors.local_day(now))
    reception.fee_method = method
    reception.fee_receipt = receipt
    reception.fee_paid_at = now
    reception.fee_paid_by = officer
    reception.save(
        update_fields=[
            "fee",
            "fee_amount",
            "fee_method",
            "fee_receipt",
            "fee_paid_at",
            "fee_paid_by",
        ]
    )
    return reception


# The decision


@transaction.atomic
def reception_accept(*, officer, number: str, now: dt.datetime | None = None) -> Application:
    """Accept the application once every step is recorded: it starts with its number."""
    now = now or timezone.now()
    reception = _locked(officer=officer, number=number)
    missing = reception.steps_missing
    if missing:
        raise Problem(
            status=409,
            code=ReceptionError.STEPS_MISSING,
            detail=_("Not every step is recorded yet. Still to do: %(steps)s.")
            % {"steps": "; ".join(str(STEP_LABELS[s]()) for s in missing)},
            extra={"missing": missing},
        )
    application = application_accept(
        appointment=reception.appointment,
        officer=officer,
        fee_amount=reception.fee_amount,
        now=now,
    )
    logger.info("application %s accepted at reception", application.number)
    return application


def not_accepted_reason_clean(value: str) -> str:
    reason = redact(" ".join(str(value or "").split()))
    if len(reason) < REASON_MIN_LENGTH:
        raise InvalidInput(
            field="reason",
            code=ReceptionError.REASON_REQUIRED,
            message=_(
                "Give the reason the applicant will read, for example which material is missing "
                "(at least %(min)s characters)."
            )
            % {"min": REASON_MIN_LENGTH},
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(
            field="reason",
            code=ReceptionError.REASON_REQUIRED,
            message=_("Keep the reason to at most %(max)s characters.")
            % {"max": REASON_MAX_LENGTH},
        )
    return reason


@transaction.atomic
def reception_not_accept(*, officer, number: str, reason: str) -> Reception:
    """End the visit without an application; the citizen sees the reason."""
    reception = _locked(officer=officer, number=number)
    clean = not_accepted_reason_clean(reason)
    appointment_transition(
        appointment=reception.appointment,
        to=AppointmentStatus.NOT_ACCEPTED,
        actor=officer,
        note=clean,
    )
    return reception


# The photo, for staff


def photo_read(*, officer, number: str, client_address: str | None) -> bytes:
    """The stored photo of an applicant; each read is written to the access log first."""
    reception = selectors.reception_get_for(officer=officer, number=number)
    if not reception.photo:
        raise NotFound(
            code=ReceptionError.PHOTO_NOT_TAKEN, detail=_("No photo has been taken yet.")
        )
    appointment = reception.appointment
    staff_services.person_view(
        staff=officer,
        person_id=appointment.person_id,
        reason=f"reception photo, appointment {appointment.number_display}",
        client_address=client_address,
    )
    try:
        with reception.photo.open("rb") as file:
            return file.read()
    except OSError:
        logger.error("the photo file of reception %s is missing", reception.pk)
        raise NotFound(
            code=ReceptionError.PHOTO_NOT_TAKEN, detail=_("The photo file is missing.")
        ) from None
