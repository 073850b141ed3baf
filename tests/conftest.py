import pytest
from django.core.cache import cache
from django.utils import translation

from treffpunkt.accounts.actions import create_admin
from treffpunkt.accounts.models import User

PASSWORD = "a-long-test-pass-42"


@pytest.fixture(autouse=True)
def _isolated_media_cache_and_language(settings, tmp_path):
    """Uploaded files go to a temporary folder; each test starts with an empty cache and in
    the site's default language (a request in English leaves English active in the thread)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tests write to the database directly, which the public page cache cannot see; the
    # cache's own tests turn it on.
    settings.PAGE_CACHE_SECONDS = 0
    cache.clear()
    with translation.override(settings.LANGUAGE_CODE):
        yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """A cheap hasher keeps the suite fast; the real one is Django's default."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def admin_user(db):
    return create_admin("admin@example.org", "Ada Admin", PASSWORD)


@pytest.fixture
def member(db):
    user = User.objects.create_user("member@example.org", PASSWORD, display_name="Max Mitglied")
    return user


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def redis_url():
    """The Redis on 127.0.0.1:6379 that the test command expects (CI starts it)."""
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.ConnectionError:
        pytest.fail("Redis on 127.0.0.1:6379 does not answer (the test command expects it)")
    return url
