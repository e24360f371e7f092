"""Endorsement reads: the policy in effect (and its cached public rendering), one access check
per kind of reader, the citizen's endorsements, the officers' queue, exit restrictions."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.bounds import MAX_ID
from core.dates import today_shanghai
from core.errors import NotFound
from core.i18n import is_chinese, localized
from core.rawsql import Part, RawSelect
from documents.errors import DocumentError
from documents.models import Document, DocumentType
from documents.selectors import DocumentView, document_view
from guide.models import Hall
from persons.models import Person
from persons.selectors import minor_born_after, persons_acting_for

from .errors import EndorsementNotFound, UnknownOption
from .models import (
    Answer,
    Destination,
    Endorsement,
    EndorsementEvent,
    EndorsementPolicy,
    EndorsementStatus,
    EndorsementType,
    ExitRestriction,
    RejectionReason,
    Relationship,
)

S = EndorsementStatus
# Which card pass carries endorsements for which destination.
PASS_FOR = {"HKG": DocumentType.HK_MACAO_PASS, "MAC": DocumentType.HK_MACAO_PASS}
PASS_FOR["TWN"] = DocumentType.TAIWAN_PERMIT
CARD_PASSES = (DocumentType.HK_MACAO_PASS, DocumentType.TAIWAN_PERMIT)
# Statuses in which an endorsement is, or will be, on the pass.
LIVE = (S.APPLIED, S.UNDER_REVIEW, S.APPROVED, S.PAID, S.ACTIVE)


# --- the policy -------------------------------------------------------------------------------


def policy_in_effect(*, today: dt.date | None = None) -> QuerySet[EndorsementPolicy]:
    """The policy rows in effect on `today` (Asia/Shanghai)."""
    today = today or today_shanghai()
    return (
        EndorsementPolicy.objects.filter(effective_from__lte=today)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=today))
        .order_by(
            "destination",
            "sort",
            "type_code",
            "validity_months",
            F("trips").asc(nulls_last=True),
            "option_code",
        )
    )


def policy_option(
    *, destination: str, type_code: str, option_code: str, today: dt.date | None = None
) -> EndorsementPolicy:
    """The policy row of one option in effect, or a 422 naming the choice (a copy of the rows
    each process keeps per policy version and day: every application reads one)."""
    today = today or today_shanghai()
    policy = _options_in_effect(today).get((destination, type_code, option_code))
    if policy is None:
        raise UnknownOption()
    return copy.copy(policy)


# The options in effect by (destination, type, option), per policy version and day.
_OPTIONS: dict[tuple[str, dt.date], dict[tuple[str, str, str], EndorsementPolicy]] = {}


def _options_in_effect(today: dt.date) -> dict[tuple[str, str, str], EndorsementPolicy]:
    key = (policy_version(), today)
    found = _OPTIONS.get(key)
    if found is None:
        found = {}
        # The latest in effect wins when two rows of one option overlap.
        for policy in policy_in_effect(today=today).order_by("effective_from", "id"):
            found[(policy.destination, policy.type_code, policy.option_code)] = policy
        if len(_OPTIONS) > 8:
            _OPTIONS.clear()
        _OPTIONS[key] = found
    return found


def option_label(policy: EndorsementPolicy) -> str:
    """ "3 months, 1 trip, 7 days per stay" in the reader's language."""
    if policy.validity_months % 12 == 0:
        years = policy.validity_months // 12
        validity = _("%(n)s year") % {"n": years} if years == 1 else _("%(n)s years") % {"n": years}
    else:
        validity = _("%(n)s months") % {"n": policy.validity_months}
    if policy.trips is None:
        trips = _("multiple trips")
    elif policy.trips == 1:
        trips = _("1 trip")
    else:
        trips = _("%(n)s trips") % {"n": policy.trips}
    if policy.stay_days is None:
        stay = _("stay as approved by the destination")
    else:
        stay = _("%(n)s days per stay") % {"n": policy.stay_days}
    return ("，" if is_chinese() else ", ").join((validity, trips, stay))


