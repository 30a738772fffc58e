from django import forms
from django.utils.translation import gettext_lazy as _


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
