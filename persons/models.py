"""The population registry as the platform sees it: persons and who is guardian of whom."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.i18n import is_chinese
from core.masking import mask_id_number


class Person(models.Model):
    """A resident of the mainland, identified by the resident ID number (GB 11643)."""

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=50)
    name_pinyin = models.CharField(_("name (pinyin)"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    household_region = models.ForeignKey(
        "guide.Region",
        verbose_name=_("household registration"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The number the registry holds; codes for real-name binding go only here.
    phone_on_file = models.CharField(_("phone on file"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.CheckConstraint(
                condition=Q(id_number__regex=r"^[0-9]{17}[0-9X]$"), name="person_id_number_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_zh} {mask_id_number(self.id_number)}"

    @property
    def name(self) -> str:
        """The name as the reader's language writes it: Chinese characters or pinyin."""
        return self.name_in(None)

    def name_in(self, language: str | None) -> str:
        """The name as `language` (default: the active one) writes it."""
        return self.name_zh if is_chinese(language) else self.name_pinyin


class Guardianship(models.Model):
    """The registry's record that `guardian` is a legal guardian of `child`."""

    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="wards")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardians")
    relation = models.CharField(
        _("relation"),
        max_length=16,
        choices=[("parent", _("Parent")), ("other", _("Other legal guardian"))],
        default="parent",
    )

    class Meta:
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "child"], name="guardianship_unique"),
            models.CheckConstraint(condition=~Q(guardian=F("child")), name="guardian_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.child}"
