"""The back-office asks why before it shows a person's record, and logs it (PIPL: every view
of a person's data by staff is logged with who, whom, what, when and why).

`PersonDataAdmin` is mixed into the admin of every model that holds one person's data (the
person, their documents). Opening such a record asks for the reason once; the answer is a grant
of this session for GRANT_SECONDS (staff.grants, the same as the staff lookup), and each page
view within it writes an access-log row. Lists show masked numbers only, and no list searches by
ID or document number: finding a person by number is the staff lookup, with its reason.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.errors import Problem

from . import grants, services
from .http import client_address


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you open this person's data?"),
        help_text=_("For example the case or request number and what you need to check."),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PersonDataAdmin:
    """Mixin for ModelAdmins whose records belong to one person: `person_attribute` names the
    attribute holding that person's primary key ("pk" on the person itself)."""

    person_attribute = "person_id"

    def person_id_of(self, obj) -> int:
        return getattr(obj, self.person_attribute)

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
