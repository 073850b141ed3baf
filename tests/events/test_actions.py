from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.submitting import post_to_wall
from treffpunkt.core.actions import block_participant, participant_for_guest
from treffpunkt.events import actions
from treffpunkt.events.models import SHORT_CODE_ALPHABET, Contribution, WallChange
from treffpunkt.moderation.models import CheckedItem, Decision

from ..core.test_images import image_upload


def submit(event, participant, text="Ein guter Tag!", **kwargs):
    return post_to_wall(event=event, participant=participant, text=text, **kwargs)


@pytest.mark.django_db
def test_event_gets_a_short_code_without_ambiguous_characters(event):
    assert len(event.short_code) == 6
    assert set(event.short_code) <= set(SHORT_CODE_ALPHABET)
    assert not set(event.short_code) & set("01lIoO")


@pytest.mark.django_db
@pytest.mark.parametrize("tag", ["Jahrestreffen_Köln2026", "#Straßenfest", "ÄÖÜ_2"])
def test_hashtags_with_umlauts_digits_and_underscores(make_event, tag):
    assert make_event(hashtag=tag).hashtag == tag.lstrip("#")


@pytest.mark.django_db
@pytest.mark.parametrize("tag", ["zwei Worte", "2026", "", "tag-mit-strich", "x" * 61, "<b>"])
def test_malformed_hashtags_are_refused(make_event, tag):
    with pytest.raises(ValidationError):
        make_event(hashtag=tag)


@pytest.mark.django_db
def test_hashtags_are_unique_ignoring_case(make_event):
    make_event(hashtag="Sommerfest")
    with pytest.raises(ValidationError):
        make_event(hashtag="sommerFEST")


@pytest.mark.django_db
def test_post_moderation_shows_at_once_pre_moderation_holds(make_event, guest):
    open_wall = make_event(hashtag="offen")
    reviewed_wall = make_event(hashtag="geprueft", moderation="pre")

    visible = submit(open_wall, guest)
    held = submit(reviewed_wall, guest, "Anderer Text")
    assert visible.state == Contribution.State.VISIBLE
    assert held.state == Contribution.State.HELD
    # The Filter page tells that the event's rule, not the filter, held it.
    checks = {c.object_id: c for c in CheckedItem.objects.filter(kind="wall_post")}
    assert checks[visible.pk].held_by == []
    assert checks[held.pk].verdict == "publish"
    assert [r["message"] for r in checks[held.pk].held_by] == [
        "the event's moderators approve every post first"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "   \n\t ", "\u200b\u200b", "\x00\x07"])
def test_empty_text_is_refused(event, guest, text):
    with pytest.raises(actions.Refused) as refusal:
        submit(event, guest, text)
    assert refusal.value.status == 400
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_length_is_counted_like_mastodon(event, guest):
    long_link = "https://example.org/" + "a" * 200
    fits = "x" * (500 - 24) + " " + long_link  # the link counts as 23

    assert submit(event, guest, fits).text == fits
    with pytest.raises(actions.Refused):
        submit(event, guest, "y" * 501)


@pytest.mark.django_db
def test_invisible_and_control_characters_are_removed(event, guest):
    contribution = submit(event, guest, "Hal\u200blo\x07 Welt\u202e!\r\n\r\n\r\n\r\nZeile")
    assert contribution.text == "Hallo Welt!\n\nZeile"


@pytest.mark.django_db
def test_a_finished_event_takes_no_posts(make_event, guest, settings):
    settings.EVENT_POSTING_GRACE_MINUTES = 0
    now = timezone.now()
    past = make_event(
        hashtag="vorbei", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1)
    )

    with pytest.raises(actions.Refused) as refusal:
        submit(past, guest)
    assert refusal.value.status == 403


@pytest.mark.django_db
def test_blocked_participants_cannot_post(event, guest):
    block_participant(guest, "Spam")
    with pytest.raises(actions.Refused):
        submit(event, guest)