def policy_item(policy: EndorsementPolicy) -> dict:
    """One option as the public policy and the pages show it (PolicyOptionOut's shape)."""
    return {
        "destination": policy.destination,
        "destination_name": str(Destination(policy.destination).label),
        "type": policy.type_code,
        "type_name": localized(policy, "name"),
        "option": policy.option_code,
        "label": option_label(policy),
        "validity_months": policy.validity_months,
        "trips": policy.trips,
        "stay_days": policy.stay_days,
        "fee": f"{policy.fee:.2f}",
        "min_age": policy.min_age,
        "max_age": policy.max_age,
        "eligible_regions": list(policy.eligible_regions or []),
        "relationships": list(policy.relationships or []),
        "requires": list(policy.requires or []),
        "suspended": policy.suspended,
        "suspension_note": localized(policy, "suspension_note") if policy.suspended else "",
        "effective_from": policy.effective_from.isoformat(),
        "effective_until": (policy.effective_until.isoformat() if policy.effective_until else None),
    }


def policy_document(*, today: dt.date | None = None) -> dict:
    """The whole policy in effect, in the active language (PolicyOut's shape)."""
    today = today or today_shanghai()
    return {
        "as_of": today.isoformat(),
        "options": [policy_item(p) for p in policy_in_effect(today=today)],
        "relationships": [{"code": c, "name": str(n)} for c, n in Relationship.choices],
        "answers": [{"code": c, "name": str(n)} for c, n in Answer.choices],
    }


_VERSION_KEY = "endorsements:policy:version"
_RENDERED: dict[tuple[str, str, dt.date], tuple[bytes, str]] = {}


# The version this process last read, and when (monotonic): read again from the shared cache at
# most every ENDORSEMENT_POLICY_CHECK_SECONDS (a round trip per request otherwise).
_version_seen: tuple[str, float] | None = None


def policy_version() -> str:
    """The policy's version in the shared cache: every process renders again when it changes
    (within ENDORSEMENT_POLICY_CHECK_SECONDS; at once in the process that changed it)."""
    global _version_seen
    interval = getattr(settings, "ENDORSEMENT_POLICY_CHECK_SECONDS", 1.0)
    now = time.monotonic()
    seen = _version_seen
    if seen is not None and interval > 0 and now - seen[1] < interval:
        return seen[0]
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(_VERSION_KEY, version, None)
        version = cache.get(_VERSION_KEY) or version
    _version_seen = (version, now)
    return version


def policy_invalidate() -> None:
    """A policy row changed: a new version (every process renders again), and this process's
    renderings dropped."""
    global _version_seen
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)
    _version_seen = None
    _RENDERED.clear()
    _OPTIONS.clear()


def policy_rendered(*, language: str, today: dt.date | None = None) -> tuple[bytes, str]:
    """The public policy as JSON bytes and its ETag, rendered once per language, day and policy
    version in each process (GET /api/v1/endorsements/policy)."""
    today = today or today_shanghai()
    key = (language, policy_version(), today)
    found = _RENDERED.get(key)
    if found is None:
        with override(language):
            data = policy_document(today=today)
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if len(_RENDERED) > 16:
            _RENDERED.clear()
        found = _RENDERED[key] = (body, etag)
    return found


def policy_for_guide(*, destinations: tuple[str, ...], types: tuple[str, ...]) -> list[dict]:
    """The options a guide page shows (in the reader's language)."""
    rows = policy_in_effect().filter(destination__in=destinations, type_code__in=types)
    return [policy_item(p) for p in rows]


