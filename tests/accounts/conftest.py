import pytest


@pytest.fixture(autouse=True)
def _emails_sent_at_once(settings):
    """Emails go through the background worker (core.mail); here its tasks run at once,
    once the request's transaction commits, so they are in the outbox afterwards."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
