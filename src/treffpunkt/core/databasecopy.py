"""Moving a site to another database (SQLite to PostgreSQL): ``treffpunkt migrate-to``.

The target must be empty. It gets the same tables (``migrate``), then every row of every
table is copied as it is (same ids, same timestamps: what loaddata does, in batches) in one
transaction on each side: the source is held still while it is read (on SQLite that is its
write lock, so nothing written meanwhile can be left behind), and the target shows all or
nothing. Before the commit the rows of each table are counted on both sides.
"""

from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

import dj_database_url
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.utils import Error as DatabaseError

TARGET = "migrate_to_target"
BATCH = 500


class DatabaseCopyError(Exception):
    """The copy cannot be done; the message says why and what to do."""


def copy_database(
    target_url: str, report: Callable[[str, int, int], None] | None = None
) -> list[tuple[str, int]]:
    """Copy this site's database into the empty one at ``target_url``; the tables copied
    with their number of rows."""
    progress = report or (lambda step, done, total: None)
    target = _connect(target_url)
    try:
        if target.introspection.table_names():
            raise DatabaseCopyError(
                "The target database is not empty: create a new, empty database for "
                "Treffpunkt (e.g. createdb treffpunkt) and name that one."
            )
        call_command("migrate", database=TARGET, interactive=False, verbosity=0)
        copied: list[tuple[str, int]] = []
        all_models = _models()
        total = sum(model._base_manager.using("default").count() for model in all_models)
        done = 0
        with transaction.atomic(using="default"), transaction.atomic(using=TARGET):
            # `migrate` filled in content types and permissions of its own; the site's rows
            # (with their ids, which other rows point at) replace them.
            tables = target.introspection.django_table_names(only_existing=True)
            target.ops.execute_sql_flush(
                target.ops.sql_flush(no_style(), tables, allow_cascade=True)
            )
            with target.constraint_checks_disabled():
                for model in all_models:
                    count = 0
                    rows = model._base_manager.using("default").order_by("pk").iterator(BATCH)
                    for batch in _batches(rows):
                        _insert(model, batch)
                        count += len(batch)
                        done += len(batch)
                        progress("copying", done, total)
                    copied.append((model._meta.db_table, count))
            target.check_constraints()
            with target.cursor() as cursor:
                for statement in target.ops.sequence_reset_sql(no_style(), all_models):
                    cursor.execute(statement)
            for model in all_models:
                there = model._base_manager.using(TARGET).count()
                here = model._base_manager.using("default").count()
                if there != here:
                    raise DatabaseCopyError(
                        f"{model._meta.db_table}: {here} rows here but {there} in the target "
                        "after copying; nothing was kept there."
                    )
        progress("copying", total, total)
        return copied
    except DatabaseError as error:
        first_line = (str(error).strip().splitlines() or [""])[0]
        raise DatabaseCopyError(
            f"Copying failed, nothing was kept in the target database ({first_line})."
        ) from None
    finally:
        target.close()
        del connections[TARGET]
        connections.settings.pop(TARGET, None)


def _connect(target_url: str) -> Any:
    try:
        config = dj_database_url.parse(target_url)
    except Exception as error:  # dj-database-url raises several kinds on bad input
        raise DatabaseCopyError(
            "That is not a database address Treffpunkt understands "
            f"(for example postgres://user:password@localhost:5432/treffpunkt): {error}"
        ) from None
    if not config.get("ENGINE"):
        raise DatabaseCopyError("The address must start with postgres://.")
    source = connections["default"].settings_dict
    if all(config.get(key) == source.get(key) for key in ("ENGINE", "NAME", "HOST", "PORT")):
        raise DatabaseCopyError("That is the database this site uses already.")
    configured = connections.configure_settings({"default": dict(source), TARGET: config})
    connections.settings[TARGET] = configured[TARGET]
    target = connections[TARGET]
    try:
        target.ensure_connection()
    except DatabaseError as error:
        first_line = (str(error).strip().splitlines() or [""])[0]
        raise DatabaseCopyError(
            f"The target database does not answer ({first_line}). Check the address, and "
            "that the database exists (createdb) and the user may create tables in it."
        ) from None
    return target


def _models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _batches(rows: Iterator[models.Model]) -> Iterator[list[models.Model]]:
    while batch := list(islice(rows, BATCH)):
        yield batch


def _insert(model: type[models.Model], rows: list[models.Model]) -> None:
    # raw=True: values as stored, without pre_save (auto_now would stamp the copy's time);
    # loaddata saves each row so too, one INSERT per row.
    model._base_manager.using(TARGET)._insert(  # type: ignore[attr-defined]
        rows, fields=model._meta.local_concrete_fields, using=TARGET, raw=True
    )