# Guide slugs (guide/demo/guides.json) and the destinations and types they describe.
GUIDE_POLICY = {
    "endorsement-hk-macao-group": (("HKG", "MAC"), ("L",)),
    "endorsement-hk-macao-individual": (("HKG", "MAC"), ("G",)),
    "endorsement-hk-macao-business": (("HKG", "MAC"), ("S",)),
    "endorsement-hk-macao-relatives": (("HKG", "MAC"), ("T",)),
    "endorsement-hk-macao-other": (("HKG", "MAC"), ("Q",)),
    "endorsement-hk-macao-stay": (("HKG", "MAC"), ("D",)),
    "endorsement-taiwan-group": (("TWN",), ("L",)),
    "endorsement-taiwan-individual": (("TWN",), ("G",)),
    "endorsement-taiwan-relatives": (("TWN",), ("T",)),
    "endorsement-taiwan-business": (("TWN",), ("F",)),
    "endorsement-taiwan-other": (("TWN",), ("Q",)),
    "endorsement-taiwan-invited": (("TWN",), ("Y",)),
    "endorsement-taiwan-settlement": (("TWN",), ("D",)),
}


def guide_policy(*, slug: str) -> list[dict]:
    """The policy section of a guide page (empty for guides that are not about endorsements)."""
    found = GUIDE_POLICY.get(slug)
    if found is None:
        return []
    return policy_for_guide(destinations=found[0], types=found[1])


# --- endorsements -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EndorsementView:
    """An endorsement as its holder (or their guardian) sees it."""

    endorsement: Endorsement
    status_label: str
    type_name: str
    destination_name: str
    trips_left: int | None
    can_apply_again: bool
    reasons: list[str]  # why it is under review or was rejected, as the citizen may read it


def endorsement_view(endorsement: Endorsement, *, today: dt.date | None = None) -> EndorsementView:
    from .checks import check_message

    today = today or today_shanghai()
    e = endorsement
    status = e.status
    if status == S.ACTIVE and e.valid_until < today:
        status = S.EXPIRED  # derived, as a document's expiry is
    expiring = status == S.ACTIVE and (e.valid_until - today).days <= 30
    reasons = []
    if status == S.UNDER_REVIEW:
        reasons = [check_message(code) for code in e.failed_checks]
    elif status == S.REJECTED:
        reasons = [e.rejection_note]
    return EndorsementView(
        endorsement=e,
        status_label=str(S(status).label),
        type_name=_type_name(e),
        destination_name=str(Destination(e.destination).label),
        trips_left=e.trips_left,
        can_apply_again=status in (S.EXPIRED, S.USED_UP, S.REJECTED, S.WITHDRAWN) or expiring,
        reasons=reasons,
    )


def _type_name(endorsement: Endorsement) -> str:
    policy = endorsement.policy
    if policy is not None:
        return f"{localized(policy, 'name')} ({endorsement.type_code})"
    return str(EndorsementType(endorsement.type_code).label)


def endorsements_of_user(*, user) -> list[EndorsementView]:
    """Every endorsement of the persons the user acts for (themself and their minors)."""
    persons = persons_acting_for(user=user)
    if not persons:
        return []
    rows = (
        Endorsement.objects.filter(person__in=persons)
        .select_related("policy", "document", "hall", "person")
        .order_by("-applied_at", "-id")
    )
    today = today_shanghai()
    return [endorsement_view(e, today=today) for e in rows]


def endorsements_on_documents(*, document_ids: list[int]) -> dict[int, list[EndorsementView]]:
    """The endorsements on these passes (for "My documents"), newest first, in one query."""
    out: dict[int, list[EndorsementView]] = {pk: [] for pk in document_ids}
    if not document_ids:
        return out
    today = today_shanghai()
    rows = (
        Endorsement.objects.filter(document_id__in=document_ids, status__in=[*LIVE, S.USED_UP])
        .select_related("policy")
        .order_by("-valid_until", "-id")
    )
    for e in rows:
        out[e.document_id].append(endorsement_view(e, today=today))
    return out


def endorsement_get_for(*, user, pk: int) -> Endorsement:
    """The one access check for citizens: an endorsement of a person the user acts for, else
    404 as if it did not exist."""
    persons = [p.pk for p in persons_acting_for(user=user)]
    endorsement = None
    if persons and 0 < pk <= MAX_ID:
        endorsement = (
            Endorsement.objects.filter(pk=pk, person_id__in=persons)
            .select_related("policy", "document", "hall", "person")
            .first()
        )
    if endorsement is None:
        raise EndorsementNotFound()
    return endorsement


