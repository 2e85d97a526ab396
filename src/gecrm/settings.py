"""Django settings for gecrm.

Every setting that differs between machines comes from the environment and is parsed strictly:
a bad value stops start-up with a message that names the variable.
"""

import os
import re
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(os.environ.get("GECRM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}")
    return value


GECRM_ENV = os.environ.get("GECRM_ENV", "dev").strip() or "dev"
if GECRM_ENV not in {"dev", "production"}:
    raise ImproperlyConfigured(f"GECRM_ENV must be dev or production, not {GECRM_ENV!r}")
PRODUCTION = GECRM_ENV == "production"

DEBUG = env_bool("GECRM_DEBUG", False)
_secret = os.environ.get("GECRM_SECRET_KEY", "")
if not _secret:
    if not DEBUG and PRODUCTION:
        raise ImproperlyConfigured("GECRM_SECRET_KEY must be set in production")
    # Development and test only: production refuses to start without a real key.
    _secret = "dev-insecure-gecrm-key-change-me-in-production-0123456789abcdef"
SECRET_KEY = _secret
ALLOWED_HOSTS = env_list("GECRM_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("GECRM_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "ninja",
    "gecrm.access.axes_app.AxesConfig",  # django-axes, named in Chinese in the admin
    "csp",
    "gecrm.core",
    "gecrm.org",
    "gecrm.customers",
    "gecrm.catalog",
    "gecrm.accounts",
    "gecrm.finance",
    "gecrm.kpi",
    "gecrm.access",
    "gecrm.audit",
    "gecrm.web",
    "gecrm.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "gecrm.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gecrm.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gecrm.core.security.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gecrm.core.middleware.RequestContextMiddleware",
    "gecrm.core.middleware.StaleObjectMiddleware",
    # Last, so that it sees the login view's response and can replace it by the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gecrm.urls"
WSGI_APPLICATION = "gecrm.wsgi.application"

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
                "gecrm.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gecrm.sqlite3'}",
        conn_max_age=env_int("GECRM_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while an import writes; IMMEDIATE takes the write lock when a
    # transaction begins, so a writer waits (up to `timeout` seconds, the busy timeout) instead of
    # failing at once with "database is locked" when it would upgrade a read lock. Reads never
    # write (API token use is recorded at most every 5 minutes, skipped when the database is busy).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("GECRM_SQLITE_TIMEOUT", 20, minimum=1),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": None}  # in-memory test database per run

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [SRC_DIR / "locale"]
FORMAT_MODULE_PATH = ["gecrm.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Vendored third-party assets (Tabler, ECharts) live outside any app.
STATICFILES_DIRS = [SRC_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
# WhiteNoise serves static files in every mode, so `gecrm demo` and `runserver` without DEBUG
# look right; outside production it reads them straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
if WHITENOISE_USE_FINDERS:
    # STATIC_ROOT exists only after collectstatic, which dev does not need. WhiteNoise warns with
    # stacklevel=3, so the warning comes from Django's handler module, not whitenoise's: match
    # the message (this directory only), not the module.
    warnings.filterwarnings(
        "ignore", message=rf"No directory at: {re.escape(str(STATIC_ROOT))}", category=UserWarning
    )

# ---------------------------------------------------------------- login security
# Sessions: a working day at most (absolute, counted from sign-in), ended sooner by closing the
# browser or by GECRM_SESSION_IDLE_MINUTES without a request (gecrm.core.security).
SESSION_ENGINE = "gecrm.core.sessions"
SESSION_COOKIE_AGE = env_int("GECRM_SESSION_AGE", 8 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("GECRM_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
GECRM_SESSION_IDLE_SECONDS = 60 * env_int("GECRM_SESSION_IDLE_MINUTES", 30)  # 0: no idle limit
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sent by gecrm.core.security.SecurityHeadersMiddleware: no page needs these browser features.
GECRM_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Reverse proxies in front of gecrm that append the client address to X-Forwarded-For and set
# X-Forwarded-Proto. 0 (the default): the client address is REMOTE_ADDR and forwarded headers
# are ignored, so a client cannot choose the address its failed logins are counted against.
GECRM_TRUSTED_PROXIES = env_int("GECRM_TRUSTED_PROXIES", 0)
if GECRM_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# HTTPS only in production: cookies never travel in clear, HTTP redirects to HTTPS, and HSTS.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("GECRM_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("GECRM_HSTS_SECONDS", 365 * 24 * 3600) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GECRM_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("GECRM_HSTS_PRELOAD", True)

# Lockout after repeated failed logins (django-axes), counted per username *and* client address:
# one user cannot lock out colleagues behind the same office NAT, and a guesser at one address
# does not lock the real user out elsewhere. A successful login clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("GECRM_LOCKOUT_ENABLED", True)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("GECRM_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("GECRM_LOCKOUT_MINUTES", 15, minimum=1))
AXES_RESET_ON_SUCCESS = True
# Failures during a lockout do not restart the cool-off, so "try again in N minutes" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "gecrm.core.http.client_ip"
AXES_LOCKOUT_CALLABLE = "gecrm.web.login.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Sign-ins and sign-outs are recorded by the audit log; axes keeps only the failure counters.
AXES_DISABLE_ACCESS_LOG = True
# The failure records keep the form data, with these (and the password) masked.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
AXES_VERBOSE = False

# Content-Security-Policy (django-csp): our own files only, no inline script or style anywhere.
# Templates keep scripts in static/web/*.js and styles in gecrm.css (tests/security scans them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Tabler's CSS draws form controls with SVG data: URLs; Swagger UI its icons.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Outgoing e-mail (notifications): off unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("GECRM_EMAIL_HOST", "").strip()
EMAIL_PORT = env_int("GECRM_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("GECRM_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GECRM_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("GECRM_EMAIL_TLS", False)
EMAIL_TIMEOUT = env_int("GECRM_EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("GECRM_EMAIL_FROM", "gecrm@localhost").strip()
# Notifications (team notes, handovers) are e-mailed too when this is on; in-app always.
GECRM_NOTIFY_EMAIL = env_bool("GECRM_NOTIFY_EMAIL", bool(EMAIL_HOST))
if GECRM_NOTIFY_EMAIL and not EMAIL_HOST:
    raise ImproperlyConfigured("GECRM_NOTIFY_EMAIL needs GECRM_EMAIL_HOST (the SMTP server)")
# The address users reach gecrm at, for links in e-mails (https://crm.example.cn).
GECRM_SITE_URL = os.environ.get("GECRM_SITE_URL", "").strip().rstrip("/")

# Uploaded spreadsheets: limits checked before parsing.
GECRM_MAX_UPLOAD_BYTES = env_int("GECRM_MAX_UPLOAD_BYTES", 200 * 1024 * 1024, minimum=1)
GECRM_MAX_UNPACKED_BYTES = env_int("GECRM_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GECRM_LOG_LEVEL", "WARNING")},
}
