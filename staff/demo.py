"""The demo staff: known passwords and KNOWN TOTP secrets, for development and demonstrations.

Never loaded in production (staff.services refuses). Add a secret to an authenticator app
(base32, SHA-1, 6 digits, 30 s) or print the current code with `manage.py totp_code <username>`.
"""

from dataclasses import dataclass

from guide.management.commands.load_demo import DEMO_ADMIN

from .models import Role

DEVICE_NAME = "demo authenticator"


@dataclass(frozen=True)
class DemoStaff:
    username: str
    password: str
    role: Role
    totp_secret: str  # base32, 20 bytes
    first_name: str
    last_name: str
    halls: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    is_superuser: bool = False


DEMO_STAFF = (
    DemoStaff(
        username="officer.luohu",
        password="exitentry-demo-officer",  # noqa: S106
        role=Role.HALL_OFFICER,
        totp_secret="MV4GS5DFNZ2HE6JNN5TGM2LDMVZC2MBR",  # noqa: S106
        first_name="Wei",
        last_name="Zhang",
        halls=("440303-01",),
    ),
    DemoStaff(
        username="reviewer.shenzhen",
        password="exitentry-demo-reviewer",  # noqa: S106
        role=Role.REVIEWER,
        totp_secret="MV4GS5DFNZ2HE6JNOJSXM2LFO5SXELJR",  # noqa: S106
        first_name="Fang",
        last_name="Wang",
        regions=("440300",),
    ),
    DemoStaff(
        username="supervisor.shenzhen",
        password="exitentry-demo-supervisor",  # noqa: S106
        role=Role.SUPERVISOR,
        totp_secret="MV4GS5DFNZ2HE6JNON2XAZLSOZUXG33S",  # noqa: S106
        first_name="Na",
        last_name="Li",
        regions=("440300",),
    ),
    # The back-office administrator of guide's demo data, now with a second factor.
    DemoStaff(
        username=DEMO_ADMIN[0],
        password=DEMO_ADMIN[1],
        role=Role.ADMINISTRATOR,
        totp_secret="MV4GS5DFNZ2HE6JNMFSG22LOFUYDAMBR",  # noqa: S106
        first_name="",
        last_name="",
        is_superuser=True,
    ),
)


def member(username: str) -> DemoStaff | None:
    return next((m for m in DEMO_STAFF if m.username == username), None)
