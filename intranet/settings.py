"""Canteen settings: one module, configured by environment variables.

With nothing set, Canteen runs embedded: SQLite in WAL mode, the in-memory
channel layer, a local-memory cache and tasks run in-process. Production sets
DEBUG=0, SECRET_KEY, DATABASE_URL (PostgreSQL) and REDIS_URL; README.md lists
every variable. A bad value raises ImproperlyConfigured with one sentence
that names the variable; manage.py and asgi.py print it as one line.
"""

import os
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Return the boolean in `name`, refusing anything but clear spellings."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: set it to 1 or 0.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a whole number: set it to one, e.g. {default}."
        ) from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is too small: set it to {minimum} or more, e.g. {default}."
        )
    return value


def database_from_url(name: str, default: str) -> dict:
    """Return a DATABASES entry for the URL in `name` (SQLite or PostgreSQL)."""
    url = env.str(name, default=default)
    scheme = urlsplit(url).scheme
    if scheme in {"postgres", "postgresql", "pgsql"}:
        parts = urlsplit(url)
        if not parts.hostname and not parts.path.strip("/"):
            raise ImproperlyConfigured(
                f"{name} has no host or database name: set it like "
                "postgres://user:password@host:5432/canteen."
            )
        config = environ.Env.db_url_config(url)
        # Under ASGI, Django's persistent connections (CONN_MAX_AGE) leak
        # from worker threads; psycopg's pool is the supported way to reuse
        # connections (Django docs, "Persistent connections").
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "pool": {
                "min_size": env_int("DATABASE_POOL_MIN", 2),
                "max_size": env_int("DATABASE_POOL_MAX", 20),
                "timeout": 10,
            }
        }
        return config
    if scheme == "sqlite":
        config = environ.Env.db_url_config(url)
        config["OPTIONS"] = {
            # WAL lets readers work while one writer commits; IMMEDIATE takes
            # the write lock at BEGIN so two writers queue instead of failing
            # with "database is locked" halfway through a transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # Browser tests run Daphne in another process, which cannot see an
        # in-memory database: the test database is always a file, one per
        # test run so that two runs on one machine do not collide.
        # (The suffix goes through the environment so that a spawned server
        # process computes the same name as the test process.)
        run = os.environ.setdefault("CANTEEN_TEST_RUN", str(os.getpid()))
        config["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{run}.sqlite3")}
        return config
    raise ImproperlyConfigured(
        f"{name}={url!r} is not a database URL Canteen understands: set it like "
        "postgres://user:password@host:5432/canteen or sqlite:///path/to/db.sqlite3."
    )


def channel_layer_from_url(url: str) -> dict:
    """Return the CHANNEL_LAYERS entry for inmemory://, redis:// or
    redis+pubsub:// (rediss:// for TLS)."""
    scheme = urlsplit(url).scheme
    if scheme == "inmemory":
        return {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    if scheme in {"redis", "rediss"}:
        return {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout by default, the
                # same 5 s that channels_redis blocks in BZPOPMIN: a busy
                # process then times out its own idle wait and loses the
                # layer (make bench). Reads get longer than the block; a
                # socket_timeout in the URL still wins.
                "hosts": [{"address": url, "socket_timeout": 15}],
                # channels_redis keeps one Redis list per *process*; each
                # process's hub (intranet/hub.py) gets one message per group
                # event, so this bounds a process's backlog of events. Past
                # it, events drop and tabs catch up from the database.
                "capacity": env_int("CHANNELS_CAPACITY", 100_000),
                "expiry": 30,
            },
        }
    if scheme in {"redis+pubsub", "rediss+pubsub"}:
        return {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url.replace("+pubsub", "", 1)]},
        }
    raise ImproperlyConfigured(
        f"CHANNELS_URL={url!r} is not a channel layer Canteen understands: set it "
        "to inmemory://, redis://host:6379/0 or redis+pubsub://host:6379/0."
    )


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set and DEBUG is off: set SECRET_KEY to a long random "
            "string, e.g. the output of: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    # Development only: the deploy check rejects it (a test proves it).
    SECRET_KEY = "django-insecure-canteen-embedded-development-key"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = env.str("SITE_NAME", default="Canteen")

INSTALLED_APPS = [
    # Daphne first: its runserver serves HTTP and WebSockets alike.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    # Before allauth, so Canteen's templates override allauth's.
    "frontend",
    "allauth",
    "allauth.account",
    # With "ninja" installed, the API docs use its bundled Redoc instead
    # of a CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "profiles",
    "feeds",
    "messaging",
    "onboarding",
    "intranet",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "intranet.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "intranet.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "intranet.urls"
ASGI_APPLICATION = "intranet.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.site",
                "feeds.context_processors.spaces",
                "onboarding.nav.links",
            ],
        },
    },
    # The partials a page draws dozens of times (intranet/jinja.py), from
    # each app's jinja2/ folder.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "intranet.jinja.environment"},
    },
]

