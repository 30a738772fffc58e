"""Admin widgets that survive what a browser would never send but an attacker can.

Django's autocomplete widget, re-rendering a form that came back with errors, looks up the
posted value as a primary key as it is: "abc" or 2**63 then ends in a server error (ValueError,
or OverflowError on SQLite) instead of the form with "Select a valid choice" beside the field.
"""

from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError


class SafeAutocompleteSelect(AutocompleteSelect):
    """Shows only posted values that could be keys of the related model."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", None) or "pk")
        possible = []
        for item in value:
            try:
                target.run_validators(target.to_python(item))
            except (ValidationError, TypeError, ValueError):
                continue
            possible.append(item)
        return super().optgroups(name, possible, attr)


class SafeAutocompleteMixin:
    """For ModelAdmin and inlines with `autocomplete_fields`."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
