import pytest

from treffpunkt.core.actions import participant_for_guest


@pytest.fixture
def guest(db):
    return participant_for_guest("f" * 32, display_name="Uta")