def endorsement_events(*, endorsement: Endorsement) -> list[EndorsementEvent]:
    return list(EndorsementEvent.objects.filter(endorsement=endorsement).order_by("at", "id"))


def restriction_active(*, person_id: int, today: dt.date | None = None) -> ExitRestriction | None:
    """The person's exit restriction in force today, if any."""
    today = today or today_shanghai()
    return (
        ExitRestriction.objects.filter(
            person_id=person_id, lifted_at__isnull=True, ends_on__gte=today
        )
        .order_by("ends_on")
        .first()
    )


@dataclass(frozen=True)
class PassForApplying:
    """What applying for endorsements on one card pass reads before it writes."""

    view: DocumentView  # the pass (its holder on view.document.person), as document_get_for
    open_endorsements: list[Endorsement]  # on this pass: pending or active (LIVE)
    restricted: bool  # the holder has an exit restriction in force


# Applying reads the pass with its holder, the pass's live endorsements and the holder's exit
# restrictions in force, in one fixed query (the hot path of online applications,
# docs/benchmarks.md): a row per live endorsement and restriction (usually one row, with NULLs).
# The pass only if the user acts for its holder: the user's own, or a registered minor's
# (document_get_for's rule, as _ACTING_FOR_ENDORSEMENTS below; test_services compares both).
_PASS_FOR_APPLYING = RawSelect(
    [Part(Document, "d"), Part(Person, "p"), Part(Endorsement, "e"), Part(ExitRestriction, "r")],
    "FROM documents_document d"
    " JOIN persons_person p ON p.id = d.person_id"
    " LEFT JOIN endorsements_endorsement e ON e.document_id = d.id"
    " AND e.status IN (%s, %s, %s, %s, %s)"  # LIVE
    " LEFT JOIN endorsements_exitrestriction r ON r.person_id = p.id"
    " AND r.lifted_at IS NULL AND r.ends_on >= %s"
    " WHERE d.id = %s AND p.id IN (SELECT %s UNION ALL"
    " SELECT g.child_id FROM persons_guardianship g WHERE g.guardian_id = %s)"
    " AND (p.id = %s OR p.birth_date > %s)",
)


def pass_for_applying(*, user, document_id: int, today: dt.date) -> PassForApplying:
    """The card pass (any document) `document_id` of a person the user acts for, with what the
    automatic checks need; 404 as if it did not exist for anyone else's (document_get_for)."""
    me = getattr(user, "person", None) if user.is_authenticated else None
    rows = []
    if me is not None and 0 < document_id <= MAX_ID:
        rows = _PASS_FOR_APPLYING.rows(
            [
                *(s.value for s in LIVE),
                today,
                document_id,
                me.pk,
                me.pk,
                me.pk,
                minor_born_after(today),
            ]
        )
    if not rows:
        raise NotFound(
            code=DocumentError.DOCUMENT_NOT_FOUND, detail=_("There is no such document.")
        )
    document, person = rows[0][0], rows[0][1]
    document.person = person
    endorsements = {e.pk: e for _d, _p, e, _r in rows if e is not None}
    for endorsement in endorsements.values():
        endorsement.document, endorsement.person = document, person
    return PassForApplying(
        view=document_view(document, today=today, full_number=True),
        open_endorsements=list(endorsements.values()),
        restricted=any(r is not None for _d, _p, _e, r in rows),
    )


def card_passes_for(*, user, today: dt.date | None = None) -> list[Document]:
    """The card passes of the persons the user acts for, newest first (any status: the
    application form shows why one cannot be chosen)."""
    persons = {p.pk: p for p in persons_acting_for(user=user, today=today)}
    if not persons:
        return []
    documents = list(
        Document.objects.filter(person_id__in=persons, type__in=CARD_PASSES).order_by(
            "person_id", "type", "-issued_on"
        )
    )
    for d in documents:
        d.person = persons[d.person_id]
    return documents


