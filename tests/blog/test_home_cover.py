"""Blog posts on the home page show their cover image."""

from treffpunkt.blog.actions import set_cover_image

from .conftest import image_upload, make_post


def test_the_home_page_shows_a_posts_cover(client, blog, author):
    post = make_post(blog, author, "Kürbisernte")
    post = set_cover_image(post, editor=author, image=image_upload(), alt_text="Kürbisse")
    html = client.get("/").content.decode()
    assert f'class="card__cover" src="{post.cover_image.url}"' in html
