"""TOTP secrets are neither shown nor editable in the back-office once a device is enrolled."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from .factories import TOTPDeviceFactory

pytestmark = pytest.mark.django_db


def test_the_secret_of_an_enrolled_device_is_not_shown(admin_client):
    # given an enrolled device
    device = TOTPDeviceFactory()
    # when an administrator opens it
    page = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    # then neither the key nor a QR code of it is there
    assert page.status_code == 200
    assert device.key not in page.text
    assert 'name="key"' not in page.text
    assert "/qrcode/" not in page.text
    assert admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    assert admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403


def test_the_secret_cannot_be_changed_in_the_back_office(admin_client):
    device = TOTPDeviceFactory()
    key = device.key
    page = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data.update(key="0" * 40)
    # when an administrator posts the form with a key of their choice
    response = admin_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/change/", data)
    # then the device is saved, its secret unchanged
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert TOTPDevice.objects.get(pk=device.pk).key == key
