"""Background work for comments: the emails, sent by the worker after the commit."""

from django_tasks import task

from treffpunkt.comments import actions


@task()
def notify_authors(comment_id: int) -> int:
    """Tell the post's author about a new comment."""
    return actions.send_author_notification(comment_id)


@task()
def notify_subscribers(comment_id: int) -> int:
    """Tell those who asked for it about an approved reply to their comment."""
    return actions.send_reply_notifications(comment_id)


@task()
def confirm_subscription(subscription_id: int) -> int:
    """Ask a guest's address whether it really wants reply emails."""
    return actions.send_subscription_confirmation(subscription_id)
