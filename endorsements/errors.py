"""The endorsements' errors: one class per case, with its stable code, status and message."""

from django.utils.translation import gettext as _

from core.errors import FieldProblem, TypedProblem


class EndorsementNotFound(TypedProblem):
    code_value, status_value = "endorsement_not_found", 404

    def message(self) -> str:
        return _("There is no such endorsement.")


class PassNotFound(TypedProblem):
    code_value, status_value = "pass_not_found", 404

    def message(self) -> str:
        return _("There is no such pass.")


class NotACardPass(FieldProblem):
    code_value, field = "not_a_card_pass", "document_id"

    def message(self) -> str:
        return _(
            "Endorsements for Hong Kong and Macao go on a Hong Kong and Macao pass, those for "
            "Taiwan on a Taiwan permit."
        )


class UnknownOption(FieldProblem):
    code_value, field = "unknown_endorsement_option", "items"

    def message(self) -> str:
        return _("Choose one of the endorsements on offer for this destination.")


class NothingChosen(FieldProblem):
    code_value, field = "no_endorsement_chosen", "items"

    def message(self) -> str:
        return _("Choose at least one endorsement.")


class AnswerRequired(FieldProblem):
    code_value = "answer_required"

    def message(self) -> str:
        return _("Answer this question: this type of endorsement needs it.")


class HallRequired(FieldProblem):
    code_value, field = "hall_required", "hall"

    def message(self) -> str:
        return _("Choose the hall where you will pay and have it printed.")


class PassNotUsable(TypedProblem):
    code_value, status_value = "pass_not_usable", 409

    def message(self) -> str:
        return _(
            "This pass cannot carry an endorsement: it is expired, reported lost or no longer "
            "valid. Apply for a new pass first."
        )


class EndorsementSuspended(TypedProblem):
    code_value, status_value = "endorsement_suspended", 409

    def message(self) -> str:
        return _("This type of endorsement is suspended: applications are not accepted.")


class AlreadyApplied(TypedProblem):
    code_value, status_value = "endorsement_already_applied", 409

    def message(self) -> str:
        return _(
            "You have already applied for this endorsement on this pass and it is not finished "
            "yet: see My endorsements."
        )


class ExitRestricted(TypedProblem):
    """What the citizen (and the kiosk) is told; officers see the restriction itself."""

    code_value, status_value = "cannot_approve_online", 409

    def message(self) -> str:
        return _("This cannot be approved online. Please contact an exit-entry hall.")


class PaymentInvalid(FieldProblem):
    code_value, field = "invalid_payment", "receipt_number"

    def message(self) -> str:
        return _("Choose how it was paid and give the receipt number.")


class RestrictionInvalid(FieldProblem):
    code_value, field = "invalid_restriction", "legal_basis"

    def message(self) -> str:
        return _("Give the legal basis and an end date after today.")


class KioskNotFound(TypedProblem):
    code_value, status_value = "kiosk_pass_not_found", 404

    def message(self) -> str:
        return _("No pass matches this pass number and ID number.")


class LabelUnavailable(TypedProblem):
    """The label cannot be made on this server now (its font is missing)."""

    code_value, status_value = "label_unavailable", 503

    def message(self) -> str:
        return _("The endorsement label cannot be printed right now. Try again later.")
