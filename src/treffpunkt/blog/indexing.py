"""Keeps search and "You may also like" up to date when posts change.

Blog actions call these after their transaction commits (``transaction.on_commit``);
they pass ids, never instances.
"""


def post_changed(post_id: int) -> None:
    """A post was created, edited, published or unpublished: refresh its search entry and
    the related-post suggestions that may include it."""


def post_removed(post_id: int) -> None:
    """A post was deleted: drop it from search and from other posts' suggestions."""
