"""The framework of trust-based governance (SOU 2018:47), edited by administrators.

A framework is published as a version. Published and retired versions are read-only: the
models refuse changes with a clear error, in `save()`, `delete()` and bulk queryset writes.
Items carry a stable `key` that survives copying into a new version, so rounds answered
against different versions can be compared.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .i18n import Translated


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class ReadOnlyVersionError(ValidationError):
    """A change was attempted on a version that is no longer a draft."""


def _refuse(version: "FrameworkVersion") -> None:
    raise ReadOnlyVersionError(
        _(
            "“%(version)s” is %(status)s and cannot be changed. "
            "Copy it into a new draft to make changes."
        ),
        code="read_only_version",
        params={"version": version.name, "status": version.get_status_display().lower()},
    )


NAME_TAKEN = _("A framework version with this name exists already. Choose another name.")


class FrameworkVersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=VersionStatus.PUBLISHED)

    def name_taken(self, name: str, version: "FrameworkVersion | None" = None) -> bool:
        """Whether another version than `version` has `name`, whatever its case.

        Checked when a version is named in admin and when it is published. (Not a database
        constraint: versions created directly, as in tests and fixtures, may share a name.)
        """
        others = self.filter(name__iexact=name.strip())
        if version is not None and version.pk is not None:
            others = others.exclude(pk=version.pk)
        return others.exists()

    def current(self) -> "FrameworkVersion | None":
        """The default version for new rounds, which the public framework page presents too.

        Publishing marks it (`is_default`; the database allows one at most). Versions marked
        published by other means, with none marked as default, fall back to the newest one.
        """
        return self.published().order_by("-is_default", "-published_at", "-pk").first()


class FrameworkVersion(models.Model):
    name = models.CharField(_("name"), max_length=200)
    # The name in English reports and pages; empty falls back to `name` (Swedish). `name`
    # alone identifies the version (unique whatever its case, see name_taken).
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where the official texts come from, e.g. SOU 2018:47."),
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    is_default = models.BooleanField(
        _("default for new rounds"),
        default=False,
        help_text=_("The version a new round is opened with unless another is chosen."),
    )

    objects = FrameworkVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=VersionStatus.values),
                name="frameworkversion_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status=VersionStatus.DRAFT)
                | models.Q(published_at__isnull=False),
                name="frameworkversion_published_has_date",
            ),
            # One default for new rounds at most, and only a published version can be it.
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="frameworkversion_one_default",
                violation_error_message=_("Only one version can be the default for new rounds."),
            ),
            models.CheckConstraint(
                condition=models.Q(is_default=False) | models.Q(status=VersionStatus.PUBLISHED),
                name="frameworkversion_default_is_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            stored = (
                FrameworkVersion.objects.filter(pk=self.pk)
                .values("status", "name", "source")
                .first()
            )
            if stored and stored["status"] != VersionStatus.DRAFT:
                # Only the status may move on (published -> retired); the texts stay as they were.
                if stored["name"] != self.name or stored["source"] != self.source:
                    _refuse(FrameworkVersion(name=stored["name"], status=stored["status"]))
                if self.status == VersionStatus.DRAFT:
                    _refuse(FrameworkVersion(name=stored["name"], status=stored["status"]))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.is_editable:
            _refuse(self)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.name and FrameworkVersion.objects.name_taken(self.name, self):
            raise ValidationError({"name": NAME_TAKEN}, code="name_taken")

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def display_name(self) -> str:
        """The name in the current language: `name_en` in English where it is filled in."""
        from .i18n import current_language

        if current_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class VersionedItemQuerySet(models.QuerySet):
    """Bulk writes are refused too when they touch a read-only version."""

    version_path = "version"

    def _touches_read_only(self) -> bool:
        lookup = f"{self.version_path}__status"
        return self.exclude(**{lookup: VersionStatus.DRAFT}).exists()

    def update(self, **kwargs):
        if self._touches_read_only():
            raise ReadOnlyVersionError(
                _("Items of a published framework version cannot be changed."),
                code="read_only_version",
            )
        return super().update(**kwargs)

    def delete(self):
        if self._touches_read_only():
            raise ReadOnlyVersionError(
                _("Items of a published framework version cannot be deleted."),
                code="read_only_version",
            )
        return super().delete()


class PrincipleItemQuerySet(VersionedItemQuerySet):
    version_path = "principle__version"


class VersionedItem(models.Model):
    """An item whose framework version must be a draft for it to change."""

    key = models.SlugField(
        _("key"),
        max_length=60,
        help_text=_("Stable identifier kept across versions so that rounds can be compared."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def save(self, *args, **kwargs) -> None:
        self._check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_editable()
        return super().delete(*args, **kwargs)

    def framework_version(self) -> FrameworkVersion:
        return self.version

    def _check_editable(self) -> None:
        version = self.framework_version()
        if self.pk:
            # The stored row decides: moving an item out of a published version is a change too.
            stored = type(self)._base_manager.filter(pk=self.pk).first()
            if stored is not None and not stored.framework_version().is_editable:
                _refuse(stored.framework_version())
        if not version.is_editable:
            _refuse(version)


class Principle(VersionedItem):
    """One of the guiding principles (vägledande principer)."""

    version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.CASCADE,
        related_name="principles",
    )
    name_sv = models.CharField(_("name (Swedish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    definition_sv = models.TextField(
        _("definition (Swedish, quoted from the source)"),
        help_text=_("The short definition quoted from its source."),
    )
    definition_en = models.TextField(_("definition (English, our translation)"), blank=True)
    definition_source = models.CharField(
        _("source of the definition"), max_length=200, default="SOU 2018:47"
    )
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    name = Translated("name")
    definition = Translated("definition")
    description = Translated("description")

    objects = VersionedItemQuerySet.as_manager()

    class Meta(VersionedItem.Meta):
        verbose_name = _("guiding principle")
        verbose_name_plural = _("guiding principles")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="principle_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PrincipleItem(VersionedItem):
    principle = models.ForeignKey(
        Principle, verbose_name=_("principle"), on_delete=models.CASCADE, related_name="+"
    )
    text_sv = models.TextField(_("text (Swedish)"))
    text_en = models.TextField(_("text (English)"), blank=True)

    text = Translated("text")

    objects = PrincipleItemQuerySet.as_manager()

    class Meta(VersionedItem.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.text

    def framework_version(self) -> FrameworkVersion:
        return self.principle.version


class Statement(PrincipleItem):
    """A statement participants rate from 1 (not at all true) to 5 (entirely true)."""

    principle = models.ForeignKey(
        Principle, verbose_name=_("principle"), on_delete=models.CASCADE, related_name="statements"
    )

    class Meta(PrincipleItem.Meta):
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.UniqueConstraint(fields=["principle", "key"], name="statement_key_unique"),
        ]


class ReflectionQuestion(PrincipleItem):
    """A question that opens the dialogue about a principle."""

    principle = models.ForeignKey(
        Principle,
        verbose_name=_("principle"),
        on_delete=models.CASCADE,
        related_name="questions",
    )

    class Meta(PrincipleItem.Meta):
        verbose_name = _("reflection question")
        verbose_name_plural = _("reflection questions")
        constraints = [
            models.UniqueConstraint(fields=["principle", "key"], name="question_key_unique"),
        ]


class Dimension(VersionedItem):
    """A dimension of control-based versus trust-based governance, with its two poles."""

    version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.CASCADE,
        related_name="dimensions",
    )
    name_sv = models.CharField(_("name (Swedish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    control_pole_sv = models.TextField(_("control pole (Swedish)"))
    control_pole_en = models.TextField(_("control pole (English)"), blank=True)
    trust_pole_sv = models.TextField(_("trust pole (Swedish)"))
    trust_pole_en = models.TextField(_("trust pole (English)"), blank=True)

    name = Translated("name")
    control_pole = Translated("control_pole")
    trust_pole = Translated("trust_pole")

    objects = VersionedItemQuerySet.as_manager()

    class Meta(VersionedItem.Meta):
        verbose_name = _("control–trust dimension")
        verbose_name_plural = _("control–trust dimensions")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="dimension_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class SteeringKey(models.TextChoices):
    """The three steering principles, named as Tillitsdelegationen names them (SOU 2018:47):
    konkurrens, reglering and tillit. The stored keys keep their first names (market and
    hierarchy are among the keywords of the first two) so that answers stay comparable."""

    MARKET = "market", _("Competition")
    HIERARCHY = "hierarchy", _("Regulation")
    TRUST = "trust", _("Trust")


class SteeringPrinciple(VersionedItem):
    """One of the three steering principles to keep in balance: competition, regulation, trust."""

    version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.CASCADE,
        related_name="steering_principles",
    )
    key = models.SlugField(_("key"), max_length=60, choices=SteeringKey.choices)
    name_sv = models.CharField(_("name (Swedish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    keywords_sv = models.CharField(
        _("keywords (Swedish)"),
        max_length=200,
        help_text=_(
            "Comma-separated and in lower case, as they read in running text, e.g. "
            "“pris, marknad, incitament”."
        ),
    )
    keywords_en = models.CharField(
        _("keywords (English)"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated and in lower case, e.g. “price, market, incentives”."),
    )
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    name = Translated("name")
    keywords = Translated("keywords")
    description = Translated("description")

    objects = VersionedItemQuerySet.as_manager()

    class Meta(VersionedItem.Meta):
        verbose_name = _("steering principle")
        verbose_name_plural = _("steering principles")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="steering_key_unique"),
            models.CheckConstraint(
                condition=models.Q(key__in=SteeringKey.values), name="steering_key_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]

    @property
    def keywords_in_text(self) -> str:
        """The keywords as they read in a sentence: "pris, marknad och incitament"."""
        words = self.keyword_list
        if len(words) < 2:
            return "".join(words)
        return gettext("%(first)s and %(last)s") % {
            "first": ", ".join(words[:-1]),
            "last": words[-1],
        }


class TextKind(models.TextChoices):
    DEFINITION = "definition", _("Definition")
    CORNERSTONE = "cornerstone", _("Cornerstone")
    GOOD_MEETING = "good_meeting", _("Question of the good meeting")
    RESERVATION = "reservation", _("What trust means – and does not mean")


class SupportingText(VersionedItem):
    """The definition, its cornerstones, the good meeting's questions and the reservations."""

    version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.CASCADE,
        related_name="supporting_texts",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TextKind.choices)
    title_sv = models.CharField(_("title (Swedish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_sv = models.TextField(_("text (Swedish)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_quotation = models.BooleanField(
        _("official quotation"),
        default=False,
        help_text=_(
            "The Swedish text is quoted word for word from its source: it is shown as a "
            "quotation with the source, and changing it in admin must be confirmed."
        ),
    )

    title = Translated("title")
    body = Translated("body")

    objects = VersionedItemQuerySet.as_manager()

    class Meta(VersionedItem.Meta):
        verbose_name = _("supporting text")
        verbose_name_plural = _("supporting texts")
        ordering = ["kind", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="supportingtext_key_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=TextKind.values), name="supportingtext_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class QuotationChange(models.Model):
    """A confirmed change to an official quotation, recorded for whoever checks the texts."""

    version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.CASCADE,
        related_name="quotation_changes",
    )
    item = models.CharField(_("item"), max_length=300)
    field = models.CharField(_("field"), max_length=100)
    old_text = models.TextField(_("before"), blank=True)
    new_text = models.TextField(_("after"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)

    class Meta:
        verbose_name = _("change to an official quotation")
        verbose_name_plural = _("changes to official quotations")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.item}: {self.field}"
