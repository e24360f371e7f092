import pytest

from documents.models import DocumentStatus

from .factories import DocumentEventFactory, PassportFactory

pytestmark = pytest.mark.django_db


def test_every_back_office_page_opens_and_lists_show_masked_numbers(admin_client):
    document = PassportFactory(number="E12345678")
    event = DocumentEventFactory(document=document)
    for url in [
        "/admin/documents/document/",
        f"/admin/documents/document/{document.pk}/change/",
        "/admin/documents/documentevent/",
        f"/admin/documents/documentevent/{event.pk}/change/",
        "/admin/documents/document/?status__exact=valid",
        "/admin/documents/document/?q=E12345678",
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    listing = admin_client.get("/admin/documents/document/").text
    assert "E******78" in listing
    assert "E12345678" not in listing
    assert document.person.id_number not in listing


def test_events_are_read_only_and_documents_cannot_be_added_or_deleted(admin_client):
    document = PassportFactory()
    event = DocumentEventFactory(document=document)
    assert admin_client.get("/admin/documents/documentevent/add/").status_code == 403
    assert admin_client.get("/admin/documents/document/add/").status_code == 403
    response = admin_client.post(f"/admin/documents/documentevent/{event.pk}/delete/")
    assert response.status_code == 403
    response = admin_client.post(f"/admin/documents/document/{document.pk}/delete/")
    assert response.status_code == 403


def test_the_invalidate_action_goes_through_the_service(admin_client):
    document = PassportFactory()
    response = admin_client.post(
        "/admin/documents/document/",
        {"action": "invalidate", "_selected_action": [document.pk]},
        follow=True,
    )
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.status == DocumentStatus.INVALIDATED
    assert document.events.get().kind == "invalidated"
    # a second time: a warning, not an error page
    response = admin_client.post(
        "/admin/documents/document/",
        {"action": "invalidate", "_selected_action": [document.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert document.events.count() == 1
