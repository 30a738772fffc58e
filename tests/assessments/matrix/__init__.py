"""The permission matrix: every view × every persona gets exactly its expected answer.

Each area adds a module `cases_<area>.py` here defining `CASES: list[Case]`;
`tests/assessments/test_permission_matrix.py` collects them all.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PERSONAS = [
    "administrator",
    "quality_developer",
    "quality_developer_elsewhere",
    "manager_of_a",
    "manager_of_b",
    "outsider",
    "anonymous",
]

# Personas only some cases name: förvaltning management of Förvaltning A and of B (the
# governance chain's steering owners). A case that names them is asked as them too.
MORE_PERSONAS = ["steering_owner", "steering_owner_elsewhere"]

# Where anonymous users are sent: the login page, with the page they wanted as `next`.
LOGIN = "login"


@dataclass(frozen=True)
class Case:
    """One view. `url(org, data)` builds its URL from the personas' org and `setup(org)`."""

    id: str
    url: Callable[[Any, Any], str]
    expect: dict[str, int | str]  # persona -> status code, or LOGIN for a redirect to login
    setup: Callable[[Any], Any] | None = None
    method: str = "get"
    data: Callable[[Any, Any], dict] | None = None
    extra: dict = field(default_factory=dict)
    # Text every persona answered 200 must find in the response: the view shows its content.
    shows: str = ""

    def __post_init__(self) -> None:
        missing = set(PERSONAS) - set(self.expect)
        if missing:
            raise ValueError(f"case {self.id} has no expectation for {sorted(missing)}")
