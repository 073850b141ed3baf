import pytest
from django.test import Client
from django.urls import reverse

from treffpunkt.core.actions import participant_for_guest
from treffpunkt.moderation.actions import check_content, record_check, record_decision
from treffpunkt.moderation.models import FilterSettings

URL = "/moderation/filter/"


@pytest.fixture
def moderator_client(moderator):
    moderator_client = Client()
    moderator_client.force_login(moderator)
    return moderator_client


@pytest.fixture
def verdicts(db, moderator):
    """Three checks: one published then hidden (missed), one held then approved (a false
    alarm), one marked spam and confirmed."""
    texts = [
        ("Schöner Abend!", "hide"),
        ("http://a.example http://b.example http://c.example Schaut mal", "approve"),
        ("Online Casino Bonus!!! http://casino.example http://x.example http://y.example", "spam"),
    ]
    for n, (text, action) in enumerate(texts, start=1):
        participant = participant_for_guest(f"{n:032d}", display_name=f"Gast {n}")
        record_check(check_content(text=text, participant=participant, kind="comment"), object_id=n)
        record_decision(
            kind="comment",
            object_id=n,
            action=action,
            moderator=moderator,
            participant=participant,
            text=text,
        )


def test_url_is_under_the_moderation_prefix():
    assert reverse("moderation:filter") == URL


@pytest.mark.django_db
def test_guests_and_members_cannot_see_the_filter(member_client):
    assert Client().get(URL).status_code == 302
    assert member_client.get(URL).status_code == 403


@pytest.mark.django_db
def test_moderators_see_verdicts_reasons_and_overrules(moderator_client, verdicts):
    response = moderator_client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()

    assert response.status_code == 200
    assert "3 Links" in page  # reasons in the reader's language (German is the default)
    assert "Gast 2" in page
    assert page.count("filter-table__overruled") == 2
    stats = response.context["stats"]
    assert (stats.checked, stats.decided, stats.false_alarms, stats.missed) == (3, 3, 1, 1)
    assert stats.overruled_percent == 66.7
    # Moderators read the lists but cannot change them.
    assert "<textarea" not in page
    assert "adf.ly" in page
    assert moderator_client.post(URL, {"words": "x", "blocked_domains": ""}).status_code == 403


@pytest.mark.django_db
def test_the_page_costs_a_fixed_number_of_queries(
    moderator_client, verdicts, django_assert_max_num_queries
):
    moderator_client.get(URL)
    for n in range(10, 30):
        participant = participant_for_guest(f"{n:032d}")
        record_check(
            check_content(text=f"Text {n}", participant=participant, kind="comment"), object_id=n
        )
    with django_assert_max_num_queries(8):
        assert moderator_client.get(URL).status_code == 200


@pytest.mark.django_db
def test_admins_edit_the_word_list_and_the_blocklist(admin_client):
    response = admin_client.post(
        URL,
        {
            "words": "Kaffeefahrt\n  \nHeizdecke",
            "blocked_domains": "https://www.Spam.example/\nspam.example\nmüll.example",
        },
    )
    assert response.status_code == 302
    lists = FilterSettings.objects.get()
    assert lists.word_list() == ["Kaffeefahrt", "Heizdecke"]
    assert lists.domain_list() == ["spam.example", "xn--mll-hoa.example"]


@pytest.mark.django_db
def test_a_bad_domain_gets_a_message_naming_the_line(admin_client):
    response = admin_client.post(URL, {"words": "", "blocked_domains": "ok.example\nkein domain"})
    assert response.status_code == 400
    assert "Zeile 2" in response.content.decode() or "Line 2" in response.content.decode()
    assert not FilterSettings.objects.exists()


@pytest.mark.django_db
def test_admins_can_rebuild_the_model_in_the_background(admin_client, moderator_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    before = settings.SPAM_MODEL_PATH.stat().st_mtime_ns
    assert moderator_client.post(reverse("moderation:train")).status_code == 403
    response = admin_client.post(reverse("moderation:train"))
    assert response.status_code == 302
    assert settings.SPAM_MODEL_PATH.stat().st_mtime_ns != before


@pytest.mark.django_db
def test_the_page_warns_when_the_model_is_broken(moderator_client, settings):
    from treffpunkt.moderation.textmodel import forget_loaded_model

    settings.SPAM_MODEL_PATH.write_bytes(b"broken")
    forget_loaded_model()
    page = moderator_client.get(URL).content.decode()
    assert 'role="alert"' in page
    assert "cannot be read" in page


def test_items_the_places_rules_held_say_so(moderator_client, db):
    from treffpunkt.moderation.actions import Reason

    participant = participant_for_guest("9" * 32, display_name="Neu")
    result = check_content(text="Ein freundlicher erster Kommentar.", participant=participant,
                           kind="comment")  # fmt: skip
    assert result.verdict == "publish"
    record_check(result, 7, [Reason("first comment under this name and email address")])
    page = moderator_client.get(URL, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "dann von den Regeln zurückgehalten:" in page
    assert "erster Kommentar unter diesem Namen und dieser E-Mail-Adresse" in page
