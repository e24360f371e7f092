"""Reads of the staff side: who is staff, with which roles and scope; persons' files; the log."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from core.dates import today_shanghai
from core.errors import InvalidInput, Problem
from core.masking import mask_document_number, mask_id_number
from documents.models import Document, DocumentStatus, DocumentType
from documents.selectors import document_display_status
from guide.calendar import SHANGHAI
from guide.models import Hall, Region
from persons.models import Guardianship, Person
from persons.services import id_number_field

from .errors import StaffError
from .models import AccessLog, Role, StaffRole
from .permissions import ROLE_PERMISSIONS, Permission

# How many leading digits of a region code its halls share (GB/T 2260: 44 Guangdong,
# 4403 Shenzhen, 440303 Luohu).
_PREFIX_LENGTH = {Region.Level.PROVINCE: 2, Region.Level.CITY: 4, Region.Level.COUNTY: 6}
_ROLES_CACHE = "_staff_roles_cache"
_TYPE_ORDER = {value: index for index, value in enumerate(DocumentType.values)}


# Roles, permissions and scope


def staff_roles(user) -> frozenset[Role]:
    """The roles of an active user (empty for anyone else); cached on the user object, which
    lives for one request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _ROLES_CACHE, None)
    if cached is None:
        cached = frozenset(
            Role(r) for r in StaffRole.objects.filter(user=user).values_list("role", flat=True)
        )
        setattr(user, _ROLES_CACHE, cached)
    return cached


def staff_permissions(user) -> frozenset[Permission]:
    """Everything the user's roles allow; nothing unless the account is active staff."""
    if user is None or not getattr(user, "is_staff", False):
        return frozenset()
    allowed: set[Permission] = set()
    for role in staff_roles(user):
        allowed |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(allowed)


def staff_can(user, permission: Permission | str) -> bool:
    """Whether one of the user's roles allows `permission` (see staff.permissions)."""
    return Permission(permission) in staff_permissions(user)


def staff_require(user, permission: Permission) -> None:
    """Raise 403 unless the user may do `permission`."""
    if not staff_can(user, permission):
        raise Problem(
            status=403,
            code=StaffError.PERMISSION_DENIED,
            detail=_("Your role does not allow this."),
        )


def region_prefix(region: Region) -> str:
    """The leading digits shared by the codes of every region and hall within `region`."""
    return region.code[: _PREFIX_LENGTH.get(region.level, 6)]


def _roles_of(user, role: Role | None) -> QuerySet[StaffRole]:
    roles = StaffRole.objects.filter(user=user)
    return roles.filter(role=role) if role else roles


def staff_region_prefixes(user, *, role: Role | None = None) -> list[str]:
    """Code prefixes of the regions the user's roles (or one role) cover."""
    if not user.is_authenticated:
        return []
    regions = Region.objects.filter(staffrole__in=_roles_of(user, role)).distinct()
    return sorted({region_prefix(r) for r in regions})


def staff_halls_in_scope(user, *, role: Role | None = None) -> QuerySet[Hall]:
    """Halls listed on the user's roles (or one role), and every hall within their regions."""
    if not user.is_authenticated:
        return Hall.objects.none()
    condition = Q(pk__in=Hall.objects.filter(staffrole__in=_roles_of(user, role)).values("pk"))
    for prefix in staff_region_prefixes(user, role=role):
        condition |= Q(region__code__startswith=prefix)
    return Hall.objects.filter(condition).order_by("region_id", "code")


def staff_is_verified(request: HttpRequest) -> bool:
    """A staff member with a role, signed in with a verified TOTP device in this session."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    is_verified = getattr(user, "is_verified", None)  # set by django_otp's OTPMiddleware
    return bool(is_verified and is_verified() and staff_roles(user))


@dataclass(frozen=True)
class RoleScope:
    role: Role
    halls: list[Hall]
    regions: list[Region]


def staff_role_scopes(user) -> list[RoleScope]:
    """Each of the user's roles with the halls and regions it lists, for the staff home page."""
    roles = StaffRole.objects.filter(user=user).prefetch_related("halls", "regions")
    return [
        RoleScope(Role(r.role), list(r.halls.all()), list(r.regions.all()))
        for r in sorted(roles, key=lambda r: list(Role).index(Role(r.role)))
    ]


# A person's file as staff see it


@dataclass(frozen=True)
class DocumentSummary:
    id: int
    type: str
    type_label: str
    number_masked: str
    issued_on: dt.date
    expires_on: dt.date
    issuing_authority_zh: str
    issuing_authority_en: str
    status: str
    status_label: str
    status_changed_at: dt.datetime | None


@dataclass(frozen=True)
class RelativeSummary:
    name_zh: str
    name_pinyin: str
    id_number_masked: str
    birth_date: dt.date
    relation: str
    relation_label: str


@dataclass(frozen=True)
class PersonFile:
    """What staff see of a person. `id_number` is set only when the full number was revealed."""

    person_id: int
    name_zh: str
    name_pinyin: str
    id_number_masked: str
    sex: str
    sex_label: str
    birth_date: dt.date
    household_region: Region
    guardians: list[RelativeSummary]
    children: list[RelativeSummary]
    documents: list[DocumentSummary]
    access: AccessLog
    id_number: str | None = None


