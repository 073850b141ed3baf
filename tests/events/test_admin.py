"""The admin changes events and their walls only through events.actions."""

from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from tests.admin_forms import (
    admin_url,
    change,
    delete,
    delete_selected,
    form_data,
    post_form,
)
from tests.submitting import post_to_wall
from treffpunkt.accounts.models import User
from treffpunkt.events.models import Contribution, Event, WallChange
from treffpunkt.moderation.models import Decision

from ..core.test_images import image_upload

COVERED_MODELS = {Event, Contribution}


def said(heard, subject="event"):
    return [(change.verb, change.object_id) for change in heard if change.subject == subject]


def organizer(email="orga@example.org"):
    return User.objects.create_user(email, "x", display_name="Olga Orga", is_organizer=True)


def test_an_event_added_in_the_admin_is_created_by_the_action(
    admin_client, admin_user, heard, django_capture_on_commit_callbacks
):
    olga = organizer()
    start = timezone.localtime() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        post_form(
            admin_client,
            admin_url(Event, "add"),
            {
                "title": "Sommerfest",
                "hashtag": "#Sommerfest26",
                "starts_at_0": start.strftime("%d.%m.%Y"),
                "starts_at_1": "18:00:00",
                "ends_at_0": start.strftime("%d.%m.%Y"),
                "ends_at_1": "23:00:00",
                "visibility": "public",
                "moderation": "pre",
                "organizers": [olga.pk],
                "moderators": [admin_user.pk],
            },
        )
    event = Event.objects.get()
    assert event.hashtag == "Sommerfest26"
    assert len(event.short_code) == 6
    assert list(event.organizers.all()) == [olga]  # the admin's choice, not the admin
    assert list(event.moderators.all()) == [admin_user]
    assert said(heard) == [("created", event.pk)]


def test_event_changes_go_through_update_event(
    admin_client, make_event, heard, django_capture_on_commit_callbacks
):
    event = make_event()
    make_event(hashtag="Vergeben")
    olga = organizer()
    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, event, title="Jahrestreffen 2027", organizers=[str(olga.pk)])
    event.refresh_from_db()
    assert event.title == "Jahrestreffen 2027"
    assert list(event.organizers.all()) == [olga]
    assert said(heard) == [("updated", event.pk)]

    url = admin_url(Event, "change", event.pk)
    for hashtag in ("vergeben", "zwei Worte"):  # taken (in any case), or not a hashtag
        response = admin_client.post(url, {**form_data(admin_client, url), "hashtag": hashtag})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.hashtag == "Jahrestreffen"


def test_an_event_deleted_in_the_admin_takes_its_photos_and_is_announced(
    admin_client, make_event, guest, heard, django_capture_on_commit_callbacks
):
    event, other = make_event(), make_event(hashtag="Zweites")
    photos = []
    for wall in (event, other):
        post = post_to_wall(
            event=wall, participant=guest, text="Schön hier", photo=image_upload(), photo_alt="Saal"
        )
        photos.append(Path(post.photo.path))
    with django_capture_on_commit_callbacks(execute=True):
        delete(admin_client, event)
    assert not Event.objects.filter(pk=event.pk).exists()
    assert not photos[0].exists() and photos[1].exists()
    assert said(heard) == [("deleted", event.pk)]

    with django_capture_on_commit_callbacks(execute=True):
        delete_selected(admin_client, Event, [other])
    assert not Event.objects.exists() and not photos[1].exists()
    assert said(heard)[-1] == ("deleted", other.pk)


def test_contributions_are_read_in_the_admin_and_deleted_through_the_action(
    admin_client, admin_user, event, guest, django_capture_on_commit_callbacks
):
    first, second, third = (
        post_to_wall(
            event=event, participant=guest, text=text, photo=image_upload(), photo_alt="Bild"
        )
        for text in ("Erster", "Zweiter", "Dritter")
    )
    url = admin_url(Contribution, "change", first.pk)
    assert 'name="text"' not in admin_client.get(url).content.decode()
    assert admin_client.post(url, {"text": "Anders", "state": "visible"}).status_code == 403
    assert admin_client.get(admin_url(Contribution, "add")).status_code == 403

    photo = Path(first.photo.path)
    with django_capture_on_commit_callbacks(execute=True):
        delete(admin_client, first)
    assert not Contribution.objects.filter(pk=first.pk).exists()
    assert not photo.exists()
    # Live walls drop it: the change log they replay says so.
    assert WallChange.objects.filter(contribution_id=first.pk, kind="deleted").exists()
    decision = Decision.objects.get(object_id=first.pk)
    assert (decision.action, decision.moderator, decision.reason) == (
        "delete",
        admin_user,
        "In der Verwaltung gelöscht",
    )

    photos = [Path(second.photo.path), Path(third.photo.path)]
    with django_capture_on_commit_callbacks(execute=True):
        delete_selected(admin_client, Contribution, [second, third])
    assert not Contribution.objects.exists()
    assert not any(path.exists() for path in photos)
    assert set(
        WallChange.objects.filter(kind="deleted").values_list("contribution_id", flat=True)
    ) == {first.pk, second.pk, third.pk}
