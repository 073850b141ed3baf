"""Full-text search: stemming in German and English, highlighting, visibility, the page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import dateformat, timezone

from tests.blog.corpus import build_corpus, publish
from treffpunkt.blog import actions, indexing
from treffpunkt.blog.search import parse_query, search_posts

pytestmark = pytest.mark.django_db

URL = reverse("search:search")


@pytest.fixture(autouse=True)
def _tasks_do_nothing(settings):
    """Suggestions are not under test here; their background work is left out."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def blog(admin_user):
    return actions.create_blog(title="Nachbarschaft", authors=[admin_user])


@pytest.fixture
def write(admin_user, blog, django_capture_on_commit_callbacks):
    """Publish a post through the actions, with indexing after the commit as on the site."""

    def write(title, body="", **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return publish(admin_user, blog, title=title, body=body, **fields)

    return write


def found(text):
    results = search_posts(parse_query(text))
    return [hit.post.title for hit in results.hits]


def test_the_index_matches_the_database():
    table = "blog_search_fts" if connection.vendor == "sqlite" else "blog_search_entry"
    assert table in connection.introspection.table_names()


# --- German and English stemming ---------------------------------------------------------


def test_german_inflections_find_each_other(write):
    write("Der Garten hinter dem Haus", "Die Beete des Gartens blühen.")
    assert found("Gärten") == ["Der Garten hinter dem Haus"]
    assert found("gartens") == ["Der Garten hinter dem Haus"]
    assert found("Häuser") == ["Der Garten hinter dem Haus"]


def test_german_derived_words_share_a_stem_as_far_as_snowball_goes(write):
    write("Ehrenamtliche gesucht", "Wir suchen Menschen für die Tafel.")
    # "Ehrenamtliche", "ehrenamtlich" and "Ehrenamt" all stem to "ehrenamt".
    assert found("Ehrenamt") == ["Ehrenamtliche gesucht"]
    assert found("ehrenamtlich") == ["Ehrenamtliche gesucht"]
    # Compounds are not split: the part "Amt" alone does not find "Ehrenamt".
    assert found("Amt") == []


def test_english_inflections_find_each_other(write):
    write("Gardens in the city", "Volunteers are gardening on rooftops.", language="en")
    assert found("garden") == ["Gardens in the city"]
    assert found("volunteering") == ["Gardens in the city"]
    assert found("rooftop") == ["Gardens in the city"]


def test_each_post_is_matched_in_its_own_language(write):
    write("Der Garten", "Beete und Gemüse.")
    write("The garden", "Beds and vegetables.", language="en")
    assert found("Gärten") == ["Der Garten"]
    assert found("gardens") == ["The garden"]


def test_tags_and_excerpt_are_searched(write):
    write("Ein Samstag", "Wir trafen uns.", tags="Kompost", excerpt="Über Regenwürmer.")
    assert found("Kompost") == ["Ein Samstag"]
    assert found("Regenwurm") == ["Ein Samstag"]


def test_all_words_must_occur_and_phrases_or_and_minus_work(write):
    write("Tomaten im Garten", "Rote Tomaten und grüne Bohnen.")
    write("Bohnen im Topf", "Grüne Bohnen auf dem Balkon.")
    assert found("Tomaten Bohnen") == ["Tomaten im Garten"]
    assert sorted(found("Tomaten or Balkon")) == ["Bohnen im Topf", "Tomaten im Garten"]
    assert found("Bohnen -Tomaten") == ["Bohnen im Topf"]
    assert sorted(found('"grüne Bohnen"')) == ["Bohnen im Topf", "Tomaten im Garten"]
    assert found('"Bohnen grüne"') == []


def test_a_title_match_ranks_above_a_match_in_the_text(write):
    write("Ein Bericht", "Nebenbei erwähnt: das Lastenrad stand im Hof, " + "Text. " * 40)
    write("Das Lastenrad ist da")
    assert found("Lastenrad") == ["Das Lastenrad ist da", "Ein Bericht"]


def test_nothing_the_visitor_types_is_read_as_search_syntax(write):
    write("Garten", "Beete")
    for text in ['Garten"', "(Garten)", "Garten:", "Garten*", "{Garten}", "^Garten"]:
        assert found(text) == ["Garten"], text
    assert found('") OR (') == []


# --- What is never found -----------------------------------------------------------------


def test_drafts_and_scheduled_posts_are_never_found(
    admin_user, blog, write, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_post(editor=admin_user, blog=blog, title="Geheimer Entwurf", body="Quitte")
        publish(
            admin_user,
            blog,
            title="Geplante Quitte",
            body="Quitte",
            at=timezone.now() + timedelta(days=1),
        )
    write("Sichtbare Quitte", "Quitte")
    assert found("Quitte") == ["Sichtbare Quitte"]


def test_unpublished_edited_and_deleted_posts_leave_the_results(
    admin_user, write, django_capture_on_commit_callbacks
):
    post = write("Apfelernte", "Äpfel pflücken.")
    assert found("Apfelernte") == ["Apfelernte"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_post(editor=admin_user, post=post, title="Birnenernte", body="Birnen.")
    assert found("Apfelernte") == []
    assert found("Birnenernte") == ["Birnenernte"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.unpublish_post(post, editor=admin_user)
    assert found("Birnenernte") == []
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_post(post, editor=admin_user)
    assert found("Birnenernte") == ["Birnenernte"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_post(post, editor=admin_user)
    assert found("Birnenernte") == []


def test_rebuild_all_indexes_posts_written_without_the_hooks(admin_user, blog):
    # Written with the hooks' callbacks never run, as after restoring a database dump.
    publish(admin_user, blog, title="Holunderblüten", body="Sirup")
    assert found("Holunderblüten") == []
    assert indexing.rebuild_all() == 1
    assert found("Holunderblüten") == ["Holunderblüten"]


# --- Highlighting ------------------------------------------------------------------------


def test_matches_are_marked_in_title_and_snippet(write):
    write("Gärten der Stadt", "Viele Leute lieben ihren Garten. " + "Füllwort " * 80 + "Ende.")
    (hit,) = search_posts(parse_query("Garten")).hits
    assert hit.title == "<mark>Gärten</mark> der Stadt"
    assert "ihren <mark>Garten</mark>." in hit.snippet
    assert hit.snippet.endswith("…")
    assert "Ende" not in hit.snippet


def test_the_snippet_starts_near_a_late_match(write):
    write("Ein langer Text", "Anfang. " + "Füllwort " * 100 + "Hier wächst Rhabarber am Zaun.")
    (hit,) = search_posts(parse_query("Rhabarber")).hits
    assert hit.snippet.startswith("…")
    assert "<mark>Rhabarber</mark> am Zaun." in hit.snippet
    assert "Anfang" not in hit.snippet


def test_excluded_and_common_words_are_not_marked(write):
    write("Der Garten und die Beete", "Im Garten.")
    (hit,) = search_posts(parse_query("der Garten -Tomate")).hits
    assert hit.title == "Der <mark>Garten</mark> und die Beete"


def test_html_in_posts_is_shown_as_text(client, write):
    write(
        "<script>alert('Garten')</script> & <b>Garten</b>",
        "Im Garten: `<img src=x onerror=alert(1)>` und <script>alert(2)</script>",
        excerpt="<i>Garten</i> & Co",
    )
    response = client.get(URL, {"q": "Garten"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>" not in html
    assert "&lt;script&gt;alert(&#x27;<mark>Garten</mark>&#x27;)&lt;/script&gt; &amp; " in html
    assert "&lt;i&gt;<mark>Garten</mark>&lt;/i&gt; &amp; Co" in html


def test_the_query_is_shown_as_text(client):
    response = client.get(URL, {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


# --- The page ----------------------------------------------------------------------------


def test_the_empty_page_has_a_labelled_search_form(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="search"' in html
    assert '<label for="id_q">' in html
    assert 'type="search" name="q" id="id_q"' in html
    assert '<button type="submit" class="button">' in html
    assert "found" not in html and "gefunden" not in html


def test_results_show_title_blog_date_and_snippet(client, write):
    post = write("Kompost im Winter", "Auch im Winter lebt der Kompost.")
    response = client.get(URL, {"q": "Kompost"})
    html = response.content.decode()
    assert "1 Beitrag gefunden" in html or "1 post found" in html
    assert f'<a href="{post.get_absolute_url()}"><mark>Kompost</mark> im Winter</a>' in html
    assert f'<a href="{post.blog.get_absolute_url()}">Nachbarschaft</a>' in html
    assert f'datetime="{dateformat.format(timezone.localtime(post.published_at), "c")}"' in html
    assert "Auch im Winter lebt der <mark>Kompost</mark>." in html


def test_results_in_english(client, write):
    write("Compost in winter", "Compost lives in winter too.", language="en")
    response = client.get("/en" + URL, {"q": "composting"})
    html = response.content.decode()
    assert "1 post found" in html
    assert '<li lang="en">' in html


def test_no_match_says_so(client, write):
    write("Kompost", "Erde")
    response = client.get("/en" + URL, {"q": "Quitte"})
    assert response.status_code == 200
    assert "0 posts found" in response.content.decode()
    assert "No post matches your search" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Please type what you are looking for."),
        ("   ", "Please type what you are looking for."),
        ("a", "at least one word of two or more letters"),
        # Common in both languages; a word common in only one is still looked for in the
        # posts of the other.
        ("in so was", "at least one word of two or more letters"),
    ],
)
def test_empty_and_too_short_queries_get_a_message(client, query, message):
    response = client.get("/en" + URL, {"q": query})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "found" not in response.content.decode()


def test_an_over_long_query_is_refused_with_a_message(client):
    response = client.get("/en" + URL, {"q": "Garten " * 40})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please search with at most 200 characters (you typed 279)." in html
    assert 'aria-invalid="true"' in html


def test_too_many_words_are_refused_with_a_message(client):
    response = client.get("/en" + URL, {"q": " ".join(["Obst"] * 30)})
    assert response.status_code == 400
    assert "Please search with at most 24 words." in response.content.decode()


def test_a_null_character_is_refused(client):
    response = client.get("/en" + URL, {"q": "Garten\x00"})
    assert response.status_code == 400
    assert "a character that cannot be used" in response.content.decode()


def test_results_are_paged(client, write):
    for number in range(13):
        write(f"Beet {number}", "Salat")
    first = client.get("/en" + URL, {"q": "Salat"}).content.decode()
    assert "13 posts found" in first
    assert first.count("<article>") == 10
    assert "Page 1 of 2" in first
    assert 'href="?q=Salat&amp;page=2"' in first
    second = client.get("/en" + URL, {"q": "Salat", "page": "2"}).content.decode()
    assert second.count("<article>") == 3
    assert 'start="11"' in second
    # Nonsense page numbers show a page rather than an error.
    assert client.get("/en" + URL, {"q": "Salat", "page": "x"}).status_code == 200
    assert client.get("/en" + URL, {"q": "Salat", "page": "99"}).status_code == 200


def test_the_number_of_queries_does_not_grow_with_the_results(
    client, write, django_assert_num_queries
):
    write("Rübe eins", "Rübe")
    client.get(URL)  # the site's settings are read once, then cached
    with django_assert_num_queries(2):
        assert client.get(URL, {"q": "Rübe"}).status_code == 200
    for number in range(12):
        write(f"Rübe {number}", "Rübe", tags="Gemüse, Beet")
    with django_assert_num_queries(2):
        assert client.get(URL, {"q": "Rübe"}).status_code == 200


def test_the_corpus_topics_are_found_in_both_languages(
    admin_user, blog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        topics = build_corpus(admin_user, blog)
    assert len(topics) == 21
    bicycles = found("Fahrräder")
    assert "Offene Fahrradwerkstatt" in bicycles
    assert all(title not in bicycles for title in ["Ehrenamt im Verein", "Kompost richtig anlegen"])
    assert sorted(found("volunteers")) == [
        "Finding new volunteers",
        "Thanking our volunteers",
        "Why we volunteer",
    ]
