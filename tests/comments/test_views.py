"""The post page's comment section, the form's answers to bad input, and the feed."""

import re

import feedparser
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.submitting import comment_on_post
from treffpunkt.comments import actions
from treffpunkt.comments.forms import CommentForm
from treffpunkt.comments.models import Comment
from treffpunkt.core.devices import COOKIE_NAME
from treffpunkt.core.models import Participant

pytestmark = pytest.mark.django_db

GOOD = {
    "body": "Ein kluger Gedanke.",
    "author_name": "Gerda Gast",
    "email": "gerda@example.org",
    "website": "",
    "started": "",
}


def form_data(client, post, **changes):
    """The form as the post page renders it (with its signed start time), filled in."""
    page = client.get(post.get_absolute_url())
    started = re.search(r'name="started" value="([^"]+)"', page.content.decode()).group(1)
    return GOOD | {"started": started} | changes


def send(client, post, **changes):
    return client.post(f"/comments/post/{post.pk}/", form_data(client, post, **changes))


def english_url(post):
    with translation.override("en"):
        return post.get_absolute_url()


def approve_all():
    """As moderators would, but all at once: approve every comment (see actions for one)."""
    for comment in Comment.objects.exclude(status=Comment.Status.APPROVED):
        actions.moderate_comment(comment, "approve", None)


# --- the form ---------------------------------------------------------------------------


def test_the_form_marks_required_fields_and_explains_privacy(client, post):
    html = client.get(english_url(post)).content.decode()
    assert "Leave a reply" in html
    assert "Required fields are marked" in html
    assert re.search(r'for="id_author_name">Name <span class="required"', html)
    assert re.search(r'for="id_email">Email <span class="required"', html)
    assert re.search(r'<input[^>]*name="email"[^>]*required', html)
    assert "Your email address will not be published." in html
    assert "Notify me of replies by email" in html
    assert "Nothing goes to third parties" in html
    assert 'href="/en/privacy/"' in html
    assert "csrfmiddlewaretoken" not in html  # guests' pages stay cacheable


def test_members_need_no_name_or_email(member_client, post):
    html = member_client.get(english_url(post)).content.decode()
    assert "Logged in as <strong>Max Mitglied</strong>" in html
    assert 'name="author_name"' not in html and 'name="email"' not in html
    assert "csrfmiddlewaretoken" in html


def test_guest_comment_is_held_and_seen_only_on_its_device(client, post):
    response = send(client, post)
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == Comment.Status.PENDING
    assert COOKIE_NAME in response.cookies
    own = client.get(english_url(post)).content.decode()
    assert "Ein kluger Gedanke." in own
    assert "Your comment is awaiting moderation" in own
    stranger = Client().get(english_url(post)).content.decode()
    assert "Ein kluger Gedanke." not in stranger
    # Approved, everyone sees it, and nobody sees "awaiting moderation".
    approve_all()
    for reader in (client, Client()):
        html = reader.get(english_url(post)).content.decode()
        assert "Ein kluger Gedanke." in html
        assert "awaiting moderation" not in html


def test_a_new_device_is_stored_with_its_first_comment_and_not_before(post, settings):
    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0
    guest = Client()  # no page seen before: no device cookie yet
    data = GOOD | {"started": CommentForm().initial["started"]}
    refused = guest.post(f"/comments/post/{post.pk}/", data | {"email": "kaputt"})
    assert refused.status_code == 400
    assert not Participant.objects.exists()  # a refused first try leaves nothing behind
    writer = Client()
    sent = writer.post(f"/comments/post/{post.pk}/", data)
    assert sent.status_code == 302
    participant = Participant.objects.get()
    assert (participant.display_name, participant.email) == ("Gerda Gast", "gerda@example.org")
    assert sent.cookies[COOKIE_NAME].value.split(":")[0] == participant.device_id
    # The device that wrote it sees its held comment.
    assert "Your comment is awaiting moderation" in writer.get(english_url(post)).text
    assert Comment.objects.get().participant == participant


def test_member_comment_checks_csrf(member, post):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    data = form_data(client, post)
    assert client.post(f"/comments/post/{post.pk}/", data).status_code == 403
    token = client.cookies["csrftoken"].value
    response = client.post(f"/comments/post/{post.pk}/", data | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Comment.objects.get().author_name == "Max Mitglied"


def test_guest_comment_needs_no_csrf_token(post):
    client = Client(enforce_csrf_checks=True)
    assert send(client, post).status_code == 302


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"HTTP_ORIGIN": "https://elsewhere.example"}, 403),
        ({"HTTP_SEC_FETCH_SITE": "cross-site"}, 403),
        ({"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"}, 302),
    ],
)
def test_a_guest_comment_from_another_sites_page_is_refused(client, post, headers, status):
    response = client.post(f"/comments/post/{post.pk}/", form_data(client, post), **headers)
    assert response.status_code == status
    assert Comment.objects.count() == (1 if status == 302 else 0)


