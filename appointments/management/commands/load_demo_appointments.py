"""Book the demo appointment (idempotent): the demo guardian books a Hong Kong and Macao pass
renewal for his child at the Luohu hall, at the first free time from now, through the same
service as the website, so the demo hall officer has someone to check in.

Development only, like the other demo commands; run after load_demo_accounts.
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from appointments import selectors, services
from appointments.slots import slots_generate
from core.errors import Problem
from persons.demo.fixed import CHEN_CHILD_ID_NUMBER
from persons.models import Person

DEMO_PHONE = "+8613800000001"
DEMO_HALL = "440303-01"


class Command(BaseCommand):
    help = "Book the demo appointment at the Luohu hall for the demo guardian's child."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo appointments are never loaded in production.")
        user = User.objects.filter(phone=DEMO_PHONE, person__isnull=False).first()
        child = Person.objects.filter(id_number=CHEN_CHILD_ID_NUMBER).first()
        if user is None or child is None:
            self.stdout.write("demo appointment skipped: load the demo registry and accounts first")
            return
        existing = selectors.active_appointment(person_id=child.pk, document_type="hk_macao_pass")
        if existing is not None:
            self.stdout.write(f"demo appointment {existing.number_display} already booked")
            return
        today = selectors.now_shanghai().date()
        found = selectors.availability(
            hall_code=DEMO_HALL,
            service_code="hk-macao-pass",
            date_from=today,
            date_to=today + dt.timedelta(days=settings.APPOINTMENT_RELEASE_DAYS),
            make_slots=slots_generate,
        )
        free = [s for day in found.days for s in day.slots if s.available]
        if not free:
            self.stdout.write("demo appointment skipped: no free time at the Luohu hall")
            return
        try:
            booking = services.appointment_book(
                user=user,
                person_id=child.pk,
                document_type="hk_macao_pass",
                kind="renewal",
                details={"endorsements": ["HKG-G"]},
                slot_id=free[0].id,
            )
        except Problem as problem:
            raise CommandError(f"demo appointment not booked: {problem.detail}") from problem
        number = booking.appointment.number_display
        when = selectors.now_shanghai(booking.appointment.starts_at)
        self.stdout.write(f"demo appointment {number} at {DEMO_HALL}, {when:%Y-%m-%d %H:%M}")
