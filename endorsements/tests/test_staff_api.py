"""The staff API of endorsements: queue, decision, pay and print (idempotent), restrictions."""

import json

import pytest
from django.db import DatabaseError, connection, transaction

from endorsements import services
from endorsements.models import EndorsementEvent, EndorsementStatus

from .conftest import verified_client

pytestmark = pytest.mark.django_db
S = EndorsementStatus


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _applied(user, hall=None, channel="kiosk"):
    (endorsement,) = services.endorsement_apply(
        user=user,
        document_id=user.person.documents.get().pk,
        choices=[services.Choice("HKG", "G", "3m1")],
        channel="hall" if hall else channel,
        hall_code=hall.code if hall else "",
    ).endorsements
    return endorsement


def test_queue_and_approve_with_the_failed_checks(xian_citizen, policies, reviewer, hall):
    endorsement = _applied(xian_citizen, hall)
    client = verified_client(reviewer)
    queue = client.get("/api/v1/staff/endorsements")
    assert queue.status_code == 200
    (row,) = queue.json()
    assert row["failed_checks"][0]["code"] == "household_region_not_eligible"
    assert "approve" in row["actions"] and "*" in row["id_number_masked"]
    approved = post(client, f"/api/v1/staff/endorsements/{endorsement.number}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = post(client, f"/api/v1/staff/endorsements/{endorsement.number}/approve")
    assert again.status_code == 200  # approving twice changes nothing
    assert EndorsementEvent.objects.filter(endorsement=endorsement, action="approve").count() == 1


def test_reject_needs_a_reason_code_and_text(xian_citizen, policies, reviewer, hall):
    endorsement = _applied(xian_citizen, hall)
    client = verified_client(reviewer)
    url = f"/api/v1/staff/endorsements/{endorsement.number}/reject"
    short = post(client, url, {"reason_code": "not_eligible", "reason": "no"})
    assert short.status_code == 422 and short.json()["code"] == "reason_required"
    done = post(client, url, {"reason_code": "not_eligible", "reason": "Xi'an is not on the list."})
    assert done.status_code == 200 and done.json()["status"] == "rejected"


def test_pay_and_print_twice_at_the_hall(citizen, policies, officer, hall):
    endorsement = _applied(citizen, hall)
    client = verified_client(officer)
    on_pass = client.get(f"/api/v1/staff/endorsements/pass/{endorsement.document.number}")
    assert [e["number"] for e in on_pass.json()["endorsements"]] == [endorsement.number]
    pay = f"/api/v1/staff/endorsements/{endorsement.number}/pay"
    for _ in range(2):
        response = post(client, pay, {"method": "card", "receipt_number": "R-9"})
        assert response.status_code == 200 and response.json()["status"] == "paid"
    printing = f"/api/v1/staff/endorsements/{endorsement.number}/print"
    for _ in range(2):
        response = post(client, printing)
        assert response.status_code == 200 and response.json()["status"] == "active"
    label = client.get(f"/api/v1/staff/endorsements/{endorsement.number}/label.pdf")
    assert label.status_code in (200, 503)


def test_a_restriction_blocks_the_officers_approval(xian_citizen, policies, supervisor, hall):
    endorsement = _applied(xian_citizen, hall)
    client = verified_client(supervisor)
    placed = post(
        client,
        "/api/v1/staff/exit-restrictions",
        {
            "id_number": xian_citizen.person.id_number,
            "legal_basis": "Exit and Entry Administration Law art. 12",
            "ends_on": "2099-12-31",
        },
    )
    assert placed.status_code == 201 and placed.json()["active"] is True
    refused = post(client, f"/api/v1/staff/endorsements/{endorsement.number}/approve")
    assert refused.status_code == 409 and refused.json()["code"] == "cannot_approve_online"
    lifted = post(
        client,
        f"/api/v1/staff/exit-restrictions/{placed.json()['id']}/lift",
        {"reason": "the court lifted it"},
    )
    assert lifted.status_code == 200 and lifted.json()["active"] is False
    assert (
        post(client, f"/api/v1/staff/endorsements/{endorsement.number}/approve").status_code == 200
    )


def test_an_officer_cannot_place_restrictions_and_out_of_scope_is_404(
    citizen, policies, officer, hall
):
    client = verified_client(officer)
    refused = post(
        client,
        "/api/v1/staff/exit-restrictions",
        {"id_number": citizen.person.id_number, "legal_basis": "x", "ends_on": "2099-01-01"},
    )
    assert refused.status_code == 403
    kiosk = _applied(citizen)  # a kiosk one of a Luohu resident: the Luohu officer has no region
    assert client.get(f"/api/v1/staff/endorsements/{kiosk.number}").status_code == 404


def test_the_event_table_refuses_updates(citizen, policies):
    endorsement = _applied(citizen)
    event = EndorsementEvent.objects.filter(endorsement=endorsement).first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE endorsements_endorsementevent SET note = 'x' WHERE id = %s", [event.pk]
        )
