"""One way in: the join form and the comment form hand the same kind of submission to the
same pipeline (moderation.submissions), so the same submission is treated the same way
wherever it arrives, and a refused one leaves nothing behind."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from treffpunkt.blog.models import Post
from treffpunkt.comments.models import Comment
from treffpunkt.core.actions import block_participant
from treffpunkt.core.devices import COOKIE_NAME
from treffpunkt.core.models import Participant
from treffpunkt.core.participants import current_participant
from treffpunkt.events.actions import create_event
from treffpunkt.events.models import Contribution
from treffpunkt.moderation.models import CheckedItem, FilterSettings, ItemKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(admin_user):
    now = timezone.now()
    return create_event(
        organizer=admin_user,
        title="Jahrestreffen",
        hashtag="Jahrestreffen",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        visibility="public",
        moderation="post",
    )


@pytest.fixture
def post(admin_user):
    from treffpunkt.blog.actions import create_blog, publish_post, save_post

    blog = create_blog(title="Werkstatt", slug="werkstatt", authors=[admin_user])
    draft = save_post(editor=admin_user, blog=blog, title="Offene Runden", body="Ein Text.")
    return publish_post(draft, editor=admin_user)


@pytest.fixture(autouse=True)
def _people_take_their_time(settings):
    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0


def _started(page_html):
    return re.search(r'name="started" value="([^"]+)"', page_html).group(1)


def to_wall(client, event, text, **fields):
    page = client.get(event.get_absolute_url()).content.decode()
    data = {"text": text, "started": _started(page), **fields}
    return client.post(event.get_absolute_url(), data)


def to_comments(client, post, text, started=None, **fields):
    started = started or _started(client.get(post.get_absolute_url()).content.decode())
    data = {
        "body": text,
        "author_name": "Gerda Gast",
        "email": "gerda@example.org",
        "website": "",
        "started": started,
        **fields,
    }
    return client.post(f"/comments/post/{post.pk}/", data)


def the_items():
    contribution = Contribution.objects.order_by("-pk").first()
    comment = Comment.objects.order_by("-pk").first()
    return contribution, comment


def reasons_of(kind, object_id):
    check = CheckedItem.objects.get(kind=kind, object_id=object_id)
    return check.verdict, [reason["message"] for reason in check.reasons]


def test_a_filled_honeypot_reaches_the_filter_from_both_forms(event, post):
    # Bots get the usual answer and learn nothing; the item is kept as spam, with the reason.
    assert to_wall(Client(), event, "Gutes Treffen!", website="http://x.example").status_code == 302
    assert to_comments(Client(), post, "Guter Text!", url="http://x.example").status_code == 302
    contribution, comment = the_items()
    assert contribution.state == Contribution.State.SPAM
    assert comment.status == Comment.Status.SPAM
    honeypot = "the hidden form field was filled in, as bots do"
    assert reasons_of(ItemKind.WALL_POST, contribution.pk) == ("spam", [honeypot])
    assert reasons_of(ItemKind.COMMENT, comment.pk) == ("spam", [honeypot])


def test_a_form_sent_too_fast_waits_for_a_moderator_with_the_reason(event, post, settings):
    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 60
    assert to_wall(Client(), event, "Gutes Treffen!").status_code == 302
    assert to_comments(Client(), post, "Guter Text!").status_code == 302
    contribution, comment = the_items()
    assert contribution.state == Contribution.State.HELD
    assert comment.status == Comment.Status.PENDING
    for kind, item in ((ItemKind.WALL_POST, contribution), (ItemKind.COMMENT, comment)):
        verdict, reasons = reasons_of(kind, item.pk)
        assert verdict == "hold"
        assert "sent %(seconds)s seconds after the form was shown" in reasons


def test_a_link_to_a_blocked_domain_is_spam_from_both_forms(event, post):
    FilterSettings.objects.create(blocked_domains="werbung.example")
    text = "Schaut mal https://werbung.example/angebot"
    to_wall(Client(), event, text)
    to_comments(Client(), post, text)
    contribution, comment = the_items()
    assert contribution.state == Contribution.State.SPAM
    assert comment.status == Comment.Status.SPAM


def test_a_blocked_person_is_refused_by_both_forms_and_nothing_is_stored(event, post):
    client = Client()
    assert to_wall(client, event, "Erster Beitrag").status_code == 302
    participant = Participant.objects.get(kind=Participant.Kind.GUEST)
    block_participant(participant)
    before = (Contribution.objects.count(), Comment.objects.count())
    wall = to_wall(client, event, "Noch einer")
    comment = to_comments(client, post, "Ein Kommentar")
    assert (wall.status_code, comment.status_code) == (403, 403)
    assert (Contribution.objects.count(), Comment.objects.count()) == before


def test_a_refused_first_contribution_leaves_nothing_behind(event, post):
    """A device seen for the first time is stored only with the first item kept."""
    too_long = "Wort " * 120  # more than the wall's 500 characters
    response = to_wall(Client(), event, too_long, author_name="Neu Gast")
    assert response.status_code == 400
    reader = Client()
    shown = _started(reader.get(post.get_absolute_url()).content.decode())
    Post.objects.filter(pk=post.pk).update(comments_open=False)  # while the form was open
    closed = to_comments(reader, post, "Zu spät?", started=shown)
    assert closed.status_code == 403
    assert not Participant.objects.filter(kind=Participant.Kind.GUEST).exists()
    assert not CheckedItem.objects.exists()


def test_a_refused_post_does_not_change_the_name_a_device_remembers(event):
    client = Client()
    assert to_wall(client, event, "Hallo", author_name="Lena").status_code == 302
    refused = to_wall(client, event, "Wort " * 120, author_name="Ganz anderer Name")
    assert refused.status_code == 400
    assert Participant.objects.get(kind=Participant.Kind.GUEST).display_name == "Lena"


def test_the_device_cookie_and_the_participant_are_shared_by_both_forms(event, post):
    client = Client()
    to_wall(client, event, "Vom Handy an die Wand", author_name="Lena")
    assert COOKIE_NAME in client.cookies
    to_comments(client, post, "Und ein Kommentar", author_name="Lena L.")
    contribution, comment = the_items()
    assert contribution.participant_id == comment.participant_id
    # The comment form's name and address are remembered on the device's participant.
    participant = Participant.objects.get(pk=comment.participant_id)
    assert (participant.display_name, participant.email) == ("Lena L.", "gerda@example.org")


def test_the_participant_is_worked_out_once_per_request(rf, django_assert_num_queries, member):
    request = rf.get("/")
    request.user = member
    with django_assert_num_queries(1):
        first = current_participant(request)
        again = current_participant(request)
    assert first is again


def test_akismet_gets_what_the_privacy_note_says(event, post, settings, monkeypatch):
    """With a key, Akismet receives text, name, email, website, IP address, browser and the
    page's address (README, privacy note), for wall posts and comments alike."""
    import akismet

    settings.AKISMET_API_KEY = "test-key"
    seen = []

    def comment_check(self, user_ip, **fields):
        seen.append({"user_ip": user_ip, **fields})
        return akismet.CheckResponse.HAM

    monkeypatch.setattr(akismet.SyncClient, "comment_check", comment_check)
    browser = Client(HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="203.0.113.7")
    to_wall(browser, event, "Schöner Abend!", author_name="Lena")
    to_comments(browser, post, "Kluger Text.", website="https://gerda.example")
    wall, comment = seen
    assert wall["comment_content"] == "Schöner Abend!"
    assert wall["comment_author"] == "Lena"
    assert wall["comment_type"] == "message"
    assert wall["permalink"].endswith(event.get_absolute_url())
    assert comment == {
        "user_ip": "203.0.113.7",
        "comment_content": "Kluger Text.",
        "comment_type": "comment",
        "comment_author": "Gerda Gast",
        "comment_author_email": "gerda@example.org",
        "comment_author_url": "https://gerda.example",
        "user_agent": "Firefox/140",
        "permalink": f"{settings.BASE_URL}{post.get_absolute_url()}",
    }
