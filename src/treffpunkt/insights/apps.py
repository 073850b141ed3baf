from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "treffpunkt.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from treffpunkt.core import page_links
        from treffpunkt.insights import links

        page_links.register("nav", "insights", links.main_navigation)
        page_links.register("event_tools", "insights", links.event_tools)
        page_links.register("blog_dashboard", "insights", links.blog_dashboard)
