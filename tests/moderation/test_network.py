"""No request leaves the server unless an admin configured Akismet."""

import socket

import pytest

from treffpunkt.moderation.actions import record_decision


@pytest.fixture
def connections(monkeypatch):
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise ConnectionRefusedError("no network in this test")

    def no_lookup(host, *args, **kwargs):
        attempts.append(host)
        raise socket.gaierror("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    return attempts


@pytest.mark.django_db
def test_checking_and_learning_make_no_network_request(
    connections, check, guest, moderator, django_capture_on_commit_callbacks
):
    check(
        "Vielen Dank für den Vortrag!",
        guest,
        object_id=1,
        ip_address="203.0.113.7",
        author_email="uta@example.org",
        author_url="https://uta.example",
    )
    with django_capture_on_commit_callbacks(execute=True):
        record_decision(
            kind="comment",
            object_id=1,
            action="spam",
            moderator=moderator,
            participant=guest,
            text="Vielen Dank für den Vortrag!",
        )
    assert connections == []


@pytest.mark.django_db
def test_with_an_akismet_key_akismet_is_asked_and_a_failure_changes_nothing(
    connections, check, guest, settings
):
    settings.AKISMET_API_KEY = "abc123"
    settings.AKISMET_TIMEOUT_SECONDS = 1

    result = check("Vielen Dank für den Vortrag!", guest, ip_address="203.0.113.7")

    assert connections  # it tried to reach Akismet
    assert result.verdict == "publish"  # and decided alone when that failed


@pytest.mark.django_db
def test_akismet_saying_spam_holds_the_item(check, guest, settings, monkeypatch):
    from treffpunkt.moderation import akismet_signal

    settings.AKISMET_API_KEY = "abc123"
    seen = {}

    def fake_is_spam(**kwargs):
        seen.update(kwargs)
        return True

    monkeypatch.setattr(akismet_signal, "is_spam", fake_is_spam)
    result = check("Vielen Dank!", guest, author_name="Uta", author_email="uta@example.org")
    assert result.verdict == "hold"
    assert [reason.message for reason in result.reasons] == ["Akismet considers this spam"]
    assert seen["author_email"] == "uta@example.org"


@pytest.mark.django_db
def test_the_privacy_page_names_akismet_only_when_it_is_on(client, settings):
    assert "Akismet" not in client.get("/privacy/").content.decode()
    settings.AKISMET_API_KEY = "abc123"
    assert "Akismet" in client.get("/privacy/").content.decode()
