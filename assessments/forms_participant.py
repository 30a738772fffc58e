"""Forms for participants: typing the join code and the pages of individual answers.

The forms check the shape of the input (a choice on the scale, a whole number) so that each
message lands next to its field; `assessments.answers` checks everything again and is the
authority. Field names come from `answers` so that its errors find their fields too.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from principles.models import Dimension, Principle, Statement, SteeringPrinciple
from tillit.fields import SingleValueFormMixin, StrictIntegerField, whole_number

from . import answers, disclosure, joincodes
from .models import BalanceKind


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_(
            "Ten letters and digits, for example K7QM2-XHP9R. Small or capital letters, "
            "spaces and dashes do not matter."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "class": "form-control form-control-lg join-code-input",
            }
        ),
        error_messages={"required": _("Type the code you were given.")},
    )

    def clean_code(self) -> str:
        code = joincodes.normalize(self.cleaned_data["code"])
        if code is None:
            raise ValidationError(
                _(
                    "A code has ten letters and digits, for example K7QM2-XHP9R. "
                    "Check what you typed."
                ),
                code="malformed",
            )
        return code


# ---------------------------------------------------------------------------------------
# Answer pages
# ---------------------------------------------------------------------------------------

STATEMENT_CHOICES = [
    ("1", _("not true at all")),
    ("2", _("slightly true")),
    ("3", _("partly true")),
    ("4", _("largely true")),
    ("5", _("entirely true")),
    (answers.DONT_KNOW, _("Don't know")),
]


class _FixedChoices(BaseChoiceIterator):
    """Choices normalised once: Django takes a choice iterator as it is, where it would
    normalise a list again for every field of every request (most of a form's build time)."""

    def __init__(self, choices: list[tuple[str, object]]) -> None:
        self.choices = normalize_choices(choices)

    def __iter__(self):
        return iter(self.choices)


_STATEMENT_CHOICES = _FixedChoices(STATEMENT_CHOICES)


def dimension_choices() -> list[tuple[str, str]]:
    return [
        ("1", _("closest to control")),
        ("2", ""),
        ("3", ""),
        ("4", _("in between")),
        ("5", ""),
        ("6", ""),
        ("7", _("closest to trust")),
    ]


_DIMENSION_CHOICES = _FixedChoices(dimension_choices())


class AnswerPageForm(SingleValueFormMixin, forms.Form):
    """Common to the answer pages: service errors and a summary of errors for the top.

    A field sent twice is refused (``SingleValueFormMixin``) rather than read as its last value.
    """

    group_names: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Errors about a group of fields (a balance's sum), shown next to the group.
        self.group_errors: dict[str, list[str]] = {name: [] for name in self.group_names}

    def apply_service_errors(self, error: ValidationError) -> None:
        for key, messages in error.message_dict.items():
            if key in self.fields:
                self.add_error(key, messages)
            elif key in self.group_errors:
                self.group_errors[key].extend(messages)
            else:
                self.add_error(None, messages)

    def mark_invalid(self) -> None:
        """Tie each field with an error to its message for screen readers."""
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{name}-error"}
                )

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for every error, in page order, for the summary at the top."""
        items = [("", str(message)) for message in self.non_field_errors()]
        for name, messages in self.group_errors.items():
            items += [(f"group-{name}", str(message)) for message in messages]
        for name in self.fields:
            for message in self.errors.get(name, []):
                items.append((self.group_anchor(name), str(message)))
        return items

    def group_anchor(self, name: str) -> str:
        return f"id_{name}"

    def left_empty(self) -> bool:
        """Nothing answered in what was sent (a valid form): no choice, number or text."""
        return all(
            value is None or (isinstance(value, str) and not value.strip())
            for value in self.cleaned_data.values()
        )


class PrinciplePageForm(AnswerPageForm):
    """One principle: each statement on 1–5 or "don't know", and an optional comment."""

    def __init__(self, *args, principle: Principle, statements: list[Statement], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.principle = principle
        self.statements = statements
        for statement in statements:
            self.fields[answers.statement_field(statement.pk)] = forms.ChoiceField(
                label=statement.text,
                choices=_STATEMENT_CHOICES,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                error_messages={
                    "invalid_choice": _("Choose a value from 1 to 5, or “Don't know”."),
                },
            )
        self.fields["comment"] = forms.CharField(
            label=_("Your comment on %(principle)s (optional)") % {"principle": principle.name},
            # The dialogue shows the comments, shuffled and unnamed, once enough people wrote
            # one (assessments.disclosure): the participant must know before writing.
            help_text=_(
                "In the meeting the group sees the comments on this principle without names, "
                "and only if at least %(count)d people wrote one. Write nothing that tells who "
                "you are."
            )
            % {"count": disclosure.threshold()},
            required=False,
            max_length=answers.COMMENT_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        for key in self.data:
            if key.startswith("statement_") and key not in self.fields:
                raise ValidationError(
                    _(
                        "An answer was sent for a statement that is not on this page. Nothing "
                        "was saved; reload the page and answer again."
                    ),
                    code="foreign_statement",
                )
        return cleaned

    def statement_fields(self):
        return [
            (statement, self[answers.statement_field(statement.pk)])
            for statement in self.statements
        ]

    def group_anchor(self, name: str) -> str:
        return f"{name}-legend" if name.startswith("statement_") else f"id_{name}"

    def answers(self) -> dict:
        return {
            "statements": {
                statement.pk: self.cleaned_data.get(answers.statement_field(statement.pk))
                for statement in self.statements
            },
            # No comment field in the POST at all: leave a saved comment alone.
            "comment": self.cleaned_data.get("comment", "") if "comment" in self.data else None,
        }


class DimensionsForm(AnswerPageForm):
    """Every control–trust dimension twice, now and desired, on 1 (control) … 7 (trust)."""

    def __init__(self, *args, dimensions: list[Dimension], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dimensions = dimensions
        for dimension in dimensions:
            for side, label in (
                ("now", pgettext_lazy("dimension", "Now")),
                ("desired", pgettext_lazy("dimension", "Desired")),
            ):
                self.fields[answers.dimension_field(dimension.pk, side)] = forms.ChoiceField(
                    label=label,
                    choices=_DIMENSION_CHOICES,
                    required=False,
                    widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                    error_messages={"invalid_choice": _("Choose a value from 1 to 7.")},
                )

    def clean(self) -> dict:
        cleaned = super().clean()
        for key in self.data:
            if key.startswith("dimension_") and key not in self.fields:
                raise ValidationError(
                    _(
                        "An answer was sent for a dimension that is not on this page. Nothing "
                        "was saved; reload the page and answer again."
                    ),
                    code="foreign_dimension",
                )
        return cleaned

    def rows(self):
        return [
            (
                dimension,
                self[answers.dimension_field(dimension.pk, "now")],
                self[answers.dimension_field(dimension.pk, "desired")],
            )
            for dimension in self.dimensions
        ]

    def group_anchor(self, name: str) -> str:
        return f"{name}-legend"

    def answers(self) -> dict:
        return {
            dimension.pk: {
                side: self.cleaned_data.get(answers.dimension_field(dimension.pk, side))
                for side in answers.DIMENSION_SIDES
            }
            for dimension in self.dimensions
        }


class BalanceForm(AnswerPageForm):
    """The steering balance now and desired: 100 points over market, hierarchy and trust."""

    group_names = tuple(answers.balance_group(kind) for kind in BalanceKind.values)

    def __init__(self, *args, steering: list[SteeringPrinciple], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        by_key = {principle.key: principle for principle in steering}
        self.steering = [by_key[key] for key in answers.STEERING_KEYS if key in by_key]
        for kind in BalanceKind.values:
            for key in answers.STEERING_KEYS:
                principle = by_key.get(key)
                # Plain digits only: int() would also read "+40", " 40 ", "40.0" and "٤٠".
                self.fields[answers.balance_field(kind, key)] = StrictIntegerField(
                    label=principle.name if principle else key,
                    required=False,
                    min_value=0,
                    max_value=answers.BALANCE_TOTAL,
                    error_messages={
                        "invalid": _("Give a whole number of points from 0 to 100."),
                        "min_value": _("Give a whole number of points from 0 to 100."),
                        "max_value": _("Give a whole number of points from 0 to 100."),
                    },
                    widget=forms.NumberInput(
                        attrs={
                            "class": "form-control balance-input",
                            "inputmode": "numeric",
                            "step": "1",
                            "data-balance": kind,
                        }
                    ),
                )

    def clean(self) -> dict:
        cleaned = super().clean()
        for kind in BalanceKind.values:
            names = [answers.balance_field(kind, key) for key in answers.STEERING_KEYS]
            if any(name in self.errors for name in names):
                continue  # a number is wrong already: no point adding up
            points = {
                key: cleaned.get(name)
                for key, name in zip(answers.STEERING_KEYS, names, strict=True)
            }
            _values, problems = answers.check_balance(kind, points)
            for key, messages in problems.items():
                if key in self.fields:
                    self.add_error(key, messages)
                else:
                    self.group_errors[key].extend(messages)
        return cleaned

    def is_valid(self) -> bool:
        return super().is_valid() and not any(self.group_errors.values())

    def kinds(self):
        """For the template: each balance with its three fields and its errors."""
        return [
            {
                "kind": kind,
                "label": label,
                "group": answers.balance_group(kind),
                "errors": self.group_errors[answers.balance_group(kind)],
                "fields": [
                    (principle, self[answers.balance_field(kind, principle.key)])
                    for principle in self.steering
                ],
                "total": self._total(kind),
                "remaining": answers.BALANCE_TOTAL - self._total(kind),
                "excess": self._total(kind) - answers.BALANCE_TOTAL,
            }
            for kind, label in BalanceKind.choices
        ]

    def _total(self, kind: str) -> int:
        total = 0
        for key in answers.STEERING_KEYS:
            value = self[answers.balance_field(kind, key)].value()
            if isinstance(value, int):
                total += value
                continue
            try:
                total += whole_number(value)  # as the field reads it: "+40" counts nothing
            except ValueError:
                continue
        return total

    def answers(self) -> dict:
        return {
            kind: {
                key: self.cleaned_data.get(answers.balance_field(kind, key))
                for key in answers.STEERING_KEYS
            }
            for kind in BalanceKind.values
        }
