"""The certificates' errors: one class per case, with its stable code, status and message."""

from django.utils.translation import gettext as _

from core.errors import FieldProblem, TypedProblem


class CertificateNotFound(TypedProblem):
    code_value, status_value = "certificate_not_found", 404

    def message(self) -> str:
        return _("There is no such certificate.")


class PersonNotFound(TypedProblem):
    code_value, status_value = "person_not_found", 404

    def message(self) -> str:
        return _("You can ask for certificates only for yourself or a child you are guardian of.")


class PeriodInvalid(FieldProblem):
    code_value, field = "period_invalid", "period_start"

    def message(self) -> str:
        return _(
            "Choose a period within the last 10 years, ending today at the latest, whose start "
            "is not after its end."
        )


class PurposeRequired(FieldProblem):
    code_value, field = "purpose_required", "purpose"

    def message(self) -> str:
        return _("Say what the certificate is for (2 to 200 characters).")


class NoPassportRecords(TypedProblem):
    code_value, status_value = "no_passport_records", 409

    def message(self) -> str:
        return _("No ordinary passport was ever issued to this person.")


class CertificateUnavailable(TypedProblem):
    code_value, status_value = "certificate_unavailable", 503

    def message(self) -> str:
        return _("Certificates cannot be issued right now. Please try again later.")


class AlreadyRevoked(TypedProblem):
    code_value, status_value = "certificate_already_revoked", 409

    def message(self) -> str:
        return _("This certificate has already been revoked.")


class RevocationReasonRequired(FieldProblem):
    code_value, field = "reason_required", "reason"

    def message(self) -> str:
        return _("Write the reason for the revocation (10 to 300 characters).")


class UploadTooLarge(TypedProblem):
    code_value, status_value = "upload_too_large", 413

    def message(self) -> str:
        return _("The file is too large: a certificate is at most 2 MB.")


class UploadNotPdf(TypedProblem):
    code_value, status_value = "upload_not_pdf", 415

    def message(self) -> str:
        return _("The file is not a PDF. Upload the certificate's PDF file as you received it.")


class NothingToVerify(FieldProblem):
    code_value, field = "nothing_to_verify", "code"

    def message(self) -> str:
        return _("Enter the verification code or choose the certificate's PDF file.")


class CodeInvalid(FieldProblem):
    code_value, field = "code_invalid", "code"

    def message(self) -> str:
        return _(
            "A verification code is 16 letters and digits (A to Z, 2 to 7), as printed on the "
            "certificate."
        )


class ImageTooLarge(TypedProblem):
    code_value, status_value = "image_too_large", 413

    def message(self) -> str:
        return _(
            "The picture is too large: at most 10 MB and 50 million pixels. Take the photo "
            "again at a lower resolution."
        )


class UploadNotImage(TypedProblem):
    code_value, status_value = "upload_not_image", 415

    def message(self) -> str:
        return _(
            "The file is not a picture that can be read (JPEG, PNG, WebP, GIF or BMP). Take a "
            "photo of the certificate's QR code."
        )


class QrNotFound(FieldProblem):
    code_value, field = "qr_not_found", "image"

    def message(self) -> str:
        return _(
            "No QR code was found in the picture. Take it again with the whole QR code in the "
            "frame, sharp and well lit."
        )
