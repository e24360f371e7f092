"""Out-of-range ids and dates are refused as bad input (400/404/422), never a 500."""

import pytest

from .conftest import verified_client

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "query",
    [
        {"person": HUGE},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"date_from": "9999-12-31"},
        {"page": HUGE},
    ],
)
def test_the_access_log_page_refuses_out_of_range_filters(supervisor, query):
    # when a supervisor gives a filter out of range
    response = verified_client(supervisor).get("/staff/access-log/", query)
    # then the page shows the form with its error
    assert response.status_code == 200
    assert "error-summary" in response.text


@pytest.mark.parametrize(
    "query",
    [
        f"person_id={HUGE}",
        "date_from=0001-01-01&date_to=9999-12-31",
        "date_to=9999-12-31",
    ],
)
def test_the_access_log_api_refuses_out_of_range_filters(supervisor, query):
    response = verified_client(supervisor).get(f"/api/v1/staff/access-log?{query}")
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "path",
    [
        f"/staff/persons/{HUGE}/",
        f"/documents/{HUGE}/",
        f"/accounts/devices/{HUGE}/revoke/",
        f"/appointments/alerts/{HUGE}/cancel/",
        f"/staff/reception/walk-in/{HUGE}/",
    ],
)
def test_pages_with_a_huge_id_are_not_found(officer, path):
    assert verified_client(officer).get(path).status_code == 404
