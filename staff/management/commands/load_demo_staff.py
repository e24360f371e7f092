"""Create the demo staff with known passwords and TOTP secrets (idempotent; never in production)."""

from django.core.management.base import BaseCommand, CommandError

from staff.services import DemoRefused, demo_staff_load


class Command(BaseCommand):
    help = (
        "Create or update the demo staff (officer, reviewer, supervisor, administrator) with "
        "known passwords and TOTP secrets. Run after load_demo. Refused in production."
    )

    def handle(self, *args, **options) -> None:
        try:
            logins = demo_staff_load()
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Demo staff ready: {len(logins)} accounts."))
        self.stdout.write("Sign in at /staff/login/ (the back-office /admin/ sends you there).")
        for login in logins:
            self.stdout.write(
                f"  {login.role.label:<14} user {login.username!r} password {login.password!r} "
                f"scope {login.scope}; TOTP secret {login.totp_secret} "
                f"(code: manage.py totp_code {login.username})"
            )
