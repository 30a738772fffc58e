from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import quotations, services
from .models import FrameworkVersion


class AccessibilityReportForm(forms.Form):
    """A visitor's report of an accessibility problem, sent by e-mail to the service owner."""

    page = forms.CharField(
        label=_("Which page or part of the service?"), max_length=300, required=False
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Please describe the problem.")},
    )
    email = forms.EmailField(
        label=_("Your e-mail address, if you want an answer"),
        required=False,
        error_messages={"invalid": _("Enter an e-mail address like name@example.se.")},
    )


class PublishForm(forms.Form):
    """What publishing a draft asks: the version's name, and whether the old one retires."""

    name = forms.CharField(
        label=_("Name of the published version"),
        max_length=FrameworkVersion._meta.get_field("name").max_length,
        help_text=_(
            "Shown on the public framework page and when a round is opened, e.g. "
            "“Tillitsbaserad styrning och ledning 2027”. Each version has its own name."
        ),
        error_messages={"required": _("Give the version a name.")},
        widget=forms.TextInput(attrs={"size": 60, "autocomplete": "off"}),
    )
    retire_previous = forms.BooleanField(
        label=_("Retire the version published now"),
        required=False,
        initial=True,
        help_text=_(
            "Recommended: then only the new version is published. Rounds already answered "
            "against the old one keep it. Untick to keep both published; the new one is the "
            "default for new rounds either way."
        ),
    )

    def __init__(self, *args, version: FrameworkVersion, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.previous = list(
            FrameworkVersion.objects.published().exclude(pk=version.pk).order_by("-published_at")
        )
        if not self.previous:
            del self.fields["retire_previous"]
        else:
            self.fields["retire_previous"].label = ngettext(
                "Retire the version published now: %(names)s",
                "Retire the versions published now: %(names)s",
                len(self.previous),
            ) % {"names": ", ".join(f"“{v.name}”" for v in self.previous)}
        self.initial.setdefault("name", services.suggested_name(version))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        problem = services.name_problem(name, self.version)
        if problem:
            raise forms.ValidationError(problem, code="name")
        return name

    def save(self) -> FrameworkVersion:
        """Publish; what the draft lacks lands on the form as errors (PublishError)."""
        try:
            return services.publish(
                self.version,
                self.cleaned_data["name"],
                retire_previous=self.cleaned_data.get("retire_previous", False),
            )
        except services.PublishError as error:
            for problem in error.problems:
                self.add_error(None, problem)
            raise


class QuotationGuardForm(forms.ModelForm):
    """A model form that refuses changes to an official quotation unless they are confirmed.

    `quotation_before` holds the stored values of the quotation fields that changed, for
    recording once the change is saved.
    """

    unlock_quotation = forms.BooleanField(
        label=_("I am changing an official quotation"),
        required=False,
        help_text=_(
            "Tick only to make a quoted text match its source word for word. The change is "
            "recorded with your name."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not quotations.is_quotation(self.instance) or self.instance.pk is None:
            # Nothing to unlock: the box would only clutter the form (admin hides the row).
            self.fields["unlock_quotation"].widget = forms.HiddenInput()

    def clean(self) -> dict:
        cleaned = super().clean()
        # The instance still holds the stored values here: the form fills it in afterwards.
        changed = quotations.protected_changes(self.instance, self.changed_data)
        self.quotation_before = {name: getattr(self.instance, name) for name in changed}
        if changed and not cleaned.get("unlock_quotation"):
            source = self.initial.get("definition_source") or self.initial.get("source")
            if source:
                message = _(
                    "This is an official quotation from %(source)s and is not edited like "
                    "other texts. If it must change, tick “I am changing an official quotation”."
                ) % {"source": source}
            else:
                message = _(
                    "This is an official quotation and is not edited like other texts. If it "
                    "must change, tick “I am changing an official quotation”."
                )
            for name in changed:
                self.add_error(name if name in self.fields else None, message)
        return cleaned
