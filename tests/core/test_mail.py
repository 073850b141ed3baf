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


class ClosingMailServer(SilentMailServer):
    """Accepts a connection and hangs up at once (a mail server that is down or refuses)."""

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _address = self.sock.accept()
            except OSError:
                continue
            connection.close()
            self.connections.append(connection)


@pytest.fixture
def refusing_mail_server(settings):
    server = ClosingMailServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    yield server
    server.stop()


@pytest.mark.django_db
def test_an_email_the_server_refuses_is_tried_again_then_given_up_after_a_day(
    refusing_mail_server, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from treffpunkt.core.mail import queue_email, send_due_emails, send_queued_email
    from treffpunkt.core.models import OutgoingEmail

    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(subject="Einladung", body="Hallo", to=["neu@example.org"])
    assert not send_queued_email(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("waiting", 1)
    assert "SMTP" in email.last_error or "Connection" in email.last_error
    assert email.next_try_at > timezone.now()  # a pause before the next attempt
    assert not send_queued_email(email.pk)  # not yet due: not tried
    assert email.attempts == OutgoingEmail.objects.get(pk=email.pk).attempts
    assert send_due_emails() == 0

    # A day later the server still refuses: given up, and admins see it.
    OutgoingEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(days=1, minutes=1), next_try_at=timezone.now()
    )
    assert send_due_emails() == 1
    assert not send_queued_email(email.pk)
    email.refresh_from_db()
    assert email.status == "failed" and email.sent_at is None


@pytest.mark.django_db
def test_comment_emails_are_marked_only_with_their_email_in_the_outbox(
    refusing_mail_server, django_capture_on_commit_callbacks, settings, mailoutbox
):
    """The author's digest claims its comments and puts the email in the outbox in one
    transaction: with the mail server down nothing is sent, nothing is lost, and once it
    is back the email goes out (once)."""
    from treffpunkt.accounts.actions import create_member
    from treffpunkt.blog.actions import create_blog, publish_post, save_post
    from treffpunkt.comments.actions import send_author_notification
    from treffpunkt.comments.models import Comment
    from treffpunkt.core.actions import participant_for_guest
    from treffpunkt.core.mail import send_due_emails, send_queued_email
    from treffpunkt.core.models import OutgoingEmail

    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0
    author = create_member("autorin@example.org", "Anna", ["author"])
    blog = create_blog(title="Werkstatt", slug="werkstatt", authors=[author])
    post = publish_post(save_post(editor=author, blog=blog, title="T", body="B"), editor=author)
    comment_on_post(
        post=post,
        participant=participant_for_guest("a" * 32),
        body="Ein Kommentar.",
        author_name="Gerda",
        email="gerda@example.org",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_author_notification(post.pk) == 1
    email = OutgoingEmail.objects.get()
    assert not send_queued_email(email.pk)  # the server refuses
    assert Comment.objects.get().author_notified_at is not None
    assert OutgoingEmail.objects.get().status == "waiting"
    assert send_author_notification(post.pk) == 0  # claimed: not queued twice

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingEmail.objects.update(next_try_at=email.created_at)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert send_due_emails() == 1
    assert [message.to for message in mailoutbox] == [["autorin@example.org"]]
    assert OutgoingEmail.objects.get().status == "sent"
    assert send_due_emails() == 0
