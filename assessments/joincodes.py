"""Join codes: what participants type or scan to reach their unit's self-assessment.

A code is 10 characters of Crockford's base32 alphabet (digits and capitals without I, L, O
and U, which are easily misread), drawn with `secrets`: 50 bits, so guessing one is hopeless
within the rate limits of the join page. It is stored without separators ("K7QM2XHP9R") and
shown in two groups ("K7QM2-XHP9R"). Typed codes are matched case-insensitively, ignoring
spaces and dashes, and with Crockford's readings of the letters it leaves out (O → 0,
I and L → 1), so "k7qm2 xhp9r" finds the same assessment.

Why failed codes are limited per client and per network but not overall: an overall limit
lets anyone lock every participant out (about 500 wrong codes from 50 addresses did), and
the length of the code already defeats guessing spread over many addresses. With 10,000
codes stored, one guess finds one with odds 10^4 / 2^50 ≈ 8.9 × 10^-12. A botnet guessing
1,000 times a second (30,000 addresses at 20 failures per ten minutes each, in at least
10,000 different IPv4 /24 networks at 60 each; far more than the app is sized to serve,
and plain in any monitoring) makes 3.2 × 10^10 guesses in a year and expects 0.28 hits. An
IPv6 attacker has /64 networks to spare, but not the server's capacity: the rate the server
answers at is the ceiling either way. And a hit opens no one's answers: it lets its finder
answer in one assessment, as any participant with the code can, up to the number expected.
"""

import secrets

from django.db.models import QuerySet

from .models import UnitAssessment

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
GROUP = 5
BITS = LENGTH * 5  # 32 symbols = 5 bits each

_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -–_.\t")
_ALLOWED = frozenset(ALPHABET)


def generate() -> str:
    """A new random code (not yet checked against the stored ones)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(raw: str | None) -> str | None:
    """The stored form of a typed or linked code, or None if it cannot be a code at all."""
    if not raw:
        return None
    code = raw.strip().upper().translate(_SEPARATORS).translate(_READ_AS)
    if len(code) != LENGTH or not set(code) <= _ALLOWED:
        return None
    return code


def display(code: str) -> str:
    """The code as people read it: two groups of five, "K7QM2-XHP9R"."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def unused_codes(count: int) -> list[str]:
    """`count` distinct codes that no assessment uses yet (one query per try; almost always one).

    The unique constraint on `UnitAssessment.join_code` stays the final guard against a
    concurrent transaction drawing the same code, which at 50 bits does not happen in practice.
    """
    codes: set[str] = set()
    for _attempt in range(10):
        while len(codes) < count:
            codes.add(generate())
        taken = set(
            UnitAssessment.objects.filter(join_code__in=codes).values_list("join_code", flat=True)
        )
        if not taken:
            return list(codes)
        codes -= taken
    raise RuntimeError("Could not draw unused join codes.")  # pragma: no cover - 2^-50 odds


def assessment_for_code(code: str) -> UnitAssessment | None:
    """The assessment a normalised code opens, with what the participant pages need.

    This is the participant's scoping function: a participant has no account, so the code
    itself is the only key to an assessment, and nothing but that one assessment is reachable.
    """
    queryset: QuerySet[UnitAssessment] = UnitAssessment.objects.select_related(
        "unit", "round__framework_version"
    )
    return queryset.filter(join_code=code).first()
