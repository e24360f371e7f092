"""Settings for exitentry, read from the environment (see .env.example and docs/configuration.md).

Two modes: the embedded default (SQLite, local-memory cache, in-process tasks) that needs no
server, and production (EXITENTRY_ENV=production) which refuses to start without what it needs.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

ENVIRONMENT = env.str("EXITENTRY_ENV", default="development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured("EXITENTRY_ENV must be development, test or production")
PRODUCTION = ENVIRONMENT == "production"

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else _DEV_SECRET)
DEBUG = env.bool("DEBUG", default=ENVIRONMENT == "development")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "core",
    "accounts",
    "guide",
    "persons",
    "documents",
    "staff",
    "notifications",
    "appointments",
    "applications",
    "reception",
    "endorsements",
    "crossings",
    "certificates",
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CSP everywhere, no-store on the API and signed-in pages (static files above keep caching).
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.RequestLogMiddleware",
    # The website's session machinery: an app's or a port's API request passes through it
    # untouched (accounts/middleware.py).
    "accounts.middleware.WebSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.WebAuthenticationMiddleware",
    "accounts.middleware.WebOTPMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "accounts.middleware.WebMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.WebHistoryRequestMiddleware",
    "core.middleware.ProblemJsonMiddleware",
    # Last, as django-axes asks: turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "exitentry.urls"
WSGI_APPLICATION = "exitentry.wsgi.application"

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
                "core.context_processors.site",
            ],
        },
    },
]

# Database: embedded SQLite by default, PostgreSQL in production.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'exitentry.sqlite3'}"),
}


def _conn_max_age(value: str) -> int | None:
    """CONN_MAX_AGE from the environment: seconds, or "none" (the default) for connections kept
    until they fail. A new connection costs its first request 60-180 ms on the crossings data
    (PostgreSQL loads the partitions' descriptions and psycopg prepares each statement again):
    renewed every 60 s, that was the p99 of My crossings (docs/benchmarks.md "Crossings")."""
    value = value.strip().lower()
    if value in ("", "none"):
        return None
    try:
        seconds = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"CONN_MAX_AGE must be a number of seconds or 'none', not {value!r}"
        ) from None
    if seconds < 0:
        raise ImproperlyConfigured("CONN_MAX_AGE must not be negative")
    return seconds


DATABASES["default"].setdefault(
    "CONN_MAX_AGE", _conn_max_age(env.str("CONN_MAX_AGE", default="none"))
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL: readers go on while a writer holds the lock; IMMEDIATE avoids upgrade deadlocks.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DB_PREPARED_STATEMENTS", default=True
):
    # Django's documented OPTIONS for psycopg 3: server-side binding, and psycopg prepares a
    # statement once it ran DB_PREPARE_THRESHOLD times on a connection (hot reads, the ORM's and
    # core.rawsql's alike, are then parsed and planned once per connection).
    # DB_PREPARED_STATEMENTS=false keeps Django's default (client-side binding, nothing
    # prepared) for a pooler without prepared-statement support (docs/deployment.md).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", env.int("DB_PREPARE_THRESHOLD", default=1))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that needs no `SELECT 1` while the connection is
    # quiet (core/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "core.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis in production, local memory by default.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "exitentry",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: Celery + Redis in production; tasks run in-process (eagerly) otherwise.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not PRODUCTION)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
# The queue tasks go to and workers read (docs/configuration.md): beat's periodic tasks and the
# relay's kick after a commit. It was documented but never read, so every kick failed and
# messages waited for the periodic relay.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="exitentry")
# Periodic work (celery beat, production). In the embedded mode, `manage.py appointments_tick`.
CELERY_BEAT_SCHEDULE = {
    "appointments-release-slots": {"task": "appointments.release_slots", "schedule": 3600.0},
    "appointments-mark-no-shows": {"task": "appointments.mark_no_shows", "schedule": 300.0},
    "appointments-check-seat-alerts": {"task": "appointments.check_seat_alerts", "schedule": 60.0},
    "accounts-purge": {"task": "accounts.purge", "schedule": 24 * 3600.0},
    "crossings-partitions": {"task": "crossings.maintain_partitions", "schedule": 24 * 3600.0},
    "endorsements-expire": {"task": "endorsements.expire", "schedule": 3600.0},
}

# Border crossings (docs/scaling.md, docs/api.md "Port API"): kept 10 years, in monthly
# partitions made this many months ahead by the daily job (crossings.maintain_partitions).
CROSSINGS_RETENTION_YEARS = env.int("CROSSINGS_RETENTION_YEARS", default=10)
CROSSINGS_PARTITIONS_AHEAD = env.int("CROSSINGS_PARTITIONS_AHEAD", default=3)
# Ports' secrets are derived from this key and a per-credential salt (crossings.signing): the
# database alone holds no secret. Changing it invalidates every port credential. Unset, a key
# derived from SECRET_KEY is used (so rotating SECRET_KEY would then invalidate them too).
PORT_CREDENTIAL_KEY = env.str("PORT_CREDENTIAL_KEY", default="")
# A signed port request is accepted within this many seconds of its timestamp, once (nonce).
PORT_SIGNATURE_MAX_AGE = env.int("PORT_SIGNATURE_MAX_AGE", default=300)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # Slows attempts on an account that failed too often from anywhere (accounts.lockout).
    "accounts.lockout.SlowdownBackend",
    # Then axes, so a locked-out account + address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated failures, keyed on account AND client address: someone elsewhere
# cannot lock a citizen out, and the lock lifts after the cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Past AXES_FAILURE_LIMIT failures of an account from all addresses together, each attempt on it
# waits STEP seconds more per failure, at most MAX (accounts.lockout): slowed, never locked.
LOGIN_SLOWDOWN_STEP_SECONDS = env.float("LOGIN_SLOWDOWN_STEP_SECONDS", default=1.0)
LOGIN_SLOWDOWN_MAX_SECONDS = env.float("LOGIN_SLOWDOWN_MAX_SECONDS", default=5.0)
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Successful sign-ins are recorded as accounts.LoginEvent (masked number); axes' own access log
# would keep the full username (the phone number) of each.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# axes would otherwise log the username, which for citizens is the full phone number.
AXES_CLIENT_STR_CALLABLE = "accounts.lockout.client_str"
# axes keeps accounts under a keyed hash (no phone number in its tables or logs), and never the
# values of these fields in the request data it records.
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "phone",
    "code",
    "otp_code",
    "csrfmiddlewaretoken",
    "id_number",
    "current_password",
    "new_password",
]
# Sign-in records of axes (attempts, successes, failures) are deleted after this many days
# (`manage.py purge_codes`, and the daily Celery task accounts.purge).
AXES_RETENTION_DAYS = env.int("AXES_RETENTION_DAYS", default=90)
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The client's address: REMOTE_ADDR, or through TRUSTED_PROXY_COUNT reverse proxies the N-th
# address from the right of X-Forwarded-For (core.http.client_address, for every caller).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.http.client_address"

# Passwords: 8 to 128 characters, not common, not guessable (accounts.validators).
AUTH_PASSWORD_VALIDATORS = [
    # Django's own checks, with the project's words (accounts.validators).
    {"NAME": "accounts.validators.PersonalInformationSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator"},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "accounts.validators.CommonPasswordValidator"},
    {"NAME": "accounts.validators.NumericPasswordValidator"},
    {"NAME": "accounts.validators.GuessablePasswordValidator"},
]

# Internationalisation: Simplified Chinese first, English; people's time is Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "exitentry_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"


def _leaflet_dir() -> str:
    import xstatic.pkg.leaflet

    return xstatic.pkg.leaflet.BASE_DIR


# Leaflet comes from a Python package (xstatic-leaflet): no Node.js, no CDN.
STATICFILES_DIRS = [("leaflet", _leaflet_dir())]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, static files are served from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION

# Sessions and security. A session ends after SESSION_IDLE_TIMEOUT seconds without a request
# (accounts.middleware) and SESSION_COOKIE_AGE after sign-in, whatever the activity.
SESSION_COOKIE_AGE = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

# One-time codes and notifications go through pluggable gateways: a file outbox (var/outbox/) in
# development, SMTP for email and an HTTP SMS adapter in production (which refuses the others).
VERIFICATION_SMS_GATEWAY = env.str(
    "VERIFICATION_SMS_GATEWAY",
    default="accounts.gateways.HttpSmsGateway" if PRODUCTION else "accounts.gateways.FileGateway",
)
VERIFICATION_EMAIL_GATEWAY = env.str(
    "VERIFICATION_EMAIL_GATEWAY",
    default="accounts.gateways.SmtpEmailGateway" if PRODUCTION else "accounts.gateways.FileGateway",
)
VERIFICATION_OUTBOX_DIR = env.path("VERIFICATION_OUTBOX_DIR", default=VAR_DIR / "outbox")
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@exitentry.invalid")
# The notifications relay (notifications/relay.py, docs/operations.md).
NOTIFICATIONS_RELAY_ON_COMMIT = env.bool("NOTIFICATIONS_RELAY_ON_COMMIT", default=True)
NOTIFICATIONS_KICK_SECONDS = env.float("NOTIFICATIONS_KICK_SECONDS", default=0.2)
NOTIFICATIONS_BATCH_SIZE = env.int("NOTIFICATIONS_BATCH_SIZE", default=100)
NOTIFICATIONS_SEND_THREADS = env.int("NOTIFICATIONS_SEND_THREADS", default=8)
# Longer than a batch can take: batch / threads x 5 s (the SMS timeout), with a margin.
NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=300)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=3600)

# One-time codes asked for from one client address, all numbers and purposes together
# ("count/seconds"); the per-number limits (1 a minute, 10 a day) count per address as well.
CODE_RATE_PER_ADDRESS = env.str("CODE_RATE_PER_ADDRESS", default="20/3600")
# One-time codes of the whole site ("count/seconds"): a ceiling on the SMS gateway's traffic.
CODE_RATE_OVERALL = env.str("CODE_RATE_OVERALL", default="600/60")
# Bearer tokens for the app and mini-programs.
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)
# …and stop working after this many days without a request.
API_TOKEN_IDLE_DAYS = env.int("API_TOKEN_IDLE_DAYS", default=14)
# A step-up code (before reporting a document lost or changing the password) allows one such
# action within this many seconds.
STEP_UP_SECONDS = env.int("STEP_UP_SECONDS", default=300)
# Staff sign in with a TOTP second factor (django-otp).
OTP_TOTP_ISSUER = "exitentry"
# Person lookups by ID number per staff member ("count/seconds"); over it: 429.
STAFF_LOOKUP_RATE = env.str("STAFF_LOOKUP_RATE", default="30/3600")
# The back-office never shows nor edits a device's secret once enrolled (no key field, no QR
# code view): a lost or exposed device is deleted and enrolled again.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Map on hall pages: a tile server is optional; pages stay useful without one.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="&copy; OpenStreetMap contributors")
# The {s} of MAP_TILE_URL: Tianditu (天地图, which serves mainland China) uses 01234567.
MAP_TILE_SUBDOMAINS = env.str("MAP_TILE_SUBDOMAINS", default="abc")
# Whether the demo data banner shows ("sample data" marking).
SHOW_SAMPLE_DATA_BANNER = env.bool("SHOW_SAMPLE_DATA_BANNER", default=True)

# API pagination bounds.
API_MAX_LIMIT = 100
API_MAX_OFFSET = 100_000

# Logging: one line per request with a request id; JSON in production. No personal data.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.logging.RequestIdFilter"},
        "redact": {"()": "core.logging.RedactFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Requests are logged once by core.middleware.RequestLogMiddleware.
        # Their messages quote the path: masked in the record, before any handler.
        "django.request": {"level": "ERROR", "filters": ["redact"]},
        "django.server": {"level": "WARNING", "filters": ["redact"]},
    },
}

NINJA_PAGINATION_MAX_LIMIT = API_MAX_LIMIT

# Appointments (service 3). Slots are released RELEASE_DAYS ahead at RELEASE_TIME (Beijing time);
# cancelling or rescheduling closes CHANGE_CUTOFF_HOURS before the slot starts.
APPOINTMENT_RELEASE_DAYS = env.int("APPOINTMENT_RELEASE_DAYS", default=7)
APPOINTMENT_RELEASE_TIME = env.str("APPOINTMENT_RELEASE_TIME", default="08:00")
APPOINTMENT_CHANGE_CUTOFF_HOURS = env.int("APPOINTMENT_CHANGE_CUTOFF_HOURS", default=24)
# Capacity of a hall and service without its own ServiceCapacity row.
APPOINTMENT_DEFAULT_COUNTERS = env.int("APPOINTMENT_DEFAULT_COUNTERS", default=2)
APPOINTMENT_DEFAULT_APPLICANTS_PER_HOUR = env.int(
    "APPOINTMENT_DEFAULT_APPLICANTS_PER_HOUR", default=4
)
APPOINTMENT_DEFAULT_SLOT_MINUTES = env.int("APPOINTMENT_DEFAULT_SLOT_MINUTES", default=30)
# No-shows: LIMIT missed appointments within WINDOW_DAYS block booking for BLOCK_DAYS.
APPOINTMENT_NO_SHOW_LIMIT = env.int("APPOINTMENT_NO_SHOW_LIMIT", default=3)
APPOINTMENT_NO_SHOW_WINDOW_DAYS = env.int("APPOINTMENT_NO_SHOW_WINDOW_DAYS", default=180)
APPOINTMENT_NO_SHOW_BLOCK_DAYS = env.int("APPOINTMENT_NO_SHOW_BLOCK_DAYS", default=30)
# Booking attempts ("count/seconds") per account and per client address; over it: 429.
APPOINTMENT_RATE_PER_ACCOUNT = env.str("APPOINTMENT_RATE_PER_ACCOUNT", default="10/60")
APPOINTMENT_RATE_PER_ADDRESS = env.str("APPOINTMENT_RATE_PER_ADDRESS", default="300/60")
# Seat alerts ("tell me when a seat opens") a citizen may keep at once.
APPOINTMENT_MAX_WATCHES = env.int("APPOINTMENT_MAX_WATCHES", default=5)

# The progress lookup without signing in ("count/seconds"; 0 = no limit): attempts per client
# address, and per application number whoever asks (so one number cannot be tried against many
# ID numbers). Over either: 429 with Retry-After.
PROGRESS_LOOKUP_RATE_PER_ADDRESS = env.str("PROGRESS_LOOKUP_RATE_PER_ADDRESS", default="30/60")
PROGRESS_LOOKUP_RATE_PER_NUMBER = env.str("PROGRESS_LOOKUP_RATE_PER_NUMBER", default="10/600")
# The TrueType CJK font the acceptance receipt PDF embeds (as a subset). scripts/ensure_fonts.sh
# installs Debian's fonts-wqy-microhei, whose file this is; a .ttf or a .ttc (first face).
RECEIPT_FONT_PATH = env.str(
    "RECEIPT_FONT_PATH", default="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
)
# Applications: the processing time in working days when the service's guide states none.
APPLICATION_PROCESSING_DAYS = env.int("APPLICATION_PROCESSING_DAYS", default=7)

# Certificates (certificates app): how the authority signs them (docs/configuration.md).
# "embedded": a development CA and signing key made on first use under CERTIFICATES_KEY_DIR;
# "files": the key (PEM or PKCS#12), its certificate and chain from files; "pkcs11": a token.
CERTIFICATES_SIGNER = env.str("CERTIFICATES_SIGNER", default="embedded")
# Production refuses the embedded signer; the benchmarks (a production server on a development
# CA) set this to measure signing. Never set it on a real deployment.
CERTIFICATES_EMBEDDED_SIGNER_IN_PRODUCTION = env.bool(
    "CERTIFICATES_EMBEDDED_SIGNER_IN_PRODUCTION", default=False
)
CERTIFICATES_KEY_DIR = env.path("CERTIFICATES_KEY_DIR", default=VAR_DIR / "certificates")
CERTIFICATES_KEY_FILE = env.str("CERTIFICATES_KEY_FILE", default="")
CERTIFICATES_KEY_PASSPHRASE = env.str("CERTIFICATES_KEY_PASSPHRASE", default="")
CERTIFICATES_CERT_FILE = env.str("CERTIFICATES_CERT_FILE", default="")
CERTIFICATES_CHAIN_FILE = env.str("CERTIFICATES_CHAIN_FILE", default="")
# Revocation data embedded in each signature (B-LT): CRL files (DER or PEM), read at each start.
CERTIFICATES_CRL_FILES = env.list("CERTIFICATES_CRL_FILES", default=[])
# Fetch CRLs/OCSP over the network when signing (the CA's distribution points) instead.
CERTIFICATES_FETCH_REVOCATION = env.bool("CERTIFICATES_FETCH_REVOCATION", default=False)
CERTIFICATES_PKCS11_MODULE = env.str("CERTIFICATES_PKCS11_MODULE", default="")
CERTIFICATES_PKCS11_TOKEN = env.str("CERTIFICATES_PKCS11_TOKEN", default="")
CERTIFICATES_PKCS11_PIN = env.str("CERTIFICATES_PKCS11_PIN", default="")
CERTIFICATES_PKCS11_KEY_LABEL = env.str("CERTIFICATES_PKCS11_KEY_LABEL", default="")
# A timestamp authority (RFC 3161) makes the signatures B-LTA; none: B-LT.
CERTIFICATES_TSA_URL = env.str("CERTIFICATES_TSA_URL", default="")
# The TSA's certificate chain (PEM), when its tokens do not carry it.
CERTIFICATES_TSA_CHAIN_FILE = env.str("CERTIFICATES_TSA_CHAIN_FILE", default="")
# The site's public address: the development CA's CRL is published under it (/trust/ca.crl).
CERTIFICATES_PUBLIC_URL = env.str("CERTIFICATES_PUBLIC_URL", default="http://localhost:8000")
# The QR code's COSE key (ES256, PEM); embedded mode makes one under CERTIFICATES_KEY_DIR.
CERTIFICATES_COSE_KEY_FILE = env.str("CERTIFICATES_COSE_KEY_FILE", default="")
# Verification without signing in: requests per client address ("count/seconds").
CERTIFICATES_VERIFY_RATE_PER_ADDRESS = env.str(
    "CERTIFICATES_VERIFY_RATE_PER_ADDRESS", default="30/60"
)
# Certificates a citizen may have issued ("count/seconds"): each is a signature.
CERTIFICATES_RATE_PER_ACCOUNT = env.str("CERTIFICATES_RATE_PER_ACCOUNT", default="20/3600")
# The largest PDF the verification accepts (bytes).
CERTIFICATES_UPLOAD_MAX_BYTES = env.int("CERTIFICATES_UPLOAD_MAX_BYTES", default=2 * 1024 * 1024)

# Uploaded files (applicants' photos taken at the hall). Never served publicly: staff read them
# through an access-checked, logged view.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media-not-served/"
RECEPTION_PHOTO_MAX_BYTES = env.int("RECEPTION_PHOTO_MAX_BYTES", default=2 * 1024 * 1024)
# How often a process checks whether the hall directory changed (seconds).
GUIDE_DIRECTORY_CHECK_SECONDS = env.float("GUIDE_DIRECTORY_CHECK_SECONDS", default=1.0)
# How often each process asks the shared cache whether the endorsement policy changed.
ENDORSEMENT_POLICY_CHECK_SECONDS = env.float("ENDORSEMENT_POLICY_CHECK_SECONDS", default=1.0)


def _refuse_insecure_production() -> None:
    problems = []
    if len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET:
        problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
    if DEBUG:
        problems.append("DEBUG must be off")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the site's host names")
    if DATABASES["default"]["ENGINE"] != "core.postgresql":  # set above for a PostgreSQL URL
        problems.append("DATABASE_URL must point to PostgreSQL")
    if not REDIS_URL:
        problems.append("REDIS_URL must be set (cache and Celery broker)")
    for name, path in (
        ("VERIFICATION_SMS_GATEWAY", VERIFICATION_SMS_GATEWAY),
        ("VERIFICATION_EMAIL_GATEWAY", VERIFICATION_EMAIL_GATEWAY),
    ):
        if path.rpartition(".")[2] in {"FileGateway", "ConsoleGateway"}:
            problems.append(f"{name} must be a real gateway, not {path} (development only)")
    if CELERY_TASK_ALWAYS_EAGER:
        problems.append("CELERY_TASK_ALWAYS_EAGER must be off (a worker runs the tasks)")
    if CERTIFICATES_SIGNER == "embedded" and not CERTIFICATES_EMBEDDED_SIGNER_IN_PRODUCTION:
        problems.append(
            "CERTIFICATES_SIGNER must be files or pkcs11 (the embedded development CA signs "
            "certificates nobody should trust)"
        )
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))


if PRODUCTION:
    _refuse_insecure_production()

# Texts of the site name used in templates and the OpenAPI document.
SITE_NAME = _("Exit-Entry Online Services")
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
