"""The blogs' section of the home page (registered in ``BlogConfig.ready``)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from treffpunkt.blog.queries import recent_posts
from treffpunkt.core.home_sections import HomeSection


def recent_posts_section(request: HttpRequest) -> HomeSection:
    return HomeSection(
        key="posts",
        title=_("Recent blog posts"),
        items=recent_posts(limit=6),
        template="blog/_home_item.html",
        empty_text=_(
            "Nothing has been published yet. Authors write posts here; readers answer "
            "with comments."
        ),
    )
