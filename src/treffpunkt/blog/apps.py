from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "treffpunkt.blog"
    label = "blog"
    verbose_name = _("Blogs")

    def ready(self) -> None:
        from treffpunkt.blog.home import recent_posts_section
        from treffpunkt.core import home_sections

        home_sections.register("posts", recent_posts_section, order=20)
