import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from treffpunkt.accounts.models import User
from treffpunkt.blog.actions import create_blog, publish_post, save_post
from treffpunkt.blog.models import Blog, Post

PASSWORD = "a-long-test-pass-42"


@pytest.fixture
def author(db):
    user = User.objects.create_user("autorin@example.org", PASSWORD, display_name="Ada Autorin")
    user.set_roles(["author"])
    user.save()
    return user


@pytest.fixture
def other_author(db):
    user = User.objects.create_user("zweiter@example.org", PASSWORD, display_name="Ben Zweiter")
    user.set_roles(["author"])
    user.save()
    return user


@pytest.fixture
def blog(author, other_author) -> Blog:
    return create_blog(title="Aus dem Verein", slug="verein", authors=[author, other_author])


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


def make_post(blog: Blog, author: User, title: str = "Ein Beitrag", *, published: bool = True,
              at=None, body: str = "Ein **kurzer** Text.", tags=("Garten",)) -> Post:  # fmt: skip
    post = save_post(editor=author, blog=blog, title=title, body=body, tags=list(tags))
    if published:
        post = publish_post(post, editor=author, at=at or timezone.now() - timedelta(hours=1))
    return post


def image_upload(name: str = "bild.png", size=(64, 48), fmt: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 90)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")
