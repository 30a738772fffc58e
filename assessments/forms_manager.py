"""Forms the manager uses in the dialogue: agreements, actions, completion.

Forms only check and clean input; the services in ``agreements`` and ``workflow`` write. Each
agreement form carries the ``lock_version`` it was loaded with (see ``agreements``).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from principles.models import Principle
from tillit.fields import BoundedModelChoiceField, SingleValueFormMixin, StrictIntegerField

from . import agreements
from .models import Action, ActionOutcome, ActionStatus, UnitAssessment


def _scale(low: int, high: int, empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((str(i), str(i)) for i in range(low, high + 1))]


INCOMPLETE = _("The form was incomplete. Reload the page and try again.")
# The largest value a PositiveIntegerField holds on every database we run on.
LOCK_VERSION_MAX = 2**31 - 1


def _lock_version_field(*, required: bool = True) -> StrictIntegerField:
    return StrictIntegerField(
        min_value=0,
        max_value=LOCK_VERSION_MAX,
        required=required,
        widget=forms.HiddenInput,
        error_messages={
            "required": INCOMPLETE,
            "invalid": INCOMPLETE,
            "min_value": INCOMPLETE,
            "max_value": INCOMPLETE,
        },
    )


class LockVersionMixin(SingleValueFormMixin, forms.Form):
    lock_version = _lock_version_field()


def _scale_choice(label, high: int, invalid, help_text="") -> forms.TypedChoiceField:
    """Radio buttons 1..`high` plus "not agreed yet" (None): an agreement may stay open."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=_scale(1, high, _("Not agreed yet")),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": invalid},
    )


class PrincipleAgreementForm(LockVersionMixin, forms.Form):
    score = _scale_choice(
        _("Agreed score"),
        5,
        _("Choose a score from 1 to 5."),
        help_text=_("1 = not at all true … 5 = entirely true."),
    )
    strengths = forms.CharField(
        label=_("Strengths"),
        help_text=_("What works well here, in the group's words."),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    obstacles = forms.CharField(
        label=_("Obstacles"),
        help_text=_("What stands in the way."),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DimensionAgreementForm(LockVersionMixin, forms.Form):
    now = _scale_choice(_("Now"), 7, _("Choose a value from 1 to 7."))
    desired = _scale_choice(_("Desired"), 7, _("Choose a value from 1 to 7."))


def _points(label) -> StrictIntegerField:
    return StrictIntegerField(
        label=label,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "points"}),
        error_messages={
            "required": _("Give a number of points (0 is allowed)."),
            "invalid": _("Write a whole number of points."),
            "min_value": _("Points cannot be negative."),
            "max_value": _("At most 100 points."),
        },
    )


class BalanceAgreementForm(LockVersionMixin, forms.Form):
    market = _points(_("Competition"))
    hierarchy = _points(_("Regulation"))
    trust = _points(_("Trust"))

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(name) for name in ("market", "hierarchy", "trust")]
        if all(part is not None for part in parts):
            problem = agreements.balance_problem(*parts)
            if problem:
                raise forms.ValidationError(problem, code="sum")
        return cleaned


class ActionForm(SingleValueFormMixin, forms.ModelForm):
    """What, who, by when, and optionally which principle of this framework version."""

    lock_version = _lock_version_field(required=False)

    class Meta:
        model = Action
        fields = ["title", "responsible", "due_on", "principle", "status"]
        field_classes = {"principle": BoundedModelChoiceField}
        widgets = {
            "title": forms.TextInput(attrs={"autocomplete": "off"}),
            "responsible": forms.TextInput(attrs={"autocomplete": "off"}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "title": {"required": _("Write what is to be done.")},
            "responsible": {"required": _("Write who is responsible.")},
            "due_on": {"invalid": _("Write a date as YYYY-MM-DD.")},
            "principle": {"invalid_choice": _("Choose one of this assessment's principles.")},
            "status": {"invalid_choice": _("Choose a status from the list.")},
        }

    def __init__(self, *args, assessment: UnitAssessment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["principle"].queryset = Principle.objects.filter(
            version_id=assessment.round.framework_version_id
        ).order_by("order", "pk")
        self.fields["principle"].required = False
        self.fields["principle"].empty_label = _("No particular principle")
        self.fields["principle"].help_text = _("Optional.")
        self.fields["due_on"].help_text = _("Optional. Not a date in the past.")
        if self.instance.pk:
            self.fields["lock_version"].initial = self.instance.lock_version
            self.fields["lock_version"].required = True

    def clean(self) -> dict:
        cleaned = super().clean()
        # The lock version is a hidden field, so its message would show nowhere: put it on top.
        for message in self.errors.pop("lock_version", []):
            self.add_error(None, message)
        return cleaned

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Write what is to be done."), code="required")
        return title

    def clean_responsible(self) -> str:
        responsible = self.cleaned_data["responsible"].strip()
        if not responsible:
            raise forms.ValidationError(_("Write who is responsible."), code="required")
        return responsible

    def clean_due_on(self):
        due_on = self.cleaned_data.get("due_on")
        # A new action may not be due in the past; an old one may keep its (passed) date.
        if self.instance.pk is None or due_on != self.instance.due_on:
            problem = agreements.due_date_problem(due_on)
            if problem:
                raise forms.ValidationError(problem, code="past")
        return due_on

    def service_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ActionStatusForm(LockVersionMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ActionStatus.choices,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )


class ActionRatingForm(LockVersionMixin, forms.Form):
    """What the group says came of one of last round's actions."""

    outcome = forms.ChoiceField(
        label=_("What came of it?"),
        choices=ActionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the answers."),
            "invalid_choice": _("Choose one of the answers."),
        },
    )


class CompletionForm(forms.Form):
    share_notes = forms.BooleanField(
        label=_("Share our dialogue notes with the quality developers"),
        help_text=_(
            "Without this, quality developers see the figures, the agreed scores and the "
            "actions, but not your notes on strengths and obstacles."
        ),
        required=False,
    )
