"""The admin speaks the admin's language, also in the parts that come from packages; and
what it writes for the site as a whole goes through core.actions."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.admin_forms import (
    admin_url,
    change,
    delete,
    delete_selected,
    post_form,
    run_action,
)
from treffpunkt.comments import tasks as comment_tasks
from treffpunkt.core.actions import participant_for_guest, save_legal_page
from treffpunkt.core.models import LegalPage, Participant, SiteSettings
from treffpunkt.core.queries import site_settings


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


# --- writes go through the actions (core.actions) --------------------------------------

COVERED_MODELS = {SiteSettings, LegalPage, Participant, DBTaskResult}


def said(heard, subject):
    return [(change.verb, change.object_id) for change in heard if change.subject == subject]


def test_site_settings_are_saved_through_the_action(
    admin_client, heard, django_capture_on_commit_callbacks
):
    add = admin_url(SiteSettings, "add")
    with django_capture_on_commit_callbacks(execute=True):
        post_form(admin_client, add, {"name": "Vereinstreff", "tagline": "Hallo"})
    assert site_settings().name == "Vereinstreff"
    assert said(heard, "site") == [("updated", 1)]
    assert admin_client.get(add).status_code == 403  # one row only

    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, SiteSettings.load(), registration_open=True)
    assert site_settings().registration_open  # the cached settings were renewed
    assert said(heard, "site") == [("updated", 1), ("updated", 1)]
    response = admin_client.post(admin_url(SiteSettings, "delete", 1), {"post": "yes"})
    assert response.status_code == 403


def test_legal_pages_are_saved_and_deleted_through_the_actions(
    admin_client, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_form(
            admin_client,
            admin_url(LegalPage, "add"),
            {"kind": "imprint", "language": "de", "body": "Verein e. V."},
        )
    page = LegalPage.objects.get()
    assert said(heard, "legal_page") == [("updated", page.pk)]

    with django_capture_on_commit_callbacks(execute=True):
        # Which page it is cannot change: another language is another page.
        change(admin_client, page, body="Verein e. V., Hauptstraße 1", language="en")
    page.refresh_from_db()
    assert (page.language, page.body) == ("de", "Verein e. V., Hauptstraße 1")
    assert said(heard, "legal_page")[-1] == ("updated", page.pk)
    assert admin_client.get(reverse("core:imprint")).content.decode().count("Hauptstraße 1")

    with django_capture_on_commit_callbacks(execute=True):
        delete(admin_client, page)
    assert not LegalPage.objects.exists()
    assert said(heard, "legal_page")[-1] == ("deleted", page.pk)

    pages = [save_legal_page(kind, "de", "Text") for kind in ("imprint", "privacy")]
    with django_capture_on_commit_callbacks(execute=True):
        delete_selected(admin_client, LegalPage, pages)
    assert not LegalPage.objects.exists()
    assert sorted(said(heard, "legal_page")[-2:]) == [("deleted", page.pk) for page in pages]


def test_participants_are_only_read_and_blocked(admin_client, db):
    guest = participant_for_guest("c" * 32, display_name="Gabi", email="gabi@example.org")
    url = admin_url(Participant, "change", guest.pk)
    page = admin_client.get(url).content.decode()
    assert "Gabi" in page and "gabi@example.org" not in page  # the email is never shown
    assert 'name="display_name"' not in page  # nothing to edit
    response = admin_client.post(url, {"display_name": "Anders", "blocked_at_0": "2026-01-01"})
    assert response.status_code == 403
    assert admin_client.get(admin_url(Participant, "add")).status_code == 403
    assert (
        admin_client.post(admin_url(Participant, "delete", guest.pk), {"post": "yes"}).status_code
        == 403
    )
    guest.refresh_from_db()
    assert guest.display_name == "Gabi"

    run_action(admin_client, Participant, "block", [guest])
    guest.refresh_from_db()
    assert guest.is_blocked and guest.blocked_reason == "In der Verwaltung gesperrt"
    run_action(admin_client, Participant, "unblock", [guest])
    guest.refresh_from_db()
    assert not guest.is_blocked and guest.blocked_reason == ""


def test_background_tasks_are_only_read(admin_client, queued_task):
    url = admin_url(DBTaskResult, "change", queued_task.pk)
    assert admin_client.post(url, {"status": "SUCCESSFUL"}).status_code == 403
    assert admin_client.get(admin_url(DBTaskResult, "add")).status_code == 403
    assert (
        admin_client.post(
            admin_url(DBTaskResult, "delete", queued_task.pk), {"post": "yes"}
        ).status_code
        == 403
    )
    assert DBTaskResult.objects.get().status == queued_task.status
