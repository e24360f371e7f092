"""Reads of the hall reception: the halls an officer serves, today's appointments there, one
appointment as the officer may see it (one access check), the check-in window, the fee table."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import Appointment, AppointmentStatus
from appointments.selectors import (
    appointment_checkin_code,
    appointment_display_status,
    appointment_number_clean,
    checkin_closes_at,
    what_to_bring,
)
from core.errors import NotFound, Problem
from core.masking import mask_id_number
from guide.calendar import SHANGHAI
from guide.models import Hall
from staff.models import Role
from staff.permissions import Permission
from staff.selectors import staff_halls_in_scope, staff_require

from .errors import ReceptionError
from .models import Fee, Reception

# Check-in opens this long before the appointment's start; it closes when the hall closes.
CHECKIN_EARLY = dt.timedelta(minutes=60)
# Not shown in today's list: they will not come.
_HIDDEN_TODAY = (AppointmentStatus.CANCELLED, AppointmentStatus.CANCELLED_BY_HALL)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI)
    return start, start + dt.timedelta(days=1)


# Scope


def reception_halls(officer) -> QuerySet[Hall]:
    """The halls the officer serves: those of their hall-officer role (403 without the right)."""
    staff_require(officer, Permission.HALL_SERVICE)
    return staff_halls_in_scope(officer, role=Role.HALL_OFFICER)


def hall_for_officer(*, officer, code: str) -> Hall:
    """One hall the officer serves, by code; any other hall is a 404."""
    hall = reception_halls(officer).filter(code=(code or "").strip()).first()
    if hall is None:
        raise NotFound(
            code=ReceptionError.HALL_NOT_FOUND, detail=_("There is no such hall in your scope.")
        )
    return hall


def _not_found() -> NotFound:
    return NotFound(
        code=ReceptionError.APPOINTMENT_NOT_FOUND,
        detail=_("There is no appointment with this number at the halls you serve."),
    )


def _in_scope(officer) -> QuerySet[Appointment]:
    halls = reception_halls(officer).values("pk")
    return Appointment.objects.filter(hall_id__in=halls).select_related(
        "person", "hall", "service", "reception"
    )


def appointment_for_officer(*, officer, number: str) -> Appointment:
    """An appointment at a hall the officer serves; one at another hall is a 404 as well."""
    clean = appointment_number_clean(number)
    found = _in_scope(officer).filter(number=clean).first() if clean else None
    if found is None:
        raise _not_found()
    return found


def checkin_number(code: str) -> str:
    """The appointment number in what was typed or scanned: the number (spaces, hyphens and
    lower case allowed) or the check-in QR code's content. Raises 422 for anything else."""
    text = " ".join(str(code or "").split())
    if len(text) > 100:
        text = ""
    number = appointment_number_clean(text.rpartition(":")[2])
    if not number:
        raise Problem(
            status=422,
            code=ReceptionError.INVALID_CHECKIN_CODE,
            detail=_(
                "This is not an appointment number. It has 12 letters and digits, for example "
                "ABCD-2345-EFGH; or scan the QR code of the confirmation."
            ),
            errors=[{"field": "code", "message": _("Enter the appointment number.")}],
        )
    return number


def appointment_by_checkin_code(*, officer, code: str) -> Appointment:
    """The appointment a typed number or a scanned QR code names, at a hall the officer serves."""
    number = checkin_number(code)
    appointment = appointment_for_officer(officer=officer, number=number)
    text = "".join(str(code).split()).upper()
    if ":" in text and text != appointment_checkin_code(appointment).upper():
        # Something else that ends like a number (another system's code): not ours.
        raise _not_found()
    return appointment


def reception_get_for(*, officer, number: str) -> Reception:
    """The reception of a checked-in appointment at a hall the officer serves, else 404/409."""
    appointment = appointment_for_officer(officer=officer, number=number)
    reception = getattr(appointment, "reception", None)
    if reception is None:
        raise Problem(
            status=409,
            code=ReceptionError.NOT_CHECKED_IN,
            detail=_("This appointment has not been checked in."),
        )
    return reception


# The check-in window


@dataclass(frozen=True)
class CheckinWindow:
    day: dt.date
    opens_at: dt.datetime
    closes_at: dt.datetime


def checkin_window(appointment: Appointment) -> CheckinWindow:
    """From CHECKIN_EARLY before the start until the hall closes that day (or, on a day the
    hall's hours do not cover, until the appointment ends)."""
    return CheckinWindow(
        day=local_day(appointment.starts_at),
        opens_at=appointment.starts_at - CHECKIN_EARLY,
        closes_at=checkin_closes_at(appointment),
    )


# Today's list


@dataclass(frozen=True)
class TodayRow:
    appointment: Appointment
    reception: Reception | None
    status: str
    status_label: str
    id_number_masked: str

    @property
    def queue_display(self) -> str:
        return self.reception.queue_display if self.reception else ""


def today_appointments(*, officer, hall: Hall, now: dt.datetime | None = None) -> list[TodayRow]:
    """The day's appointments at one hall the officer serves (Beijing day), earliest first."""
    now = now or timezone.now()
    if not reception_halls(officer).filter(pk=hall.pk).exists():
        raise NotFound(
            code=ReceptionError.HALL_NOT_FOUND, detail=_("There is no such hall in your scope.")
        )
    start, end = day_bounds(local_day(now))
    rows = (
        Appointment.objects.filter(hall=hall, starts_at__gte=start, starts_at__lt=end)
        .exclude(status__in=_HIDDEN_TODAY)
        .select_related("person", "service", "reception")
        .order_by("starts_at", "id")
    )
    result = []
    for appointment in rows:
        status = appointment_display_status(appointment, now)
        result.append(
            TodayRow(
                appointment=appointment,
                reception=getattr(appointment, "reception", None),
                status=status,
                status_label=str(AppointmentStatus(status).label),
                id_number_masked=mask_id_number(appointment.person.id_number),
            )
        )
    return result


# Materials and fees


def materials_checklist(appointment: Appointment) -> list[str]:
    """What the applicant must show: the materials of the appointment's guide."""
    return what_to_bring(appointment)


def fee_due(*, appointment: Appointment, on: dt.date) -> Decimal | None:
    """What the applicant pays: the document's fee in force on `on` plus, for a card pass, the
    fee of each endorsement asked for with it, from the endorsement policy table. None when
    the fee table has no fee for the document."""
    from endorsements.selectors import endorsements_fee

    fee = fee_for(document_type=appointment.document_type, kind=appointment.kind, on=on)
    if fee is None:
        return None
    codes = (appointment.details or {}).get("endorsements") or []
    return fee.amount + endorsements_fee(codes=codes, on=on)


def fee_for(*, document_type: str, kind: str, on: dt.date) -> Fee | None:
    """The fee in force on `on`: the newest row; on the same date a row for the kind wins."""
    rows = Fee.objects.filter(
        Q(kind=kind) | Q(kind=""), document_type=document_type, valid_from__lte=on
    )
    # "" sorts before any kind, so descending puts the kind's own row first on a tie.
    return rows.order_by("-valid_from", "-kind").first()
