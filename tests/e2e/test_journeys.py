"""What people do in the browser: switch language, log in, invite a member, join.

Every page visited is screenshotted and checked with axe (see helpers.Browsing.check).
Expected texts come from the site's own translation catalogs (helpers.tr), so the tests
follow wording changes but still notice a page in the wrong language.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from treffpunkt.accounts.forms import LoginForm
from treffpunkt.accounts.models import User

from .helpers import Browsing, find_invitation_link, path_of, tr

pytestmark = pytest.mark.e2e

NEW_MEMBER_EMAIL = "nora.neu@example.org"
NEW_MEMBER_PASSWORD = "Quokka-Lantern-Fjord-73"


def german(message: str) -> str:
    """The German text of ``message``; fails when German is missing from the catalog."""
    text = tr("de", message)
    assert text != message, (
        f"No German translation for {message!r}: is the German catalog written and compiled "
        "(src/treffpunkt/locale/de/LC_MESSAGES/django.mo)?"
    )
    return text


def label(text: str) -> re.Pattern[str]:
    """A form label's text, exactly, with or without Django's trailing colon."""
    return re.compile(rf"^{re.escape(text)}:?$")


def main_nav(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("navigation", name=re.compile(r"^(Main|Haupt)"))


def click_and_wait(page: Page, locator) -> int:  # type: ignore[no-untyped-def]
    """Click something that loads a new page; returns the new page's HTTP status."""
    with page.expect_navigation() as navigation:
        locator.click()
    response = navigation.value
    assert response is not None
    return response.status


def login_error(language: str) -> str:
    """The message the login form shows for a wrong email or password."""
    with translation.override(language):
        username = User._meta.get_field(User.USERNAME_FIELD).verbose_name
        return str(LoginForm.error_messages["invalid_login"]) % {"username": username}


