"""Factories for the governance chain: its framework content and the units' signals."""

from governance.content import add_content
from governance.models import (
    SignalAnswer,
    SignalKind,
    SignalLevel,
    SignalPurpose,
    SteeringSignal,
)


def add_chain(version):
    """The shipped kinds, purposes and levels, added to `version` (even a published one)."""
    add_content(version)
    return version


def item(model, version, key: str):
    return model.objects.get(version=version, key=key)


def make_signal(
    assessment,
    title: str = "Veckovis statistikrapport",
    *,
    level: str = "forvaltningsledning",
    kind: str = "mal-och-resultatstyrning",
    purpose: str = "kontrollerande",
    hours: int = 20,
    effect: str = "hinders",
    proposal: str = "change",
    reason: str = "",
    answer: dict | None = None,
) -> SteeringSignal:
    """A signal stored directly (the services' rules are tested on their own)."""
    version = assessment.round.framework_version
    if not SignalKind.objects.filter(version=version).exists():
        add_chain(version)
    signal = SteeringSignal.objects.create(
        assessment=assessment,
        title=title,
        level=item(SignalLevel, version, level),
        kind=item(SignalKind, version, kind),
        purpose=item(SignalPurpose, version, purpose),
        hours_per_month=hours,
        effect=effect,
        proposal=proposal,
        reason=reason,
        lock_version=1,
    )
    if answer:
        SignalAnswer.objects.create(signal=signal, lock_version=1, **answer)
    return signal


def signal_values(version, **overrides) -> dict:
    """Values as the services take them."""
    values = {
        "title": "Veckovis statistikrapport",
        "level": item(SignalLevel, version, "forvaltningsledning"),
        "kind": item(SignalKind, version, "mal-och-resultatstyrning"),
        "purpose": item(SignalPurpose, version, "kontrollerande"),
        "hours_per_month": 20,
        "effect": "hinders",
        "proposal": "together",
        "reason": "Ersätt med en dialog varje kvartal.",
    }
    values.update(overrides)
    return values


def signal_post(version, **overrides) -> dict:
    """Form data as the page posts it."""
    values = signal_values(version)
    data = {
        name: str(value.pk if hasattr(value, "pk") else value) for name, value in values.items()
    }
    data.update(overrides)
    return data
