"""The relay: deliver queued notifications through the gateways, after commit.

One run takes batches of due rows and, for each batch:

1. claims it in its own short transaction: `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL
   (concurrent relays take different rows); on SQLite the transaction itself is the lock
   (`BEGIN IMMEDIATE`, one writer at a time), so the same select-then-update is safe there.
   The rows become "sending" with a lease, and that is committed before anything is sent;
2. sends each row through its channel's gateway with the row's id as the de-duplication key;
3. records each outcome: "sent" (with the provider's message id), or back to "queued" with
   exponential backoff, or "failed" after NOTIFICATIONS_MAX_ATTEMPTS or when the person has
   no address for the channel.

A row still "sending" after its lease belongs to a relay that died (or hung) between 1 and 3:
it may or may not have reached the provider. It becomes "in doubt" (in_doubt_at records it)
and is sent again with the same key, so a provider that honours the key delivers it once and
nothing is lost either way.
"""

import datetime as dt
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.gateways import GatewayError, Message, gateway_for

from .models import Notification

logger = logging.getLogger(__name__)

S = Notification.Status


@dataclass
class RelayResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    in_doubt: int = 0

    def add(self, other: "RelayResult") -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.in_doubt += other.in_doubt


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the attempts-th failed attempt: doubling, capped."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.NOTIFICATIONS_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=seconds)


def relay_run(*, batch_size: int | None = None, max_batches: int | None = None) -> RelayResult:
    """Deliver due notifications batch after batch until none is due (or max_batches)."""
    batch_size = batch_size or settings.NOTIFICATIONS_BATCH_SIZE
    total = RelayResult()
    batches = 0
    while max_batches is None or batches < max_batches:
        claimed, in_doubt = _claim(batch_size)
        total.in_doubt += in_doubt
        if not claimed:
            break
        total.add(_deliver(claimed))
        batches += 1
    if total.sent or total.retried or total.failed:
        logger.info(
            "Relay: %d sent, %d to retry, %d failed, %d found in doubt",
            total.sent,
            total.retried,
            total.failed,
            total.in_doubt,
        )
    return total


# What sending needs: the message and the person's addresses.
_SENT_FIELDS = (
    "id", "channel", "kind", "subject", "text", "attempts", "language",
    "user__id", "user__phone", "user__email", "user__email_confirmed_at",
)  # fmt: skip


@dataclass(frozen=True)
class _Claimed:
    rows: list[Notification]
    lease_until: dt.datetime


