"""The back-office asks why before it shows a person's record, and logs it (PIPL: every view
of a person's data by staff is logged with who, whom, what, when and why).

`PersonDataAdmin` is mixed into the admin of every model that holds one person's data (the
person, their documents). Opening such a record asks for the reason once; the answer is a grant
of this session for GRANT_SECONDS (staff.grants, the same as the staff lookup), and each page
view within it writes an access-log row. Lists show masked numbers only, and no list searches by
ID or document number: finding a person by number is the staff lookup, with its reason.

The admin also filters lists by any field named in the URL (`?id_number=…`,
`?person__phone_on_file__startswith=…`): such lookups on personal fields, and every regular
expression lookup, are refused (400), and each list page that shows persons' data writes one
access-log row per person shown (`back_office_list`).
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.errors import Problem
from core.http import client_address

from . import grants, services


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you open this person's data?"),
        help_text=_("For example the case or request number and what you need to check."),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# Fields that identify or reach a person: never a filter in a back-office URL, at any depth
# (`person__id_number`, `holder__phone_on_file`, `number__startswith`).
PERSONAL_FIELDS = frozenset(
    {
        "id_number",
        "phone_on_file",
        "phone",
        "username",
        "number",
        "mrz",
        "name_zh",
        "name_pinyin",
        "birth_date",
        "email",
        "password",
        "key",
    }
)
# Regular expressions: a probe of any field character by character (and a 500 on PostgreSQL
# when the pattern is not valid).
REFUSED_LOOKUPS = frozenset({"regex", "iregex"})


def lookup_refused(lookup: str) -> bool:
    """Whether a `field__subfield__lookup` filter of an admin URL must be refused."""
    parts = lookup.split("__")
    return bool(PERSONAL_FIELDS.intersection(parts) or REFUSED_LOOKUPS.intersection(parts))


class NoPersonalLookups:
    """Mixin for every ModelAdmin that can reach a person: refuses URL filters on personal
    fields and regular expressions (Django answers 400)."""

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        if lookup_refused(lookup):
            raise DisallowedModelAdminLookup(f"Filtering by {lookup.split('__')[0]} is refused")
        return super().lookup_allowed(lookup, value, request)


class PersonDataAdmin(NoPersonalLookups):
    """Mixin for ModelAdmins whose records belong to one person: `person_attribute` names the
    attribute holding that person's primary key ("pk" on the person itself)."""

    person_attribute = "person_id"

    def person_id_of(self, obj) -> int:
        return getattr(obj, self.person_attribute)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and request.method == "GET":
            # Records of accounts bound to nobody (person None) show no one's registry data.
            shown = [
                pid for obj in changelist.result_list if (pid := self.person_id_of(obj)) is not None
            ]
            if shown:
                services.persons_back_office_list(
                    staff=request.user,
                    person_ids=shown,
                    what=f"back-office list: {self.model._meta.verbose_name_plural}",
                    client_address=client_address(request),
                )
        return response

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None:
            return super().change_view(request, object_id, form_url, extra_context)
        person_id = self.person_id_of(obj)
        reason = grants.granted_reason(request, person_id=person_id)
        if reason is None:
            return self._ask_reason(request, person_id)
        try:
            services.person_back_office_view(
                staff=request.user,
                person_id=person_id,
                reason=reason,
                client_address=client_address(request),
            )
        except Problem as problem:
            raise PermissionDenied(problem.detail) from problem
        return super().change_view(request, object_id, form_url, extra_context)

    def _ask_reason(self, request: HttpRequest, person_id: int) -> HttpResponse:
        form = ReasonForm(request.POST if "back_office_reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                reason = services.lookup_reason_clean(form.cleaned_data["reason"])
            except Problem as problem:
                form.add_error("reason", problem.detail)
            else:
                grants.grant_person(request, person_id=person_id, reason=reason)
                messages.info(request, _("Your reason is recorded with each view of this record."))
                return HttpResponseRedirect(request.get_full_path())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Why do you open this record?"),
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/staff/reason.html", context)
