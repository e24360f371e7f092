"""Back-office for administrators: halls with their hours and exceptions, calendar, guides."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CalendarDay, Guide, GuideFAQ, Hall, HallException, OpeningHours, Region, Service


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name_zh", "name_en")
    raw_id_fields = ("parent",)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "order")
    list_editable = ("order",)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class HallExceptionInline(admin.TabularInline):
    model = HallException
    extra = 0
    ordering = ("-date",)


@admin.register(Hall)
class HallAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "region", "phone", "is_active", "is_sample")
    list_filter = ("is_active", "is_sample", "services")
    search_fields = ("code", "name_zh", "name_en", "address_zh", "region__name_zh")
    raw_id_fields = ("region",)
    filter_horizontal = ("services",)
    inlines = [OpeningHoursInline, HallExceptionInline]
    list_select_related = ("region",)


@admin.register(HallException)
class HallExceptionAdmin(SimpleHistoryAdmin):
    list_display = ("hall", "date", "closed", "opens", "closes", "reason_zh")
    list_filter = ("closed",)
    date_hierarchy = "date"
    search_fields = ("hall__code", "hall__name_zh", "reason_zh")
    raw_id_fields = ("hall",)
    list_select_related = ("hall",)


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ("date", "kind", "name_zh", "name_en")
    list_filter = ("kind",)
    date_hierarchy = "date"


class GuideFAQInline(admin.StackedInline):
    model = GuideFAQ
    extra = 0


@admin.register(Guide)
class GuideAdmin(SimpleHistoryAdmin):
    list_display = (
        "slug",
        "title_zh",
        "title_en",
        "service",
        "order",
        "is_published",
        "updated_at",
    )
    list_filter = ("service", "is_published")
    search_fields = ("slug", "title_zh", "title_en")
    inlines = [GuideFAQInline]
    _sections = (
        "title", "summary", "eligibility", "materials", "fees", "processing_time", "steps", "where",
    )  # fmt: skip
    fieldsets = [
        (None, {"fields": ("slug", "service", "order", "is_published")}),
        ("中文", {"fields": [f"{n}_zh" for n in _sections]}),
        ("English", {"fields": [f"{n}_en" for n in _sections]}),
    ]
