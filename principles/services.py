"""Life cycle of a framework version: copy into a draft, check, publish, retire."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .i18n import LANGUAGE_CODES
from .models import (
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
                "There must be exactly three steering principles (market, hierarchy and trust); "
                "this version has %(n)d."
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
    return problems


@transaction.atomic
def publish(version: FrameworkVersion) -> FrameworkVersion:
    """Publish a complete draft; raise PublishError listing what is missing otherwise."""
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise PublishError([_("Only a draft can be published.")])
    problems = completeness_problems(version)
    if problems:
        raise PublishError(problems)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save()
    return version


@transaction.atomic
def retire(version: FrameworkVersion) -> FrameworkVersion:
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise PublishError([_("Only a published version can be retired.")])
    version.status = VersionStatus.RETIRED
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


@transaction.atomic
def copy_to_draft(version: FrameworkVersion, name: str | None = None) -> FrameworkVersion:
    """A new draft holding a copy of every item of `version`, keys unchanged."""
    draft = FrameworkVersion.objects.create(
        name=name or _("Copy of %(name)s") % {"name": version.name},
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
    return draft
