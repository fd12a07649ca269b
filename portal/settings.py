"""Settings for the portal: one module, every value from the environment (12-factor).

Every variable is listed in README.md. A bad value stops the process with a message naming it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal import env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.bool_("DEBUG", False)
DEMO_MODE = env.bool_("DEMO_MODE", False)  # allows seed_demo and the payment sandbox
SECRET_KEY = env.str_("SECRET_KEY", "insecure-dev-key-change-me" if DEBUG else None)
if not DEBUG and (SECRET_KEY.startswith("insecure") or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "Environment variable SECRET_KEY must be a random string of at least 50 characters "
        "when DEBUG is off."
    )
ALLOWED_HOSTS = env.list_("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.url_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "portal",
    "procedures",
    "dossiers",
    "payments",
]

# Widgets render through the project's templates, so that templates/django/forms/widgets/ can
# mark the English gloss of a radio or checkbox label (portal/templatetags/gloss.py).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.middleware.RenamedAuthBackendMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.HtmxSignedOutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.RequireMFAForStaffMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "portal.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
                "csp.context_processors.nonce",
                "portal.context_processors.persona",
            ],
            # {% url %} through the cache of reverse(); |thang, the month as official documents write it
            "builtins": ["portal.reverse", "dossiers.printed_dates"],
        },
    },
    {  # only for pages whose rendering time matters (portal/jinja.py); rendered by name
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "portal.jinja.environment",
            "extensions": ["jinja2.ext.i18n"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int_("DB_CONN_MAX_AGE", 60, minimum=0))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The demo's SQLite: a write transaction takes the lock when it begins (not at its first
    # write, which fails at once when another request holds it) and waits up to 20 s for it, so
    # the autosaves a citizen's typing sends while a step is posted queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )

# --- Redis: cache and Celery broker ----------------------------------------------------------
REDIS_URL = env.redis_url("REDIS_URL")
CACHE_URL = env.redis_url("CACHE_URL") or REDIS_URL  # a separate Redis database is allowed
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # no broker: run tasks in-process (demo)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.int_("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = max(1, CELERY_TASK_TIME_LIMIT - 30)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
BEAT_HEARTBEAT_SECONDS = env.int_("BEAT_HEARTBEAT_SECONDS", 60, minimum=5)
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {
        "task": "portal.tasks.beat_heartbeat",
        "schedule": timedelta(seconds=BEAT_HEARTBEAT_SECONDS),
    },
    "payments-reconcile": {
        "task": "payments.tasks.reconcile_payments",
        "schedule": timedelta(minutes=15),
    },
    # dossiers/sweep.py; /healthz fails when its last run is older than 3 intervals
    "deadline-sweep": {
        "task": "dossiers.tasks.deadline_sweep",
        "schedule": timedelta(minutes=5),
    },
    # dossiers/held_uploads.py: files kept for a form's next post and never posted again
    "held-uploads-purge": {
        "task": "dossiers.tasks.held_uploads_purge",
        "schedule": timedelta(hours=6),
    },
}
# /healthz fails when the last beat heartbeat is older than this many intervals.
HEALTHZ_BEAT_MAX_AGE = timedelta(seconds=3 * BEAT_HEARTBEAT_SECONDS)

# --- Auth (django-allauth) -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [  # Django's and allauth's, loading a request's user in one query
    "portal.auth.ModelBackend",
    "portal.auth.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:after_login"
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Cổng DVC] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Cổng DVC"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_LOGIN_ON_GET = False

# A generic OpenID Connect identity provider (VNeID in production), off unless configured.
OIDC_CLIENT_ID = env.str_("OIDC_CLIENT_ID", "")
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"APPS": []}}
if OIDC_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": env.str_("OIDC_PROVIDER_ID", "vneid"),
            "name": env.str_("OIDC_NAME", "VNeID"),
            "client_id": OIDC_CLIENT_ID,
            "secret": env.str_("OIDC_CLIENT_SECRET"),
            "settings": {"server_url": env.str_("OIDC_SERVER_URL")},
        }
    )

# --- E-mail ----------------------------------------------------------------------------------
vars().update(env.email("EMAIL_URL", "consolemail://"))
DEFAULT_FROM_EMAIL = env.str_(
    "DEFAULT_FROM_EMAIL", "Cổng Dịch vụ công <no-reply@dichvucong.example.vn>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- I18n ------------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
FORMAT_MODULE_PATH = ["portal.formats"]  # dates typed day/month/year in both languages
# Our own catalogs, then the Vietnamese translation of django-allauth (it ships none).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_allauth"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str_("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str_("MEDIA_ROOT", str(BASE_DIR / "media")))
# No MEDIA_URL is routed: uploaded files are only served through views that check access.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Payments (payments/providers) ----------------------------------------------------------
# "sandbox": the in-app gateway with a demo secret (demo and tests only); "vnpay": the real one.
PAYMENT_PROVIDER = env.str_("PAYMENT_PROVIDER", "sandbox")
if PAYMENT_PROVIDER not in {"sandbox", "vnpay"}:
    raise ImproperlyConfigured(
        f"Environment variable PAYMENT_PROVIDER={PAYMENT_PROVIDER!r} is invalid: expected sandbox or vnpay."
    )
if PAYMENT_PROVIDER == "sandbox" and not (
    DEBUG or DEMO_MODE or env.bool_("PAYMENT_SANDBOX_ALLOWED", False)
):
    raise ImproperlyConfigured(
        "Environment variable PAYMENT_PROVIDER=sandbox signs with a public demo secret: set "
        "PAYMENT_PROVIDER=vnpay in production (or DEMO_MODE=true / PAYMENT_SANDBOX_ALLOWED=true)."
    )
VNPAY_TMN_CODE = env.str_("VNPAY_TMN_CODE", "")
VNPAY_HASH_SECRET = env.str_("VNPAY_HASH_SECRET", "")
VNPAY_PAYMENT_URL = env.str_("VNPAY_PAYMENT_URL", "")
VNPAY_API_URL = env.str_("VNPAY_API_URL", "")
if PAYMENT_PROVIDER == "vnpay" and not (VNPAY_TMN_CODE and VNPAY_HASH_SECRET):
    raise ImproperlyConfigured(
        "Environment variables VNPAY_TMN_CODE and VNPAY_HASH_SECRET are required with PAYMENT_PROVIDER=vnpay."
    )
PAYMENT_ATTEMPT_MINUTES = env.int_("PAYMENT_ATTEMPT_MINUTES", 15, minimum=1)
PAYMENT_RECONCILE_AFTER_MINUTES = env.int_(
    "PAYMENT_RECONCILE_AFTER_MINUTES", PAYMENT_ATTEMPT_MINUTES + 5, minimum=1
)
PAYMENT_SERVER_IP = env.str_("PAYMENT_SERVER_IP", "127.0.0.1")

# --- Security --------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies in front that append the client's address to X-Forwarded-For (0: none, the
# client is REMOTE_ADDR). Rate limits key on the client's address: django-ratelimit's (public
# look-up) and allauth's (login, sign-up; through portal/adapters.py) both call
# portal/client_ip.py. Too high a number lets a client choose its own address.
TRUSTED_PROXY_COUNT = env.int_("TRUSTED_PROXY_COUNT", 0, minimum=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
RATELIMIT_IP_META_KEY = "portal.client_ip.client_ip"
SECURE_SSL_REDIRECT = env.bool_("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env.int_("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool_("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
# With Redis, sessions are read from the cache and written through to the database: every
# signed-in page saves a database query, and a cache flush logs nobody out. Without it (the
# demo) the cache is per process, which must not hold sessions (a logout in one process would
# not reach the others).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL
    else "django.contrib.sessions.backends.db"
)
X_FRAME_OPTIONS = "DENY"
_VNPAY_DEFAULT = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [
            SELF,
            *([env.str_("OIDC_SERVER_URL", "")] if OIDC_CLIENT_ID else []),
            *(
                [_origin(VNPAY_PAYMENT_URL or _VNPAY_DEFAULT)]
                if PAYMENT_PROVIDER == "vnpay"
                else []
            ),
        ],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
    }
}

# --- Portal ----------------------------------------------------------------------------------
# Public base URL, for links built outside a request (e-mails from tasks, QR codes in PDFs,
# the payment gateway's server-to-server notification).
SITE_URL = env.url_list("SITE_URL", ["http://127.0.0.1:8000"])[0].rstrip("/")
DOSSIER_MAX_TOTAL_MB = env.int_("DOSSIER_MAX_TOTAL_MB", 50, minimum=1)
# "Due soon" in queues, pages and e-mails: at most this many working days left.
DUE_SOON_WORKING_DAYS = env.int_("DUE_SOON_WORKING_DAYS", 1, minimum=0)
OFFICE_TIMEZONE = TIME_ZONE
# Office hours: a dossier received at or after closing, or on a day off, counts from the next
# working day's opening (portal/workdays.py).
OFFICE_OPENS_AT = env.str_("OFFICE_OPENS_AT", "08:00")
OFFICE_CLOSES_AT = env.str_("OFFICE_CLOSES_AT", "17:00")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str_("LOG_LEVEL", "INFO")},
    # WeasyPrint logs several INFO lines per PDF.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
