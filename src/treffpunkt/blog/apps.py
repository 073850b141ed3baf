from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "treffpunkt.blog"
    label = "blog"
    verbose_name = _("Blogs")

    def ready(self) -> None:
        from treffpunkt.blog.actions import remove_unused_images
        from treffpunkt.blog.home import recent_posts_section
        from treffpunkt.blog.models import Blog
        from treffpunkt.core import home_sections, schedule, usernames

        home_sections.register("posts", recent_posts_section, order=20)
        schedule.every(3600, "remove unused images", remove_unused_images)
        # A blog's address is its fediverse username.
        usernames.register(
            "blog",
            lambda name: Blog.objects.filter(slug__iexact=name).values_list("pk", flat=True),
        )
