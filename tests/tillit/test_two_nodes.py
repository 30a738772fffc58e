"""Two web nodes behind HAProxy, one task worker, one PostgreSQL and one Redis.

scripts/two_nodes.py starts them on loopback against the test database; participants walk
every page through the balancer and one node is killed once a third of the saves are done.
Select with `-m two_nodes`. It needs PostgreSQL (DATABASE_URL), Redis at 127.0.0.1:6379
(database 15, or TWO_NODES_REDIS_URL) and Debian's haproxy: without PostgreSQL it is skipped,
while a missing Redis or HAProxy fails it.
"""

import importlib.util
import os
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from principles.models import FrameworkVersion, Statement

ROOT = Path(settings.BASE_DIR)
REDIS_URL = os.environ.get("TWO_NODES_REDIS_URL", "redis://127.0.0.1:6379/15")
PARTICIPANTS = 16
ASSESSMENTS = 2
JOIN_FAILURES = 6

# The django_db mark makes pytest-django create the test database even when this module runs
# alone: its module-scoped fixture asks for `django_db_setup`, which alone does not.
pytestmark = [pytest.mark.two_nodes, pytest.mark.xdist_group("two_nodes"), pytest.mark.django_db]


def _scripts():
    """scripts/two_nodes.py and the load client it uses (scripts/ is not a package)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("two_nodes", ROOT / "scripts" / "two_nodes.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["two_nodes"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module, module.loadtest


def _database_url() -> str:
    """The test database, as the nodes' DATABASE_URL."""
    s = connection.settings_dict
    user = urllib.parse.quote(s["USER"] or "", safe="")
    password = f":{urllib.parse.quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    return f"postgres://{credentials}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@dataclass
class Run:
    outcome: object  # two_nodes.Outcome
    verification: object  # loadtest.Verification
    statements: int  # in the framework the participants answered


@pytest.fixture(scope="module")
def run(django_db_setup, django_db_blocker, tmp_path_factory):
    """One run of the scenario; the nodes write to the test database, so it is emptied after,
    as pytest-django does after a transactional test."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip(
                "needs PostgreSQL: the two nodes and the worker share one database server; "
                "set DATABASE_URL=postgres://… to run it"
            )
        two_nodes, loadtest = _scripts()
        try:
            two_nodes.check_redis(REDIS_URL)
            prepared = loadtest.prepare(ASSESSMENTS, PARTICIPANTS // ASSESSMENTS)
            outcome = two_nodes.run_scenario(
                _database_url(),
                REDIS_URL,
                prepared["codes"],
                tmp_path_factory.mktemp("two-nodes"),
                participants=PARTICIPANTS,
                concurrency=6,
                join_failures_per_client=JOIN_FAILURES,
            )
            verification = loadtest.verify(
                loadtest.acks_as_dicts(outcome.walk.run), prepared["codes"]
            )
            statements = Statement.objects.filter(
                principle__version=FrameworkVersion.objects.current()
            ).count()
            yield Run(outcome, verification, statements)
        except two_nodes.ClusterError as error:
            pytest.fail(str(error))
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_it_stores_every_answer_acknowledged_also_by_the_node_that_was_killed(run):
    walk, verification = run.outcome.walk, run.verification
    assert walk.killed_at, "the node was never killed"
    acknowledged_by_killed = [a for a in walk.run.acks if a.node == walk.killed]
    assert acknowledged_by_killed, "the killed node had acknowledged nothing"
    assert any(a.at > walk.killed_at for a in walk.run.acks), "nothing was saved after the kill"
    assert verification.missing == []
    assert verification.acknowledged["statement answers"] == PARTICIPANTS * run.statements
    # Every participant finished, so nothing is stored that was not acknowledged either.
    assert verification.stored == verification.acknowledged


def test_it_lets_participants_carry_on_at_the_other_node(run):
    walk = run.outcome.walk
    assert [p.error for p in walk.run.participants if p.error] == []
    assert walk.finished == PARTICIPANTS
    assert walk.carried_on(), "no one the killed node served went on after the kill"
    assert walk.nodes_after_kill() == {"web2"}


def test_it_counts_failed_join_codes_of_both_nodes_together(run):
    attempts = run.outcome.probe.attempts
    statuses = [status for _node, status in attempts]
    # The limit's last failure is still answered "no such code"; the next is refused, not
    # JOIN_FAILURES later, as it would be if each node counted on its own.
    assert statuses == [404] * JOIN_FAILURES + [429] * (len(attempts) - JOIN_FAILURES)
    assert {node for node, _status in attempts[:JOIN_FAILURES]} == {"web1", "web2"}
    assert {node for node, status in attempts if status == 429} == {"web1", "web2"}
