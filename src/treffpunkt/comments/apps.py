from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "treffpunkt.comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from treffpunkt.blog.queries import register_post_list_figures
        from treffpunkt.comments.queries import add_comment_counts

        register_post_list_figures(add_comment_counts)
