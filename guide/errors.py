from enum import StrEnum


class GuideError(StrEnum):
    """Stable codes of the service guide's errors."""

    HALL_NOT_FOUND = "hall_not_found"
    GUIDE_NOT_FOUND = "guide_not_found"
    REGION_NOT_FOUND = "region_not_found"
    UNKNOWN_REGION = "unknown_region"
    UNKNOWN_SERVICE = "unknown_service"
    INVALID_COORDINATES = "invalid_coordinates"
    INVALID_QUERY = "invalid_query"
    INVALID_DATE = "invalid_date"
