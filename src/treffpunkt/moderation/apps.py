import contextlib
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "treffpunkt.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from treffpunkt.core import schedule
        from treffpunkt.moderation.actions import enqueue_training_if_due

        checks.register(spam_model_check)
        # The worker looks every hour whether the weekly rebuild of the model is due.
        schedule.every(3600, "weekly spam model training", enqueue_training_if_due)
        # `treffpunkt serve` migrates before it serves: build a missing spam model then,
        # not in the first guest's request.
        post_migrate.connect(_prepare_spam_model, sender=self)


def spam_model_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from treffpunkt.moderation.textmodel import model_problem

    problem = model_problem()
    if not problem:
        return []
    return [
        checks.Warning(
            problem,
            hint="The filter holds more items until `treffpunkt spam train` has run.",
            id="moderation.W001",
        )
    ]


def _prepare_spam_model(**kwargs: Any) -> None:
    """With a fresh or upgraded install, train from the corpus and every stored decision."""
    from treffpunkt.moderation import textmodel

    if textmodel.needs_rebuild():
        from treffpunkt.moderation.actions import train_site_model

        # If it cannot be saved, the first check reports it and the filter holds more.
        with contextlib.suppress(OSError):
            train_site_model()
