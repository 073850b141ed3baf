"""`treffpunkt check`: configuration problems in plain words."""

from typing import Any

from django.core import checks as django_checks
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import Error as DatabaseError

from treffpunkt.core.backup import daily_backup_problems


def configuration_problems(settings: Any) -> list[tuple[str, str]]:
    """A list of (level, message): level is "error" or "warning"."""
    problems: list[tuple[str, str]] = []
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        problems.append(("error", f"The database does not answer ({error}). Check DATABASE_URL."))
    else:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            problems.append(
                ("warning", "The database is not up to date; `treffpunkt serve` will update it.")
            )
        else:
            problems.extend(daily_backup_problems())
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
        except Exception as error:
            problems.append(("error", f"Redis at REDIS_URL does not answer ({error})."))
    if settings.DEBUG:
        problems.append(("warning", "TREFFPUNKT_DEBUG is on: never use that on a public site."))
    if not settings.BASE_URL.startswith("https://") and settings.BASE_HOST not in {
        "127.0.0.1",
        "localhost",
        "::1",
    }:
        problems.append(
            ("warning", "TREFFPUNKT_BASE_URL does not use https; logins would travel unencrypted.")
        )
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        problems.append(
            (
                "warning",
                "No EMAIL_HOST is set: invitation and password emails are only printed in the "
                "server's log.",
            )
        )
    for message in django_checks.run_checks(include_deployment_checks=False):
        if message.level >= django_checks.ERROR:
            problems.append(("error", str(message.msg)))
    return problems
