"""A generated organisation for benchmarks: ~20 departments, many units, one completed round.

``generate_org`` builds, in one transaction, a root of its own (code ``GEN-ROOT``), its
departments and units (codes starting ``GEN-``), one round against the current published
framework version with a completed assessment per unit, respondents with full answers, the
groups' agreements, a few actions and steering signals (some answered), and a quality
developer (``gen-kvalitet``) and förvaltning management (``gen-ledning``) for the whole
generated tree. It runs once: a second run stops with a clear message until
``delete_generated`` has removed the first.

Speed: the tree paths are computed here (treebeard's own ``add_child`` costs several queries
per node), rows go in with ``bulk_create``, and the answer tables, by far the largest, with
PostgreSQL's ``COPY`` (plain multi-row ``INSERT`` on other databases).
"""

import csv
import datetime
import hashlib
import io
import random
import secrets
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from principles.models import FrameworkVersion

from . import disclosure, joincodes, scoring
from .models import (
    Action,
    ActionStatus,
    AssessmentState,
    BalanceAgreement,
    BalanceAnswer,
    BalanceKind,
    DimensionAgreement,
    DimensionAnswer,
    PrincipleAgreement,
    PrincipleComment,
    Respondent,
    Role,
    RoleKind,
    Round,
    StateChange,
    StatementAnswer,
    Unit,
    UnitAssessment,
    UnitKind,
)

ROOT_CODE = "GEN-ROOT"
CODE_PREFIX = "GEN-"
QUALITY_DEVELOPER = "gen-kvalitet"
ROUND_NAME = "Genererad omgång"

ACTION_TITLES = [
    "Inför korta avstämningar varje vecka",
    "Gå igenom vilka rapporteringskrav som kan tas bort",
    "Bjud in brukarrådet till arbetsplatsträffen",
    "Ta fram en gemensam bild av uppdraget",
    "Pröva att låta medarbetarna planera schemat själva",
    "Följ upp kvalitet i dialog i stället för med nyckeltal",
    "Skapa en idélåda för förbättringar",
    "Ordna kollegial handledning en gång i månaden",
]
RESPONSIBLE = ["Enhetschefen", "Arbetsgruppen", "Skyddsombudet", "Samordnaren"]
# Steering signals a unit may name: (what, level key, kind key, purpose key, hours a month).
SIGNAL_TEMPLATES = [
    ("Veckovis statistikrapport till förvaltningen", "forvaltningsledning",
     "mal-och-resultatstyrning", "kontrollerande", 20),
    ("Avvikelserapportering i verksamhetssystemet", "statlig-myndighet", "regelstyrning",
     "forebyggande", 8),
    ("Månatlig budgetuppföljning", "politisk-namnd", "ekonomisk-styrning", "kontrollerande", 6),
    ("Nyckeltal för brukartid", "forvaltningsledning", "prestationsstyrning", "kontrollerande", 12),
    ("Dokumentation enligt SoL", "lag", "regelstyrning", "forebyggande", 30),
    ("Gemensam värdegrund och arbetsplatsträffar", "forvaltningsledning", "normstyrning",
     "larande", 4),
    ("Inköp via centrala avtal", "central-funktion", "regelstyrning", "kontrollerande", 5),
]  # fmt: skip
STEERING_OWNER = "gen-ledning"


class GenerateError(Exception):
    """The organisation cannot be generated; the message says why and what to do."""


@dataclass(frozen=True)
class Generated:
    root: Unit
    round: Round
    departments: int
    units: int
    respondents: int
    seconds: float


def generated_root() -> Unit | None:
    return Unit.objects.filter(code=ROOT_CODE).first()


