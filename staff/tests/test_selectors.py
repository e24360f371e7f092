import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone

from core.errors import InvalidInput, Problem
from documents.models import DocumentStatus
from documents.selectors import document_display_status
from documents.tests.factories import HkMacaoPassFactory, PassportFactory
from guide.calendar import SHANGHAI
from guide.tests.factories import CityFactory, CountyFactory, HallFactory, ProvinceFactory
from persons.tests.factories import PersonFactory
from staff import selectors
from staff.models import Role
from staff.permissions import Permission

from .factories import AccessLogFactory, CitizenFactory, StaffRoleFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions():
    """Guangdong with Shenzhen (Luohu, Futian) and Guangzhou (Tianhe); Beijing (Dongcheng)."""
    guangdong = ProvinceFactory()
    shenzhen = CityFactory()
    guangzhou = CityFactory(code="440100", name_zh="广州市", name_en="Guangzhou", parent=guangdong)
    beijing = ProvinceFactory(code="110000", name_zh="北京市", name_en="Beijing")
    beijing_city = CityFactory(code="110100", name_zh="市辖区", name_en="Beijing", parent=beijing)
    return {
        "guangdong": guangdong,
        "shenzhen": shenzhen,
        "luohu": CountyFactory(),
        "futian": CountyFactory(code="440304", name_zh="福田区", name_en="Futian", parent=shenzhen),
        "guangzhou": guangzhou,
        "tianhe": CountyFactory(
            code="440106", name_zh="天河区", name_en="Tianhe", parent=guangzhou
        ),
        "beijing": beijing,
        "dongcheng": CountyFactory(
            code="110101", name_zh="东城区", name_en="Dongcheng", parent=beijing_city
        ),
    }


@pytest.fixture
def halls(regions):
    return {
        name: HallFactory(code=f"H-{name}", region=regions[name])
        for name in ("luohu", "futian", "tianhe", "dongcheng")
    }


# Roles and permissions


def test_staff_roles_lists_the_roles_of_a_user():
    # given a user with two roles
    role = StaffRoleFactory(role=Role.REVIEWER)
    StaffRoleFactory(user=role.user, role=Role.SUPERVISOR)

    # when / then
    assert selectors.staff_roles(role.user) == {Role.REVIEWER, Role.SUPERVISOR}


def test_staff_roles_are_empty_for_citizens_inactive_and_anonymous_users():
    inactive = StaffRoleFactory(user__is_active=False).user
    assert selectors.staff_roles(CitizenFactory()) == frozenset()
    assert selectors.staff_roles(inactive) == frozenset()
    assert selectors.staff_roles(AnonymousUser()) == frozenset()


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (Role.HALL_OFFICER, [Permission.PERSON_LOOKUP], [Permission.ACCESS_LOG_READ]),
        (Role.REVIEWER, [Permission.PERSON_LOOKUP], [Permission.ACCESS_LOG_READ]),
        (
            Role.SUPERVISOR,
            [Permission.PERSON_LOOKUP, Permission.ACCESS_LOG_READ],
            [Permission.ACCESS_LOG_READ_ALL, Permission.STAFF_MANAGE],
        ),
        (
            Role.ADMINISTRATOR,
            [Permission.ACCESS_LOG_READ, Permission.ACCESS_LOG_READ_ALL, Permission.STAFF_MANAGE],
            [Permission.PERSON_LOOKUP],
        ),
    ],
)
def test_staff_can_follows_the_role_table(role, allowed, refused):
    user = StaffRoleFactory(role=role).user
    assert all(selectors.staff_can(user, p) for p in allowed)
    assert not any(selectors.staff_can(user, p) for p in refused)


def test_a_role_without_is_staff_allows_nothing():
    # given a supervisor role on an account that is not (or no longer) staff
    user = StaffRoleFactory(role=Role.SUPERVISOR, user__is_staff=False).user

    # then
    assert not selectors.staff_can(user, Permission.PERSON_LOOKUP)
    assert selectors.staff_permissions(user) == frozenset()


def test_staff_require_raises_403():
    officer = StaffRoleFactory(role=Role.HALL_OFFICER).user
    with pytest.raises(Problem) as raised:
        selectors.staff_require(officer, Permission.ACCESS_LOG_READ)
    assert raised.value.status == 403


# Scope


