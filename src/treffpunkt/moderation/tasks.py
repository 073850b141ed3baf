"""Background work for the spam filter, run by `treffpunkt worker`."""

from django_tasks import task


@task()
def train_spam_model() -> int:
    """Rebuild the site's spam model from the shipped corpus and all decisions; returns the
    number of examples it learned from."""
    from treffpunkt.moderation.actions import train_site_model

    return int(train_site_model().info["examples"])
