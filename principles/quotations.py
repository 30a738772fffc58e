"""Official quotations (the SOU 2018:47 definitions) are not edited like other texts.

A principle's Swedish definition is always quoted from its source; a supporting text is a
quotation when marked so. In a draft they can still be corrected, but only when the editor
confirms that an official quotation is being changed, and every such change is recorded.
"""

from collections.abc import Iterable

from django.db import models, transaction

from .models import Principle, QuotationChange, SupportingText

# What makes up a quotation: the quoted words, where they come from, and the mark itself.
PROTECTED_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Principle: ("definition_sv", "definition_source"),
    SupportingText: ("body_sv", "source", "is_quotation"),
}


def is_quotation(obj: models.Model) -> bool:
    """Whether `obj`, as it is stored, carries an official quotation."""
    if isinstance(obj, Principle):
        return True
    return isinstance(obj, SupportingText) and obj.is_quotation


def protected_changes(stored: models.Model, changed: Iterable[str]) -> list[str]:
    """Which of the `changed` field names touch the quotation of the stored `stored`.

    Nothing is protected before the item is first saved: a new item is not yet a quotation.
    """
    if stored.pk is None or not is_quotation(stored):
        return []
    changed = set(changed)
    return [name for name in PROTECTED_FIELDS.get(type(stored), ()) if name in changed]


def item_label(obj: models.Model) -> str:
    kind = obj._meta.verbose_name
    return f"{kind} “{obj.key}”"


@transaction.atomic
def record_changes(
    obj: models.Model, before: dict[str, object], user, fields: Iterable[str]
) -> list[QuotationChange]:
    """Record that `fields` of the quotation in `obj` changed from `before` to their values."""
    version = obj.framework_version()
    return QuotationChange.objects.bulk_create(
        QuotationChange(
            version=version,
            item=item_label(obj),
            field=name,
            old_text=str(before.get(name, "")),
            new_text=str(getattr(obj, name)),
            changed_by=user,
        )
        for name in fields
    )
