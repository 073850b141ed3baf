"""All of Treffpunkt's settings, read from the environment in this one place.

Every variable has a default that works for a single-machine install on SQLite; the README
lists them in a table. Nothing else in the project reads ``os.environ``.
"""

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def _env_list(name: str, default: list[str]) -> list[str]:
    value = _env(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Where the database, uploaded files, the secret key and collected static files live.
DATA_DIR = Path(_env("TREFFPUNKT_DATA_DIR", "treffpunkt-data")).expanduser().resolve()

# The public address of this site (scheme, host, optional port and path prefix are not
# supported). Used for absolute links, QR codes, emails and federation.
BASE_URL = _env("TREFFPUNKT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(BASE_URL)
if _base.scheme not in {"http", "https"} or not _base.hostname:
    raise ImproperlyConfigured(
        f"TREFFPUNKT_BASE_URL must look like https://treffpunkt.example.org, not {BASE_URL!r}."
    )
BASE_HOST = _base.hostname

# Signs sessions, cookies and links. By default a random key is created in the data folder on
# first start (see cli.prepare_data_dir); set SECRET_KEY to manage it yourself.
SECRET_KEY = _env("SECRET_KEY")
SECRET_KEY_FILE = DATA_DIR / "secret_key"
SECRET_KEY_FROM_ENVIRONMENT = bool(SECRET_KEY)
if not SECRET_KEY:
    try:
        SECRET_KEY = SECRET_KEY_FILE.read_text().strip()
    except OSError:
        # Only commands that never ran `treffpunkt serve` (tests, one-off scripts) get here;
        # a per-process key is fine for them because nothing they sign outlives the process.
        SECRET_KEY = secrets.token_urlsafe(50)

# Debug pages with tracebacks. Never turn this on for a public site.
DEBUG = _env_bool("TREFFPUNKT_DEBUG", False)

# Host names this site answers to; the host of TREFFPUNKT_BASE_URL is always allowed.
ALLOWED_HOSTS = sorted(
    {*_env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"]), BASE_HOST}
)
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

# Behind a reverse proxy that terminates TLS, trust its X-Forwarded-Proto header.
if _base.scheme == "https":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Behind a reverse proxy: trust its X-Forwarded-Host, -For and -Proto headers, but only from
# the proxy's own addresses (comma separated; the proxy usually runs on the same machine).
# On by default with an https address, which only a TLS proxy in front can serve.
BEHIND_PROXY = _env_bool("TREFFPUNKT_BEHIND_PROXY", _base.scheme == "https")
USE_X_FORWARDED_HOST = BEHIND_PROXY
PROXY_ADDRESSES = ",".join(_env_list("TREFFPUNKT_PROXY_ADDRESSES", ["127.0.0.1", "::1"]))

INSTALLED_APPS = [
    "treffpunkt.core",
    "treffpunkt.accounts",
    "treffpunkt.moderation",
    "treffpunkt.events",
    "treffpunkt.blog",
    "treffpunkt.comments",
    "treffpunkt.insights",
    "treffpunkt.federation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_tasks",
    "treffpunkt.core.background_tasks.BackgroundTasksConfig",  # django-tasks-db, named
]

MIDDLEWARE = [
    "treffpunkt.core.middleware.RefuseNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "treffpunkt.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "treffpunkt.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "treffpunkt.core.devices.DeviceCookieMiddleware",
    # Actor, post and comment addresses answer ActivityPub JSON to fediverse servers.
    "treffpunkt.federation.negotiation.ActivityPubMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "treffpunkt.urls"
ASGI_APPLICATION = "treffpunkt.asgi.application"
WSGI_APPLICATION = "treffpunkt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "treffpunkt.core.context_processors.site",
            ],
            "builtins": ["treffpunkt.core.templatetags.treffpunkt"],
        },
    },
]

# The database: SQLite in the data folder unless DATABASE_URL names another one
# (postgres://user:password@host:5432/name).
_database_url = _env("DATABASE_URL")
if _database_url:
    try:
        _database = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    except Exception as error:  # dj-database-url raises several kinds on bad input
        raise ImproperlyConfigured(
            "DATABASE_URL is not a database address Treffpunkt understands "
            f"(for example postgres://user:password@localhost:5432/treffpunkt): {error}"
        ) from None
    if not _database.get("ENGINE"):
        raise ImproperlyConfigured("DATABASE_URL must start with postgres:// or sqlite://.")