def language_of(request) -> str:
    return "zh-hans" if is_chinese() else "en"


# --- staff ------------------------------------------------------------------------------------


def _require_work(staff) -> None:
    from core.errors import PermissionDenied
    from staff.permissions import Permission
    from staff.selectors import staff_can

    if not (
        staff_can(staff, Permission.APPLICATION_REVIEW) or staff_can(staff, Permission.HALL_SERVICE)
    ):
        raise PermissionDenied()


def endorsements_in_scope(*, staff) -> QuerySet[Endorsement]:
    """Endorsements to be paid and printed at a hall in the staff member's scope, and kiosk
    ones of persons registered in their regions."""
    from staff.selectors import staff_halls_in_scope, staff_region_prefixes

    _require_work(staff)
    condition = Q(hall__in=staff_halls_in_scope(staff))
    for prefix in staff_region_prefixes(staff):
        condition |= Q(hall__isnull=True, person__household_region__code__startswith=prefix)
    return Endorsement.objects.filter(condition).select_related(
        "person", "document", "hall", "policy"
    )


def endorsement_for_staff(*, staff, number: str) -> Endorsement:
    """One endorsement in scope; anything else is a 404."""
    clean = (number or "").strip().upper()[:16]
    found = endorsements_in_scope(staff=staff).filter(number=clean).first() if clean else None
    if found is None:
        raise EndorsementNotFound()
    return found


def review_queue(*, staff) -> QuerySet[Endorsement]:
    """Endorsements under review in scope, the oldest first."""
    return (
        endorsements_in_scope(staff=staff)
        .filter(status=S.UNDER_REVIEW)
        .order_by("applied_at", "id")
    )


def waiting_on_pass(*, staff, pass_number: str) -> tuple[Document | None, list[Endorsement]]:
    """A card pass by number and its endorsements approved or paid, waiting at a hall in scope
    (or at a kiosk) for payment and printing."""
    clean = (pass_number or "").strip().upper()[:9]
    document = Document.objects.filter(number=clean, type__in=CARD_PASSES).first()
    if document is None:
        return None, []
    rows = (
        endorsements_in_scope(staff=staff)
        .filter(document=document, status__in=[S.APPROVED, S.PAID, S.ACTIVE])
        .order_by("status", "applied_at", "id")
    )
    today = today_shanghai()
    return document, [e for e in rows if e.status != S.ACTIVE or e.valid_until >= today]


def kiosk_waiting(*, pass_number: str, id_number: str) -> tuple[Document, list[Endorsement]]:
    """At a kiosk: the pass that matches both numbers and its endorsements waiting for a
    kiosk (approved or paid); a mismatch is a 404 that says nothing about which was wrong."""
    from .errors import KioskNotFound

    pass_clean = (pass_number or "").strip().upper()[:9]
    id_clean = (id_number or "").strip().upper()[:18]
    document = (
        Document.objects.filter(number=pass_clean, type__in=CARD_PASSES, person__id_number=id_clean)
        .select_related("person")
        .first()
        if pass_clean and id_clean
        else None
    )
    if document is None:
        raise KioskNotFound()
    rows = (
        Endorsement.objects.filter(
            document=document, channel="kiosk", status__in=[S.APPROVED, S.PAID]
        )
        .select_related("policy", "document")
        .order_by("applied_at", "id")
    )
    return document, list(rows)


def restrictions_of(*, person_id: int) -> list[ExitRestriction]:
    return list(
        ExitRestriction.objects.filter(person_id=person_id)
        .select_related("placed_by", "lifted_by")
        .order_by("-placed_at", "-id")
    )


REVIEW_WORKING_DAYS = 5  # [?] how long an officer's review takes at most


