"""No request waits for the mail server: every email is queued for the background worker.

A mail server on loopback accepts connections and never answers (the worst kind: a
request that talked to it would hang until its timeout). Invitations, password resets,
own-data links, reply confirmations, guest posts and pages all answer without ever
connecting to it; the emails wait as tasks.
"""

import socket
import threading

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.submitting import comment_on_post
from treffpunkt.blog.models import Post
from treffpunkt.core.tasks import send_email


class SilentMailServer:
    """Accepts TCP connections on loopback and never says a word."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _address = self.sock.accept()
            except OSError:
                continue
            self.connections.append(connection)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        for connection in self.connections:
            connection.close()
        self.sock.close()


@pytest.fixture
def silent_mail_server(settings):
    server = SilentMailServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 120  # a request that talked to it would hang for minutes
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield server
    server.stop()


def within(seconds, request):
    """Run ``request`` in a thread; fail if it has not answered after ``seconds`` (a bound
    on a hang, not a speed measurement: with the mail server in the path it would take
    the full EMAIL_TIMEOUT)."""
    result = {}

    def run():
        result["response"] = request()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert "response" in result, "the request waited for the mail server"
    return result["response"]


@pytest.mark.django_db(transaction=True)
def test_no_request_talks_to_the_mail_server(
    silent_mail_server, admin_client, client, member, settings
):
    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0
    invited = within(
        30,
        lambda: admin_client.post(
            reverse("accounts:members"), {"email": "neu@example.org", "roles": ["author"]}
        ),
    )
    assert invited.status_code == 302
    reset = within(
        30, lambda: client.post(reverse("accounts:password_reset"), {"email": member.email})
    )
    assert reset.status_code == 302

    from treffpunkt.blog.actions import create_blog, publish_post, save_post

    blog = create_blog(title="Werkstatt", slug="werkstatt", authors=[member])
    member.is_author = True
    member.save()
    post = publish_post(
        save_post(editor=member, blog=blog, title="Offen", body="Text."), editor=member
    )
    from treffpunkt.core.actions import participant_for_guest

    comment_on_post(
        post=post,
        participant=participant_for_guest("a" * 32),
        body="Ein Kommentar.",
        author_name="Gerda",
        email="gerda@example.org",
    )
    own_data = within(
        30,
        lambda: client.post("/en/comments/my-data/", {"email": "gerda@example.org"}),
    )
    assert own_data.status_code == 302
    page = within(30, lambda: client.get(Post.objects.get().get_absolute_url()))
    assert page.status_code == 200

    assert silent_mail_server.connections == []
    queued = DBTaskResult.objects.filter(task_path=send_email.module_path).count()
    assert queued == 2  # the invitation and the password reset; own data is its own task
    assert DBTaskResult.objects.filter(task_path__endswith="send_own_data_link").count() == 1


@pytest.mark.django_db
def test_a_subject_is_one_line(settings, django_capture_on_commit_callbacks, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from treffpunkt.core.mail import queue_email

    with django_capture_on_commit_callbacks(execute=True):
        queue_email(subject="Neuer Beitrag:\nZeile zwei\r\n", body="Text", to=["a@example.org"])
    assert mailoutbox[0].subject == "Neuer Beitrag: Zeile zwei"
