"""Life cycle of a framework version: copy into a draft, check, publish, retire.

One published version is the default for new rounds (and the one the public framework page
presents): the one published last, unless an administrator makes another the default.
Retiring a version keeps the rounds already answered against it as they are.
"""

import datetime
import re

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .i18n import LANGUAGE_CODES
from .models import (
    NAME_TAKEN,
    Dimension,
    FrameworkVersion,
    Principle,
    ReflectionQuestion,
    Statement,
    SteeringKey,
    SteeringPrinciple,
    SupportingText,
    VersionStatus,
)

# Translated columns that must be filled in every language before publishing.
REQUIRED_TEXTS = {
    Principle: ["name", "definition"],
    Statement: ["text"],
    ReflectionQuestion: ["text"],
    Dimension: ["name", "control_pole", "trust_pole"],
    SteeringPrinciple: ["name", "keywords"],
    SupportingText: ["title"],
}


# Items of other apps that belong to a version (e.g. the governance chain's kinds, purposes
# and levels): model -> translated fields required in every language. Registered by those
# apps' AppConfig.ready; copied into a new draft and checked before publishing like our own.
VERSIONED_ITEMS: dict[type, list[str]] = {}


def register_versioned_items(model: type, required: list[str]) -> None:
    """Let `model` (a VersionedItem with a `version` foreign key) travel with its version."""
    VERSIONED_ITEMS[model] = required


class PublishError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _missing_languages(obj, names: list[str]) -> list[str]:
    return [
        str(obj._meta.get_field(f"{name}_{code}").verbose_name)
        for name in names
        for code in LANGUAGE_CODES
        if not str(getattr(obj, f"{name}_{code}", "")).strip()
    ]


def completeness_problems(version: FrameworkVersion) -> list[str]:
    """Everything that stops `version` from being published, in words an editor understands."""
    problems: list[str] = []
    principles = list(version.principles.prefetch_related("statements", "questions"))
    if not principles:
        problems.append(_("The version has no guiding principles."))
    for principle in principles:
        label = principle.name_sv or principle.key
        if not principle.statements.all():
            problems.append(_("The principle “%(p)s” has no statements.") % {"p": label})
        if not principle.questions.all():
            problems.append(_("The principle “%(p)s” has no reflection questions.") % {"p": label})
        for obj in [principle, *principle.statements.all(), *principle.questions.all()]:
            missing = _missing_languages(obj, REQUIRED_TEXTS[type(obj)])
            if missing:
                problems.append(
                    _("“%(item)s” under “%(p)s” lacks: %(fields)s.")
                    % {"item": obj.key, "p": label, "fields": ", ".join(missing)}
                )
    dimensions = list(version.dimensions.all())
    if not dimensions:
        problems.append(_("The version has no control–trust dimensions."))
    for dimension in dimensions:
        missing = _missing_languages(dimension, REQUIRED_TEXTS[Dimension])
        if missing:
            problems.append(
                _("The dimension “%(d)s” lacks: %(fields)s.")
                % {"d": dimension.name_sv or dimension.key, "fields": ", ".join(missing)}
            )
    steering = list(version.steering_principles.all())
    keys = sorted(s.key for s in steering)
    if keys != sorted(SteeringKey.values):
        problems.append(
            _(
                "There must be exactly three steering principles (competition, regulation and "
                "trust); this version has %(n)d."
            )
            % {"n": len(steering)}
        )
    for item in steering:
        missing = _missing_languages(item, REQUIRED_TEXTS[SteeringPrinciple])
        if missing:
            problems.append(
                _("The steering principle “%(s)s” lacks: %(fields)s.")
                % {"s": item.name_sv or item.key, "fields": ", ".join(missing)}
            )
    for text in version.supporting_texts.all():
        missing = _missing_languages(text, REQUIRED_TEXTS[SupportingText])
        if missing:
            problems.append(
                _("The supporting text “%(t)s” lacks: %(fields)s.")
                % {"t": text.key, "fields": ", ".join(missing)}
            )
    for model, required in VERSIONED_ITEMS.items():
        for item in model.objects.filter(version=version):
            missing = _missing_languages(item, required)
            if missing:
                problems.append(
                    _("“%(item)s” (%(kind)s) lacks: %(fields)s.")
                    % {
                        "item": item.key,
                        "kind": model._meta.verbose_name,
                        "fields": ", ".join(missing),
                    }
                )
    return problems


def name_problem(name: str, version: FrameworkVersion | None = None) -> str | None:
    """Why `name` cannot name `version` (a new one if None), or None when it can."""
    if not name.strip():
        return _("Give the version a name.")
    if FrameworkVersion.objects.name_taken(name, version):
        return str(NAME_TAKEN)
    return None


