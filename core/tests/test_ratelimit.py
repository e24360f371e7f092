from unittest import mock

import pytest

from core.ratelimit import SHANGHAI_DAY_OFFSET, Rate, RateLimited, rate_limit_check, rate_limit_hit


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


def check_counts_nothing_and_refuses_a_full_window():
    with mock.patch("core.ratelimit.time.time", return_value=1_000_000.0):
        # given a window with room: checking it any number of times uses none of it
        for _ in range(10):
            rate_limit_check(scope="t", key="c", rate="2/60")
        rate_limit_hit(scope="t", key="c", rate="2/60")
        rate_limit_check(scope="t", key="c", rate="2/60")
        # when the window is used up, the check refuses as the count does
        rate_limit_hit(scope="t", key="c", rate="2/60")
        with pytest.raises(RateLimited) as caught:
            rate_limit_check(scope="t", key="c", rate="2/60")
    assert 1 <= caught.value.retry_after <= 60


def test_a_check_counts_nothing_and_refuses_a_full_window():
    check_counts_nothing_and_refuses_a_full_window()


def test_a_count_of_zero_means_no_limit():
    for _ in range(50):
        rate_limit_hit(scope="t", key="a", rate="0/60")


@pytest.mark.parametrize("text", ["x/60", "5/0", "-1/60"])
def test_bad_rates_are_refused(text):
    with pytest.raises(ValueError):
        Rate.parse(text)


# -- on Redis, as production counts ---------------------------------------------------------------


@pytest.fixture
def redis_cache(settings):
    """The default cache on a real Redis (REDIS_TEST_URL, default database 15 on 127.0.0.1),
    under a key prefix of this test alone (test processes run side by side and share the
    server), its keys deleted after; outside CI a machine without Redis skips these tests."""
    import os
    import uuid

    from django.core.cache import caches

    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"exitentry-test-{uuid.uuid4().hex}",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    backend = caches["default"]
    try:
        backend.get("reachable")
    except Exception as error:  # any connection error means "no Redis here"
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {url}: {error}")
        pytest.skip(f"no Redis at {url}")
    yield backend
    backend.delete_pattern("*")


def test_on_redis_a_window_counts_atomically_and_expires(redis_cache):
    # given a fresh window on Redis
    with mock.patch("core.ratelimit.time.time", return_value=1_000_000.0):
        # when it is used up
        for _ in range(3):
            rate_limit_hit(scope="t", key="a", rate="3/60")
        # then the next request is refused, and the counter lives one window (and a second)
        with pytest.raises(RateLimited):
            rate_limit_hit(scope="t", key="a", rate="3/60")
    key = redis_cache.make_key(f"rl:t:a:{1_000_000 // 60}")
    client = redis_cache.client.get_client(write=True)
    assert int(client.get(key)) == 4
    assert 0 < client.ttl(key) <= 61
    # and the cache API reads the same counter
    assert redis_cache.get(f"rl:t:a:{1_000_000 // 60}") == 4


def test_on_redis_the_script_is_loaded_again_when_redis_forgets_it(redis_cache):
    rate_limit_hit(scope="t", key="b", rate="5/60")
    redis_cache.client.get_client(write=True).script_flush()
    rate_limit_hit(scope="t", key="b", rate="5/60")  # NOSCRIPT: loaded again, no error


def test_on_redis_concurrent_first_requests_are_each_counted(redis_cache):
    # given 8 threads making the first requests of a window at once
    import threading

    barrier = threading.Barrier(8)
    refused = []

    def attempt():
        barrier.wait()
        try:
            rate_limit_hit(scope="t", key="c", rate="5/60")
        except RateLimited:
            refused.append(1)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    with mock.patch("core.ratelimit.time.time", return_value=2_000_000.0):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # then exactly 5 got through
    assert len(refused) == 3


def test_on_redis_a_check_reads_the_scripts_counter(redis_cache):
    check_counts_nothing_and_refuses_a_full_window()


def test_a_day_in_shanghai_runs_from_midnight_to_midnight_there():
    day = Rate(1, 24 * 3600, offset=SHANGHAI_DAY_OFFSET)
    # given the day's one attempt used at 23:00 in Shanghai (15:00 UTC)
    late_evening = 1_798_642_800.0  # 2026-12-30 15:00:00 UTC
    with mock.patch("core.ratelimit.time.time", return_value=late_evening):
        rate_limit_hit(scope="t", key="d", rate=day)
        # when another comes the same evening, it waits until midnight in Shanghai: one hour
        with pytest.raises(RateLimited) as caught:
            rate_limit_hit(scope="t", key="d", rate=day)
    assert caught.value.retry_after == 3600
    # then at 00:30 in Shanghai (16:30 UTC, the same UTC day) a new day has begun
    with mock.patch("core.ratelimit.time.time", return_value=late_evening + 5400):
        rate_limit_hit(scope="t", key="d", rate=day)
