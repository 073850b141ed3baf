import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from treffpunkt.accounts.models import Role, User
from treffpunkt.accounts.permissions import role_required
from treffpunkt.blog import actions, queries
from treffpunkt.blog.forms import BlogForm, InlineImageForm, PostForm, PreviewForm
from treffpunkt.blog.models import Blog, BlogSlugRedirect, Post, PostRevision, SlugRedirect, Tag
from treffpunkt.blog.permissions import can_edit_post, can_write_in
from treffpunkt.blog.related import related_posts
from treffpunkt.blog.rendering import render_post_body
from treffpunkt.core.links import absolute_url

POSTS_PER_PAGE = 10


def follow_moved_blog(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Answer links with a blog's earlier address by a permanent redirect to the new one.

    Only when the view finds nothing (a blog's current address always wins); the rest of
    the path, the language prefix and the query string stay as they were.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except Http404:
            old = kwargs.get("blog", "")
            moved = BlogSlugRedirect.objects.filter(old_slug=old).select_related("blog").first()
            if moved is None:
                raise
            path = request.get_full_path().replace(f"/b/{old}/", f"/b/{moved.blog.slug}/", 1)
            return redirect(path, permanent=True)

    return wrapper


def _page(request: HttpRequest, queryset: Any) -> Page[Any]:
    """One page of a list of posts, each with its number of comments; a page that does not
    exist answers "not found"."""
    paginator = Paginator(queryset, POSTS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404(_("There is no such page.")) from None
    page.object_list = queries.with_list_figures(page.object_list)
    return page


# --- reading --------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """All blogs and the newest posts across them."""
    page = _page(request, queries.visible_posts())
    blogs = [blog for blog in queries.blogs_with_counts() if blog.post_count]  # type: ignore[attr-defined]
    return render(
        request,
        "blog/index.html",
        {"page": page, "posts": page.object_list, "blogs": blogs},
    )


@follow_moved_blog
def blog_detail(request: HttpRequest, blog: str) -> HttpResponse:
    blog_obj = get_object_or_404(Blog, slug=blog)
    page = _page(request, queries.visible_posts().filter(blog=blog_obj))
    return render(
        request,
        "blog/blog.html",
        {
            "blog": blog_obj,
            "page": page,
            "posts": page.object_list,
            "months": queries.archive_months(blog_obj),
            "can_write": can_write_in(request.user, blog_obj),
        },
    )


@follow_moved_blog
def archive_month(request: HttpRequest, blog: str, year: int, month: str) -> HttpResponse:
    blog_obj = get_object_or_404(Blog, slug=blog)
    try:
        if not 1970 <= year <= 9000 or not (month.isascii() and month.isdigit()):
            raise ValueError(year)  # no posts outside; year 9999 has no next month
        start = timezone.make_aware(datetime(year, int(month), 1))  # noqa: DTZ001 - made aware
    except (ValueError, OverflowError):
        raise Http404(_("There is no such month.")) from None
    end = timezone.make_aware(
        datetime(year + (start.month == 12), start.month % 12 + 1, 1)  # noqa: DTZ001
    )
    posts = queries.visible_posts().filter(
        blog=blog_obj, published_at__gte=start, published_at__lt=end
    )
    page = _page(request, posts)
    return render(
        request,
        "blog/archive.html",
        {"blog": blog_obj, "month": start, "page": page, "posts": page.object_list},
    )


def tag_detail(request: HttpRequest, tag: str) -> HttpResponse:
    tag_obj = get_object_or_404(Tag, slug=tag)
    page = _page(request, queries.visible_posts().filter(tags=tag_obj))
    return render(
        request, "blog/tag.html", {"tag": tag_obj, "page": page, "posts": page.object_list}
    )


def author_detail(request: HttpRequest, author: int) -> HttpResponse:
    user = get_object_or_404(User, pk=author, is_active=True)
    posts = queries.visible_posts().filter(author=user)
    page = _page(request, posts)
    if not page.object_list:
        # Only people who have published something have an author page.
        raise Http404(_("There is no author with this address."))
    return render(
        request, "blog/author.html", {"author": user, "page": page, "posts": page.object_list}
    )


@follow_moved_blog
def post_detail(request: HttpRequest, blog: str, year: int, month: str, slug: str) -> HttpResponse:
    post = queries.post_for_page(blog, slug)
    if post is None:
        old = (
            SlugRedirect.objects.select_related("post__blog")
            .filter(blog__slug=blog, old_slug=slug)
            .first()
        )
        if old is not None and old.post.is_visible:
            return redirect(old.post.get_absolute_url(), permanent=True)
        raise Http404(_("There is no post at this address."))
    can_edit = can_edit_post(request.user, post)
    if not post.is_visible and not can_edit:
        raise Http404(_("There is no post at this address."))
    canonical = post.get_absolute_url()
    if request.path != canonical and post.is_visible:
        # The publication date changed, or an old month is in the link.
        return redirect(canonical, permanent=True)
    related = related_posts(post) if post.is_visible else []
    queries.with_list_figures([post])
    context = {
        "post": post,
        "blog": post.blog,
        "tags": list(post.tags.all()),
        "related": related[:3],
        "can_edit": can_edit,
        "canonical_url": absolute_url(canonical),
        "cover_url": absolute_url(post.cover_image.url) if post.cover_image else "",
    }
    return render(request, "blog/post.html", context)


# --- writing --------------------------------------------------------------------------


@role_required(Role.AUTHOR)
def my_posts(request: HttpRequest) -> HttpResponse:
    """The author's dashboard: drafts, scheduled and published posts."""
    posts = list(queries.author_posts(request.user))
    groups = {"draft": [], "scheduled": [], "published": []}  # type: dict[str, list[Post]]
    for post in posts:
        groups[post.state].append(post)
    return render(
        request,
        "blog/my_posts.html",
        {
            "drafts": groups["draft"],
            "scheduled": groups["scheduled"],
            "published": groups["published"],
            "blogs": queries.blogs_for_author(request.user),
        },
    )


def _editor(request: HttpRequest, post: Post | None) -> HttpResponse:
    blogs = queries.blogs_for_author(request.user)
    if post is None and not blogs:
        messages.info(
            request,
            _("You are not an author of any blog yet. An admin can add you to one."),
        )
        return redirect("blog:my_posts")
    initial: dict[str, Any] = PostForm.initial_for(post) if post else {}
    if post is None and request.GET.get("blog"):
        initial["blog"] = request.GET["blog"]
    status = 200
    preview_html = ""
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES, blogs=blogs, post=post, initial=initial)
        if form.is_valid() and "preview" in request.POST:
            # The Preview button without JavaScript: show the page again with the preview.
            preview_html = render_post_body(form.cleaned_data["body"])
        elif form.is_valid():
            data = form.cleaned_data
            fields = {
                "title": data["title"],
                "slug": data["slug"],
                "excerpt": data["excerpt"],
                "content_warning": data["content_warning"],
                "tags": data["tags"],
                "body": data["body"],
                "comments_open": data["comments_open"],
            }
            try:
                saved = actions.save_from_editor(
                    editor=request.user,  # type: ignore[arg-type]
                    blog=data.get("blog"),
                    post=post,
                    fields=fields,
                    publication=data["publication"],
                    publish_at=data.get("publish_at"),
                    cover_image=data.get("cover_image"),
                    cover_alt=data.get("cover_alt", ""),
                    remove_cover=data.get("remove_cover", False),
                    inline_image=data.get("inline_image"),
                    inline_alt=data.get("inline_alt", ""),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                state = saved.state
                if state == "published":
                    messages.success(request, _("Published. Here is your post."))
                    return redirect(saved.get_absolute_url())
                if state == "scheduled":
                    messages.success(request, _("Saved. The post will appear at the chosen time."))
                else:
                    messages.success(request, _("Draft saved. Only you can see it."))
                return redirect("blog:edit", pk=saved.pk)
        if form.errors:
            status = 400
    else:
        form = PostForm(blogs=blogs, post=post, initial=initial)
    context = {
        "form": form,
        "post": post,
        "preview_html": preview_html,
        "revisions": queries.revisions_of(post) if post else [],
        "blog_id": post.blog_id if post else "",
    }
    return render(request, "blog/editor.html", context, status=status)


@role_required(Role.AUTHOR)
def post_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


def _own_post(request: HttpRequest, pk: int) -> Post:
    post = get_object_or_404(Post.objects.select_related("blog", "author"), pk=pk)
    if not can_edit_post(request.user, post):
        raise PermissionDenied
    return post


@role_required(Role.AUTHOR)
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, _own_post(request, pk))


@role_required(Role.AUTHOR)
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The live preview: the sanitized HTML of the Markdown sent, exactly as readers get it."""
    form = PreviewForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(error) for error in form.errors.get("body", []))
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    html = render_post_body(form.cleaned_data["body"])
    # A preview changes no page, so the public page cache stays.
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@role_required(Role.AUTHOR)
@require_POST
def upload_image(request: HttpRequest) -> JsonResponse:
    """An image for the text, uploaded from the editor; answers with its Markdown."""
    form = InlineImageForm(request.POST, request.FILES)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return JsonResponse({"error": first}, status=400)
    blog = Blog.objects.filter(pk=form.cleaned_data["blog"]).first()
    if blog is None:
        return JsonResponse({"error": _("This blog does not exist.")}, status=400)
    try:
        image = actions.upload_post_image(
            blog=blog,
            uploader=request.user,  # type: ignore[arg-type]
            image=form.cleaned_data["inline_image"],
            alt_text=form.cleaned_data["inline_alt"],
        )
    except PermissionDenied:
        return JsonResponse({"error": _("You cannot write in this blog.")}, status=403)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse(
        {"url": image.image.url, "markdown": actions.image_markdown(image)}, status=201
    )


@role_required(Role.AUTHOR)
@require_POST
def restore(request: HttpRequest, pk: int, revision: int) -> HttpResponse:
    post = _own_post(request, pk)
    old = get_object_or_404(PostRevision, pk=revision, post=post)
    actions.restore_revision(old, editor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The earlier version is back. The one before is kept too."))
    return redirect("blog:edit", pk=post.pk)


@role_required(Role.AUTHOR)
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = _own_post(request, pk)
    if request.method == "POST":
        actions.delete_post(post, editor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The post is deleted."))
        return redirect("blog:my_posts")
    return render(request, "blog/post_delete.html", {"post": post})


# --- managing blogs (admins) ----------------------------------------------------------


@role_required(Role.ADMIN)
def manage_blogs(request: HttpRequest) -> HttpResponse:
    blogs = Blog.objects.prefetch_related("authors").order_by("title")
    return render(request, "blog/manage.html", {"blogs": blogs})


@role_required(Role.ADMIN)
def blog_form(request: HttpRequest, blog: str | None = None) -> HttpResponse:
    instance = get_object_or_404(Blog, slug=blog) if blog else None
    form = BlogForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        authors = data.pop("authors")
        try:
            if instance is None:
                saved = actions.create_blog(authors=authors, **data)
            else:
                saved = actions.update_blog(instance, authors=authors, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The blog is saved."))
            return redirect(saved.get_absolute_url())
    status = 400 if form.errors else 200
    return render(request, "blog/blog_form.html", {"form": form, "blog": instance}, status=status)
