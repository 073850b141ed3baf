import pytest

from treffpunkt.accounts.models import User
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.moderation.actions import check_content, record_check


@pytest.fixture
def guest(db):
    return participant_for_guest("f" * 32, display_name="Uta")


@pytest.fixture
def moderator(db):
    return User.objects.create_user(
        "moderator@example.org", "a-long-test-pass-42", display_name="Mona", is_moderator=True
    )


@pytest.fixture
def check():
    def run(text, participant, kind="comment", object_id=None, **kwargs):
        result = check_content(text=text, participant=participant, kind=kind, **kwargs)
        record_check(result, object_id)
        return result

    return run
