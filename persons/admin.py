"""Back-office for administrators: the registry's persons and guardianships.

ID numbers are masked in lists; an administrator finds a person by the full ID number (exact
match) and sees it in full on the person's page. Officers use the staff lookup instead.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.masking import mask_id_number

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
class PersonAdmin(admin.ModelAdmin):
    list_display = ("masked_id_number", "name_zh", "name_pinyin", "sex", "birth_date", "region")
    list_filter = ("sex",)
    # Exact ID number (no partial matches that would let a list enumerate numbers), or name.
    search_fields = ("=id_number", "name_zh", "name_pinyin")
    search_help_text = _("The full ID number, or a name in Chinese or pinyin.")
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
class GuardianshipAdmin(admin.ModelAdmin):
    list_display = ("guardian", "child", "relation")
    list_filter = ("relation",)
    search_fields = ("=guardian__id_number", "=child__id_number")
    raw_id_fields = ("guardian", "child")
    list_select_related = ("guardian", "child")
