"""The automatic checks of an endorsement application: each failure has a stable code and a
sentence in the reader's language. A failed check sends the application to an officer."""

from django.utils.translation import gettext_lazy as _

PASS_EXPIRES_TOO_SOON = "pass_expires_too_soon"  # noqa: S105 (a check code)
REGION_NOT_ELIGIBLE = "household_region_not_eligible"
AGE_NOT_ELIGIBLE = "age_not_eligible"
RELATIONSHIP_NOT_ELIGIBLE = "relationship_not_eligible"
OVERLAPPING = "overlapping_endorsement"
RESTRICTED = "cannot_approve_online"  # the citizen learns no more than this

MESSAGES = {
    PASS_EXPIRES_TOO_SOON: _(
        "The pass expires before the endorsement would end; an endorsement never outlives its pass."
    ),
    REGION_NOT_ELIGIBLE: _(
        "Individual travel is open to residents whose household registration is in one of the "
        "listed cities; yours is not."
    ),
    AGE_NOT_ELIGIBLE: _("The applicant's age does not meet this endorsement's age rule."),
    RELATIONSHIP_NOT_ELIGIBLE: _(
        "This option is not open to the relationship given with the relative visited."
    ),
    OVERLAPPING: _(
        "The pass already carries an endorsement of this type for this destination for the "
        "same period."
    ),
    # What the citizen reads; the officer sees the restriction on the staff page.
    RESTRICTED: _("This cannot be approved online. Please contact an exit-entry hall."),
}


def check_message(code: str) -> str:
    return str(MESSAGES.get(code, code))
