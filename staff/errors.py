from enum import StrEnum


class StaffError(StrEnum):
    """Stable codes of the staff side's errors."""

    STAFF_VERIFICATION_REQUIRED = "staff_verification_required"
    PERMISSION_DENIED = "permission_denied"
    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_OTP_CODE = "invalid_otp_code"
    OTP_THROTTLED = "otp_throttled"
    NO_OTP_DEVICE = "no_otp_device"
    LOCKED_OUT = "locked_out"
    REASON_REQUIRED = "reason_required"
    REASON_TOO_SHORT = "reason_too_short"
    REASON_TOO_LONG = "reason_too_long"
    REASON_NOT_MEANINGFUL = "reason_not_meaningful"
    LOOKUP_RATE_LIMITED = "lookup_rate_limited"
    INVALID_ID_NUMBER = "invalid_id_number"
    PERSON_NOT_FOUND = "person_not_found"
    INVALID_DATE_RANGE = "invalid_date_range"