def expected_on(endorsement: Endorsement) -> dt.date | None:
    """While under review: the date a decision is expected (working days from applying)."""
    if endorsement.status != S.UNDER_REVIEW:
        return None
    from applications.deadlines import add_working_days

    return add_working_days(today_shanghai(endorsement.applied_at), REVIEW_WORKING_DAYS)


def kiosk_endorsements(*, document_id: int) -> list[Endorsement]:
    """The kiosk endorsements of a pass waiting for payment or printing."""
    return list(
        Endorsement.objects.filter(
            document_id=document_id, channel="kiosk", status__in=[S.APPROVED, S.PAID]
        )
        .select_related("policy", "document")
        .order_by("applied_at", "id")
    )


def endorsement_summary(view: EndorsementView) -> dict:
    """One endorsement on a pass as "My documents" shows it (documents' API schema)."""
    e = view.endorsement
    return {
        "id": e.pk,
        "number": e.number,
        "destination": e.destination,
        "type": e.type_code,
        "type_name": view.type_name,
        "status": e.status,
        "status_name": view.status_label,
        "valid_from": e.valid_from,
        "valid_until": e.valid_until,
        "trips_total": e.trips_total,
        "trips_left": view.trips_left,
        "stay_days": e.stay_days,
        "can_apply_again": view.can_apply_again,
    }


def endorsement_fee(*, destination: str, type_code: str, on: dt.date | None = None):
    """The fee of one endorsement asked for with a pass at the hall (an appointment's
    "HKG-G"): its single-trip 3-month option when there is one, else its cheapest option in
    effect; None when the policy has no such endorsement."""
    options = list(policy_in_effect(today=on).filter(destination=destination, type_code=type_code))
    if not options:
        return None
    single = [p for p in options if p.option_code == "3m1"]
    return (single or sorted(options, key=lambda p: (p.fee, p.pk)))[0].fee


def endorsements_fee(*, codes: list[str], on: dt.date | None = None):
    """The total fee of the endorsements asked for with a pass ("HKG-G", "MAC-L" ...), from
    the policy table."""
    from decimal import Decimal

    total = Decimal("0")
    for code in codes or []:
        destination, _sep, type_code = str(code).partition("-")
        fee = endorsement_fee(destination=destination, type_code=type_code, on=on)
        if fee is not None:
            total += fee
    return total


# --- endorsements as applications ("My applications" and the progress lookup) ----------------


@dataclass(frozen=True)
class EndorsementOutlook:
    """Where an endorsement application stands, in the reader's language (the shape of
    applications.selectors.ApplicationOutlook)."""

    status: str
    status_label: str
    stage_label: str
    expected_date: dt.date | None
    next_step: str


def _hall_or_kiosk(endorsement: Endorsement) -> str:
    hall = endorsement.hall
    if hall is None:
        return _("at a self-service kiosk")
    return _("at %(hall)s, %(address)s") % {
        "hall": localized(hall, "name"),
        "address": localized(hall, "address"),
    }


