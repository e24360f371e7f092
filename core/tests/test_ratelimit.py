from unittest import mock

import pytest

from core.ratelimit import Rate, RateLimited, rate_limit_hit


def test_the_window_allows_its_count_then_answers_429_with_retry_after():
    with mock.patch("core.ratelimit.time.time", return_value=1_000_000.0):
        for _ in range(3):
            rate_limit_hit(scope="t", key="a", rate="3/60")
        with pytest.raises(RateLimited) as caught:
            rate_limit_hit(scope="t", key="a", rate="3/60")
    assert caught.value.status == 429
    assert 1 <= caught.value.retry_after <= 60
    # another key has its own window
    with mock.patch("core.ratelimit.time.time", return_value=1_000_000.0):
        rate_limit_hit(scope="t", key="b", rate="3/60")


def test_a_new_window_starts_again():
    with mock.patch("core.ratelimit.time.time", return_value=1_000_000.0):
        rate_limit_hit(scope="t", key="a", rate="1/60")
    with mock.patch("core.ratelimit.time.time", return_value=1_000_061.0):
        rate_limit_hit(scope="t", key="a", rate="1/60")


def test_a_count_of_zero_means_no_limit():
    for _ in range(50):
        rate_limit_hit(scope="t", key="a", rate="0/60")


@pytest.mark.parametrize("text", ["x/60", "5/0", "-1/60"])
def test_bad_rates_are_refused(text):
    with pytest.raises(ValueError):
        Rate.parse(text)
