"""Fixed-window request limits kept in the cache (Redis in production, local memory otherwise).

A limit is written "count/seconds", e.g. "10/60". Settings hold the limits so operators can
change them without a release; `rate_limit_hit` counts one request and raises a 429 problem
with Retry-After when the window is used up.
"""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.utils.translation import gettext as _
from django_redis.cache import RedisCache

from .errors import ErrorCode, Problem


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    seconds: int
    # Windows start at multiples of `seconds` after the epoch, moved by `offset` seconds: a
    # day counted from midnight in Shanghai is Rate(n, 86400, offset=SHANGHAI_DAY_OFFSET).
    offset: int = 0

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """Read "count/seconds"; a count of 0 means no limit."""
        count, _sep, seconds = str(text).partition("/")
        rate = cls(int(count), int(seconds or 60))
        if rate.count < 0 or rate.seconds <= 0:
            raise ValueError(f"bad rate {text!r}")
        return rate


# Asia/Shanghai is UTC+8 all year (no daylight saving time).
SHANGHAI_DAY_OFFSET = 8 * 3600


class RateLimited(Problem):
    def __init__(self, *, code: str, detail: str, retry_after: int) -> None:
        super().__init__(status=429, code=code, detail=detail, extra={"retry_after": retry_after})
        self.retry_after = retry_after


def rate_limit_hit(
    *, scope: str, key: str, rate: Rate | str, code: str = ErrorCode.RATE_LIMITED
) -> None:
    """Count one request of `key` in `scope`; raise RateLimited once the window is full."""
    rate = Rate.parse(rate) if isinstance(rate, str) else rate
    if rate.count == 0:
        return
    now = time.time()
    window = int((now + rate.offset) // rate.seconds)
    used = _count(f"rl:{scope}:{key}:{window}", rate.seconds + 1)
    if used > rate.count:
        raise _refusal(rate=rate, window=window, now=now, code=code)


def rate_limit_check(
    *, scope: str, key: str, rate: Rate | str, code: str = ErrorCode.RATE_LIMITED
) -> None:
    """Raise RateLimited if `key`'s window in `scope` is already full, counting nothing: for
    limits that count only failures (a right password must not use up the tries)."""
    rate = Rate.parse(rate) if isinstance(rate, str) else rate
    if rate.count == 0:
        return
    now = time.time()
    window = int((now + rate.offset) // rate.seconds)
    if _used(f"rl:{scope}:{key}:{window}") >= rate.count:
        raise _refusal(rate=rate, window=window, now=now, code=code)


def _refusal(*, rate: Rate, window: int, now: float, code: str) -> RateLimited:
    """The 429 of a full window, with the seconds until it ends."""
    retry_after = max(1, math.ceil((window + 1) * rate.seconds - rate.offset - now))
    return RateLimited(
        code=code,
        detail=_("Too many attempts. Wait %(seconds)d seconds and try again.")
        % {"seconds": retry_after},
        retry_after=retry_after,
    )


def _used(cache_key: str) -> int:
    """How many `_count` has counted in `cache_key` (0 if none); on Redis too, the cache API
    reads the script's counter (a test pins it)."""
    return int(cache.get(cache_key) or 0)


# On Redis, counting is one atomic script: INCR, and the window's expiry on its first count.
# (The cache API needs two round trips for a window's first request, an EVAL and an ADD, and
# every booking attempt of a rush is some citizen's first.)
_COUNT_SCRIPT = """
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return used
"""
_script = None  # redis-py's Script: its SHA, loaded again by itself if Redis forgot it


def _count(cache_key: str, timeout: int) -> int:
    """Count one in `cache_key` (kept `timeout` seconds from its first count); return the count."""
    global _script
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend.client.get_client(write=True)
        if _script is None:
            _script = client.register_script(_COUNT_SCRIPT)
        return int(_script(keys=[backend.make_key(cache_key)], args=[timeout], client=client))
    # Any other backend: one round trip when the window's counter exists; add() is atomic in
    # every backend, so two first requests of a window cannot both start it at 1.
    try:
        return cache.incr(cache_key)
    except ValueError:  # no counter yet in this window (or another request starts it now)
        started = cache.add(cache_key, 1, timeout=timeout)
        return 1 if started else cache.incr(cache_key)
