"""The moderation logs are read in the admin, never written or deleted there."""

import pytest

from tests.admin_forms import admin_url
from treffpunkt.moderation.actions import record_decision
from treffpunkt.moderation.models import CheckedItem, Decision

COVERED_MODELS = {Decision, CheckedItem}


@pytest.mark.parametrize("model", [Decision, CheckedItem])
def test_the_logs_are_read_only(admin_client, admin_user, guest, check, model):
    check("Ein ganz normaler Kommentar", guest, object_id=7)
    record_decision(
        kind="comment", object_id=7, action="approve", moderator=admin_user, participant=guest
    )
    row = model.objects.get()
    url = admin_url(model, "change", row.pk)
    page = admin_client.get(url)
    assert page.status_code == 200 and b"<form" in page.content
    assert b'name="_save"' not in page.content
    assert admin_client.post(url, {"reason": "anders", "verdict": "spam"}).status_code == 403
    assert admin_client.get(admin_url(model, "add")).status_code == 403
    assert admin_client.post(admin_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    listing = admin_client.get(admin_url(model, "changelist")).content.decode()
    assert "delete_selected" not in listing
    admin_client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert model.objects.filter(pk=row.pk).exists()
