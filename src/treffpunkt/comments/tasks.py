"""Background work for comments: the emails, sent by the worker after the commit."""

from django_tasks import task

from treffpunkt.comments import actions
from treffpunkt.comments.models import Comment


@task()
def notify_authors_of_post(post_id: int) -> int:
    """Tell the post's author about its new comments, in one email."""
    return actions.send_author_notification(post_id)


@task()
def notify_authors(comment_id: int) -> int:
    """Tasks queued before the digest named a comment: announce its post's new comments."""
    post_id = Comment.objects.filter(pk=comment_id).values_list("post_id", flat=True).first()
    return actions.send_author_notification(post_id) if post_id else 0


@task()
def notify_subscribers(comment_id: int) -> int:
    """Tell those who asked for it about an approved reply to their comment."""
    return actions.send_reply_notifications(comment_id)


@task()
def confirm_subscription(subscription_id: int) -> int:
    """Ask a guest's address whether it really wants reply emails."""
    return actions.send_subscription_confirmation(subscription_id)


@task()
def send_own_data_link(email: str, language: str) -> int:
    """Email a commenter the link to their own data (when something is stored)."""
    return int(actions.send_own_data_link(email, language))
