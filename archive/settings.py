"""Settings for the archive, read from the environment with safe local defaults.

DJANGO_DEBUG=1 (the default) is for a laptop; production sets DJANGO_DEBUG=0,
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import orjson
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", "1")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "archive.apps.ArchiveAdminConfig",  # django.contrib.admin, with the editors' desk
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "simple_history",
    "csp",
    "axes",
    "django_ratelimit",
    "django.contrib.sitemaps",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "reports",
    "bench",  # generate_archive: the synthetic archive `make bench` and the tests build
]

MIDDLEWARE = [
    "archive.middleware.RequestLogMiddleware",
    "archive.middleware.refuse_nul_bytes",
    "archive.middleware.BusyDatabaseMiddleware",
    # Before the page cache: it reads the archive's version where the page will be read.
    "archive.routers.ReadReplicaMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Anonymous hits of the public pages' cache end here (reports/caching.py).
    "reports.caching.PageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session, before CommonMiddleware (its slash redirects resolve the path
    # in the request's language). The URL decides a public page's language.
    "archive.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into a 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "archive.urls"

TEMPLATES = [
    # The public pages (archive/jinja2.py says why Jinja2); it finds no template under
    # templates/admin/, which the next engine, Django's own, renders for the admin.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "archive.jinja2.environment",
            "context_processors": ["archive.jinja2.translations"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "archive.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers go on reading the last commit while a long import writes (SQLite's
    # default journal locks them out of it: "database is locked"); a writer waits up to
    # `timeout` seconds for another's commit, then BusyDatabaseMiddleware answers 503.
    # IMMEDIATE: a transaction takes the write lock as it begins, so it waits its turn;
    # one begun as a reader that writes after another's commit is refused at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode = WAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The planner's settings of each connection (those of DATABASE_URL's own `options`
    # come after, and win). The server's defaults price a random read at four times a
    # sequential one, as on a spinning disk: with an archive held in memory or on SSD
    # the planner then hashed whole tables where a word matched ten rows. Parallel
    # workers cost a short page more to start than they save, and take the cores the
    # other requests are served on. The ORM writes its joins outwards from the model
    # asked for, along foreign keys to primary keys: weighing every order of the ten
    # tables behind a page's citations (their reports' provenance) took the planner
    # longer than running any of them; it weighs the orders of four at a time.
    planner = (
        "-c random_page_cost=1.1 -c max_parallel_workers_per_gather=0 -c join_collapse_limit=4"
    )
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{planner} {options.get('options', '')}".strip()
    # Prepared statements (archive/postgresql.py says which), bound by the server. Off
    # behind a pooler that hands one client's statements to another's connection.
    if env_bool("DATABASE_PREPARED_STATEMENTS", "1"):
        from archive.postgresql import PREPARE_THRESHOLD, PreparingCursor

        options.update(
            server_side_binding=True,
            prepare_threshold=PREPARE_THRESHOLD,
            cursor_factory=PreparingCursor,
        )


def replica_databases(urls, default):
    """{alias: settings} of the read replicas at `urls` (DATABASE_REPLICA_URLS), each with
    the primary's options and connection age; archive/routers.py says what they serve.

    PostgreSQL only, the primary's engine: SQLite has no replicas, and a replica of another
    engine than its primary cannot be one. In tests a replica mirrors the primary's test
    database (no test database is made on a read-only standby).
    """
    replicas = {}
    for number, url in enumerate(urls, start=1):
        try:
            replica = dj_database_url.parse(
                url,
                conn_max_age=default.get("CONN_MAX_AGE", 0),
                conn_health_checks=default.get("CONN_HEALTH_CHECKS", False),
            )
        except ValueError as error:
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URLS: {url!r} is not a database URL ({error})"
            ) from error
        if default["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(
                "DATABASE_REPLICA_URLS needs a PostgreSQL primary (DATABASE_URL); "
                f"this one is {default['ENGINE']}, which has no read replicas."
            )
        if replica["ENGINE"] != default["ENGINE"]:
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URLS: replica {number} is {replica['ENGINE']}, "
                f"not {default['ENGINE']} as the primary (DATABASE_URL): a replica is a copy "
                "of the primary."
            )
        replica["OPTIONS"] = dict(default.get("OPTIONS", {}))
        replica["TEST"] = {"MIRROR": DEFAULT_DB_ALIAS}
        replicas[f"replica_{number}"] = replica
    return replicas


# Read replicas: public reads of published content go to one of them (archive/routers.py).
DATABASES.update(replica_databases(env_list("DATABASE_REPLICA_URLS", ""), DATABASES["default"]))
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != DEFAULT_DB_ALIAS]
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["archive.routers.ReplicaRouter"]
# Seconds a browser reads from the primary after it changed something (a POST that wrote),
# so it sees its own change whatever the replicas' lag.
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "30"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Lock the account name, not the IP: behind a proxy every client shares one address,
# and the few editor accounts are what a guesser is after.
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the IP as well; behind a TLS proxy that is the proxy's own address,
# so an IP lock would let one stranger lock every editor out. Deliberately off.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The public pages in English at their own URLs and in Spanish under /es/ (archive/urls.py).
# The language selector names each language in itself ("Español"), these in the page's.
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security headers and cookies ---------------------------------------------
# On in every environment, so a page that needs inline script or style breaks on a
# laptop first. The admin of Django 5.2 loads all its scripts from files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

if not DEBUG:
    # A proxy that terminates TLS redirects itself and sets X-Forwarded-Proto;
    # it may turn the redirect off here, but the header must then come from it alone.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", "1")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Load balancers probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", "1")
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", "1")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging: everything to standard output, one line per request -------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        },
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # The request log below replaces Django's own per-request lines.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# --- Cache ---------------------------------------------------------------------
# REDIS_URL (e.g. redis://127.0.0.1:6379/1) puts the cache in Redis, shared by every
# gunicorn worker and machine: the production choice (DESIGN.md). Without it, each
# process keeps its own memory cache; that is safe only because the page cache's
# keys carry the archive's version from the database (reports/caching.py), so no
# process can serve a page from before the last write.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "archive.cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "archive"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Readers' error reports (reports/error_reports.py) ----------------------------
# Submissions per client address (django-ratelimit, on the default cache: with REDIS_URL
# one count across every worker; without it, each process counts its own).
ERROR_REPORT_RATE = os.environ.get("ERROR_REPORT_RATE", "5/h")
# Behind a proxy every client has the proxy's address: name the header the proxy sets
# to the client's (e.g. HTTP_X_REAL_IP). A header a client could set itself lets it
# choose its own count, so only one the proxy overwrites.
RATELIMIT_IP_META_KEY = os.environ.get("DJANGO_CLIENT_IP_HEADER") or None
# The Redis cache is Django's own (atomic incr), which the library does not list.
SILENCED_SYSTEM_CHECKS += ["django_ratelimit.W001"]
if not REDIS_URL:
    # The per-process memory cache: a limit per worker rather than none.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003"]
# Who is told (a link, never the reader's text) when a report arrives; none by default.
MANAGERS = [("", address) for address in env_list("DJANGO_ERROR_REPORTS_TO", "")]
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", "archive@localhost")

# --- Exports (reports/opendata/limits.py, export_files.py) --------------------------
# Anonymous exports per client address (django-ratelimit, as ERROR_REPORT_RATE), and how
# many may stream at once across every process (slots in the default cache: with
# REDIS_URL, shared by every worker). Staff are not limited.
EXPORT_RATE = os.environ.get("EXPORT_RATE", "30/h")
EXPORT_CONCURRENCY = int(os.environ.get("EXPORT_CONCURRENCY", "4"))
# Where an unfiltered export is kept once built, a file per kind and format at the
# archive's current version; empty keeps none (every export is then streamed).
EXPORT_CACHE_DIR = os.environ.get("EXPORT_CACHE_DIR", str(BASE_DIR / "var" / "exports"))

# The archive's own name, shown in the header and in "Cite this" lines.
ARCHIVE_NAME = os.environ.get("ARCHIVE_NAME", "Political Violence Report Archive")
# Largest source document accepted by the importer, in bytes.
ARCHIVE_MAX_DOCUMENT_BYTES = int(os.environ.get("ARCHIVE_MAX_DOCUMENT_BYTES", 5 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = ARCHIVE_MAX_DOCUMENT_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = ARCHIVE_MAX_DOCUMENT_BYTES + 1024 * 1024

# --- Open data: the read-only JSON API and its OpenAPI schema (reports/api/) ---
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Anonymous and read-only: no session, so no CSRF and no login state in the API.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    # JSON only (no browsable API), written by orjson: the standard library's encoder was a
    # large part of a list's time.
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    # As DRF's own encoder wrote them: a UTC time ends in "Z", and the Decimals a field
    # gives as numbers (coordinates) are numbers, not strings.
    "ORJSON_RENDERER_OPTIONS": (orjson.OPT_UTC_Z,),
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{ARCHIVE_NAME} API",
    "DESCRIPTION": "Read-only access to the archive's published reports, incidents, "
    "groups and citations.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links put a link inside each operation's toggle button, a control within a
    # control that screen readers cannot reach.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "ENUM_NAME_OVERRIDES": {
        "DatePrecisionEnum": "reports.models.DatePrecision",
        "RelationKindEnum": "reports.models.RelationKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "reports.opendata.api.schema.error_responses",
    ],
}
