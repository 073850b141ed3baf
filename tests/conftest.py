import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import translation

from treffpunkt.accounts.actions import create_admin
from treffpunkt.accounts.models import User

PASSWORD = "a-long-test-pass-42"
DATA_DIR_SETTINGS = ("SECRET_KEY_FILE", "SPAM_MODEL_PATH", "STATIC_ROOT", "MEDIA_ROOT")
_test_data_dir: Path | None = None
# The data folder the environment names (./treffpunkt-data by default) and where the test
# run put each of its paths instead (tests/test_isolation.py checks them).
server_data_dir: Path | None = None
session_paths: dict[str, Path] = {}


def pytest_configure(config):
    """A test run keeps out of the checkout's data folder, which `treffpunkt serve` from the
    quick start may be using at the same time: the spam model that `migrate` trains while
    the test database is set up went to ./treffpunkt-data/ before.

    pytest-django reads the settings before this file is imported, so the paths under the
    default data folder are moved to a temporary one here (one per xdist worker), and
    subprocesses started by tests inherit it unless they name their own.
    """
    from django.conf import settings

    global _test_data_dir, server_data_dir
    _test_data_dir = Path(tempfile.mkdtemp(prefix="treffpunkt-test-data-"))
    server_data_dir = settings.DATA_DIR
    for name in DATA_DIR_SETTINGS:
        path = Path(getattr(settings, name))
        if path.is_relative_to(settings.DATA_DIR):
            setattr(settings, name, _test_data_dir / path.relative_to(settings.DATA_DIR))
        session_paths[name] = Path(getattr(settings, name))
    settings.DATA_DIR = session_paths["DATA_DIR"] = _test_data_dir
    os.environ["TREFFPUNKT_DATA_DIR"] = str(_test_data_dir)


def pytest_unconfigure(config):
    if _test_data_dir is not None:
        shutil.rmtree(_test_data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, dropped at the end even when server threads of the
    tests (the WSGI bridge's, the live feeds' pool) still hold PostgreSQL connections of their
    own: PostgreSQL refuses to drop a database in use, and pytest-django then only warns and
    leaves the database behind."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )


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


@pytest.fixture(scope="session")
def _spam_model_file(tmp_path_factory):
    """The default spam model, trained once per test run."""
    from treffpunkt.moderation.textmodel import default_model

    path = tmp_path_factory.mktemp("spam-model") / "spam-model.npz"
    default_model().save(path)
    return path


@pytest.fixture(autouse=True)
def _own_spam_model(settings, tmp_path, _spam_model_file):
    """Each test gets its own copy of the spam model: moderators' decisions in one test teach
    only that test's model."""
    from treffpunkt.moderation.actions import forget_filter_settings
    from treffpunkt.moderation.textmodel import forget_loaded_model

    path = tmp_path / "spam-model.npz"
    shutil.copyfile(_spam_model_file, path)
    settings.SPAM_MODEL_PATH = path
    forget_loaded_model()
    forget_filter_settings()
    yield
    forget_loaded_model()
    forget_filter_settings()


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


@pytest.fixture
def heard(django_capture_on_commit_callbacks):
    """The announcements (core.changes) made while the test runs, heard after their commit;
    run the code inside ``django_capture_on_commit_callbacks(execute=True)``."""
    from treffpunkt.core import changes

    seen: list[changes.Change] = []
    changes.listen(seen.append)
    yield seen
    changes._listeners.remove(seen.append)
