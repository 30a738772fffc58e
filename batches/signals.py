"""A batch's ZIP goes with the batch (admin delete, cascade from a round or a unit)."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from . import storage
from .models import Batch


@receiver(post_delete, sender=Batch)
def remove_file(sender, instance: Batch, **kwargs) -> None:
    storage.remove(instance.file)