DATABASES = {
    "default": database_from_url("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CHANNELS_URL = env.str("CHANNELS_URL", default="") or env.str(
    "REDIS_URL", default="inmemory://"
)
CHANNEL_LAYERS = {"default": channel_layer_from_url(CHANNELS_URL)}

# The cache may share REDIS_URL's database with the channel layer: never
# cache.clear() there (FLUSHDB would drop every socket's group membership).
CACHES = {
    "default": env.cache_url(
        "CACHE_URL",
        default=env.str("REDIS_URL", default="") or "locmemcache://canteen",
    )
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same, with one connection pool per process and a fallback to the
    # process's memory while Redis does not answer (intranet/cache.py).
    CACHES["default"]["BACKEND"] = "intranet.cache.RedisCache"
    # A cache call sits on the path of every send: a frozen Redis must cost
    # it a second, not redis-py's default of waiting forever. Values in the
    # URL's query (?socket_timeout=…) still win.
    _cache_options = CACHES["default"].setdefault("OPTIONS", {})
    _cache_options.setdefault("socket_timeout", 1.0)
    _cache_options.setdefault("socket_connect_timeout", 1.0)

TASKS_BACKEND = env.str("TASKS_BACKEND", default="immediate")
if TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
elif TASKS_BACKEND == "database":
    # Run by the Procfile's worker process (manage.py db_worker).
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND={TASKS_BACKEND!r} is unknown: set it to immediate or database."
    )

AUTH_USER_MODEL = "profiles.User"
# REST callers: the browser's session (CSRF-checked) or a personal token.
API_AUTHENTICATION = ["profiles.auth.SessionAuth", "profiles.auth.TokenAuth"]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# allauth: staff sign in with their work email. Accounts come from the admin
# (and later SSO/SCIM), so open sign-up is off unless ALLOW_SIGNUP=1.
ACCOUNT_ADAPTER = "profiles.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_GET = False
ALLOW_SIGNUP = env_bool("ALLOW_SIGNUP", False)

# Sign-in throttling. A wrong password counts against the pair of account
# and address it came from (profiles.adapters), so guessing from one
# address never locks the account's owner out elsewhere, and against the
# address, with a limit high enough for an office behind one NAT. A right
# password never counts. Past a limit, that pair or address is refused for
# the rest of the window.
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = env_int(
    "LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS", 5, minimum=1
)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 100, minimum=1)
LOGIN_FAILURES_WINDOW_SECONDS = env_int(
    "LOGIN_FAILURES_WINDOW_SECONDS", 5 * 60, minimum=1
)
# Every sign-in attempt, right or wrong: each checks a password, which is
# slow on purpose.
LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE = env_int(
    "LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE", 120, minimum=1
)
ACCOUNT_RATE_LIMITS = {
    "login": f"{LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE}/m/ip",
    "login_failed": (
        f"{LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS}/{LOGIN_FAILURES_WINDOW_SECONDS}s/key,"
        f"{LOGIN_FAILURES_PER_ADDRESS}/{LOGIN_FAILURES_WINDOW_SECONDS}s/ip"
    ),
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploads live here but are never served from MEDIA_URL: every download
# goes through an access-checked view (messaging.api). In production point
# MEDIA_ROOT at a disk every web process shares.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production (collectstatic at release),
        # the ES modules' imports hashed too; plain files from the apps
        # while developing.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "intranet.staticfiles.ManifestModulesStorage"
    },
}

# While developing, whitenoise serves from the apps' static folders and
# staticfiles/ does not exist until collectstatic runs (the release step).
if DEBUG:
    warnings.filterwarnings("ignore", "No directory at", UserWarning)

_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="canteen@localhost")
# Where emails link to: the address people open Canteen at.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

# Production hardening; `manage.py check --deploy` is clean with DEBUG=0.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Cookies travel over HTTPS only, unless a company serves Canteen over plain
# HTTP inside its network and says so (browsers drop Secure cookies there).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from Canteen's own files: no inline script or
# style, no eval, no plug-ins, never framed. intranet/csp.py adds the
# socket's ws(s):// origin to connect-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # blob: for the previews of files being uploaded (attachments.js).
        "img-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is an explicit opt-in (SECURE_HSTS_PRELOAD=1): once on
    # the browsers' list a domain cannot leave it quickly.
    "security.W021",
]

# Sending: a burst of MESSAGE_SEND_BURST messages, then this many a minute.
MESSAGE_SEND_BURST = env_int("MESSAGE_SEND_BURST", 10)
MESSAGE_SEND_PER_MINUTE = env_int("MESSAGE_SEND_PER_MINUTE", 60)

# Attachments: the largest file, the largest image (decoding one takes about
# 4 bytes a pixel of memory), and an upload rate limit like sending's.
MAX_ATTACHMENT_BYTES = env_int("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)
MAX_PHOTO_BYTES = env_int("MAX_PHOTO_BYTES", 5 * 1024 * 1024)
ATTACHMENT_UPLOAD_BURST = env_int("ATTACHMENT_UPLOAD_BURST", 20)
ATTACHMENT_UPLOAD_PER_MINUTE = env_int("ATTACHMENT_UPLOAD_PER_MINUTE", 30)

# Typing indicators go to conversations of at most this many members: in a
# bigger one nobody reads "typing…", and each keystroke would be a frame to
# every member (Zulip draws the line at 100 too).
TYPING_MAX_MEMBERS = env_int("TYPING_MAX_MEMBERS", 100)

# Real-time: how often an open socket rechecks that its session still holds.
SOCKET_SESSION_RECHECK_SECONDS = env_int("SOCKET_SESSION_RECHECK_SECONDS", 5)
# How often each tab pings its socket; every ping refreshes presence.
SOCKET_PING_SECONDS = env_int("SOCKET_PING_SECONDS", 25)

# Presence (profiles/presence.py): offline once no socket has pinged for
# PRESENCE_SEEN_WINDOW seconds (keep it above two pings), away once no tab
# has been in view for PRESENCE_AWAY_AFTER. Pages ask for the people they
# show every PRESENCE_POLL_SECONDS.
PRESENCE_SEEN_WINDOW = env_int("PRESENCE_SEEN_WINDOW", 70)
PRESENCE_AWAY_AFTER = env_int("PRESENCE_AWAY_AFTER", 5 * 60)
PRESENCE_POLL_SECONDS = env_int("PRESENCE_POLL_SECONDS", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}
