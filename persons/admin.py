"""Back-office for administrators: the registry's persons and guardianships.

ID numbers are masked in lists, and lists are searched by name only. Opening a person's record
asks for the reason and logs the view (staff.admin_access); finding a person by ID number is
the staff lookup (/staff/persons/lookup/), which asks for a reason too.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.masking import mask_id_number
from staff.admin_access import PersonDataAdmin

from .models import Guardianship, Person


class GuardiansInline(admin.TabularInline):
    model = Guardianship
    fk_name = "child"
    extra = 0
    raw_id_fields = ("guardian",)
    verbose_name = _("guardian")
    verbose_name_plural = _("guardians")


class WardsInline(admin.TabularInline):
    model = Guardianship
    fk_name = "guardian"
    extra = 0
    raw_id_fields = ("child",)
    verbose_name = _("child in their care")
    verbose_name_plural = _("children in their care")


@admin.register(Person)
class PersonAdmin(PersonDataAdmin, admin.ModelAdmin):
    list_display = ("masked_id_number", "name_zh", "name_pinyin", "sex", "birth_date", "region")
    list_filter = ("sex",)
    person_attribute = "pk"
    # By name only: a search by ID number is a lookup, which needs a reason (the staff lookup).
    search_fields = ("name_zh", "name_pinyin")
    search_help_text = _(
        "A name in Chinese or pinyin. To find a person by ID number, use the staff lookup."
    )
    raw_id_fields = ("household_region",)
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("household_region",)
    inlines = [GuardiansInline, WardsInline]
    show_full_result_count = False

    @admin.display(description=_("ID number"), ordering="id_number")
    def masked_id_number(self, person: Person) -> str:
        return mask_id_number(person.id_number)

    @admin.display(description=_("household registration"))
    def region(self, person: Person) -> str:
        return person.household_region.name_zh


@admin.register(Guardianship)
class GuardianshipAdmin(PersonDataAdmin, admin.ModelAdmin):
    person_attribute = "child_id"
    list_display = ("guardian", "child", "relation")
    list_filter = ("relation",)
    raw_id_fields = ("guardian", "child")
    list_select_related = ("guardian", "child")
