"""Organisation, people and the self-assessments they run.

Every rule that protects data integrity is also a database constraint, so that a bug in a
view or a script cannot store an impossible answer.
"""

from django.conf import settings
from django.db import models
from django.db.models import CharField, F, Q, TextField
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

# `text__length` in constraints.
TextField.register_lookup(Length)
CharField.register_lookup(Length)

# ---------------------------------------------------------------------------------------
# Organisation and people
# ---------------------------------------------------------------------------------------


class UnitKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    DEPARTMENT = "department", _("Department")
    SECTION = "section", _("Section")
    UNIT = "unit", _("Unit")


class Unit(MP_Node):
    """A node of the organisation tree (materialised path: a subtree is one indexed query)."""

    code = models.CharField(
        _("code"), max_length=50, unique=True, help_text=_("The code used by the HR system.")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default="unit")
    is_active = models.BooleanField(_("active"), default=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="unit_code_not_empty"),
            models.CheckConstraint(condition=~Q(name=""), name="unit_name_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="unit_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class RoleKind(models.TextChoices):
    MANAGER = "manager", _("Manager")
    QUALITY_DEVELOPER = "quality_developer", _("Quality developer")
    # Förvaltningsledning: the people who send steering signals to the units of their part of
    # the tree; they see those signals and answer the units' proposals (app ``governance``).
    STEERING_OWNER = "steering_owner", _("Förvaltning management")


class Role(models.Model):
    """A person's role on a unit; it covers the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="roles",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "kind"], name="role_unique"),
            models.CheckConstraint(condition=Q(kind__in=RoleKind.values), name="role_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_kind_display()} – {self.unit}"


# ---------------------------------------------------------------------------------------
# Rounds and unit assessments
# ---------------------------------------------------------------------------------------


class Round(models.Model):
    """A self-assessment round across part of the tree, e.g. "Tillitsskattning HT 2026"."""

    name = models.CharField(_("name"), max_length=200)
    framework_version = models.ForeignKey(
        "principles.FrameworkVersion",
        verbose_name=_("framework version"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    root = models.ForeignKey(
        Unit,
        verbose_name=_("part of the organisation"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The random token of the form that opened the round: the same form sent twice opens one
    # round (see rounds.open_round). Null for rounds opened otherwise; nulls never clash.
    creation_token = models.CharField(
        _("creation token"), max_length=64, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="round_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# The largest group one assessment may expect (a unit meeting, with room to spare).
MAX_EXPECTED = 500


class AssessmentState(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    INDIVIDUAL = "individual", _("Individual reflection")
    DIALOGUE = "dialogue", _("Dialogue")
    COMPLETED = "completed", _("Completed")


class UnitAssessment(models.Model):
    """One unit's self-assessment within a round."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="assessments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assessments"
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=AssessmentState.choices,
        default=AssessmentState.PREPARING,
    )
    # Typed by participants or carried in the join link: random, never sequential.
    join_code = models.CharField(_("join code"), max_length=16, unique=True)
    # How many the manager expects: no more respondents than this can be created.
    expected_respondents = models.PositiveSmallIntegerField(
        _("expected participants"), null=True, blank=True
    )
    # Respondents who counted toward the threshold, recorded at completion: what reports and the
    # comparison say of participation, also once individual answers are deleted.
    counted_respondents = models.PositiveIntegerField(
        _("respondents counted"), null=True, blank=True
    )
    # The snapshot of figures the group was last shown (see ``disclosure``); none before the
    # manager reveals, and every view that shows figures reads this one.
    release = models.ForeignKey(
        "Release",
        verbose_name=_("released figures"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    share_notes = models.BooleanField(
        _("share dialogue notes with quality developers"), default=False
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When the retention rule deleted the individual answers and comments (``retention``);
    # None while they are kept. The released figures, agreements and actions stay, and a
    # purged assessment cannot be reopened: there are no answers left to work from.
    purged_at = models.DateTimeField(_("individual answers deleted"), null=True, blank=True)
    # How many had joined and finished, kept when the respondents are deleted so that the
    # assessment's pages still say so (counted_respondents keeps how many counted).
    joined_respondents = models.PositiveIntegerField(
        _("participants who joined"), null=True, blank=True
    )
    finished_respondents = models.PositiveIntegerField(
        _("participants who finished"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("unit assessment")
        verbose_name_plural = _("unit assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit"], name="assessment_unit_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(state__in=AssessmentState.values), name="assessment_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=AssessmentState.COMPLETED) | Q(completed_at__isnull=False),
                name="assessment_completed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(expected_respondents__isnull=True)
                | Q(expected_respondents__gte=1, expected_respondents__lte=MAX_EXPECTED),
                name="assessment_expected_respondents_range",
            ),
            # Only a completed assessment's answers are deleted, and it stays completed.
            models.CheckConstraint(
                condition=Q(purged_at__isnull=True)
                | Q(state=AssessmentState.COMPLETED, purged_at__gte=F("completed_at")),
                name="assessment_purged_only_when_completed",
            ),
            models.CheckConstraint(
                condition=Q(purged_at__isnull=False)
                | Q(joined_respondents__isnull=True, finished_respondents__isnull=True),
                name="assessment_kept_counts_only_when_purged",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.round}"

    # --- what each state allows (templates and services ask these, never the state string)

    @property
    def is_preparing(self) -> bool:
        return self.state == AssessmentState.PREPARING

    @property
    def is_individual(self) -> bool:
        return self.state == AssessmentState.INDIVIDUAL

    @property
    def is_dialogue(self) -> bool:
        return self.state == AssessmentState.DIALOGUE

    @property
    def is_completed(self) -> bool:
        return self.state == AssessmentState.COMPLETED

    @property
    def shows_figures(self) -> bool:
        """Released figures are shown in the dialogue and after completion, never while
        people are still answering."""
        return self.release_id is not None and self.state in (
            AssessmentState.DIALOGUE,
            AssessmentState.COMPLETED,
        )

    @property
    def is_purged(self) -> bool:
        """The individual answers and comments were deleted by the retention rule."""
        return self.purged_at is not None

    @property
    def can_reveal(self) -> bool:
        return self.state == AssessmentState.DIALOGUE


class StateChange(models.Model):
    """Who moved an assessment from one state to the next, and when."""

    assessment = models.ForeignKey(
        UnitAssessment, on_delete=models.CASCADE, related_name="state_changes"
    )
    from_state = models.CharField(max_length=12, choices=AssessmentState.choices)
    to_state = models.CharField(max_length=12, choices=AssessmentState.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    # Why, when a step needs one: an administrator reopening a completed assessment.
    reason = models.TextField(_("reason"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["changed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__length__lte=1000), name="statechange_reason_at_most_1000"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"

    @property
    def is_release(self) -> bool:
        """Results shown to the group: recorded as a step that keeps the state."""
        return self.from_state == self.to_state


# ---------------------------------------------------------------------------------------
# Individual answers (never shown to anyone but the participant)
# ---------------------------------------------------------------------------------------


class Respondent(models.Model):
    """A participant without an account, known only by a secret token in a signed cookie."""

    assessment = models.ForeignKey(
        UnitAssessment, on_delete=models.CASCADE, related_name="respondents"
    )
    # SHA-256 of the secret token: a copy of the database does not let anyone answer as them.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Keyed hashes (never the values): the browser's device cookie, and the network address
    # with the browser's name. They let one device get its respondent back instead of making
    # another, and let the dialogue warn when several joins came from one source.
    device = models.CharField(max_length=32, blank=True, default="")
    source = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        indexes = [
            models.Index(fields=["assessment", "device"], name="respondent_device"),
        ]

    def __str__(self) -> str:
        return f"{_('Respondent')} {self.pk}"


class StatementAnswer(models.Model):
    """1 (not at all true) … 5 (entirely true), or "don't know" with no value."""

    respondent = models.ForeignKey(
        Respondent, on_delete=models.CASCADE, related_name="statement_answers"
    )
    statement = models.ForeignKey(
        "principles.Statement", on_delete=models.PROTECT, related_name="answers"
    )
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    dont_know = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "statement"], name="statementanswer_once"
            ),
            models.CheckConstraint(
                # value__isnull=False too: a CHECK on NULL passes, which would let "no value,
                # not don't-know" through.
                condition=(
                    Q(dont_know=False, value__isnull=False) & Q(value__gte=1) & Q(value__lte=5)
                )
                | (Q(dont_know=True) & Q(value__isnull=True)),
                name="statementanswer_value_or_dont_know",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {'?' if self.dont_know else self.value}"


class PrincipleComment(models.Model):
    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="comments")
    principle = models.ForeignKey(
        "principles.Principle", on_delete=models.PROTECT, related_name="comments"
    )
    text = models.TextField(max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["respondent", "principle"], name="comment_once"),
            models.CheckConstraint(
                condition=Q(text__length__lte=2000), name="comment_at_most_2000_characters"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class DimensionAnswer(models.Model):
    """Where the unit is *now* and where it *desires* to be, 1 (control) … 7 (trust)."""

    respondent = models.ForeignKey(
        Respondent, on_delete=models.CASCADE, related_name="dimension_answers"
    )
    dimension = models.ForeignKey(
        "principles.Dimension", on_delete=models.PROTECT, related_name="answers"
    )
    now = models.PositiveSmallIntegerField(null=True, blank=True)
    desired = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "dimension"], name="dimensionanswer_once"
            ),
            models.CheckConstraint(
                condition=(Q(now__isnull=True) | Q(now__gte=1, now__lte=7))
                & (Q(desired__isnull=True) | Q(desired__gte=1, desired__lte=7)),
                name="dimensionanswer_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_id}: {self.now} → {self.desired}"


class BalanceKind(models.TextChoices):
    NOW = "now", _("Now")
    DESIRED = "desired", _("Desired")


def _balance_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(market__gte=0, hierarchy__gte=0, trust__gte=0),
            name=f"{prefix}_points_not_negative",
        ),
        models.CheckConstraint(
            condition=Q(market=100 - F("hierarchy") - F("trust")),
            name=f"{prefix}_points_sum_to_100",
        ),
        models.CheckConstraint(condition=Q(kind__in=BalanceKind.values), name=f"{prefix}_kind"),
    ]


class BalancePoints(models.Model):
    """100 points spread over market, hierarchy and trust."""

    kind = models.CharField(max_length=8, choices=BalanceKind.choices)
    market = models.PositiveSmallIntegerField()
    hierarchy = models.PositiveSmallIntegerField()
    trust = models.PositiveSmallIntegerField()

    class Meta:
        abstract = True


class BalanceAnswer(BalancePoints):
    respondent = models.ForeignKey(
        Respondent, on_delete=models.CASCADE, related_name="balance_answers"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["respondent", "kind"], name="balanceanswer_once"),
            *_balance_constraints("balanceanswer"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.market}/{self.hierarchy}/{self.trust}"


class Release(models.Model):
    """A released snapshot: the figures the group was shown, and the answer set behind them.

    Written only by ``disclosure.release``. ``members`` holds, per respondent, a keyed digest
    of their answers (never the answers), so that a later release can be refused when it
    differs from an earlier one by fewer than the threshold of respondents. ``figures`` are
    what every view shows; they stay when individual answers are deleted.
    """

    assessment = models.ForeignKey(
        UnitAssessment, on_delete=models.CASCADE, related_name="releases"
    )
    number = models.PositiveSmallIntegerField()
    released_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    respondents = models.PositiveIntegerField()
    threshold = models.PositiveSmallIntegerField()
    figures = models.JSONField()
    # Principle id -> median of the respondents' indices: what the comparison reads.
    index_medians = models.JSONField(default=dict)
    members = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("released figures")
        verbose_name_plural = _("released figures")
        ordering = ["assessment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="release_number_once"),
            models.CheckConstraint(
                condition=Q(respondents__gte=F("threshold")) & Q(threshold__gte=1),
                name="release_at_least_threshold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} #{self.number}"


# ---------------------------------------------------------------------------------------
# What the group agreed in the dialogue
# ---------------------------------------------------------------------------------------


class Agreement(models.Model):
    """Optimistic locking: a save must name the `lock_version` it started from."""

    lock_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class PrincipleAgreement(Agreement):
    assessment = models.ForeignKey(
        UnitAssessment, on_delete=models.CASCADE, related_name="principle_agreements"
    )
    principle = models.ForeignKey(
        "principles.Principle", on_delete=models.PROTECT, related_name="agreements"
    )
    score = models.PositiveSmallIntegerField(_("agreed score"), null=True, blank=True)
    strengths = models.TextField(_("strengths"), blank=True, max_length=4000)
    obstacles = models.TextField(_("obstacles"), blank=True, max_length=4000)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "principle"], name="principleagreement_once"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="principleagreement_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principle_id}: {self.score}"


class DimensionAgreement(Agreement):
    assessment = models.ForeignKey(
        UnitAssessment, on_delete=models.CASCADE, related_name="dimension_agreements"
    )
    dimension = models.ForeignKey(
        "principles.Dimension", on_delete=models.PROTECT, related_name="agreements"
    )
    now = models.PositiveSmallIntegerField(_("now"), null=True, blank=True)
    desired = models.PositiveSmallIntegerField(_("desired"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "dimension"], name="dimensionagreement_once"
            ),
            models.CheckConstraint(
                condition=(Q(now__isnull=True) | Q(now__gte=1, now__lte=7))
                & (Q(desired__isnull=True) | Q(desired__gte=1, desired__lte=7)),
                name="dimensionagreement_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_id}: {self.now} → {self.desired}"


class BalanceAgreement(Agreement, BalancePoints):
    assessment = models.ForeignKey(
        UnitAssessment, on_delete=models.CASCADE, related_name="balance_agreements"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind"], name="balanceagreement_once"),
            *_balance_constraints("balanceagreement"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.market}/{self.hierarchy}/{self.trust}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    # Dropped without being carried out: closed like a done action (no reminders, not open).
    CANCELLED = "cancelled", _("Cancelled")


# An action in one of these states is over: no reminders, and it no longer counts as open.
CLOSED_ACTION_STATUSES = (ActionStatus.DONE, ActionStatus.CANCELLED)


class Action(models.Model):
    """What the group decided to do: what, who, by when. Followed up after completion."""

    assessment = models.ForeignKey(UnitAssessment, on_delete=models.CASCADE, related_name="actions")
    principle = models.ForeignKey(
        "principles.Principle",
        verbose_name=_("principle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    title = models.CharField(_("what"), max_length=300)
    responsible = models.CharField(_("who"), max_length=200)
    due_on = models.DateField(_("by when"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    lock_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="action_title_not_empty"),
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="action_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActionOutcome(models.TextChoices):
    """What the group says, in the next round, came of an action.

    The first three rate the effect of an action that was carried out; the last two say it
    was not (yet). Recording one also sets the action's status (see ``followup``), so that
    the group's word and the reminders agree.
    """

    HELPED = "helped", _("It helped")
    NO_DIFFERENCE = "no_difference", _("It made no difference")
    WORSE = "worse", _("It made things worse")
    ONGOING = "ongoing", _("Still under way")
    NOT_DONE = "not_done", _("Not done")


# Outcomes that say the action was carried out (and rate its effect).
EFFECT_OUTCOMES = (ActionOutcome.HELPED, ActionOutcome.NO_DIFFERENCE, ActionOutcome.WORSE)


class ActionRating(Agreement):
    """The group's statement, in a later assessment of the unit, on an earlier action.

    Written in the later assessment's dialogue (optimistic lock as for agreements) and locked
    when that assessment completes.
    """

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="ratings"
    )
    # The assessment in whose dialogue the group rated the action (a later round's).
    assessment = models.ForeignKey(
        UnitAssessment,
        verbose_name=_("rated in"),
        on_delete=models.CASCADE,
        related_name="action_ratings",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=ActionOutcome.choices)

    class Meta:
        verbose_name = _("action rating")
        verbose_name_plural = _("action ratings")
        constraints = [
            models.UniqueConstraint(fields=["action", "assessment"], name="actionrating_once"),
            models.CheckConstraint(
                condition=Q(outcome__in=ActionOutcome.values), name="actionrating_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_id}: {self.outcome}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Before the due date")
    OVERDUE = "overdue", _("Overdue")


class ActionReminder(models.Model):
    """An e-mail reminder sent about an action: each goes once to each person.

    ``due_on`` is the date the reminder was about, so an action given a new date is reminded
    of again; the same date never twice.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=12, choices=ReminderKind.choices)
    due_on = models.DateField(_("due date"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("action reminder")
        verbose_name_plural = _("action reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "due_on", "recipient"], name="actionreminder_once"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="actionreminder_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_id} {self.kind} {self.due_on}"


class LanguagePreference(models.Model):
    """The language a person chose in the app: what their e-mail is written in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="language_preference",
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("language preference")
        verbose_name_plural = _("language preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="languagepreference_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"