else:
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "treffpunkt.sqlite3"),
    }
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one request writes; IMMEDIATE avoids lock upgrades that
    # fail under concurrent writes.
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, optional: live updates across several server processes, and a shared cache.
REDIS_URL = _env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, with this process's memory standing in while Redis is down.
            "BACKEND": "treffpunkt.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "treffpunkt",
            # A Redis that does not answer costs a request at most this long.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work (federation delivery, notifications...) runs through Django's tasks API,
# stored in the database and executed by `treffpunkt worker` (or by `treffpunkt serve`).
TASKS = {
    "default": {
        "BACKEND": _env("TREFFPUNKT_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # reset links work for one day

# How long an invitation link stays valid, in days.
INVITATION_VALID_DAYS = _env_int("TREFFPUNKT_INVITATION_DAYS", 7)
# Login attempts allowed per IP address and per email address from one IP address
# (django-ratelimit syntax).
LOGIN_RATE = _env("TREFFPUNKT_LOGIN_RATE", "10/m")
# Wrong passwords for one email address from all IP addresses together; beyond this only
# the right password gets in (so nobody can lock a member out).
LOGIN_RATE_PER_ADDRESS = _env("TREFFPUNKT_LOGIN_RATE_PER_ADDRESS", "30/h")
RATELIMIT_VIEW = "treffpunkt.core.views.rate_limited"

# Event walls: posting stays open this many minutes after an event ends.
EVENT_POSTING_GRACE_MINUTES = _env_int("TREFFPUNKT_EVENT_GRACE_MINUTES", 120)
# Guests may edit or delete their own posts for this many hours.
GUEST_EDIT_HOURS = 24
# Posts allowed per device and per IP address (django-ratelimit syntax, e.g. "6/m").
WALL_RATE_PER_DEVICE = _env("TREFFPUNKT_WALL_RATE_DEVICE", "6/m")
WALL_RATE_PER_IP = _env("TREFFPUNKT_WALL_RATE_IP", "120/m")
# Comments per device (or member) and per IP address before "please wait a minute".
COMMENT_RATE_PER_DEVICE = _env("TREFFPUNKT_COMMENT_RATE_DEVICE", "6/m")
COMMENT_RATE_PER_IP = _env("TREFFPUNKT_COMMENT_RATE_IP", "120/m")
# Authors hear of new comments at most this many seconds late; comments arriving meanwhile
# come in the same email (0: one email per comment, at once).
COMMENT_NOTIFY_DELAY_SECONDS = _env_int("TREFFPUNKT_COMMENT_NOTIFY_DELAY", 60)
# Seconds between keep-alive comments on live streams (proxies close idle connections).
LIVE_HEARTBEAT_SECONDS = _env_int("TREFFPUNKT_LIVE_HEARTBEAT", 15)
# Seconds that public reading pages are kept for readers without a session (0: off).
PAGE_CACHE_SECONDS = _env_int("TREFFPUNKT_PAGE_CACHE_SECONDS", 10)
# Moderation rules: hold a post with this many links, or this many posts in ten minutes.
MODERATION_LINKS_TO_HOLD = _env_int("TREFFPUNKT_LINKS_TO_HOLD", 3)
MODERATION_POSTS_TO_HOLD = _env_int("TREFFPUNKT_POSTS_TO_HOLD", 10)
# Hold the next item from an IP address that sent this many in ten minutes (a venue shares one).
MODERATION_POSTS_PER_IP_TO_HOLD = _env_int("TREFFPUNKT_POSTS_PER_IP_TO_HOLD", 300)
# A form sent sooner than this many seconds after it was shown is most likely a bot: the
# comment or wall post waits for a moderator, with that reason.
MODERATION_MIN_SECONDS_TO_SUBMIT = _env_int("TREFFPUNKT_MIN_SECONDS_TO_SUBMIT", 3)
# The spam filter's trained model; built from the shipped corpus on first use if missing.
SPAM_MODEL_PATH = Path(_env("TREFFPUNKT_SPAM_MODEL", str(DATA_DIR / "spam-model.npz"))).resolve()
# Daily backups by the worker into this folder (off when empty), and how many are kept.
_backup_dir = _env("TREFFPUNKT_BACKUP_DIR")
BACKUP_DIR = Path(_backup_dir).expanduser().resolve() if _backup_dir else None
BACKUP_KEEP = _env_int("TREFFPUNKT_BACKUP_KEEP", 7)
if BACKUP_KEEP < 1:
    raise ImproperlyConfigured("TREFFPUNKT_BACKUP_KEEP must be 1 or more.")
# Akismet key: off when empty. When set, checked items are also sent to Akismet (USA).
AKISMET_API_KEY = _env("TREFFPUNKT_AKISMET_KEY")
# Seconds to wait for Akismet before the local filter decides alone.
AKISMET_TIMEOUT_SECONDS = 3
# Hosts whose images blog posts may show (comma separated, e.g. "images.example.org"); none by
# default, so no page makes readers' browsers ask a third party. Other remote images become links.
BLOG_EMBED_HOSTS = _env_list("TREFFPUNKT_BLOG_EMBED_HOSTS", [])

# The fediverse (ActivityPub): blogs can be followed from Mastodon and the like, replies come
# back as comments. "off" turns every actor endpoint and every delivery off.
FEDERATION = _env_bool("TREFFPUNKT_FEDERATION", True)
# Private address ranges the fediverse client may reach, comma separated CIDR ranges (e.g.
# "127.0.0.0/8" for two instances on one machine, or a private network); plain http is then
# allowed for them too. Empty: only public https addresses.
FEDERATION_ALLOW_PRIVATE = _env_list("TREFFPUNKT_FEDERATION_ALLOW_PRIVATE", [])
# Authorized fetch: only signed requests get posts and full actors (as Mastodon's secure mode).
FEDERATION_AUTHORIZED_FETCH = _env_bool("TREFFPUNKT_AUTHORIZED_FETCH", False)
# Event walls read the hashtag timelines of these servers (Mastodon API), comma separated
# base URLs, while an event runs; events may name more of their own (issue 12).
HASHTAG_SERVERS = _env_list("TREFFPUNKT_HASHTAG_SERVERS", [])
# Seconds between two reads of one server's hashtag timeline (at least 2).
HASHTAG_POLL_SECONDS = max(2, _env_int("TREFFPUNKT_HASHTAG_POLL_SECONDS", 10))
# A hashtag relay's actor (e.g. a FediBuzz-style relay): events follow it while they run.
HASHTAG_RELAY = _env("TREFFPUNKT_HASHTAG_RELAY", "")

# The interface language: "de" (default) or "en". Visitors can switch.
LANGUAGE_CODE = _env("TREFFPUNKT_LANGUAGE", "de")
LANGUAGES = [("de", _("German")), ("en", _("English"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"TREFFPUNKT_LANGUAGE must be de or en, not {LANGUAGE_CODE!r}.")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = _env("TREFFPUNKT_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The site's own CSS, JavaScript and images (vendored libraries included) live in the package.
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
# Uploaded files (avatars, photos). Served by Treffpunkt itself unless a proxy serves them.
MEDIA_ROOT = Path(_env("TREFFPUNKT_MEDIA_DIR", str(DATA_DIR / "media"))).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the package when `collectstatic` has not run (development).
WHITENOISE_USE_FINDERS = True
# Largest upload accepted, in megabytes (photos, avatars).
MAX_UPLOAD_MB = _env_int("TREFFPUNKT_MAX_UPLOAD_MB", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Email: printed to the console unless EMAIL_HOST is set.
EMAIL_HOST = _env("EMAIL_HOST")
EMAIL_PORT = _env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = _env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = _env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
# Seconds the worker waits for the mail server before it gives up on one attempt.
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", f"Treffpunkt <noreply@{BASE_HOST}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The language a visitor chose is remembered in a cookie of its own.
LANGUAGE_COOKIE_SAMESITE = "Lax"
# The language a visitor chose with the switch is remembered for a year.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SECURE = _base.scheme == "https"
# Browsers that saw the site over https never try plain http again (a year).
SECURE_HSTS_SECONDS = 31_536_000 if _base.scheme == "https" else 0
# Pages load nothing from other sites (fonts, scripts and styles are vendored), so the
# Content-Security-Policy can be strict; images may come from the hosts a blog may embed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The plain error page (core/templates/500_plain.html) carries its own small style.
        "style-src": ["'self'", "'sha256-EoGaZ8o5DcEtDXGp4YpLYIHmtNJLnF0B9eBxMVpJrUY='"],
        "img-src": ["'self'", "data:", *(f"https://{host}" for host in BLOG_EMBED_HOSTS)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Features no page uses are switched off for every page (and anything embedded).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr}},
    "root": {"handlers": ["console"], "level": _env("TREFFPUNKT_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