def endorsement_outlook(
    endorsement: Endorsement, *, today: dt.date | None = None, anonymous: bool = False
) -> EndorsementOutlook:
    """The stage, the expected decision date (while an officer reviews it) and the next step in
    plain words. Reads the endorsement and its hall only (select_related or a RawSelect).
    `anonymous` (the progress lookup): the reason for a rejection is not shown, only where to
    read it."""
    today = today or today_shanghai()
    e = endorsement
    status = e.status
    if status == S.ACTIVE and e.valid_until < today:
        status = S.EXPIRED
    expected = None
    if status == S.APPLIED:
        stage = _("Automatic checks")
        step = _("Your application is being checked. There is nothing you need to do now.")
    elif status == S.UNDER_REVIEW:
        stage = _("Review")
        expected = expected_on(e)
        step = _(
            "An officer is reviewing your application. There is nothing you need to do now: "
            "we will send you a message when it is decided."
        )
    elif status == S.APPROVED:
        stage = _("Approved")
        step = _("Pay and print it %(where)s. Bring your pass.") % {"where": _hall_or_kiosk(e)}
    elif status == S.PAID:
        stage = _("Printing")
        step = _("Paid. Have it printed %(where)s. Bring your pass.") % {"where": _hall_or_kiosk(e)}
    elif status == S.ACTIVE:
        stage = _("Active")
        step = _("Active until %(date)s.") % {"date": e.valid_until.isoformat()}
        if e.trips_left is not None:
            step = f"{step} " + _("Trips left: %(n)s.") % {"n": e.trips_left}
    elif status == S.REJECTED:
        stage = _("Ended")
        reason = e.rejection_note
        if anonymous:
            reason = _("sign in to read the reason under My applications")
        elif not reason and e.rejection_reason in RejectionReason.values:
            reason = str(RejectionReason(e.rejection_reason).label)
        step = _("Rejected: %(reason)s") % {"reason": reason}
    elif status == S.WITHDRAWN:
        stage = _("Ended")
        step = _("You withdrew this application. You can apply again at any time.")
    elif status == S.USED_UP:
        stage = _("Ended")
        step = _("Every trip of this endorsement was used. You can apply again.")
    else:
        stage = _("Ended")
        step = _("Expired on %(date)s. You can apply again.") % {"date": e.valid_until.isoformat()}
    return EndorsementOutlook(
        status=status,
        status_label=str(S(status).label),
        stage_label=str(stage),
        expected_date=expected,
        next_step=str(step),
    )


# The endorsements of the bound person and of their registered minors, with holder, policy and
# hall, newest first, in one fixed query (as applications.selectors reads their applications):
# "My applications" lists them with the applications.
ACTING_FOR_ENDORSEMENTS = RawSelect(
    [
        Part(Endorsement, "e"),
        # What the lists show of the holder, the type and the hall, the rest not read: "My
        # applications" reads these rows in the same statement as the applications, where each
        # row is as wide as its widest branch (core.rawsql.RawUnion).
        Part(Person, "p", only=("id", "id_number", "name_zh", "name_pinyin")),
        Part(EndorsementPolicy, "po", only=("id", "name_zh", "name_en")),
        Part(
            Hall,
            "h",
            only=("id", "code", "name_zh", "name_en", "address_zh", "address_en", "phone"),
        ),
    ],
    "FROM endorsements_endorsement e"
    " JOIN persons_person p ON p.id = e.person_id"
    " JOIN endorsements_endorsementpolicy po ON po.id = e.policy_id"
    " LEFT JOIN guide_hall h ON h.id = e.hall_id"
    " WHERE e.person_id IN (SELECT %s UNION ALL"
    " SELECT g.child_id FROM persons_guardianship g"
    " JOIN persons_person c ON c.id = g.child_id"
    " WHERE g.guardian_id = %s AND c.birth_date > %s)",
    order_by="e.applied_at DESC, e.id DESC",
)
# A family's endorsements are few; "My applications" shows at most this many (newest first).
MY_APPLICATIONS_MAX = 100


def endorsement_applications_for(*, user, today: dt.date | None = None) -> list[Endorsement]:
    """The endorsement applications of the user and of the minors they act for, newest first,
    with holder, policy and hall: one query."""
    me = getattr(user, "person", None) if user.is_authenticated else None
    if me is None:
        return []
    today = today or today_shanghai()
    values = ACTING_FOR_ENDORSEMENTS.values([me.pk, me.pk, minor_born_after(today)])
    return endorsements_of_rows(values[:MY_APPLICATIONS_MAX])


def endorsements_of_rows(values: list[tuple]) -> list[Endorsement]:
    """The endorsements of rows of ACTING_FOR_ENDORSEMENTS (also read with the applications, in
    applications.selectors.my_applications_page), with holder, policy and hall."""
    found = []
    for row in values:
        endorsement, person, policy, hall = ACTING_FOR_ENDORSEMENTS.instances(row, deferred=True)
        endorsement.person, endorsement.policy, endorsement.hall = person, policy, hall
        found.append(endorsement)
    return found
