"""A stored PDF's file goes with its row (an assessment deleted, a round or unit removed)."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import StoredComparison, StoredFile, StoredReport


@receiver(post_delete, sender=StoredReport)
@receiver(post_delete, sender=StoredComparison)
def remove_file(sender, instance: StoredFile, **kwargs) -> None:
    if instance.file.name:
        name, storage = instance.file.name, instance.file.storage
        # Only once the deletion is committed: a rolled-back delete keeps its file.
        transaction.on_commit(lambda: storage.delete(name))
