from typing import Any

from django.core.management.base import BaseCommand

from treffpunkt.blog import indexing


class Command(BaseCommand):
    help = (
        'Index every blog post for search again and work out all "You may also like" '
        "suggestions now (for example after restoring a backup)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = indexing.rebuild_all()
        self.stdout.write(f"Indexed {count} posts; suggestions worked out again.")
