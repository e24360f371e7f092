"""The endorsement pages: apply (once, even when submitted twice), my endorsements, my documents,
the guide's policy section, the staff pages and the kiosk."""

import pytest
from django.urls import reverse

from endorsements import services
from endorsements.models import Endorsement, EndorsementStatus
from staff.models import AccessLog

from .conftest import citizen_client, verified_client

pytestmark = pytest.mark.django_db
S = EndorsementStatus


def _apply_form(document, *options, channel="kiosk", hall="", key="0" * 32, **answers):
    return {
        "document": document.pk,
        "options": list(options) or ["HKG:G:3m1"],
        "channel": channel,
        "hall": hall,
        "idempotency_key": key,
        **answers,
    }


def test_apply_page_approves_at_once_and_a_double_submit_applies_once(citizen, pass_of, policies):
    client = citizen_client(citizen)
    page = client.get(reverse("endorsements:apply"))
    assert page.status_code == 200 and "HKG:G:3m1" in page.content.decode()
    first = client.post(reverse("endorsements:apply"), _apply_form(pass_of))
    second = client.post(reverse("endorsements:apply"), _apply_form(pass_of))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Endorsement.objects.get().status == S.APPROVED
    detail = client.get(first["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Approved, waiting for payment" in detail.content.decode()


def test_apply_page_shows_a_refusal_in_the_form(citizen, pass_of, policies):
    client = citizen_client(citizen)
    response = client.post(
        reverse("endorsements:apply"), _apply_form(pass_of, "HKG:S:3m1"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "this type of endorsement needs it" in response.content.decode()


def test_my_documents_show_the_endorsements_on_each_pass(citizen, pass_of, policies):
    from .factories import EndorsementFactory

    EndorsementFactory(
        document=pass_of, applied_by=citizen, policy=policies["MAC_G_12"], trips_total=2
    )
    page = citizen_client(citizen).get(reverse("documents:list"), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert "Endorsements on this pass" in body and 'class="trips-left">2<' in body
    api = citizen_client(citizen).get("/api/v1/me/documents").json()
    (on_pass,) = api["persons"][0]["documents"][0]["endorsements"]
    assert on_pass["trips_left"] == 2 and on_pass["destination"] == "MAC"


def test_the_guide_shows_the_policy(client, policies):
    from guide.tests.factories import GuideFactory, ServiceFactory

    service = ServiceFactory(code="endorsement-hk-macao", name_zh="港澳签注", name_en="HK/Macao")
    GuideFactory(slug="endorsement-hk-macao-individual", service=service)
    page = client.get(
        reverse("guide:guide_detail", args=["endorsement-hk-macao-individual"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = page.content.decode()
    assert 'id="policy-table"' in body and "RMB 15.00" in body


def test_officer_pages_review_pay_print_and_label(xian_citizen, policies, reviewer, hall):
    from documents.tests.factories import days_from_today  # noqa: F401

    document = xian_citizen.person.documents.get()
    (endorsement,) = services.endorsement_apply(
        user=xian_citizen,
        document_id=document.pk,
        choices=[services.Choice("HKG", "G", "3m1")],
        channel="hall",
        hall_code=hall.code,
    ).endorsements
    client = verified_client(reviewer)
    queue = client.get(reverse("staff:endorsements:queue"), HTTP_ACCEPT_LANGUAGE="en")
    assert endorsement.number in queue.content.decode()
    detail = client.get(reverse("staff:endorsements:detail", args=[endorsement.number]))
    assert detail.status_code == 200
    assert AccessLog.objects.filter(person=xian_citizen.person).exists()
    rejected = client.post(
        reverse("staff:endorsements:act", args=[endorsement.number, "reject"]),
        {"reason_code": "not_eligible", "reason": "Not open to residents of Xi'an."},
    )
    assert rejected.status_code == 302
    endorsement.refresh_from_db()
    assert endorsement.status == S.REJECTED


def test_hall_officer_pays_prints_and_gets_the_label(citizen, pass_of, policies, officer, hall):
    (endorsement,) = services.endorsement_apply(
        user=citizen,
        document_id=pass_of.pk,
        choices=[services.Choice("HKG", "G", "3m1")],
        channel="hall",
        hall_code=hall.code,
    ).endorsements
    client = verified_client(officer)
    found = client.get(reverse("staff:endorsements:on_pass"), {"number": pass_of.number})
    assert endorsement.number in found.content.decode()
    act = reverse("staff:endorsements:act", args=[endorsement.number, "pay"])
    for _ in range(2):  # paying twice changes nothing
        assert client.post(act, {"method": "cash", "receipt_number": "R-1"}).status_code == 302
    printing = reverse("staff:endorsements:act", args=[endorsement.number, "print"])
    assert client.post(printing).status_code == 302
    endorsement.refresh_from_db()
    assert endorsement.status == S.ACTIVE
    label = client.get(reverse("staff:endorsements:label", args=[endorsement.number]))
    assert label.status_code in (200, 503)
    if label.status_code == 200:
        assert label["Content-Type"] == "application/pdf" and label.content.startswith(b"%PDF")


def test_someone_outside_the_scope_gets_404(citizen, pass_of, policies, hall):
    from guide.tests.factories import HallFactory
    from staff.models import Role

    from .conftest import staff_member

    far = staff_member(Role.REVIEWER, "far", halls=[HallFactory(code="110101-09")])
    (endorsement,) = services.endorsement_apply(
        user=citizen,
        document_id=pass_of.pk,
        choices=[services.Choice("HKG", "G", "3m1")],
        channel="hall",
        hall_code=hall.code,
    ).endorsements
    page = verified_client(far).get(reverse("staff:endorsements:detail", args=[endorsement.number]))
    assert page.status_code == 404


def test_the_kiosk_pays_prints_and_forgets_the_person(client, citizen, pass_of, policies):
    services.endorsement_apply(
        user=citizen,
        document_id=pass_of.pk,
        choices=[services.Choice("HKG", "G", "3m1")],
        channel="kiosk",
    )
    start = client.get(reverse("endorsements:kiosk"))
    assert "no-store" in start["Cache-Control"]
    wrong = client.post(
        reverse("endorsements:kiosk"),
        {"pass_number": pass_of.number, "id_number": "11010519491231002X"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "No pass matches" in wrong.content.decode()
    found = client.post(
        reverse("endorsements:kiosk"),
        {"pass_number": pass_of.number, "id_number": citizen.person.id_number},
    )
    assert 'id="kiosk-pay"' in found.content.decode()
    done = client.post(reverse("endorsements:kiosk_pay"), {"method": "wechat"})
    assert done.status_code == 200 and 'id="printed"' in done.content.decode()
    assert Endorsement.objects.get().status == S.ACTIVE
    # no way back: the session forgot the person
    again = client.post(reverse("endorsements:kiosk_pay"), {"method": "wechat"})
    assert again.status_code == 302


def test_supervisor_places_and_lifts_a_restriction(citizen, supervisor):
    client = verified_client(supervisor)
    page = client.get(
        reverse("staff:endorsements:restrictions"), {"id_number": citizen.person.id_number}
    )
    assert page.status_code == 200
    placed = client.post(
        reverse("staff:endorsements:restriction_place"),
        {
            "id_number": citizen.person.id_number,
            "legal_basis": "Exit and Entry Administration Law art. 12",
            "ends_on": "2099-01-01",
        },
    )
    assert placed.status_code == 302
    restriction = citizen.person.exit_restrictions.get()
    lifted = client.post(
        reverse("staff:endorsements:restriction_lift", args=[restriction.pk]),
        {"reason": "court order ended"},
    )
    assert lifted.status_code == 302
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None


def test_an_officer_cannot_place_a_restriction(citizen, officer):
    page = verified_client(officer).get(reverse("staff:endorsements:restrictions"))
    assert page.status_code == 403


def test_a_regional_reviewer_sees_kiosk_endorsements_of_persons_registered_in_the_region(
    xian_citizen, policies
):
    from guide.models import Region
    from staff.models import Role

    from .conftest import staff_member

    shaanxi = staff_member(Role.REVIEWER, "shaanxi", regions=[Region.objects.get(code="610000")])
    (endorsement,) = services.endorsement_apply(
        user=xian_citizen,
        document_id=xian_citizen.person.documents.get().pk,
        choices=[services.Choice("HKG", "G", "3m1")],
        channel="kiosk",
    ).endorsements
    queue = verified_client(shaanxi).get(reverse("staff:endorsements:queue"))
    assert queue.status_code == 200 and endorsement.number in queue.content.decode()