def test_halls_in_scope_of_a_hall_officer_are_the_listed_halls(halls):
    officer = StaffRoleFactory(halls=[halls["luohu"]]).user
    assert list(selectors.staff_halls_in_scope(officer)) == [halls["luohu"]]


def test_halls_in_scope_of_a_city_are_the_halls_of_its_counties(regions, halls):
    reviewer = StaffRoleFactory(role=Role.REVIEWER, regions=[regions["shenzhen"]]).user
    assert set(selectors.staff_halls_in_scope(reviewer)) == {halls["luohu"], halls["futian"]}


def test_halls_in_scope_of_a_province_cover_all_its_cities(regions, halls):
    supervisor = StaffRoleFactory(role=Role.SUPERVISOR, regions=[regions["guangdong"]]).user
    assert set(selectors.staff_halls_in_scope(supervisor)) == {
        halls["luohu"],
        halls["futian"],
        halls["tianhe"],
    }


def test_halls_in_scope_of_a_county_and_a_hall_elsewhere(regions, halls):
    # given a role over Futian plus one hall in Beijing
    user = StaffRoleFactory(regions=[regions["futian"]], halls=[halls["dongcheng"]]).user

    # then
    assert set(selectors.staff_halls_in_scope(user)) == {halls["futian"], halls["dongcheng"]}


def test_halls_in_scope_of_one_role_only(regions, halls):
    # given an officer of Luohu hall who supervises Guangzhou
    user = StaffRoleFactory(role=Role.HALL_OFFICER, halls=[halls["luohu"]]).user
    StaffRoleFactory(user=user, role=Role.SUPERVISOR, regions=[regions["guangzhou"]])

    # then
    assert set(selectors.staff_halls_in_scope(user)) == {halls["luohu"], halls["tianhe"]}
    assert list(selectors.staff_halls_in_scope(user, role=Role.SUPERVISOR)) == [halls["tianhe"]]


def test_no_halls_in_scope_without_a_scope(halls):
    administrator = StaffRoleFactory(role=Role.ADMINISTRATOR).user
    assert not selectors.staff_halls_in_scope(administrator).exists()
    assert not selectors.staff_halls_in_scope(AnonymousUser()).exists()


def test_region_prefix_by_level(regions):
    assert selectors.region_prefix(regions["guangdong"]) == "44"
    assert selectors.region_prefix(regions["shenzhen"]) == "4403"
    assert selectors.region_prefix(regions["luohu"]) == "440303"


# Verification


def _request(user, *, verified: bool):
    request = RequestFactory().get("/staff/")
    request.user = user
    user.is_verified = lambda: verified
    return request


def test_staff_is_verified_needs_staff_a_role_and_a_verified_device():
    staff = StaffRoleFactory().user
    assert selectors.staff_is_verified(_request(staff, verified=True))
    assert not selectors.staff_is_verified(_request(staff, verified=False))


def test_staff_is_verified_refuses_staff_without_a_role_and_citizens():
    assert not selectors.staff_is_verified(_request(StaffUserFactory(), verified=True))
    assert not selectors.staff_is_verified(_request(CitizenFactory(), verified=True))
    anonymous = RequestFactory().get("/staff/")
    anonymous.user = AnonymousUser()
    assert not selectors.staff_is_verified(anonymous)


# A person's documents


def test_person_documents_masks_numbers_and_derives_expiry():
    # given a valid passport, an expired pass and a lost permit
    person = PersonFactory()
    PassportFactory(person=person, number="E12345678")
    HkMacaoPassFactory(
        person=person,
        number="C12345678",
        issued_on=dt.date(2010, 1, 1),
        expires_on=dt.date(2020, 1, 1),
    )
    lost = HkMacaoPassFactory(
        person=person,
        number="C87654321",
        status=DocumentStatus.REPORTED_LOST,
        status_changed_at=timezone.now(),
    )

    # when
    documents = selectors.person_documents(person=person, today=dt.date(2026, 6, 1))

    # then
    by_number = {d.number_masked: d for d in documents}
    assert set(by_number) == {"E******78", "C******78", "C******21"}
    assert by_number["E******78"].status == DocumentStatus.VALID
    assert by_number["C******78"].status == DocumentStatus.EXPIRED
    assert by_number["C******21"].status == DocumentStatus.REPORTED_LOST
    assert by_number["C******21"].status_changed_at == lost.status_changed_at


