from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "treffpunkt.core"
    label = "core"
    verbose_name = _("Site")

    def ready(self) -> None:
        from treffpunkt.core import changes
        from treffpunkt.core.pagecache import forget_public_pages

        changes.listen(forget_public_pages)