def test_with_akismet_on_the_form_says_where_the_comment_goes(client, post, settings):
    settings.AKISMET_API_KEY = "a-key"
    html = client.get(english_url(post)).content.decode()
    assert "Akismet" in html
    assert "Nothing goes to third parties" not in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"body": ""}, "Please write a comment first."),
        ({"body": "x" * 10_001}, "at most 10000 fit"),
        ({"author_name": ""}, "Please give your name."),
        ({"author_name": "N" * 101}, "at most 100 characters"),
        ({"email": ""}, "Please give your email address."),
        ({"email": "gerda at example"}, "name@example.org"),
        ({"website": "javascript:alert(1)"}, "http:// or https://"),
        ({"started": "forged"}, "This form is too old"),
    ],
)
def test_bad_input_is_answered_with_400_and_the_typed_text_is_kept(client, post, changes, message):
    data = (
        form_data(client, post, body="Mein <b>Text</b>", website="https://gerda.example") | changes
    )
    with translation.override("en"):
        response = client.post(f"/en/comments/post/{post.pk}/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    for name in ("body", "author_name", "email", "website"):
        if name not in changes and data[name]:
            typed = data[name].replace("<", "&lt;").replace(">", "&gt;")
            assert typed in html, name
    assert not Comment.objects.exists()


def test_german_messages_for_german_visitors(client, post):
    response = send(client, post, body="")
    assert response.status_code == 400
    assert 'lang="de"' in response.content.decode()


def test_reply_to_another_posts_comment_is_400(client, post, make_post, other_guest):
    other = comment_on_post(
        post=make_post("Anderswo"),
        participant=other_guest,
        body="Drüben",
        author_name="Otto",
        email="otto@example.org",
    )
    approve_all()
    response = send(client, post, parent=str(other.pk))
    assert response.status_code == 400
    assert Comment.objects.count() == 1


def test_reply_to_a_held_or_deleted_comment(client, post, other_guest):
    held = comment_on_post(
        post=post, participant=other_guest, body="Wartet", author_name="Otto", email="o@example.org"
    )
    assert send(client, post, parent=str(held.pk)).status_code == 400
    assert send(client, post, parent="987654").status_code == 410
    assert Comment.objects.count() == 1


def test_closed_and_draft_posts(client, make_post):
    closed = make_post("Geschlossen", comments_open=False)
    page = client.get(english_url(closed)).content.decode()
    assert "Comments on this post are closed." in page
    assert 'name="body"' not in page
    data = GOOD | {"started": CommentForm().initial["started"]}
    response = client.post(f"/comments/post/{closed.pk}/", data)
    assert response.status_code == 403
    assert "Comments on this post are closed." in response.content.decode() or "geschlossen" in (
        response.content.decode()
    )
    draft = make_post("Entwurf", status="draft", published_at=None)
    assert client.post(f"/comments/post/{draft.pk}/", data).status_code == 404
    assert client.post("/comments/post/424242/", data).status_code == 404
    assert not Comment.objects.exists()


def test_double_submit_redirects_to_the_first(client, post):
    data = form_data(client, post)
    first = client.post(f"/comments/post/{post.pk}/", data)
    second = client.post(f"/comments/post/{post.pk}/", data)
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Comment.objects.count() == 1


def test_flood_from_one_address_gets_429(client, post, settings):
    settings.COMMENT_RATE_PER_IP = "3/m"
    settings.COMMENT_RATE_PER_DEVICE = "100/m"
    statuses = []
    for number in range(4):
        device = Client()  # a new device each time: only the address is the same
        statuses.append(
            send(device, post, body=f"Nummer {number}", email=f"{number}@x.org").status_code
        )
    assert statuses == [302, 302, 302, 429]
    assert Comment.objects.count() == 3


def test_html_and_script_in_every_field_render_harmless(client, post):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    send(
        client,
        post,
        body=f'{evil} https://example.org/"onmouseover=alert(1)',
        author_name=evil[:90],
        website="https://example.org/<script>",
    )
    send(client, post, body="Webseite als Skript", website="javascript:alert(1)")
    approve_all()
    html = Client().get(post.get_absolute_url()).content.decode()
    section = html[html.index('id="comments"') :]
    assert "<script>alert" not in section
    assert "<img src=x" not in section
    assert "onerror=alert" not in section.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;alert" in section
    assert 'href="javascript:' not in section
    assert 'rel="nofollow ugc noopener"' in section
    assert Comment.objects.count() == 1


def test_links_in_comments_are_clickable(client, post):
    send(client, post, body="Mehr unter https://example.org/seite.")
    approve_all()
    html = Client().get(post.get_absolute_url()).content.decode()
    assert '<a href="https://example.org/seite" rel="nofollow noopener ugc">' in html


def test_threaded_replies_and_the_reply_link(client, post, guest, other_guest):
    top = comment_on_post(
        post=post, participant=guest, body="Oben", author_name="Gerda", email="g@example.org"
    )
    approve_all()
    comment_on_post(
        post=post,
        participant=other_guest,
        body="Darunter",
        author_name="Otto",
        email="o@example.org",
        parent_id=top.pk,
    )
    approve_all()
    html = client.get(f"{english_url(post)}?replytocom={top.pk}").content.decode()
    assert re.search(r'class="comment-list comment-list--replies">\s*<li id="comment-\d+"', html)
    assert f'href="?replytocom={top.pk}#respond"' in html
    assert "Reply to Gerda" in html
    assert re.search(rf'name="parent" value="{top.pk}"', html)


# --- privacy --------------------------------------------------------------------------


def test_emails_never_appear_in_the_page_or_the_feed(client, post, guest, author_participant):
    send(client, post, website="https://gerda.example")
    comment_on_post(post=post, participant=author_participant, body="Antwort der Autorin")
    approve_all()
    for reader in (Client(), client):
        html = reader.get(post.get_absolute_url()).content.decode()
        assert "gerda@example.org" not in html
        assert "autorin@example.org" not in html
    for url in (f"/comments/post/{post.pk}/feed/atom/", f"/comments/post/{post.pk}/feed/"):
        response = Client().get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "gerda@example.org" not in body and "autorin@example.org" not in body
        assert "@" not in re.sub(r"https?://\S+", "", body)


def test_comments_feed_lists_approved_comments_only(client, post, guest):
    send(client, post, body="Freigegeben")
    approve_all()
    send(client, post, body="Noch <b>nicht</b> freigegeben", email="neu@example.org")
    response = Client().get(f"/comments/post/{post.pk}/feed/atom/")
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.version == "atom10"
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert "Freigegeben" in entry.summary
    assert entry.author == "Gerda Gast"
    assert "email" not in entry.get("author_detail", {})
    comment = Comment.objects.get(status="approved")
    # Absolute links from TREFFPUNKT_BASE_URL, not from the request's host.
    assert (
        entry.link
        == f"https://treffpunkt.example.org{post.get_absolute_url()}#comment-{comment.pk}"
    )
    assert feed.feed.link == f"https://treffpunkt.example.org{post.get_absolute_url()}"
    rss = feedparser.parse(Client().get(f"/comments/post/{post.pk}/feed/").content)
    assert not rss.bozo and rss.version.startswith("rss") and len(rss.entries) == 1
    html = Client().get(english_url(post)).content.decode()
    assert f'href="/comments/post/{post.pk}/feed/atom/"' in html or "feed/atom/" in html


def test_feed_of_a_draft_is_404(client, make_post):
    draft = make_post("Entwurf", status="draft", published_at=None)
    assert client.get(f"/comments/post/{draft.pk}/feed/atom/").status_code == 404


# --- query count ----------------------------------------------------------------------


def _queries_for_page(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_comments(post, participant, count):
    Comment.objects.bulk_create(
        Comment(
            post=post,
            participant=participant,
            author_name=f"Leserin {n}",
            email=f"{n}@example.org",
            body=f"Kommentar {n}",
            status=Comment.Status.APPROVED,
            depth=1,
        )
        for n in range(count)
    )
    # Some threaded replies too.
    tops = list(Comment.objects.filter(post=post)[:20])
    Comment.objects.bulk_create(
        Comment(
            post=post,
            parent=top,
            depth=2,
            participant=participant,
            author_name="Antwort",
            email="a@example.org",
            body="Antwort",
            status=Comment.Status.APPROVED,
        )
        for top in tops
    )


def test_post_page_queries_do_not_grow_with_comments(client, post, make_post, guest):
    crowded = make_post("Viel los")
    _add_comments(post, guest, 1)
    _add_comments(crowded, guest, 180)
    assert Comment.objects.filter(post=crowded).count() == 200
    send(client, post)  # this device has a participant and a held comment now
    for reader in (Client(), client):
        _queries_for_page(reader, post.get_absolute_url())  # warm caches
        _queries_for_page(reader, crowded.get_absolute_url())
        few = _queries_for_page(reader, post.get_absolute_url())
        many = _queries_for_page(reader, crowded.get_absolute_url())
        assert few == many


def test_section_queries_are_pinned(rf, post, guest, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    _add_comments(post, guest, 200)
    template = Template("{% load comments %}{% comment_section post %}")
    request = rf.get("/")
    request.user = AnonymousUser()
    post = type(post).objects.select_related("blog").get(pk=post.pk)
    with django_assert_num_queries(1):  # the thread; no device cookie, so no participant
        html = template.render(Context({"post": post, "request": request}))
    assert html.count('class="comment ') + html.count('class="comment"') == 220


def test_a_refused_comment_leaves_no_name_or_email_behind(client, post, make_post):
    closed = make_post("Geschlossen", comments_open=False)
    data = form_data(client, post, author_name="Erika Muster", email="erika@example.org")
    response = client.post(f"/comments/post/{closed.pk}/", data)
    assert response.status_code == 403
    assert not Participant.objects.filter(email="erika@example.org").exists()
    assert not Participant.objects.filter(display_name="Erika Muster").exists()


def test_a_guest_name_of_100_characters_is_taken(client, post):
    assert send(client, post, author_name="N" * 100).status_code == 302
    assert Comment.objects.get().author_name == "N" * 100