@pytest.mark.django_db
def test_word_list_holds_a_post_with_a_reason(make_event, guest):
    event = make_event(blocked_words="Werbung\nkostenlos")
    contribution = submit(event, guest, "Jetzt KOSTENLOS testen")

    assert contribution.state == Contribution.State.HELD
    assert contribution.moderation_reasons[0]["values"] == {"word": "kostenlos"}


@pytest.mark.django_db
def test_many_links_are_held(event, guest):
    text = "https://a.example https://b.example https://c.example"
    assert submit(event, guest, text).state == Contribution.State.HELD


@pytest.mark.django_db
def test_repeated_text_is_held(event):
    posts = [
        submit(event, participant_for_guest(f"{n:032d}"), "Kauft alle bei uns ein!")
        for n in range(3)
    ]
    assert [p.state for p in posts] == ["visible", "visible", "held"]
    assert "same text" in posts[-1].moderation_reasons[0]["message"]
    assert CheckedItem.objects.filter(object_id=posts[-1].pk, verdict="hold").exists()


@pytest.mark.django_db
def test_photo_is_reencoded_and_needs_to_be_an_image(event, guest):
    contribution = submit(event, guest, photo=image_upload(), photo_alt="Saal voller Leute")
    assert contribution.photo.name.endswith(".webp")
    assert contribution.photo_alt == "Saal voller Leute"

    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(actions.Refused) as refusal:
        submit(event, guest, "Noch eins", photo=SimpleUploadedFile("x.jpg", b"GIF89a..."))
    assert "JPEG, PNG oder WebP" in refusal.value.message


@pytest.mark.django_db
def test_every_change_is_recorded_in_order(event, guest, admin_user):
    contribution = submit(event, guest)
    actions.moderate_contribution(contribution, "pin", admin_user)
    actions.moderate_contribution(contribution, "unpin", admin_user)
    actions.moderate_contribution(contribution, "hide", admin_user, reason="off topic")
    actions.moderate_contribution(contribution, "approve", admin_user)
    actions.edit_contribution(contribution, "Ein sehr guter Tag!")
    actions.delete_contribution(contribution, moderator=admin_user)

    kinds = list(WallChange.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "pinned", "unpinned", "hidden", "approved", "edited", "deleted"]
    decisions = list(Decision.objects.order_by("created_at", "id").values_list("action", "reason"))
    assert decisions == [
        ("pin", ""),
        ("unpin", ""),
        ("hide", "off topic"),
        ("approve", ""),
        ("delete", ""),
    ]
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_editing_rechecks_the_text(make_event, guest):
    event = make_event(blocked_words="Werbung")
    contribution = submit(event, guest)

    edited = actions.edit_contribution(contribution, "Jetzt mit Werbung")

    assert edited.state == Contribution.State.HELD
    assert edited.edited_at is not None


@pytest.mark.django_db
def test_authors_may_change_posts_only_for_24_hours(event, guest):
    contribution = submit(event, guest)
    Contribution.objects.filter(pk=contribution.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    contribution.refresh_from_db()

    with pytest.raises(actions.Refused):
        actions.edit_contribution(contribution, "Zu spät")


@pytest.mark.django_db
def test_blocking_hides_everything_from_that_person(event, guest, admin_user):
    first = submit(event, guest, "Eins")
    second = submit(event, guest, "Zwei")
    actions.moderate_contribution(second, "pin", admin_user)

    actions.block_author(first, admin_user, "Beleidigung")

    guest.refresh_from_db()
    assert guest.is_blocked
    states = set(Contribution.objects.values_list("state", "pinned"))
    assert states == {("hidden", False)}


@pytest.mark.django_db
def test_deleting_removes_the_photo_file(event, guest, django_capture_on_commit_callbacks):
    import os

    contribution = submit(event, guest, photo=image_upload(), photo_alt="Bild")
    path = contribution.photo.path
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_contribution(contribution)
    assert not os.path.exists(path)
