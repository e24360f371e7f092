import pytest

from guide.models import Guide

from .factories import CalendarDayFactory, GuideFactory, HallExceptionFactory, HallFactory

pytestmark = pytest.mark.django_db


def test_every_back_office_list_and_form_opens(admin_client):
    hall = HallFactory()
    HallExceptionFactory(hall=hall)
    CalendarDayFactory()
    guide = GuideFactory()
    for url in [
        "/admin/guide/hall/",
        f"/admin/guide/hall/{hall.pk}/change/",
        "/admin/guide/hall/add/",
        "/admin/guide/hallexception/",
        "/admin/guide/calendarday/",
        "/admin/guide/calendarday/add/",
        "/admin/guide/region/",
        "/admin/guide/service/",
        "/admin/guide/guide/",
        f"/admin/guide/guide/{guide.pk}/change/",
        f"/admin/guide/guide/{guide.pk}/history/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_editing_a_guide_keeps_its_history(admin_client):
    # given a guide
    guide = GuideFactory(slug="passport-renewal")
    form = {
        field.name: getattr(guide, field.attname)
        for field in Guide._meta.concrete_fields
        if field.name not in {"id", "updated_at"}
    }
    form |= {"fees_en": "RMB 120 (changed)", "faqs-TOTAL_FORMS": 0, "faqs-INITIAL_FORMS": 0}
    # when an administrator changes the fees
    response = admin_client.post(f"/admin/guide/guide/{guide.pk}/change/", form)
    # then the change is saved, and both versions are in the history
    assert response.status_code == 302, response.content[:2000]
    guide.refresh_from_db()
    assert guide.fees_en == "RMB 120 (changed)"
    versions = list(guide.history.order_by("history_date").values_list("fees_en", flat=True))
    assert versions == ["RMB 120.", "RMB 120 (changed)"]
    assert guide.history.latest().history_user.username == "root"


def test_the_back_office_needs_a_staff_login(client):
    response = client.get("/admin/guide/guide/")
    assert response.status_code == 302
    assert "login/" in response["Location"]
