from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import treffpunkt

LOCALE = Path(treffpunkt.__file__).parent / "locale"


@pytest.mark.parametrize("language", ["de", "en"])
def test_catalogs_are_complete_and_compiled(language):
    po_path = LOCALE / language / "LC_MESSAGES" / "django.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)

    messages = [message for message in catalog if message.id]
    assert len(messages) > 100
    missing = [
        message.id
        for message in messages
        if message.fuzzy
        or not (all(message.string) if isinstance(message.string, tuple) else message.string)
    ]
    assert missing == []
    assert po_path.with_suffix(".mo").exists(), "the install step compiles the catalogs"