def _free_name(candidate: str, version: FrameworkVersion | None = None) -> str:
    """`candidate`, or `candidate` with the first free number: "… (2)", "… (3)"."""
    name, number = candidate, 1
    while name_problem(name, version):
        number += 1
        name = f"{candidate} ({number})"
    return name


_YEAR = re.compile(r"\b(19|20)\d{2}$")


def suggested_name(version: FrameworkVersion, today: datetime.date | None = None) -> str:
    """A name to publish the draft `version` under, free among the versions.

    The name of the version it was copied from (not "Copy of …"), with a closing year moved
    on to this year; if that is taken, it is numbered: "… 2026, version 2".
    """
    today = today or timezone.localdate()
    based_on = version.based_on
    automatic = based_on is not None and any(
        version.name.startswith(_copy_name(based_on, language)) for language in LANGUAGE_CODES
    )
    stem = based_on.name if automatic else version.name
    stem = _YEAR.sub(str(today.year), stem.strip())
    if not name_problem(stem, version):
        return stem
    number = 2
    while name_problem(
        name := _("%(name)s, version %(number)d") % {"name": stem, "number": number}, version
    ):
        number += 1
    return name


@transaction.atomic
def publish(
    version: FrameworkVersion, name: str | None = None, *, retire_previous: bool = True
) -> FrameworkVersion:
    """Publish a complete draft under `name` as the default for new rounds.

    With `retire_previous` the versions published until now are retired (rounds already
    answered against them are untouched); without it they stay published and can still be
    chosen for a new round, but are no longer the default. Raises PublishError listing what
    is missing or wrong; then nothing changes.
    """
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise PublishError([_("Only a draft can be published.")])
    name = version.name if name is None else name.strip()
    problems = [problem] if (problem := name_problem(name, version)) else []
    problems += completeness_problems(version)
    if problems:
        raise PublishError(problems)
    previous = FrameworkVersion.objects.published().exclude(pk=version.pk)
    # Lock the published versions too, so that two drafts published at once take turns.
    list(previous.select_for_update())
    # The old default gives way first: the database holds one default at most.
    previous.filter(is_default=True).update(is_default=False)
    if retire_previous:
        previous.update(status=VersionStatus.RETIRED)
    version.name = name
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.is_default = True
    version.save()
    return version


@transaction.atomic
def retire(version: FrameworkVersion) -> FrameworkVersion:
    """Retire a published version; if it was the default, the newest other one takes over."""
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise PublishError([_("Only a published version can be retired.")])
    was_default = version.is_default
    version.status = VersionStatus.RETIRED
    version.is_default = False
    version.save()
    if was_default:
        successor = FrameworkVersion.objects.published().order_by("-published_at", "-pk").first()
        if successor is not None:
            FrameworkVersion.objects.filter(pk=successor.pk).update(is_default=True)
    return version


@transaction.atomic
def make_default(version: FrameworkVersion) -> FrameworkVersion:
    """Make a published version the default for new rounds instead of the present one."""
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise PublishError([_("Only a published version can be the default for new rounds.")])
    FrameworkVersion.objects.filter(is_default=True).exclude(pk=version.pk).update(is_default=False)
    version.is_default = True
    version.save()
    return version


def _copy(obj, **overrides):
    obj.pk = None
    obj.id = None
    obj._state.adding = True
    for field, value in overrides.items():
        setattr(obj, field, value)
    obj.save()
    return obj


def _copy_name(
    version: FrameworkVersion, language: str | None = None, name: str | None = None
) -> str:
    with translation.override(language or translation.get_language()):
        return _("Copy of %(name)s") % {"name": name or version.name}


@transaction.atomic
def copy_to_draft(version: FrameworkVersion, name: str | None = None) -> FrameworkVersion:
    """A new draft holding a copy of every item of `version`, keys unchanged."""
    draft = FrameworkVersion.objects.create(
        name=_free_name(name or _copy_name(version)),
        name_en=_copy_name(version, "en", version.name_en) if version.name_en else "",
        source=version.source,
        based_on=version,
    )
    for principle in version.principles.prefetch_related("statements", "questions"):
        statements = list(principle.statements.all())
        questions = list(principle.questions.all())
        new_principle = _copy(principle, version=draft)
        Statement.objects.bulk_create(
            Statement(
                principle=new_principle,
                key=s.key,
                order=s.order,
                text_sv=s.text_sv,
                text_en=s.text_en,
            )
            for s in statements
        )
        ReflectionQuestion.objects.bulk_create(
            ReflectionQuestion(
                principle=new_principle,
                key=q.key,
                order=q.order,
                text_sv=q.text_sv,
                text_en=q.text_en,
            )
            for q in questions
        )
    for related in ("dimensions", "steering_principles", "supporting_texts"):
        for item in getattr(version, related).all():
            _copy(item, version=draft)
    for model in VERSIONED_ITEMS:
        for item in model.objects.filter(version=version):
            _copy(item, version=draft)
    return draft
