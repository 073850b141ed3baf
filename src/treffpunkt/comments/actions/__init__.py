"""Writes for comments. Views, the queue, the admin, tasks and the fediverse call these;
nothing saves a comment elsewhere.

- ``submission``: taking a comment through the one submission pipeline, with WordPress's
  rules on top of the moderation check (first-time commenters and links are held);
- ``moderation``: approving, trashing, editing and deleting, each decision logged;
- ``notifications``: the emails (authors' digest, reply notifications, confirmations);
- ``privacy``: a commenter's own data, and erasing it.
"""

from treffpunkt.comments.actions.moderation import (
    ACTIONS,
    MOVES,
    bulk_moderate,
    delete_comment,
    edit_comment,
    moderate_comment,
    set_comment_status,
    thread_changed,
    withdraw_comment,
)
from treffpunkt.comments.actions.notifications import (
    confirm_subscriptions,
    confirmation_token,
    email_for_confirmation,
    send_author_notification,
    send_reply_notifications,
    send_subscription_confirmation,
    subscription_for_token,
    unsubscribe,
    unsubscribe_token,
)
from treffpunkt.comments.actions.privacy import (
    erase_personal_data,
    open_own_data_link,
    request_own_data_link,
    send_own_data_link,
)
from treffpunkt.comments.actions.submission import (
    CommentThread,
    Duplicate,
    clean_body,
    clean_email,
    clean_name,
    clean_website,
    closed_reason,
    reply_as_author,
    revise_comment,
    schedule_author_digest,
    submit_comment,
)
from treffpunkt.moderation.submissions import Refused, Submission

__all__ = [
    "ACTIONS",
    "MOVES",
    "CommentThread",
    "Duplicate",
    "Refused",
    "Submission",
    "bulk_moderate",
    "clean_body",
    "clean_email",
    "clean_name",
    "clean_website",
    "closed_reason",
    "confirm_subscriptions",
    "confirmation_token",
    "delete_comment",
    "edit_comment",
    "email_for_confirmation",
    "erase_personal_data",
    "moderate_comment",
    "open_own_data_link",
    "reply_as_author",
    "request_own_data_link",
    "revise_comment",
    "schedule_author_digest",
    "send_author_notification",
    "send_own_data_link",
    "send_reply_notifications",
    "send_subscription_confirmation",
    "set_comment_status",
    "submit_comment",
    "subscription_for_token",
    "thread_changed",
    "unsubscribe",
    "unsubscribe_token",
    "withdraw_comment",
]