def person_documents(*, person: Person, today: dt.date | None = None) -> list[DocumentSummary]:
    """Every document of the person, numbers masked, with the status as of today."""
    today = today or today_shanghai()
    documents = sorted(
        Document.objects.filter(person=person).order_by("-issued_on", "-id"),
        key=lambda d: _TYPE_ORDER.get(d.type, len(_TYPE_ORDER)),
    )
    summaries = []
    for document in documents:
        status = document_display_status(document, today)
        summaries.append(
            DocumentSummary(
                id=document.pk,
                type=document.type,
                type_label=str(DocumentType(document.type).label),
                number_masked=mask_document_number(document.number),
                issued_on=document.issued_on,
                expires_on=document.expires_on,
                issuing_authority_zh=document.issuing_authority_zh,
                issuing_authority_en=document.issuing_authority_en,
                status=str(status),
                status_label=str(DocumentStatus(status).label),
                status_changed_at=document.status_changed_at,
            )
        )
    return summaries


def _relative(person: Person, relation: str) -> RelativeSummary:
    labels = dict(Guardianship._meta.get_field("relation").choices)
    return RelativeSummary(
        name_zh=person.name_zh,
        name_pinyin=person.name_pinyin,
        id_number_masked=mask_id_number(person.id_number),
        birth_date=person.birth_date,
        relation=relation,
        relation_label=str(labels.get(relation, relation)),
    )


def person_guardians(*, person: Person) -> list[RelativeSummary]:
    links = Guardianship.objects.filter(child=person).select_related("guardian")
    return [_relative(g.guardian, g.relation) for g in links.order_by("guardian__birth_date")]


def person_children(*, person: Person) -> list[RelativeSummary]:
    links = Guardianship.objects.filter(guardian=person).select_related("child")
    return [_relative(g.child, g.relation) for g in links.order_by("child__birth_date")]


def person_file_read(*, person: Person, access: AccessLog, reveal: bool = False) -> PersonFile:
    """Assemble a person's file. Only staff.services calls this, right after logging `access`."""
    return PersonFile(
        person_id=person.pk,
        name_zh=person.name_zh,
        name_pinyin=person.name_pinyin,
        id_number_masked=mask_id_number(person.id_number),
        sex=person.sex,
        sex_label=str(Person.Sex(person.sex).label),
        birth_date=person.birth_date,
        household_region=person.household_region,
        guardians=person_guardians(person=person),
        children=person_children(person=person),
        documents=person_documents(person=person),
        access=access,
        id_number=person.id_number if reveal else None,
    )


# The access log


def access_log_person(*, id_number: str) -> Person | None:
    """The person an exact, valid ID number belongs to (for filtering the log), or None."""
    number = id_number_field(id_number)
    return Person.objects.filter(id_number=number).first()


def access_log_person_summary(*, viewer, person_id: int | None) -> dict | None:
    """Name and masked ID number of the person the log is filtered by, for the filter's label.

    Only for a person who appears in entries the viewer may read (whose name those entries show
    anyway): the filter is not a way to look anyone up without a reason.
    """
    if not person_id or not access_log_list(viewer=viewer, person_id=person_id).exists():
        return None
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return None
    return {
        "name_zh": person.name_zh,
        "name_pinyin": person.name_pinyin,
        "id_number_masked": mask_id_number(person.id_number),
    }


def _staff_in_scope_of(viewer) -> Q:
    """Log rows of staff whose roles lie within the viewer's supervisor scope, or the viewer's."""
    halls = staff_halls_in_scope(viewer, role=Role.SUPERVISOR)
    within = Q(halls__in=halls)
    for prefix in staff_region_prefixes(viewer, role=Role.SUPERVISOR):
        within |= Q(regions__code__startswith=prefix)
    staff_ids = StaffRole.objects.filter(within).values("user_id")
    return Q(staff_id__in=staff_ids) | Q(staff_id=viewer.pk)


def access_log_list(
    *,
    viewer,
    staff_username: str = "",
    person_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AccessLog]:
    """The access log as `viewer` may read it, newest first: administrators all of it,
    supervisors the entries of the staff within their regions and halls (and their own).

    Dates are days in Asia/Shanghai, both included.
    """
    staff_require(viewer, Permission.ACCESS_LOG_READ)
    if date_from and date_to and date_to < date_from:
        raise InvalidInput(
            field="date_to",
            code=StaffError.INVALID_DATE_RANGE,
            message=_("The end date must be the same as or after the start date."),
        )
    entries = AccessLog.objects.select_related("staff", "person")
    if not staff_can(viewer, Permission.ACCESS_LOG_READ_ALL):
        entries = entries.filter(_staff_in_scope_of(viewer))
    if staff_username:
        entries = entries.filter(staff__username=staff_username.strip())
    if person_id is not None:
        entries = entries.filter(person_id=person_id)
    if date_from:
        entries = entries.filter(at__gte=dt.datetime.combine(date_from, dt.time(), SHANGHAI))
    if date_to:
        next_day = date_to + dt.timedelta(days=1)
        entries = entries.filter(at__lt=dt.datetime.combine(next_day, dt.time(), SHANGHAI))
    return entries.order_by("-at", "-id")
