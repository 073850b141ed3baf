"""The insights of a blog (for its authors) and of the whole site (for admins)."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from treffpunkt.accounts.models import User
from treffpunkt.comments.actions import erase_personal_data
from treffpunkt.comments.models import Comment
from treffpunkt.core.actions import participant_for_guest, participant_for_member

from .conftest import PASSWORD, START

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(blog, author, make_post, comment_on, guests):
    """Two posts: the first gets two guests' comments and the author's answer after two
    hours; the second only a comment by its author."""
    author_voice = participant_for_member(author)
    first = make_post("Offene Runden", START)
    second = make_post("Leise Stimmen", START + timedelta(days=2))
    question = comment_on(first, guests[0], START + timedelta(hours=1))
    comment_on(first, guests[1], START + timedelta(hours=3))
    comment_on(first, author_voice, START + timedelta(hours=3), parent=question, by_staff=True)
    comment_on(second, author_voice, START + timedelta(days=2, hours=1), by_staff=True)
    # Never counted: waiting, spam.
    comment_on(first, guests[2], START + timedelta(hours=4), status=Comment.Status.PENDING)
    comment_on(second, guests[3], START + timedelta(hours=4), status=Comment.Status.SPAM)
    return first, second


def blog_url(blog, **params):
    from urllib.parse import urlencode

    return reverse("insights:blog", args=[blog.slug]) + ("?" + urlencode(params) if params else "")


def test_authors_see_how_the_conversation_goes(client, author, blog, conversation):
    client.force_login(author)
    response = client.get(blog_url(blog))
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 Menschen haben etwas beigetragen" in page
    assert "Weniger als 5 Menschen" in page
    # Two posts, four counted comments: 2 per post; one post has a comment by someone else.
    assert "Veröffentlichte Beiträge</dt><dd>2</dd>" in page
    assert "Kommentare pro Beitrag</dt><dd>2,0</dd>" in page
    assert '50 % <span class="meta">(1/2)</span>' in page
    assert "2 Stunden (Median von 1 Kommentar mit Antwort)" in page
    assert "Gastname" not in page and "Anna Autorin" not in page.split("<main")[1]


def test_the_team_is_left_out_on_request(client, author, blog, conversation):
    client.force_login(author)
    page = client.get(blog_url(blog, team="on")).content.decode()
    assert "2 Menschen haben etwas beigetragen, 2 davon zum ersten Mal." in page


def test_erased_commenters_count_nowhere(client, author, blog, make_post, comment_on):
    post = make_post("Vom Löschen", START)
    guest = participant_for_guest("e" * 32, display_name="Erika", email="erika@example.org")
    comment_on(post, guest, START + timedelta(hours=1), email="erika@example.org")
    client.force_login(author)
    assert "Eine Person hat etwas beigetragen" in client.get(blog_url(blog)).content.decode()
    erase_personal_data("erika@example.org")
    page = client.get(blog_url(blog)).content.decode()
    assert "Bisher hat in diesem Zeitraum niemand etwas beigetragen." in page


def test_who_may_see_a_blogs_insights(client, author, blog, member, admin_user):
    response = client.get(blog_url(blog))
    assert response.status_code == 302
    client.force_login(member)
    assert client.get(blog_url(blog)).status_code == 403
    other = User.objects.create_user("b@example.org", PASSWORD, display_name="B", is_author=True)
    client.force_login(other)
    assert client.get(blog_url(blog)).status_code == 403
    client.force_login(admin_user)
    assert client.get(blog_url(blog)).status_code == 200
    assert client.get(reverse("insights:blog", args=["gibtsnicht"])).status_code == 404


def test_blog_query_count_is_fixed(
    client, author, blog, conversation, make_post, comment_on, guests, django_assert_num_queries
):
    client.force_login(author)
    client.get(blog_url(blog))
    # session, user, blog, author check, commenters, authors, first seen (3), per post,
    # timeline (first and last, buckets), replies
    with django_assert_num_queries(13):
        client.get(blog_url(blog))
    for day in range(5):
        post = make_post(f"Mehr {day}", START + timedelta(days=day))
        for guest in guests:
            comment_on(post, guest, START + timedelta(days=day, hours=2))
    with django_assert_num_queries(13):
        response = client.get(blog_url(blog))
    assert "13 Menschen" in response.content.decode()  # twelve guests and the author


def test_blog_csv(client, author, blog, conversation):
    client.force_login(author)
    response = client.get(reverse("insights:blog_csv", args=[blog.slug]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["scope"] for row in rows] == ["blog_comments", "blog_posts"]
    assert rows[0]["contributions"] == "4"
    assert rows[0]["posts"] == "2"
    assert rows[0]["comments_per_post"] == "2.0000"
    assert rows[0]["posts_answered_by_others_share"] == "0.5000"
    assert rows[0]["median_minutes_to_first_reply"] == "120.0"
    assert rows[1]["contributions"] == "2"
    assert "@" not in response.content.decode()


def test_the_dashboard_links_to_each_blog(client, author, blog):
    client.force_login(author)
    page = client.get(reverse("blog:my_posts")).content.decode()
    assert blog_url(blog) in page
    assert "Wer spricht in „Aus der Werkstatt“" in page


# --- the whole site -------------------------------------------------------------------


@pytest.fixture
def history(event, guests, post_on_wall, conversation, make_event_in_autumn):
    autumn = make_event_in_autumn
    for guest in guests[:6]:
        post_on_wall(event, guest, 10)
    for guest in guests[4:10]:
        post_on_wall(autumn, guest, 10)
    return event, autumn


@pytest.fixture
def make_event_in_autumn(organizer):
    from treffpunkt.events.actions import create_event

    return create_event(
        organizer=organizer,
        title="Herbsttreffen",
        hashtag="Herbsttreffen",
        starts_at=START + timedelta(days=200),
        ends_at=START + timedelta(days=200, hours=3),
        place="",
        visibility="public",
        moderation="post",
        guiding_question="",
    )


def test_admins_see_the_organization_over_months(client, admin_user, history):
    client.force_login(admin_user)
    response = client.get(reverse("insights:site"))
    assert response.status_code == 200
    page = response.content.decode()
    # Guests 1..10 and the author: 11 people.
    assert "11 Menschen haben etwas beigetragen, 11 davon zum ersten Mal." in page
    assert "Monat für Monat" in page and "März 2026" in page and "September 2026" in page
    # The autumn event: six people, two of them (guests 5 and 6) had spoken in spring.
    autumn_row = page.split('href="/e/Herbsttreffen/insights/"')[1].split("</tr>")[0]
    assert [cell.split("</td>")[0] for cell in autumn_row.split("<td>")[1:5]] == [
        "6",
        "6",
        "4",
        "2",
    ]
    assert page.count("<svg") == 3
    assert "Gastname" not in page


def test_only_admins_see_the_site(client, member, organizer):
    assert client.get(reverse("insights:site")).status_code == 302
    client.force_login(organizer)
    assert client.get(reverse("insights:site")).status_code == 403
    assert reverse("insights:site") not in client.get("/").content.decode()


def test_the_admin_navigation_links_to_it(admin_client):
    assert 'href="/insights/"' in admin_client.get("/").content.decode()


def test_site_query_count_is_fixed(
    client, admin_user, history, guests, post_on_wall, event, django_assert_num_queries
):
    client.force_login(admin_user)
    client.get(reverse("insights:site"))
    # session, user, first seen (3), voices per month (3), voices per event, events; the
    # totals and (over more than four months) the timeline are the months' sums
    with django_assert_num_queries(10):
        client.get(reverse("insights:site"))
    for guest in guests:
        post_on_wall(event, guest, 100)
    with django_assert_num_queries(10):
        client.get(reverse("insights:site"))


def test_site_csv_has_a_row_per_month_and_event(client, admin_user, history):
    client.force_login(admin_user)
    response = client.get(reverse("insights:site_csv"), {"start": "2026-01-01"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    scopes = [(row["scope"], row["name"]) for row in rows]
    assert scopes == [
        ("site", ""),
        ("month", "2026-03"),
        ("month", "2026-09"),
        ("event", "#Jahrestreffen"),
        ("event", "#Herbsttreffen"),
    ]
    assert rows[4]["returning_voices"] == "2"
    assert rows[0]["from"].startswith("2026-01-01T00:00:00")


def test_a_short_site_range_reads_its_own_timeline(
    client, admin_user, history, django_assert_num_queries
):
    client.force_login(admin_user)
    url = reverse("insights:site") + "?start=2026-03-01&end=2026-03-31"
    client.get(url)
    # As above, plus the first and last moment and the buckets per kind of item (3 each).
    with django_assert_num_queries(16):
        response = client.get(url)
    assert "Beiträge im Zeitverlauf" in response.content.decode()


def test_site_bad_range(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("insights:site"), {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 400
    assert "Das Ende liegt vor dem Beginn." in response.content.decode()
