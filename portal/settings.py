"""Settings for the Canada–Korea AI Co-operation Portal.

One file, configured from the environment. Safe for local use by default (the project's own
PostgreSQL server, portal/localdb.py), strict when DJANGO_DEBUG is off (a real secret key is
required and HTTPS is enforced unless DJANGO_SECURE_SSL_REDIRECT=false). PostgreSQL is the one
database engine: DATABASE_URL names any other server (production's).
"""

import datetime
import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url: str, name: str = "DATABASE_URL") -> dict:
    """Turn DATABASE_URL (postgres://user:password@host:port/name?options) into a dict."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name} must name a PostgreSQL database (postgres://...), not {parts.scheme!r}."
        )
    options = dict(parse_qsl(parts.query))
    # No request can hang: every statement is cut off after DJANGO_STATEMENT_TIMEOUT_MS.
    timeout = int(os.environ.get("DJANGO_STATEMENT_TIMEOUT_MS", "5000"))
    # Short, many-row statements (search facets): no JIT compilation, whose start-up cost
    # exceeds what it saves here, and enough memory to hash and sort without spilling.
    work_mem = os.environ.get("DJANGO_DB_WORK_MEM", "32MB")
    settings = f"-c statement_timeout={timeout} -c jit=off -c work_mem={work_mem}"
    options["options"] = f"{options.get('options', '')} {settings}".strip()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }


DEBUG = env_bool("DJANGO_DEBUG", False)

# Keys that must never protect a real deployment.
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif SECRET_KEY == DEVELOPMENT_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is the development key; set a real one.")

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    "portal.admin.PortalAdminConfig",  # django.contrib.admin, with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",  # full-text search, trigram similarity, unaccent
    "django_countries",
    "django_filters",
    "axes",  # locks out repeated failed sign-ins
    "rest_framework",  # the read-only API under /api/ (cooperation/api.py)
    "drf_spectacular",  # its OpenAPI document, /api/openapi.json
    "cooperation",
    "feedback",  # visitors' page feedback and suggested corrections, moderated
    "simple_history",  # every record's versions (curation/history.py)
    "curation",  # the back office's history tables and views
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The database each request reads from, a replica or the primary, chosen once for the whole
    # request (portal/routers.py): before anything that reads, the page cache's version included.
    "portal.routers.ReplicaMiddleware",
    # HTML and data compressed for clients that ask (static files come compressed from
    # WhiteNoise, above, which answers first). Before everything that reads or writes the
    # body, so it compresses last; before ConditionalGetMiddleware, whose ETag is then taken
    # on the uncompressed body and made weak. Answers that carry a CSRF token are left
    # uncompressed (BREACH): see portal.middleware.GZipMiddleware.
    "portal.middleware.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.middleware.PublicRequestSizeMiddleware",
    # ETag on every answer, and 304 Not Modified for a client that already has it (cached
    # pages included, so it comes first).
    "django.middleware.http.ConditionalGetMiddleware",
    # Cache-Control: public for anonymous public answers (shared caches, browsers), private
    # otherwise. Inside ConditionalGetMiddleware, so a 304 carries it too; outside the page
    # cache, so a cached page gets it like a fresh one.
    "portal.middleware.CacheControlMiddleware",
    # Whole public pages, under the data version: after LocaleMiddleware (the language is part
    # of the key), before everything a cached page does not need.
    "portal.middleware.PublicPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who made each change, for the records' history (curation/history.py).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cooperation.preview.context",
            ],
        },
    },
]

# Without DATABASE_URL: the project's own PostgreSQL server in .pgdata/, which `make run`,
# `make test` and manage.py start when they need it (portal/localdb.py).
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if not DATABASE_URL:
    from portal import localdb

    DATABASE_URL = localdb.url()
DATABASES = {"default": database_from_url(DATABASE_URL)}
# Read replicas (PostgreSQL streaming replicas of DATABASE_URL), comma-separated: aliases
# replica1, replica2, ... Public reads go to one of them per request, with the data version
# read from the same one; writes, the admin and signed-in staff use the primary
# (portal/routers.py). A test run uses them as mirrors of the test database.
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    DATABASES[f"replica{_number}"] = {
        **database_from_url(_url, name="DATABASE_REPLICA_URLS"),
        "TEST": {"MIRROR": "default"},
    }
#: The aliases ReplicaRouter reads from; empty: everything on "default", as without a router.
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["portal.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# manage.py backup writes JSON with times to the microsecond (cooperation/backup_format.py).
SERIALIZATION_MODULES = {"exact-json": "cooperation.backup_format"}

# Cached answers (cooperation/caching.py) are keyed on a data version the database raises on
# every write, so no cache is ever stale, whichever backend holds it. With REDIS_URL, one Redis
# cache is shared by every worker and every host (a search computed once serves them all);
# without it, each worker keeps its own memory cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
#: Whole public pages (portal.middleware.PublicPageCacheMiddleware) go in the "pages" cache;
#: DJANGO_PAGE_CACHE=false turns that off (to measure the pages' own cost, say).
PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", True)
#: How long a preview link from the back office works, in seconds (cooperation/preview.py).
PREVIEW_MAX_AGE = int(os.environ.get("DJANGO_PREVIEW_MAX_AGE", "3600"))
PAGE_CACHE_ENTRIES = int(os.environ.get("DJANGO_PAGE_CACHE_ENTRIES", "300"))
#: What anonymous public answers say to browsers and shared caches (nginx, a CDN:
#: portal.middleware.CacheControlMiddleware): `public, max-age=PUBLIC_MAX_AGE,
#: stale-while-revalidate=PUBLIC_STALE`. A shared cache may show a change that much later;
#: DJANGO_PUBLIC_MAX_AGE=0 makes every answer `private, no-cache`.
PUBLIC_MAX_AGE = int(os.environ.get("DJANGO_PUBLIC_MAX_AGE", "60"))
PUBLIC_STALE = int(os.environ.get("DJANGO_PUBLIC_STALE", "300"))
if REDIS_URL:
    _redis = {
        # Django's Redis backend, failing safe: Redis down means pages from the database.
        "BACKEND": "portal.cache.FailSafeRedisCache",
        "LOCATION": REDIS_URL,
        # Fail fast rather than hang when Redis does not answer.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    _prefix = os.environ.get("DJANGO_CACHE_PREFIX", "portal")
    CACHES = {
        "default": {**_redis, "KEY_PREFIX": _prefix},
        "pages": {**_redis, "KEY_PREFIX": f"{_prefix}-pages"},
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("DJANGO_CACHE_MAX_ENTRIES", "2000"))},
        },
        # Per worker, so kept small: a page weighs up to ~100 KB.
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal-pages",
            "OPTIONS": {"MAX_ENTRIES": PAGE_CACHE_ENTRIES},
        },
    }

# Sign-in: django-axes counts failures per username *and* address; the fifth locks that pair
# out for DJANGO_LOGIN_COOLOFF_MINUTES (15), with a page in the user's language. Locking the
# pair, not the username alone, keeps an attacker from locking a curator out from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "portal.views.sign_in_locked"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
#: Behind our own reverse proxy (one hop): the visitor's address is the last X-Forwarded-For.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Visitors' forms (feedback/): no third-party CAPTCHA, but a honeypot, a signed timestamp
# (refused if posted under FEEDBACK_MIN_SECONDS after the form was drawn, or after
# FEEDBACK_MAX_AGE) and a rate limit per address counted in the database, so it holds without
# Redis: scope → (posts allowed, per period).
FEEDBACK_MIN_SECONDS = float(os.environ.get("DJANGO_FEEDBACK_MIN_SECONDS", "3"))
FEEDBACK_MAX_AGE = datetime.timedelta(days=1)
FEEDBACK_RATE_LIMITS = {
    "feedback": (
        int(os.environ.get("DJANGO_FEEDBACK_RATE_LIMIT", "10")),
        datetime.timedelta(minutes=10),
    ),
    "correction": (
        int(os.environ.get("DJANGO_CORRECTION_RATE_LIMIT", "5")),
        datetime.timedelta(hours=1),
    ),
}
# `manage.py purge_feedback` deletes comments, and the names and email addresses of dealt-with
# suggestions, older than this (six months by default).
FEEDBACK_RETENTION = datetime.timedelta(
    days=int(os.environ.get("DJANGO_FEEDBACK_RETENTION_DAYS", "183"))
)

# Who publishes the portal, as the About page and the footer name it: in both languages, or
# not at all (the repository names no publisher; until one is set, the pages speak of the
# portal's curators).
PORTAL_PUBLISHER = {
    "en": os.environ.get("PORTAL_PUBLISHER_EN", "").strip(),
    "fr": os.environ.get("PORTAL_PUBLISHER_FR", "").strip(),
}
if bool(PORTAL_PUBLISHER["en"]) != bool(PORTAL_PUBLISHER["fr"]):
    raise ImproperlyConfigured(
        "Set PORTAL_PUBLISHER_EN and PORTAL_PUBLISHER_FR together: a page may not name its "
        "publisher in one language only."
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: English and French, equal standing. Public URLs carry the prefix (/en/, /fr/);
# the admin follows the staff member's browser language or the language they choose.
LANGUAGE_CODE = "en"
# Our own date formats for English (portal/formats/en/formats.py); French keeps Django's.
FORMAT_MODULE_PATH = ["portal.formats"]
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "America/Toronto"
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "fr")
# No silent fallback: a French page must never show English text. Published records are
# complete in both languages (see Publishable.publication_problems).
MODELTRANSLATION_ENABLE_FALLBACKS = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security. Strict unless DEBUG; DJANGO_SECURE_SSL_REDIRECT=false lets a production build be
# tried over plain HTTP on the loopback.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT

# A request body may be this large (bytes) before Django refuses it with a 400: room for a
# curator's very long paste, which the admin then answers with a message on the field that
# keeps the text (cooperation/admin.py, TEXT_LIMIT), rather than losing it.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DJANGO_MAX_REQUEST_BYTES", str(16 * 2**20)))
# Outside the back office, Django's own default (portal.middleware.PublicRequestSizeMiddleware).
PUBLIC_MAX_REQUEST_BYTES = int(os.environ.get("DJANGO_PUBLIC_MAX_REQUEST_BYTES", str(2_621_440)))
SECURE_HSTS_SECONDS = 0 if DEBUG or not SECURE_SSL_REDIRECT else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Preload: the Government of Canada asks its sites for HSTS with subdomains and preloading.
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# Load balancers check /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Scripts, styles, images and fonts from this host only; no inline code, no frames, no plugins.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
LANGUAGE_COOKIE_SECURE = SECURE_SSL_REDIRECT
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Logs go to standard output: JSON lines in production (DJANGO_LOG_FORMAT=json, the default
# without DEBUG), plain text in development. Errors of requests come from "django.request".
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "portal.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}


# -- Read-only API (cooperation/api.py) ---------------------------------------------------
REST_FRAMEWORK = {
    # JSON only: no browsable pages (they would need inline scripts), no writes, no sign-in.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cooperation.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Canada–Korea AI Co-operation Portal API",
    "DESCRIPTION": (
        "Read-only access to every published record of the portal: initiatives, agreements, "
        "organizations, co-operation areas, recommendations and sources. Each record holds its "
        "texts in English and French. The data is offered under the Open Government Licence – "
        "Canada; the meaning of every key is in /data/dictionary.json."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cooperation.api.fill_filter_values",
    ],
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    # The document lists the filter values the published data offers, so generating it needs
    # the database: not a job for `check --deploy`. tests/test_api.py validates it instead.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    "ENUM_NAME_OVERRIDES": {"DatePrecisionEnum": "cooperation.models.DatePrecision"},
}