def _claim(limit: int) -> tuple[_Claimed | None, int]:
    """Take up to `limit` due rows as "sending" under a fresh lease, committed at once."""
    now = timezone.now()
    lease_until = now + dt.timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)
    with transaction.atomic():
        # Rows whose relay died while sending: in doubt, due at once.
        stale = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=S.SENDING, lease_until__lt=now)
            .values_list("pk", flat=True)[:limit]
        )
        if stale:
            Notification.objects.filter(pk__in=stale, status=S.SENDING).update(
                status=S.IN_DOUBT,
                in_doubt_at=Coalesce(F("in_doubt_at"), Value(now)),
                lease_until=None,
                next_attempt_at=now,
            )
            logger.warning("Relay: %d notifications found in doubt, sending them again", len(stale))
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status__in=[S.QUEUED, S.IN_DOUBT], next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return None, len(stale)
        Notification.objects.filter(pk__in=ids).update(
            status=S.SENDING,
            lease_until=lease_until,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    rows = list(Notification.objects.filter(pk__in=ids).select_related("user").only(*_SENT_FIELDS))
    return _Claimed(rows=rows, lease_until=lease_until), len(stale)


class _NoAddress(Exception):
    """The person has no address for this channel: retrying will not help."""


def _send_one(row: Notification, gateways: dict) -> str:
    user = row.user
    if row.channel == Notification.Channel.EMAIL:
        to = user.email if user.has_confirmed_email else ""
    else:
        to = user.phone or ""
    if not to:
        raise _NoAddress(f"the account has no {row.get_channel_display()} address")
    gateway = gateways.get(row.channel)
    if gateway is None:
        gateway = gateways[row.channel] = gateway_for(row.channel)
    message = Message(
        channel=row.channel,
        to=to,
        subject=row.subject,
        text=row.text,
        language=row.language,
        key=str(row.pk),
    )
    return gateway.send(message) or ""


_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    """Threads that wait on the providers side by side (made in the process that sends: a
    Celery worker forks before its first task)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=settings.NOTIFICATIONS_SEND_THREADS, thread_name_prefix="relay"
            )
        return _pool


def _deliver(claimed: _Claimed) -> RelayResult:
    """Send the claimed rows and record each outcome."""
    gateways: dict = {}
    sent: dict[int, str] = {}
    errors: dict[int, tuple[str, bool]] = {}  # pk -> (error, permanent)

    def attempt(row: Notification) -> None:
        try:
            sent[row.pk] = _send_one(row, gateways)
        except _NoAddress as exc:
            errors[row.pk] = (str(exc), True)
        except GatewayError as exc:
            errors[row.pk] = (str(exc), False)
        except Exception as exc:  # a gateway's bug must not leave the batch unrecorded
            logger.exception("Relay: gateway error on notification %s", row.pk)
            errors[row.pk] = (f"unexpected error: {type(exc).__name__}", False)

    threads = settings.NOTIFICATIONS_SEND_THREADS
    if threads > 1 and len(claimed.rows) > 1:
        for row in claimed.rows:
            gateways.setdefault(row.channel, gateway_for(row.channel))
        list(_executor().map(attempt, claimed.rows))
    else:
        for row in claimed.rows:
            attempt(row)
    return _record(claimed, sent, errors)


def _record(claimed: _Claimed, sent: dict[int, str], errors: dict) -> RelayResult:
    now = timezone.now()
    result = RelayResult()
    by_pk = {row.pk: row for row in claimed.rows}
    if sent:
        # Whoever holds the lease now: the message reached the provider.
        with_id = [When(pk=pk, then=Value(mid)) for pk, mid in sent.items() if mid]
        result.sent = Notification.objects.filter(
            pk__in=list(sent), status__in=[S.SENDING, S.IN_DOUBT]
        ).update(
            status=S.SENT,
            sent_at=now,
            lease_until=None,
            last_error="",
            provider_message_id=Case(*with_id, default=F("provider_message_id"))
            if with_id
            else F("provider_message_id"),
        )
    # Failures are written only while this relay still holds the lease.
    groups: dict[tuple, list[int]] = {}
    for pk, (error, permanent) in errors.items():
        attempts = by_pk[pk].attempts
        final = permanent or attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
        groups.setdefault((final, attempts, error[:300]), []).append(pk)
    for (final, attempts, error), pks in groups.items():
        mine = Notification.objects.filter(
            pk__in=pks, status=S.SENDING, lease_until=claimed.lease_until
        )
        if final:
            result.failed += mine.update(
                status=S.FAILED, failed_at=now, lease_until=None, last_error=error
            )
            logger.warning("Relay: %d notifications failed for good: %s", len(pks), error)
        else:
            result.retried += mine.update(
                status=S.QUEUED,
                next_attempt_at=now + retry_delay(attempts),
                lease_until=None,
                last_error=error,
            )
    return result


# --- after commit -----------------------------------------------------------------------------

_kick_lock = threading.Lock()
_next_run_at = float("-inf")  # (monotonic) when the latest run this process asked for starts


def relay_kick() -> None:
    """Have the relay run soon after this commit (on_commit of every queued notification).

    Embedded mode (eager tasks): it runs here, in-process. With a worker: a relay task is
    queued, at most one per NOTIFICATIONS_KICK_SECONDS per process, each starting after the
    commit that asked for it (so a burst of bookings costs one task, not one each). The
    periodic relay (beat) stands behind both.
    """
    if not settings.NOTIFICATIONS_RELAY_ON_COMMIT:
        return
    from . import tasks

    if settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            tasks.relay.apply()
        except Exception:
            logger.exception("Relay: in-process run failed; the periodic run will retry")
        return
    global _next_run_at
    now = time.monotonic()
    with _kick_lock:
        if _next_run_at >= now:
            return  # a run that starts after this commit is already asked for
        start = max(now, _next_run_at + settings.NOTIFICATIONS_KICK_SECONDS)
        _next_run_at = start
    try:
        countdown = start - now
        tasks.relay.apply_async(
            countdown=countdown if countdown > 0.001 else None,
            queue=settings.CELERY_TASK_DEFAULT_QUEUE,
        )
    except Exception:
        logger.warning("Relay: could not queue a run; the periodic run will deliver")
