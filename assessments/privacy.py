"""What participants are told about their personal data before they answer (GDPR art. 13).

The facts come from settings and from the code that acts on them, so the text cannot drift
from what happens: the threshold from ``disclosure``, how long answers are kept from
RETENTION_ANSWERS_DAYS, how long the device remembers them from the participant cookie.
"""

from dataclasses import dataclass

from django.conf import settings

from . import disclosure

# The retention rule's default, as the retention task applies it when the setting is absent.
DEFAULT_RETENTION_ANSWERS_DAYS = 90


@dataclass(frozen=True)
class ParticipantNotice:
    organisation: str
    contact: str
    data_protection_officer: str
    threshold: int
    retention_days: int
    cookie_days: int


def participant_notice() -> ParticipantNotice:
    from .views.participant import COOKIE_MAX_AGE  # the cookie's lifetime is set there

    return ParticipantNotice(
        organisation=getattr(settings, "ORGANISATION_NAME", ""),
        contact=getattr(settings, "ORGANISATION_CONTACT", ""),
        data_protection_officer=getattr(settings, "DATA_PROTECTION_OFFICER", ""),
        threshold=disclosure.threshold(),
        retention_days=int(
            getattr(settings, "RETENTION_ANSWERS_DAYS", DEFAULT_RETENTION_ANSWERS_DAYS)
        ),
        cookie_days=COOKIE_MAX_AGE // (24 * 3600),
    )
