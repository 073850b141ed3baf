from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "treffpunkt.blog"
    label = "blog"
    verbose_name = _("Blogs")

    def ready(self) -> None:
        from treffpunkt.blog.actions import remove_unused_images
        from treffpunkt.blog.home import recent_posts_section
        from treffpunkt.core import home_sections, schedule

        home_sections.register("posts", recent_posts_section, order=20)
        schedule.every(3600, "remove unused images", remove_unused_images)
