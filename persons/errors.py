from enum import StrEnum


class PersonError(StrEnum):
    """Stable codes of the registry's errors."""

    INVALID_ID_NUMBER = "invalid_id_number"
    INVALID_NAME = "invalid_name"
    INVALID_PHONE = "invalid_phone"
    UNKNOWN_REGION = "unknown_region"
    INCONSISTENT_WITH_ID_NUMBER = "inconsistent_with_id_number"
    PERSON_NOT_FOUND = "person_not_found"
    INVALID_GUARDIANSHIP = "invalid_guardianship"
