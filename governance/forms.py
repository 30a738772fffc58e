"""Forms for the steering signals and the answers. They only check and clean what was
posted; ``services`` writes (and checks again)."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from assessments.forms_manager import _lock_version_field
from assessments.models import UnitAssessment
from tillit.fields import BoundedModelChoiceField, SingleValueFormMixin, StrictIntegerField

from .models import (
    ANSWER_MAX,
    MAX_HOURS,
    REASON_MAX,
    TITLE_MAX,
    AnswerStatus,
    Effect,
    Proposal,
    SignalKind,
    SignalLevel,
    SignalPurpose,
)


def _with_max(message: str) -> str:
    return gettext(message) % {"max": MAX_HOURS}


# Formatted when shown, in the reader's language (a lazy string's % would fix it at import).
HOURS_MESSAGE = lazy(_with_max, str)(
    gettext_noop("Give the hours as a whole number from 0 to %(max)d.")
)
HOURS_HELP = lazy(_with_max, str)(
    gettext_noop("Roughly, for everyone in the unit together. A whole number from 0 to %(max)d.")
)

CHOOSE = _("Choose one of the list.")


class _ItemChoice(BoundedModelChoiceField):
    """A level, kind or purpose of the assessment's framework, named in the current language."""

    def label_from_instance(self, obj) -> str:
        return obj.name


def _item_field(label, help_text="") -> _ItemChoice:
    return _ItemChoice(
        queryset=SignalKind.objects.none(),
        label=label,
        help_text=help_text,
        empty_label=_("Choose…"),
        error_messages={"required": CHOOSE, "invalid_choice": CHOOSE},
    )


class SignalForm(SingleValueFormMixin, forms.Form):
    title = forms.CharField(
        label=_("What is the steering signal?"),
        help_text=_("For example a report, a rule, a target, a follow-up meeting or a system."),
        max_length=TITLE_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Write what the steering signal is."),
            "max_length": _("At most %(limit_value)d characters, please."),
        },
    )
    level = _item_field(_("Where does it come from?"))
    kind = _item_field(_("Kind of steering"))
    purpose = _item_field(
        _("What purpose do you see in it?"),
        _("Controlling, learning or preventive: what it mostly serves, as you see it."),
    )
    hours_per_month = StrictIntegerField(
        label=_("Hours a month for the unit"),
        help_text=HOURS_HELP,
        min_value=0,
        max_value=MAX_HOURS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 6}),
        error_messages={
            "required": HOURS_MESSAGE,
            "invalid": HOURS_MESSAGE,
            "min_value": HOURS_MESSAGE,
            "max_value": HOURS_MESSAGE,
        },
    )
    effect = forms.ChoiceField(
        label=_("Does it help or hinder the good meeting with the citizen?"),
        choices=Effect.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether it helps or hinders the good meeting."),
            "invalid_choice": _("Choose whether it helps or hinders the good meeting."),
        },
    )
    proposal = forms.ChoiceField(
        label=_("Your proposal to the level it comes from"),
        choices=Proposal.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a proposal."),
            "invalid_choice": _("Choose a proposal."),
        },
    )
    reason = forms.CharField(
        label=_("Why, in a few words"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("At most %(limit_value)d characters, please.")},
    )
    lock_version = _lock_version_field(required=False)

    def __init__(self, *args, assessment: UnitAssessment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        version_id = assessment.round.framework_version_id
        for name, model in (
            ("level", SignalLevel),
            ("kind", SignalKind),
            ("purpose", SignalPurpose),
        ):
            self.fields[name].queryset = model.objects.filter(version_id=version_id).order_by(
                "order", "pk"
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        for message in self.errors.pop("lock_version", []):
            self.add_error(None, message)
        return cleaned

    def service_values(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "title",
                "level",
                "kind",
                "purpose",
                "hours_per_month",
                "effect",
                "proposal",
                "reason",
            )
        }


class AnswerForm(SingleValueFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Your answer to the proposal"),
        choices=AnswerStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose an answer."),
            "invalid_choice": _("Choose an answer."),
        },
    )
    text = forms.CharField(
        label=_("What will change, or why it is kept"),
        help_text=_(
            "Accepted: what will change. Kept: why. Will be looked into: how and when, if you "
            "can say."
        ),
        required=False,
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("At most %(limit_value)d characters, please.")},
    )
    due_on = forms.DateField(
        label=_("By when (if accepted)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write a date as YYYY-MM-DD.")},
    )
    lock_version = _lock_version_field()

    def clean(self) -> dict:
        cleaned = super().clean()
        for message in self.errors.pop("lock_version", []):
            self.add_error(None, message)
        return cleaned
