"""The staff pages of applications: the queue, one application with its actions, refusals on
the page, bulk production, the supervisors' page, scope."""

import pytest

from applications.models import ApplicationStatus
from applications.tests.conftest import staff_member, verified_client
from staff.models import AccessAction, AccessLog, Role

pytestmark = pytest.mark.django_db


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_the_queue_lists_the_halls_applications(application, reviewer, citizen):
    response = english(verified_client(reviewer)).get("/staff/applications/")
    assert response.status_code == 200
    html = response.text
    assert application.number in html
    assert citizen.person.id_number not in html
    assert 'href="/staff/applications/"' in html  # the navigation


def test_the_queue_page_writes_each_person_shown_to_the_access_log(application, reviewer, citizen):
    # given nothing logged yet
    assert not AccessLog.objects.exists()
    # when the reviewer opens the queue, which shows the applicant's name and masked ID number
    response = verified_client(reviewer).get("/staff/applications/", REMOTE_ADDR="10.1.2.3")
    # then the listing is in the access log, one row for the person shown
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.staff, entry.person, entry.action) == (
        reviewer,
        citizen.person,
        AccessAction.BACK_OFFICE_LIST,
    )
    assert entry.reason == "applications queue"


def test_an_empty_queue_logs_nobody(other_hall):
    elsewhere = staff_member(Role.REVIEWER, "far", halls=[other_hall])
    assert verified_client(elsewhere).get("/staff/applications/").status_code == 200
    assert not AccessLog.objects.exists()


def test_a_reviewer_approves_and_sends_to_production_in_bulk(application, reviewer, citizen):
    client = english(verified_client(reviewer))
    page = client.get(f"/staff/applications/{application.number}/")
    assert page.status_code == 200 and 'data-action="start_review"' in page.text
    assert AccessLog.objects.filter(action=AccessAction.VIEW_APPLICATION).count() == 1
    client.post(f"/staff/applications/{application.number}/start_review/")
    response = client.post(f"/staff/applications/{application.number}/approve/", {"note": ""})
    assert response.status_code == 302
    queue = client.get("/staff/applications/")
    assert f'value="{application.number}"' in queue.text  # ticked for production
    client.post("/staff/applications/production/", {"number": [application.number]})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PRODUCTION


def test_a_refused_action_shows_on_the_page(application, reviewer):
    client = english(verified_client(reviewer))
    response = client.post(f"/staff/applications/{application.number}/approve/")
    assert response.status_code == 409
    assert "There is a problem" in response.text and "start_review" in response.text
    reject = client.post(f"/staff/applications/{application.number}/nonsense/")
    assert reject.status_code == 404


def test_outside_the_scope_is_404_and_citizens_are_sent_to_sign_in(
    application, other_hall, client, citizen
):
    elsewhere = staff_member(Role.REVIEWER, "far", halls=[other_hall])
    assert (
        verified_client(elsewhere).get(f"/staff/applications/{application.number}/").status_code
        == 404
    )
    client.force_login(citizen)
    assert client.get("/staff/applications/").status_code == 302


def test_supervisors_see_officers_queues(application, supervisor, reviewer):
    client = english(verified_client(supervisor))
    response = client.get("/staff/applications/supervision/")
    assert response.status_code == 200 and "Not taken yet" in response.text
    assert verified_client(reviewer).get("/staff/applications/supervision/").status_code == 403
