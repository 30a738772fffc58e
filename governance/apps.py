from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance chain")

    def ready(self) -> None:
        # The kinds, purposes and levels are part of a framework version: copied with it into
        # a new draft and checked before it is published (see principles.services).
        from principles import services

        from .models import SignalKind, SignalLevel, SignalPurpose

        for model in (SignalKind, SignalPurpose, SignalLevel):
            services.register_versioned_items(model, ["name"])
