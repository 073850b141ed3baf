import pytest
from django.utils import translation

from treffpunkt.core.actions import block_participant, participant_for_guest
from treffpunkt.moderation.actions import check_content, record_check
from treffpunkt.moderation.models import CheckedItem
from treffpunkt.moderation.templatetags.moderation_tags import reason_text


def check(text, participant, **kwargs):
    result = check_content(text=text, participant=participant, kind="wall_post", **kwargs)
    record_check(result, None)
    return result


@pytest.mark.django_db
def test_a_plain_german_post_is_published(guest):
    result = check("Vielen Dank für den spannenden Vortrag über Ehrenamt!", guest)

    assert result.verdict == "publish"
    assert result.reasons == []
    assert CheckedItem.objects.get().verdict == "publish"


@pytest.mark.django_db
def test_reasons_are_readable_in_both_languages(guest):
    result = check("http://a.example http://b.example http://c.example", guest)

    assert result.verdict == "hold"
    reason = result.reasons_json[0]
    with translation.override("en"):
        assert reason_text(reason) == "3 links"
    with translation.override("de"):
        assert reason_text(reason) == "3 Links"


@pytest.mark.django_db
def test_blocked_participant_is_spam(guest):
    block_participant(guest)
    assert check("Hallo", guest).verdict == "spam"


@pytest.mark.django_db
def test_many_posts_in_a_short_time_are_held(guest, settings):
    settings.MODERATION_POSTS_TO_HOLD = 3
    verdicts = [check(f"Gedanke Nummer {n}", guest).verdict for n in range(4)]
    assert verdicts == ["publish", "publish", "publish", "hold"]


@pytest.mark.django_db
def test_a_flood_of_identical_text_becomes_spam():
    verdicts = [
        check("Billige Uhren hier", participant_for_guest(f"{n:032d}")).verdict for n in range(7)
    ]
    assert verdicts[:2] == ["publish", "publish"]
    assert verdicts[2] == "hold"
    assert verdicts[-1] == "spam"


@pytest.mark.django_db
def test_ip_address_is_stored_only_as_a_hash(guest):
    check("Hallo", guest, ip_address="203.0.113.7")
    item = CheckedItem.objects.get()
    assert "203.0.113.7" not in item.ip_hash
    assert len(item.ip_hash) == 64


@pytest.mark.django_db
def test_word_list_matches_whole_words_case_insensitively(guest):
    assert check("Das ist WERBUNG!", guest, words_to_hold=["werbung"]).verdict == "hold"
    assert check("Bewerbungsgespräch", guest, words_to_hold=["werbung"]).verdict == "publish"
