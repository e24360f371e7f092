import pytest

from notifications.sink import Sink


@pytest.fixture
def sink():
    """The provider's HTTP adapter, local, honouring the de-duplication key."""
    running = Sink().start()
    yield running
    running.release()
    running.stop()


@pytest.fixture
def sms_to_sink(settings, sink):
    """Text messages go over HTTP to the sink; the relay runs only when a test asks for it."""
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.HttpSmsGateway"
    settings.SMS_HTTP_URL = sink.url
    settings.NOTIFICATIONS_RELAY_ON_COMMIT = False
    return sink