def _department_count(units: int, departments: int | None) -> int:
    if departments is not None:
        return max(1, min(departments, units))
    return max(1, min(20, units, -(-units // 50)))  # about 50 units each, at most 20


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _clamp(value: float, low: int, high: int) -> int:
    return int(min(high, max(low, round(value))))


def _balance(rng: random.Random, trust_bias: float) -> tuple[int, int, int]:
    trust = _clamp(rng.gauss(30 + trust_bias, 12), 0, 90)
    market = _clamp(rng.gauss(20, 8), 0, 100 - trust)
    return market, 100 - trust - market, trust


def _insert(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert plain rows fast: COPY on PostgreSQL, multi-row INSERT elsewhere."""
    table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in fields]
    quote = connection.ops.quote_name
    count = 0
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in rows:
            writer.writerow(
                ["" if v is None else ("t" if v is True else "f" if v is False else v) for v in row]
            )
            count += 1
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {quote(table)} ({', '.join(map(quote, columns))}) "
                "FROM STDIN WITH (FORMAT csv)",
                buffer,
            )
        return count
    chunk: list[Sequence] = []
    per_row = len(columns)
    limit = max(1, 900 // per_row)  # stay under SQLite's limit on parameters

    def flush() -> None:
        placeholders = ", ".join(["(" + ", ".join(["%s"] * per_row) + ")"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "
                f"VALUES {placeholders}",
                [value for row in chunk for value in row],
            )

    for row in rows:
        chunk.append(row)
        count += 1
        if len(chunk) >= limit:
            flush()
            chunk = []
    if chunk:
        flush()
    return count


def generate_org(
    *,
    units: int = 1000,
    respondents: int = 20,
    seed: int = 1,
    departments: int | None = None,
    small_units: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Generated:
    """Generate the organisation (see the module docstring); refuses to run twice.

    ``small_units`` of the units get fewer respondents than the anonymity threshold (three), so
    that the anonymity rule has something to hide.
    """
    if units < 1 or respondents < 1:
        raise GenerateError("Ask for at least one unit and one respondent per unit.")
    if generated_root() is not None:
        raise GenerateError(
            f"A generated organisation ({ROOT_CODE}) already exists. Remove it first with "
            "`python manage.py generate_org --delete`, then generate again."
        )
    version = FrameworkVersion.objects.current()
    if version is None:
        raise GenerateError(
            "There is no published framework version. Load one first: "
            "`python manage.py loaddata framework`."
        )
    say = progress or (lambda message: None)
    started = time.monotonic()
    rng = random.Random(seed)
    principles = list(version.principles.prefetch_related("statements").order_by("order", "pk"))
    statements = [(p.pk, s.pk) for p in principles for s in p.statements.all()]
    dimension_ids = list(version.dimensions.order_by("order", "pk").values_list("pk", flat=True))
    if not statements:
        raise GenerateError(f"The framework version “{version.name}” has no statements.")

    with transaction.atomic():
        # --- the tree -------------------------------------------------------------------
        root = Unit.objects.add_root(
            {"code": ROOT_CODE, "name": "Genererad kommun", "kind": UnitKind.ORGANISATION}
        )
        root.refresh_from_db()
        dep_count = _department_count(units, departments)
        sizes = _split(units, dep_count)
        # Names sort like the paths, so treebeard's name ordering holds for later additions.
        dep_objects = [
            Unit(
                code=f"{CODE_PREFIX}D{d:02d}",
                name=f"Förvaltning {d:02d}",
                kind=UnitKind.DEPARTMENT,
                path=Unit._get_path(root.path, 2, d),
                depth=2,
                numchild=size,
            )
            for d, size in enumerate(sizes, start=1)
        ]
        Unit.objects.bulk_create(dep_objects)
        Unit.objects.filter(pk=root.pk).update(numchild=dep_count)
        unit_objects = [
            Unit(
                code=f"{CODE_PREFIX}{d:02d}-{u:04d}",
                name=f"Enhet {d:02d}-{u:04d}",
                kind=UnitKind.UNIT,
                path=Unit._get_path(dep.path, 3, u),
                depth=3,
                numchild=0,
            )
            for d, (dep, size) in enumerate(zip(dep_objects, sizes, strict=True), start=1)
            for u in range(1, size + 1)
        ]
        Unit.objects.bulk_create(unit_objects, batch_size=2000)
        unit_ids = list(
            Unit.objects.filter(path__startswith=root.path, depth=3)
            .order_by("path")
            .values_list("pk", flat=True)
        )
        say(f"{dep_count} departments and {len(unit_ids)} units")

        user_model = get_user_model()
        quality, _created = user_model.objects.get_or_create(
            username=QUALITY_DEVELOPER, defaults={"first_name": "Generated"}
        )
        if _created:
            quality.set_unusable_password()
            quality.save(update_fields=["password"])
        Role.objects.get_or_create(user=quality, unit=root, kind=RoleKind.QUALITY_DEVELOPER)
        # Förvaltning management for the whole generated tree: sees and answers its signals.
        owner, owner_created = user_model.objects.get_or_create(
            username=STEERING_OWNER, defaults={"first_name": "Generated"}
        )
        if owner_created:
            owner.set_unusable_password()
            owner.save(update_fields=["password"])
        Role.objects.get_or_create(user=owner, unit=root, kind=RoleKind.STEERING_OWNER)

        # --- the round and its completed assessments ------------------------------------
        today = timezone.localdate()
        now = timezone.now()
        round_ = Round.objects.create(
            name=ROUND_NAME,
            framework_version=version,
            root=root,
            opens_on=today - datetime.timedelta(days=60),
            closes_on=today - datetime.timedelta(days=5),
            created_by=quality,
        )
        codes = joincodes.unused_codes(len(unit_ids))
        assessments = UnitAssessment.objects.bulk_create(
            [
                UnitAssessment(
                    round=round_,
                    unit_id=unit_id,
                    state=AssessmentState.COMPLETED,
                    join_code=code,
                    expected_respondents=respondents,
                    counted_respondents=respondents,
                    completed_at=now,
                    completed_by=quality,
                )
                for unit_id, code in zip(unit_ids, codes, strict=True)
            ],
            batch_size=2000,
        )
        small = set(rng.sample(range(len(assessments)), min(small_units, len(assessments))))
        UnitAssessment.objects.filter(pk__in=[assessments[i].pk for i in small]).update(
            counted_respondents=3
        )

        # --- respondents --------------------------------------------------------------------
        people = []
        for index, assessment in enumerate(assessments):
            count = 3 if index in small else respondents
            for _ in range(count):
                token_hash = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
                people.append(Respondent(assessment=assessment, token_hash=token_hash))
        for respondent in people:
            respondent.finished_at = now
        Respondent.objects.bulk_create(people, batch_size=5000)
        say(f"{len(people)} respondents")

        # --- answers, drawn around each unit's own leaning --------------------------------
        statement_rows = []
        dimension_rows = []
        balance_rows = []
        agreements_p, agreements_d, agreements_b, actions = [], [], [], []
        by_assessment: dict[int, list[Respondent]] = {}
        for respondent in people:
            by_assessment.setdefault(respondent.assessment_id, []).append(respondent)
        for assessment in assessments:
            group = by_assessment[assessment.pk]
            leaning = {p.pk: rng.gauss(3.3, 0.6) for p in principles}
            dim_now = {d: rng.gauss(3.4, 0.9) for d in dimension_ids}
            trust_bias = rng.gauss(0, 8)
            indices: dict[int, list[float]] = {p.pk: [] for p in principles}
            nows: dict[int, list[int]] = {d: [] for d in dimension_ids}
            desireds: dict[int, list[int]] = {d: [] for d in dimension_ids}
            balances: dict[str, list[tuple[int, int, int]]] = {"now": [], "desired": []}
            for respondent in group:
                answers: dict[int, list[int | None]] = {p.pk: [] for p in principles}
                for principle_id, statement_id in statements:
                    if rng.random() < 0.04:
                        value = None
                    else:
                        value = _clamp(rng.gauss(leaning[principle_id], 0.9), 1, 5)
                    answers[principle_id].append(value)
                    statement_rows.append((respondent.pk, statement_id, value, value is None))
                for principle_id, values in answers.items():
                    index = scoring.principle_index(values)
                    if index is not None:
                        indices[principle_id].append(index)
                for dimension_id in dimension_ids:
                    now_value = _clamp(rng.gauss(dim_now[dimension_id], 1.0), 1, 7)
                    desired_value = _clamp(now_value + abs(rng.gauss(1.3, 0.8)), 1, 7)
                    nows[dimension_id].append(now_value)
                    desireds[dimension_id].append(desired_value)
                    dimension_rows.append((respondent.pk, dimension_id, now_value, desired_value))
                for kind, bias in (("now", trust_bias), ("desired", trust_bias + 15)):
                    market, hierarchy, trust = _balance(rng, bias)
                    balances[kind].append((market, hierarchy, trust))
                    balance_rows.append((respondent.pk, kind, market, hierarchy, trust))

            # What the group agreed: close to its answers, as a dialogue tends to land.
            for principle in principles:
                values = indices[principle.pk]
                score = _clamp(statistics.median(values), 1, 5) if values else None
                agreements_p.append(
                    PrincipleAgreement(
                        assessment=assessment,
                        principle=principle,
                        score=score,
                        strengths="Vi stöttar varandra i vardagen.",
                        obstacles="Mycket tid går till rapportering.",
                    )
                )
            for dimension_id in dimension_ids:
                agreements_d.append(
                    DimensionAgreement(
                        assessment=assessment,
                        dimension_id=dimension_id,
                        now=_clamp(statistics.median(nows[dimension_id]), 1, 7),
                        desired=_clamp(statistics.median(desireds[dimension_id]), 1, 7),
                    )
                )
            for kind in (BalanceKind.NOW, BalanceKind.DESIRED):
                mean = scoring.mean_balance(balances[kind])
                agreements_b.append(
                    BalanceAgreement(
                        assessment=assessment,
                        kind=kind,
                        market=mean.market,
                        hierarchy=mean.hierarchy,
                        trust=mean.trust,
                    )
                )
            for _ in range(rng.randint(0, 4)):
                actions.append(
                    Action(
                        assessment=assessment,
                        principle=rng.choice(principles),
                        title=rng.choice(ACTION_TITLES),
                        responsible=rng.choice(RESPONSIBLE),
                        due_on=today + datetime.timedelta(days=rng.randint(-60, 150)),
                        status=rng.choice(ActionStatus.values),
                    )
                )

        _insert(StatementAnswer, ["respondent", "statement", "value", "dont_know"], statement_rows)
        _insert(DimensionAnswer, ["respondent", "dimension", "now", "desired"], dimension_rows)
        _insert(BalanceAnswer, ["respondent", "kind", "market", "hierarchy", "trust"], balance_rows)
        say(f"{len(statement_rows) + len(dimension_rows) + len(balance_rows)} answers")
        PrincipleAgreement.objects.bulk_create(agreements_p, batch_size=5000)
        DimensionAgreement.objects.bulk_create(agreements_d, batch_size=5000)
        BalanceAgreement.objects.bulk_create(agreements_b, batch_size=5000)
        Action.objects.bulk_create(actions, batch_size=5000)
        say(f"agreements for {len(assessments)} units and {len(actions)} actions")
        signals = _generate_signals(version, assessments, rng)
        say(f"{signals} steering signals")

        # The figures each group was shown, released as the dialogue would have.
        layout = disclosure.Layout.for_version(version.pk)
        released = sum(
            disclosure.release_many(assessments[start : start + 200], layout)
            for start in range(0, len(assessments), 200)
        )
        say(f"released figures for {released} units")

    if connection.vendor == "postgresql":
        # Fresh statistics (and, outside a transaction, a visibility map for index-only
        # scans), so the planner sees the new rows before autovacuum gets to them.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (StatementAnswer, DimensionAnswer, BalanceAnswer, Respondent, Unit):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
    root.refresh_from_db()
    return Generated(
        root=root,
        round=round_,
        departments=dep_count,
        units=len(unit_ids),
        respondents=len(people),
        seconds=time.monotonic() - started,
    )


def _generate_signals(version: FrameworkVersion, assessments: list, rng: random.Random) -> int:
    """Zero to four steering signals per unit, from the templates the version's levels, kinds
    and purposes allow; about a third of them answered. None when the version has no
    governance content."""
    from governance.models import (
        AnswerStatus,
        Effect,
        Proposal,
        SignalAnswer,
        SignalKind,
        SignalLevel,
        SignalPurpose,
        SteeringSignal,
    )

    items = [
        {item.key: item for item in model.objects.filter(version=version)}
        for model in (SignalLevel, SignalKind, SignalPurpose)
    ]
    templates = [t for t in SIGNAL_TEMPLATES if all(t[i + 1] in items[i] for i in range(3))]
    if not templates:
        return 0
    rows = []
    for assessment in assessments:
        for title, level, kind, purpose, hours in rng.sample(
            templates, rng.randint(0, min(4, len(templates)))
        ):
            rows.append(
                SteeringSignal(
                    assessment=assessment,
                    title=title,
                    level=items[0][level],
                    kind=items[1][kind],
                    purpose=items[2][purpose],
                    hours_per_month=max(0, hours + rng.randint(-hours // 2, hours)),
                    effect=rng.choice(Effect.values),
                    proposal=rng.choice(Proposal.values),
                    reason="Tar tid från mötet med brukarna." if rng.random() < 0.5 else "",
                    lock_version=1,
                )
            )
    created = SteeringSignal.objects.bulk_create(rows, batch_size=2000)
    today = timezone.localdate()
    answers = []
    for signal in created:
        if rng.random() < 0.33:
            status = rng.choice(AnswerStatus.values)
            answers.append(
                SignalAnswer(
                    signal=signal,
                    status=status,
                    text="Vi ses och går igenom det tillsammans.",
                    due_on=today + datetime.timedelta(days=90)
                    if status == AnswerStatus.ACCEPTED
                    else None,
                    lock_version=1,
                )
            )
    SignalAnswer.objects.bulk_create(answers, batch_size=2000)
    return len(created)


@transaction.atomic
def delete_generated() -> bool:
    """Remove the generated organisation and everything in it; False if there is none."""
    root = generated_root()
    if root is None:
        return False
    assessments = UnitAssessment.objects.filter(unit__path__startswith=root.path)
    respondents = Respondent.objects.filter(assessment__in=assessments)
    for model in (StatementAnswer, DimensionAnswer, BalanceAnswer, PrincipleComment):
        model.objects.filter(respondent__in=respondents).delete()
    respondents.delete()
    for model in (PrincipleAgreement, DimensionAgreement, BalanceAgreement, Action, StateChange):
        model.objects.filter(assessment__in=assessments).delete()
    assessments.delete()
    Round.objects.filter(root__path__startswith=root.path).delete()
    Role.objects.filter(unit__path__startswith=root.path).delete()
    Unit.objects.filter(path__startswith=root.path).delete()
    get_user_model().objects.filter(
        username__in=[QUALITY_DEVELOPER, STEERING_OWNER], roles__isnull=True
    ).delete()
    return True
