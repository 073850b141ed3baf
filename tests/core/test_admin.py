"""The admin speaks the admin's language, also in the parts that come from packages."""

import pytest
from django_tasks_db.models import DBTaskResult

from treffpunkt.comments import tasks as comment_tasks


@pytest.fixture
def queued_task(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    comment_tasks.notify_authors_of_post.enqueue(1)
    return DBTaskResult.objects.get()


def test_background_tasks_are_listed_in_german(admin_client, queued_task):
    index = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Hintergrundaufgaben" in index
    assert "Tasks Database Backend" not in index and "Task Results" not in index
    listing = admin_client.get(
        "/admin/django_tasks_database/dbtaskresult/", HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    for heading in ("Aufgabe", "Eingereiht am", "Priorität", "Warteschlange"):
        assert heading in listing
    assert "notify_authors_of_post" in listing
    assert "Bereit" in listing  # the task's state
    detail = admin_client.get(
        f"/admin/django_tasks_database/dbtaskresult/{queued_task.pk}/change/",
        HTTP_ACCEPT_LANGUAGE="de",
    ).content.decode()
    assert "Fehlerverlauf" in detail and "Frühestens am" in detail


def test_and_in_english(admin_client, queued_task):
    listing = admin_client.get(
        "/en/admin/django_tasks_database/dbtaskresult/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Background tasks" in listing
    assert "Enqueued at" in listing
