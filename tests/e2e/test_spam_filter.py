"""The moderators' Filter page in a browser: verdicts with reasons, overrules, the lists."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from treffpunkt.accounts.models import User
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.moderation.actions import check_content, record_check, record_decision

from .helpers import Browsing

pytestmark = pytest.mark.e2e


def logged_in(browsing: Browsing, page: Page, user: User) -> None:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": browsing.base_url}]
    )


@pytest.fixture
def checked_items(db, admin_user: User) -> None:
    items = [
        ("Vielen Dank für den spannenden Vortrag über Ehrenamt!", "wall_post", None),
        ("Check out my channel and subscribe please!!! http://x.example", "comment", "spam"),
        ("Siehe http://a.example http://b.example http://c.example", "comment", "approve"),
        ("Schöner Abend, danke an das Team!", "wall_post", "hide"),
        ("Online Casino Bonus, 200 Freispiele: http://adf.ly/x", "remote_reply", None),
    ]
    for n, (text, kind, action) in enumerate(items, start=1):
        person = participant_for_guest(f"{n:032d}", display_name=f"Gast {n}")
        record_check(check_content(text=text, participant=person, kind=kind), object_id=n)
        if action:
            record_decision(
                kind=kind,
                object_id=n,
                action=action,
                moderator=admin_user,
                participant=person,
                text=text,
            )


def test_admin_reads_verdicts_and_edits_the_lists(
    browsing: Browsing, page: Page, admin_user: User, checked_items: None
) -> None:
    logged_in(browsing, page, admin_user)
    response = page.goto("/en/moderation/filter/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Filter")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Gast 2")
    expect(page.locator(".filter-table__overruled")).to_have_count(2)
    browsing.check(page, "filter")

    page.get_by_role("textbox", name="Domain blocklist").fill("adf.ly\nnot a domain")
    page.get_by_role("button", name="Save lists").click()
    expect(page.locator(".field__errors")).to_contain_text("Line 2")
    browsing.check(page, "filter-error")

    page.get_by_role("textbox", name="Word list").fill("Kaffeefahrt")
    page.get_by_role("textbox", name="Domain blocklist").fill("adf.ly\nspam.example")
    page.get_by_role("button", name="Save lists").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    expect(page.get_by_role("textbox", name="Domain blocklist")).to_have_value(
        "adf.ly\nspam.example"
    )
    browsing.check(page, "filter-saved")