def test_a_document_is_valid_on_its_last_day():
    passport = PassportFactory(expires_on=dt.date(2030, 2, 28))
    assert document_display_status(passport, dt.date(2030, 2, 28)) == DocumentStatus.VALID
    assert document_display_status(passport, dt.date(2030, 3, 1)) == DocumentStatus.EXPIRED


# The access log


@pytest.fixture
def log_world(regions, halls):
    """A Shenzhen supervisor; staff inside Shenzhen (Luohu officer, city reviewer), staff outside
    (Guangzhou officer, a provincial reviewer), each with one access log entry."""
    supervisor = StaffRoleFactory(
        role=Role.SUPERVISOR, user__username="sup", regions=[regions["shenzhen"]]
    ).user
    inside_officer = StaffRoleFactory(user__username="luohu-officer", halls=[halls["luohu"]]).user
    inside_reviewer = StaffRoleFactory(
        role=Role.REVIEWER, user__username="sz-reviewer", regions=[regions["shenzhen"]]
    ).user
    outside_officer = StaffRoleFactory(user__username="gz-officer", halls=[halls["tianhe"]]).user
    province_reviewer = StaffRoleFactory(
        role=Role.REVIEWER, user__username="gd-reviewer", regions=[regions["guangdong"]]
    ).user
    entries = {
        user.username: AccessLogFactory(staff=user)
        for user in (
            supervisor,
            inside_officer,
            inside_reviewer,
            outside_officer,
            province_reviewer,
        )
    }
    return supervisor, entries


def test_a_supervisor_reads_the_log_of_the_staff_in_their_region_and_their_own(log_world):
    supervisor, entries = log_world
    seen = set(selectors.access_log_list(viewer=supervisor))
    assert seen == {entries["sup"], entries["luohu-officer"], entries["sz-reviewer"]}


def test_an_administrator_reads_the_whole_log(log_world):
    _supervisor, entries = log_world
    administrator = StaffRoleFactory(role=Role.ADMINISTRATOR).user
    assert set(selectors.access_log_list(viewer=administrator)) == set(entries.values())


def test_an_officer_may_not_read_the_log(log_world):
    officer = StaffRoleFactory().user
    with pytest.raises(Problem) as raised:
        selectors.access_log_list(viewer=officer)
    assert raised.value.status == 403


def test_the_log_filters_by_staff_and_person(log_world):
    supervisor, entries = log_world
    administrator = StaffRoleFactory(role=Role.ADMINISTRATOR).user
    entry = entries["luohu-officer"]

    assert list(selectors.access_log_list(viewer=supervisor, staff_username="luohu-officer")) == [
        entry
    ]
    assert list(selectors.access_log_list(viewer=supervisor, staff_username="gz-officer")) == []
    assert list(selectors.access_log_list(viewer=administrator, person_id=entry.person_id)) == [
        entry
    ]


def test_the_log_filters_by_days_in_shanghai(log_world):
    # given entries at 23:30 on 1 October and 00:30 on 2 October, Shanghai time
    supervisor, _entries = log_world
    with mock.patch("django.utils.timezone.now", return_value=_shanghai(2026, 10, 1, 23, 30)):
        late = AccessLogFactory(staff=supervisor)
    with mock.patch("django.utils.timezone.now", return_value=_shanghai(2026, 10, 2, 0, 30)):
        early = AccessLogFactory(staff=supervisor)

    # when
    october_1 = selectors.access_log_list(
        viewer=supervisor, date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 1)
    )
    from_october_2 = set(
        selectors.access_log_list(viewer=supervisor, date_from=dt.date(2026, 10, 2))
    )

    # then
    assert list(october_1) == [late]
    assert early in from_october_2
    assert late not in from_october_2


def _shanghai(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI).astimezone(dt.UTC)


def test_the_log_refuses_an_end_before_the_start(log_world):
    supervisor, _entries = log_world
    with pytest.raises(InvalidInput) as raised:
        selectors.access_log_list(
            viewer=supervisor, date_from=dt.date(2026, 10, 2), date_to=dt.date(2026, 10, 1)
        )
    assert raised.value.errors[0]["field"] == "date_to"


def test_access_log_person_validates_and_looks_up():
    person = PersonFactory()
    assert selectors.access_log_person(id_number=person.id_number) == person
    assert selectors.access_log_person(id_number="11010519491231002X") is None
    with pytest.raises(InvalidInput) as raised:
        selectors.access_log_person(id_number="110105194912310021")
    assert raised.value.code == "invalid_id_number"
