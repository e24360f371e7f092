from enum import StrEnum

from core.ratelimit import RateLimited


class AccountsError(StrEnum):
    """Stable codes of the accounts errors."""

    PHONE_INVALID = "phone_invalid"
    EMAIL_INVALID = "email_invalid"
    PASSWORD_INVALID = "password_invalid"  # noqa: S105
    ALREADY_REGISTERED = "already_registered"
    PHONE_TAKEN = "phone_taken"
    EMAIL_TAKEN = "email_taken"
    SAME_AS_CURRENT = "same_as_current"
    REQUEST_EXPIRED = "request_expired"
    CODE_INVALID = "code_invalid"
    CODE_EXPIRED = "code_expired"
    CODE_USED = "code_used"
    CODE_TOO_MANY_TRIES = "code_too_many_tries"
    CODE_RESEND_TOO_SOON = "code_resend_too_soon"
    CODE_DAILY_LIMIT = "code_daily_limit"
    CODE_NOT_SENT = "code_not_sent"
    CODE_RATE_LIMITED = "code_rate_limited"
    INVALID_CREDENTIALS = "invalid_credentials"
    ACCOUNT_LOCKED = "account_locked"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105
    TOO_MANY_TRIES = "too_many_tries"
    ID_NUMBER_INVALID = "id_number_invalid"
    IDENTITY_NOT_MATCHED = "identity_not_matched"
    IDENTITY_ALREADY_BOUND = "identity_already_bound"
    ACCOUNT_ALREADY_BOUND = "account_already_bound"
    NO_PHONE_ON_FILE = "no_phone_on_file"
    TOKEN_NOT_FOUND = "token_not_found"  # noqa: S105
    DEVICE_NOT_FOUND = "device_not_found"
    CSRF_FAILED = "csrf_failed"
    STEP_UP_REQUIRED = "step_up_required"
    NO_PHONE = "no_phone"
    LANGUAGE_INVALID = "language_invalid"


class Throttled(RateLimited):
    """429: try again after `retry_after` seconds (at least 1; the Retry-After header)."""

    def __init__(self, *, code: str, detail: str, retry_after: int) -> None:
        super().__init__(code=code, detail=detail, retry_after=max(1, int(retry_after)))
