"""The form a quality developer or administrator opens a round with."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from principles.models import FrameworkVersion
from tillit.fields import (
    REPEATED,
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
    SingleValueFormMixin,
)

from . import rounds
from .models import Round, Unit


class RootChoiceField(BoundedModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        # Indent by depth so the tree shows in a plain select.
        return "\u2003" * (unit.depth - 1) + unit.name


class VersionChoiceField(BoundedModelChoiceField):
    def label_from_instance(self, version: FrameworkVersion) -> str:
        return version.name


class RootForm(forms.Form):
    """Step one (GET): which part of the tree the round covers."""

    root = RootChoiceField(
        queryset=Unit.objects.none(),
        label=_("Part of the organisation"),
        empty_label=None,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["root"].queryset = rounds.plannable_units(user)
        self.fields["root"].widget.attrs["class"] = "form-select"


class RoundForm(SingleValueFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the round"),
        max_length=rounds.NAME_MAX_LENGTH,
        help_text=_("For example “Tillitsskattning HT 2026”."),
    )
    framework_version = VersionChoiceField(
        queryset=FrameworkVersion.objects.none(),
        label=_("Framework version"),
        empty_label=None,
        help_text=_("The texts participants answer. Published versions only."),
    )
    opens_on = forms.DateField(
        label=_("Opens"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    closes_on = forms.DateField(
        label=_("Closes"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    root = BoundedModelChoiceField(
        queryset=Unit.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("Choose a part of the organisation you are responsible for."),
        },
    )
    units = BoundedModelMultipleChoiceField(
        queryset=Unit.objects.none(),
        label=_("Units taking part"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one unit to take part."),
            "invalid_choice": _(
                "Only units within the chosen part of the organisation can take part."
            ),
        },
    )
    # Rendered with the form: sent twice (a double click, a resubmit), it opens one round.
    creation_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, user, root: Unit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.root = root
        self.fields["framework_version"].queryset = FrameworkVersion.objects.published().order_by(
            "-published_at", "-pk"
        )
        self.fields["root"].queryset = rounds.plannable_units(user)
        self.tree_units = list(rounds.units_under(user, root))
        self.fields["units"].queryset = rounds.units_under(user, root)
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("framework_version", FrameworkVersion.objects.current())
            self.initial.setdefault("opens_on", today)
            self.initial.setdefault("closes_on", today + datetime.timedelta(weeks=6))
            self.initial.setdefault("root", root.pk)
            self.initial.setdefault("creation_token", rounds.new_creation_token())
            self.initial.setdefault(
                "units", [unit.pk for unit in rounds.default_units(self.tree_units)]
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The round cannot close before it opens."))
        # The token is hidden: a message about it goes on top of the form, in plain words.
        token = cleaned.get("creation_token")
        if self.has_error("creation_token") or (
            token and not rounds.CREATION_TOKEN.fullmatch(token)
        ):
            repeated = self.has_error("creation_token", code="repeated")
            self.errors.pop("creation_token", None)
            self.add_error(
                None,
                REPEATED
                if repeated
                else _("The form was incomplete. Reload the page and try again."),
            )
        return cleaned

    def checked_unit_ids(self) -> set[int]:
        """Which boxes of the tree are ticked: what was posted, else the leaves."""
        values = self["units"].value() or []
        checked = set()
        for value in values:
            pk = getattr(value, "pk", value)
            try:
                checked.add(int(pk))
            except (TypeError, ValueError):
                continue
        return checked

    def save(self) -> Round:
        """Open the round (the service checks scope again); errors land on the fields.

        ``rounds.RoundAlreadyOpened`` passes through: this form opened its round before.
        """
        data = self.cleaned_data
        try:
            return rounds.open_round(
                user=self.user,
                name=data["name"],
                framework_version=data["framework_version"],
                root=data["root"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                units=data["units"],
                creation_token=data.get("creation_token") or None,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
            raise
