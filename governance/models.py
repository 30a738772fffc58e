"""The governance chain: the steering signals a unit lives under, and the answers to its
proposals from the level the signal comes from.

Framework content (edited in admin, versioned with the framework): the kinds of steering
(Tillitsdelegationen's "styrningens olika delar", SOU 2018:47), the purposes of documentation
(kontrollerande, lärande, förebyggande) and the levels of the chain a signal comes from.

A signal is the group's statement, recorded in the dialogue like an agreement: versioned
(``lock_version``), written only while the assessment is in the dialogue and locked by its
completion. An answer is written by the level above once the assessment is completed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models import Agreement, UnitAssessment
from principles.i18n import Translated
from principles.models import FrameworkVersion, VersionedItem, VersionedItemQuerySet

# --- framework content --------------------------------------------------------------------


class ChainItem(VersionedItem):
    """A named item of the framework with a description, in Swedish and English."""

    name_sv = models.CharField(_("name (Swedish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    name = Translated("name")
    description = Translated("description")

    objects = VersionedItemQuerySet.as_manager()

    class Meta(VersionedItem.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.name


class SignalKind(ChainItem):
    """A kind of steering: regelstyrning, mål- och resultatstyrning, ekonomisk styrning,
    prestationsstyrning, normstyrning."""

    version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.CASCADE,
        related_name="signal_kinds",
    )

    class Meta(ChainItem.Meta):
        verbose_name = _("kind of steering")
        verbose_name_plural = _("kinds of steering")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="signalkind_key_unique"),
        ]


class SignalPurpose(ChainItem):
    """A purpose of documentation and follow-up: kontrollerande, lärande, förebyggande."""

    version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.CASCADE,
        related_name="signal_purposes",
    )

    class Meta(ChainItem.Meta):
        verbose_name = _("purpose of a steering signal")
        verbose_name_plural = _("purposes of steering signals")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="signalpurpose_key_unique"),
        ]


class SignalLevel(ChainItem):
    """A level of the chain a signal comes from: the political board, the förvaltning's
    management, a central function, a state agency, law."""

    version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.CASCADE,
        related_name="signal_levels",
    )

    class Meta(ChainItem.Meta):
        verbose_name = _("level of the steering chain")
        verbose_name_plural = _("levels of the steering chain")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="signallevel_key_unique"),
        ]


# --- the group's signals ----------------------------------------------------------------------


class Effect(models.TextChoices):
    HELPS = "helps", _("Helps the good meeting")
    NEITHER = "neither", _("Neither helps nor hinders")
    HINDERS = "hinders", _("Hinders the good meeting")


class Proposal(models.TextChoices):
    KEEP = "keep", _("Keep it")
    CHANGE = "change", _("Change it")
    REMOVE = "remove", _("Remove it")
    TOGETHER = "together", _("Do it together with us")


# Hours a month a signal costs the whole unit: bounded so that a typing slip ("2000000") is
# refused instead of swamping the totals. 5,000 hours is some 30 full-time posts.
MAX_HOURS = 5000
TITLE_MAX = 300
REASON_MAX = 1000


class SteeringSignal(Agreement):
    """A steering signal the group names in the dialogue, with its proposal to the level."""

    assessment = models.ForeignKey(
        UnitAssessment,
        verbose_name=_("unit assessment"),
        on_delete=models.CASCADE,
        related_name="steering_signals",
    )
    title = models.CharField(_("what it is"), max_length=TITLE_MAX)
    level = models.ForeignKey(
        SignalLevel, verbose_name=_("comes from"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.ForeignKey(
        SignalKind, verbose_name=_("kind of steering"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.ForeignKey(
        SignalPurpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="+"
    )
    hours_per_month = models.PositiveIntegerField(_("hours a month"))
    effect = models.CharField(_("the good meeting"), max_length=10, choices=Effect.choices)
    proposal = models.CharField(_("proposal"), max_length=10, choices=Proposal.choices)
    reason = models.TextField(_("why"), max_length=REASON_MAX, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("steering signal")
        verbose_name_plural = _("steering signals")
        ordering = ["assessment", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="signal_title_not_empty"),
            models.CheckConstraint(
                condition=Q(title__length__lte=TITLE_MAX), name="signal_title_length"
            ),
            models.CheckConstraint(
                condition=Q(reason__length__lte=REASON_MAX), name="signal_reason_length"
            ),
            models.CheckConstraint(
                condition=Q(hours_per_month__gte=0, hours_per_month__lte=MAX_HOURS),
                name="signal_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(effect__in=Effect.values), name="signal_effect_valid"
            ),
            models.CheckConstraint(
                condition=Q(proposal__in=Proposal.values), name="signal_proposal_valid"
            ),
        ]
        indexes = [models.Index(fields=["assessment", "level", "kind"], name="signal_grouping")]

    def __str__(self) -> str:
        return self.title


# --- the answer from the level above ----------------------------------------------------------


class AnswerStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    LOOKING_INTO = "looking_into", _("Will be looked into")
    KEPT = "kept", _("Kept as it is")


ANSWER_MAX = 2000


class SignalAnswer(models.Model):
    """The answer to a unit's proposal: accepted (what will change, by when), will be looked
    into, or kept (why). Changed with optimistic locking, like the group's agreements."""

    signal = models.OneToOneField(
        SteeringSignal,
        verbose_name=_("steering signal"),
        on_delete=models.CASCADE,
        related_name="answer",
    )
    status = models.CharField(_("answer"), max_length=12, choices=AnswerStatus.choices)
    text = models.TextField(_("what will change, or why"), max_length=ANSWER_MAX, blank=True)
    due_on = models.DateField(_("by when"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    class Meta:
        verbose_name = _("answer to a proposal")
        verbose_name_plural = _("answers to proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AnswerStatus.values), name="signalanswer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(text__length__lte=ANSWER_MAX), name="signalanswer_text_length"
            ),
            # Accepted says what will change and by when; kept says why.
            models.CheckConstraint(
                condition=~Q(status=AnswerStatus.ACCEPTED)
                | (Q(due_on__isnull=False) & ~Q(text="")),
                name="signalanswer_accepted_has_change_and_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=AnswerStatus.KEPT) | ~Q(text=""),
                name="signalanswer_kept_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signal_id}: {self.status}"