def test_invite_a_member_who_then_joins(
    browsing: Browsing, page: Page, admin_user: User, password: str, mailoutbox
) -> None:
    base = browsing.base_url

    # A visitor arrives: German by default.
    response = page.goto("/")
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name=german("For members"))).to_be_visible()
    browsing.check(page, "home-de")

    # ... and switches to English.
    assert click_and_wait(page, page.get_by_role("link", name="English")) == 200
    expect(page).to_have_url(f"{base}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="For members")).to_be_visible()
    browsing.check(page, "home-en")

    # The admin logs in.
    click_and_wait(page, main_nav(page).get_by_role("link", name="Log in", exact=True))
    expect(page).to_have_url(f"{base}/en/accounts/login/")
    browsing.check(page, "login")
    main = page.get_by_role("main")
    main.get_by_label("Email address").fill(admin_user.email)
    main.get_by_label(label("Password")).fill(password)
    assert click_and_wait(page, main.get_by_role("button", name="Log in")) == 200
    expect(page).to_have_url(f"{base}/en/")
    expect(main_nav(page).get_by_role("button", name="Log out")).to_be_visible()

    # ... opens the members page and invites someone as an author.
    click_and_wait(page, main_nav(page).get_by_role("link", name="Members", exact=True))
    expect(page).to_have_url(f"{base}/en/accounts/members/")
    expect(page.get_by_role("heading", name="Members", level=1)).to_be_visible()
    browsing.check(page, "members")
    invite = page.get_by_role("region", name="Invite someone")
    invite.get_by_label("Email address").fill(NEW_MEMBER_EMAIL)
    invite.get_by_role("checkbox", name="Author", exact=True).check()
    assert click_and_wait(page, invite.get_by_role("button", name="Send invitation")) == 200
    expect(page).to_have_url(f"{base}/en/accounts/members/")
    status = page.get_by_role("status")
    expect(status).to_contain_text(f"Invitation sent to {NEW_MEMBER_EMAIL}")
    expect(page.get_by_role("region", name="Open invitations")).to_contain_text(NEW_MEMBER_EMAIL)
    browsing.check(page, "invited")

    # The email (sent in the admin's language) and the message carry the same link.
    assert len(mailoutbox) == 1, [m.subject for m in mailoutbox]
    email = mailoutbox[0]
    assert email.to == [NEW_MEMBER_EMAIL]
    link = find_invitation_link(email.body)
    assert link == find_invitation_link(status.inner_text())
    invitation_path = path_of(link)
    assert invitation_path.startswith("/en/accounts/invitation/"), invitation_path

    # The admin logs out.
    click_and_wait(page, main_nav(page).get_by_role("button", name="Log out"))
    expect(main_nav(page).get_by_role("link", name="Log in", exact=True)).to_be_visible()

    # The invited person opens the link in their own browser ...
    guest = browsing.new_page()
    response = guest.goto(invitation_path)
    assert response is not None and response.status == 200
    expect(guest.locator("html")).to_have_attribute("lang", "en")
    expect(guest.get_by_role("heading", level=1)).to_contain_text("Join")
    expect(guest.get_by_role("main")).to_contain_text(NEW_MEMBER_EMAIL)
    expect(guest.get_by_role("main")).to_contain_text("Your roles: Author")
    browsing.check(guest, "invitation")

    # ... chooses a name and a password, and joins.
    main = guest.get_by_role("main")
    main.get_by_label("Display name").fill("Nora Neu")
    main.get_by_label(label("Password")).fill(NEW_MEMBER_PASSWORD)
    main.get_by_label("Password again").fill(NEW_MEMBER_PASSWORD)
    assert click_and_wait(guest, main.get_by_role("button", name="Join", exact=True)) == 200

    # Logged in, where an author starts (their posts), told what to do first.
    expect(guest).to_have_url(f"{base}/en/b/write/")
    expect(guest.get_by_role("status")).to_contain_text("Welcome to")
    expect(guest.get_by_role("status")).to_contain_text("Write your first post")
    browsing.check(guest, "first-step")

    # The profile shows the roles from the invitation.
    click_and_wait(guest, main_nav(guest).get_by_role("link", name="Profile"))
    expect(guest).to_have_url(f"{base}/en/accounts/profile/")
    expect(guest.get_by_role("heading", name="Your profile", level=1)).to_be_visible()
    expect(main).to_contain_text("Nora Neu")
    expect(main).to_contain_text(f"{NEW_MEMBER_EMAIL} · Author")
    expect(main_nav(guest).get_by_role("button", name="Log out")).to_be_visible()
    expect(main_nav(guest).get_by_role("link", name="Members")).to_have_count(0)
    browsing.check(guest, "profile")

    member = User.objects.get(email=NEW_MEMBER_EMAIL)
    assert member.display_name == "Nora Neu"
    assert member.roles == ["author"]
    assert member.check_password(NEW_MEMBER_PASSWORD)

    # The link was used: it no longer works.
    response = guest.goto(invitation_path)
    assert response is not None and response.status == 404
    expect(guest.get_by_role("heading", name="This invitation no longer works")).to_be_visible()
    browsing.check(guest, "invitation-used")


def test_failed_login_speaks_the_visitors_language(
    browsing: Browsing, page: Page, admin_user: User
) -> None:
    base = browsing.base_url

    # German, the default.
    response = page.goto("/accounts/login/")
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "de")
    main = page.get_by_role("main")
    main.get_by_label(german("Email address")).fill(admin_user.email)
    main.get_by_label(label(german("Password"))).fill("not-the-password")
    click_and_wait(page, main.get_by_role("button", name=german("Log in")))
    german_error = login_error("de")
    assert german_error != login_error("en")
    expect(page.get_by_role("alert")).to_have_text(german_error)
    # The visitor does not have to type the address again.
    expect(main.get_by_label(german("Email address"))).to_have_value(admin_user.email)
    browsing.check(page, "login-failed-de")

    # Switching language keeps the visitor on the login page, now in English.
    click_and_wait(page, page.get_by_role("link", name="English"))
    expect(page).to_have_url(f"{base}/en/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    main = page.get_by_role("main")
    main.get_by_label("Email address").fill(admin_user.email)
    main.get_by_label(label("Password")).fill("still-not-the-password")
    click_and_wait(page, main.get_by_role("button", name="Log in"))
    expect(page.get_by_role("alert")).to_have_text(login_error("en"))
    expect(main_nav(page).get_by_role("link", name="Log in", exact=True)).to_be_visible()
    browsing.check(page, "login-failed-en")


def test_an_invalid_invitation_link_says_it_no_longer_works(browsing: Browsing, page: Page) -> None:
    response = page.goto("/accounts/invitation/this-is-not-a-valid-token/")
    assert response is not None and response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(
        page.get_by_role("heading", name=german("This invitation no longer works"), level=1)
    ).to_be_visible()
    browsing.check(page, "invitation-invalid-de")

    response = page.goto("/en/accounts/invitation/this-is-not-a-valid-token/")
    assert response is not None and response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(
        page.get_by_role("heading", name="This invitation no longer works", level=1)
    ).to_be_visible()
    browsing.check(page, "invitation-invalid-en")
