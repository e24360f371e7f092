"""Create the demo citizens (idempotent): a bound guardian of a minor, and an unbound citizen.

The registry persons come from the registry's demo data, found by the ID numbers below; a
person not (yet) in the database is skipped with a message, and the next run binds it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.phones import mask_phone
from accounts.services.binding import identity_bind
from accounts.services.registration import account_create
from core.masking import mask_id_number
from persons.models import Person
from persons.selectors import minors_of

# Valid per GB 11643 (persons.idnumbers.id_number_make, area 440303 Luohu, Shenzhen). The
# registry demo data holds these persons:
DEMO_ID_NUMBERS = {
    # 陈建国 Chen Jianguo, male, born 1985-03-12, phone on file +8613900000001;
    # registered guardian (parent) of the child below.
    "guardian": "440303198503120316",
    # 陈小雨 Chen Xiaoyu, female, born 2016-09-01, no phone on file.
    "child": "440303201609010427",
    # 林晓梅 Lin Xiaomei, female, born 1992-11-20, phone on file +8613800000002 (the number of
    # the unbound demo account, so the binding code reaches it); left unbound
    # so that the unbound demo citizen can try real-name binding.
    "to_bind": "440303199211200589",
}


@dataclass(frozen=True)
class DemoCitizen:
    phone: str
    password: str
    email: str
    binds: str | None  # key in DEMO_ID_NUMBERS
    note: str


DEMO_CITIZENS = [
    DemoCitizen(
        phone="+8613800000001",
        password="Harbour-Lantern-58",  # noqa: S106 - demo only
        email="chen.jianguo@example.com",
        binds="guardian",
        note="bound; guardian of a minor",
    ),
    DemoCitizen(
        phone="+8613800000002",
        password="Quiet-Meadow-73",  # noqa: S106 - demo only
        email="",
        binds=None,
        note="not bound; try binding as 林晓梅 / " + DEMO_ID_NUMBERS["to_bind"],
    ),
]


class Command(BaseCommand):
    help = "Create demo citizen accounts with known passwords (idempotent)."

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo accounts are not created in production.")
        for demo in DEMO_CITIZENS:
            user = self._account(demo)
            if demo.binds:
                self._bind(user, DEMO_ID_NUMBERS[demo.binds])
        self.stdout.write("\nDemo citizen logins (sign in at /accounts/login/):")
        for demo in DEMO_CITIZENS:
            self.stdout.write(f"  {demo.phone[3:]}  {demo.password}  ({demo.note})")
        self.stdout.write(
            "Codes are written to the outbox: `manage.py last_code <number>` prints the latest."
        )

    def _account(self, demo: DemoCitizen) -> User:
        user = User.objects.filter(phone=demo.phone).first()
        if user is None:
            user = account_create(phone=demo.phone, password=demo.password, email=demo.email)
            self.stdout.write(f"Created demo citizen {mask_phone(demo.phone)}.")
        elif not user.check_password(demo.password):
            user.set_password(demo.password)
            user.save(update_fields=["password"])
            self.stdout.write(f"Reset the password of demo citizen {mask_phone(demo.phone)}.")
        return user

    def _bind(self, user: User, id_number: str) -> None:
        person = Person.objects.filter(id_number=id_number).first()
        masked = mask_id_number(id_number)
        if person is None:
            self.stdout.write(
                self.style.WARNING(
                    f"Skipped binding {mask_phone(user.phone)}: no registry person {masked} yet "
                    "(load the registry demo data, then run this command again)."
                )
            )
            return
        if user.person_id == person.pk:
            pass
        elif user.person_id or User.objects.filter(person=person).exists():
            self.stdout.write(
                self.style.WARNING(f"Skipped binding {mask_phone(user.phone)}: already bound.")
            )
            return
        else:
            identity_bind(user=user, person=person)
            self.stdout.write(f"Bound {mask_phone(user.phone)} to {person.name_zh} {masked}.")
        minors = list(minors_of(person=person))
        if not minors:
            self.stdout.write(
                self.style.WARNING(f"{person.name_zh} has no registered minor in the registry.")
            )
