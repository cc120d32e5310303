"""Built-in defaults: the embedded profile (SQLite, in-process limits, mail to the console).

Every key can be overridden by the TOML file named in ``FORUMAPP_CONFIG`` and then by
``FORUMAPP_<KEY>`` environment variables (see :mod:`forumapp.config`).
"""

from datetime import timedelta

#: Site identity shown in the layout and in emails.
SITE_NAME = "forumapp"
SITE_DESCRIPTION = "A friendly place to talk."
#: The endpoint people land on after logging in or out.
HOME_ENDPOINT = "forum.index"

#: Production mode refuses unsafe setups instead of filling in defaults.
PRODUCTION = False

#: Left unset so that a key is generated into the instance folder on first run.
SECRET_KEY: str | None = None

#: ``None`` means SQLite in the instance folder (see :func:`forumapp.database.default_uri`).
SQLALCHEMY_DATABASE_URI: str | None = None
SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
#: How long a write waits for another writer's lock on SQLite before the request answers
#: 503, in milliseconds; well below a worker's timeout.
SQLITE_BUSY_TIMEOUT_MS = 5000
#: How long a page view waits for the write lock to record a reading position or view
#: counts before it leaves them for later (SQLite's busy timeout, PostgreSQL's lock_timeout).
PAGE_WRITE_WAIT_MS = 100

#: Public base URL for absolute links (emails, feeds, the JSON API); required when mail
#: goes out over SMTP. Unset, links use http://127.0.0.1:5000 or the address `forumapp run`
#: serves on; never the request's Host header.
EXTERNAL_URL: str | None = None
#: Host names the site answers to (``.example.org`` takes in its subdomains; ports are not
#: compared); requests naming another host get a 400 (Flask's). ``None``: any host.
TRUSTED_HOSTS: list[str] | None = None

REGISTRATION_ENABLED = True
ACCOUNT_ACTIVATION_REQUIRED = True
REAUTH_WINDOW_SECONDS = 600
#: Admins and moderators without a second factor (an authenticator app) are sent to set
#: one up before they can use the management panel.
TWO_FACTOR_REQUIRED_FOR_STAFF = False
LANGUAGES = {"en": "English"}
DEFAULT_LANGUAGE = "en"
#: The IANA time zone times are shown in for guests and for members who chose none.
DEFAULT_TIMEZONE = "UTC"

#: Token lifetimes, in seconds.
PASSWORD_RESET_TOKEN_MAX_AGE = 3600
ACTIVATION_TOKEN_MAX_AGE = 86400 * 2
#: How long the link that confirms a new email address (and the one that cancels the change) works.
EMAIL_CHANGE_TOKEN_MAX_AGE = 86400

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 1024
#: Argon2id parameters (RFC 9106 "second recommended option" scaled for a web server).
ARGON2_TIME_COST = 3
ARGON2_MEMORY_COST = 65536
ARGON2_PARALLELISM = 4

#: How often each worker looks for settings saved in the admin panel, in seconds.
SETTINGS_CHECK_SECONDS = 5

#: Forum pages.
TOPICS_PER_PAGE = 20
POSTS_PER_PAGE = 20
SEARCH_RESULTS_PER_PAGE = 20
#: Search ranks at most this many of the newest matches a reader may see: ranking costs
#: time for each (about 3 µs per match on SQLite), and a common word is in a fifth of
#: a large forum's posts.
SEARCH_RANKED_MATCHES = 500
#: Posts older than this many days count as read for everyone (bounds unread tracking).
UNREAD_WINDOW_DAYS = 30
#: /new lists, for guests and for members with no earlier visit on record, the topics
#: started in this many days.
NEW_TOPICS_DAYS = 7
#: Members on a page of /members, and whether guests may see that list.
MEMBERS_PER_PAGE = 50
MEMBER_LIST_FOR_GUESTS = True
#: Who's online: people seen within this many minutes. Members' times are kept in memory
#: and written in one statement every PRESENCE_FLUSH_SECONDS at most.
ONLINE_WINDOW_MINUTES = 15
PRESENCE_FLUSH_SECONDS = 60
#: Topic views are counted in memory and written in batches of this size or age.
VIEW_COUNT_FLUSH_EVERY = 100
VIEW_COUNT_FLUSH_SECONDS = 30
#: Flood control: successful posts (topics, replies) per member.
FORUM_POST_LIMIT = "6 per minute"
#: Previews (and forms sent back with errors) per member: each renders Markdown.
FORUM_PREVIEW_LIMIT = "30 per minute"
#: Reports of posts per member.
FORUM_REPORT_LIMIT = "20 per hour"
#: Members' signatures under their posts (also a switch in the admin panel).
SIGNATURES_ENABLED = True
#: Flask-Compress's switch: text responses are compressed unless a reverse proxy does it
#: (see forumapp.look.compression).
COMPRESS_REGISTER = True
#: Saves of the profile and preferences pages per member (each renders Markdown).
ACCOUNT_SETTINGS_LIMIT = "30 per hour"

#: Private messages: participants of one conversation (its starter included), messages
#: or conversations per page, and new conversations per member (each message also takes
#: one post of ``FORUM_POST_LIMIT``).
MESSAGES_MAX_PARTICIPANTS = 10
MESSAGES_PER_PAGE = 20
MESSAGES_CONVERSATION_LIMIT = "20 per day"
#: Members start conversations once they have this many posts and days of membership
#: (also in the admin panel); 0 and 0 let everyone.
MESSAGES_MIN_POSTS = 0
MESSAGES_MIN_ACCOUNT_DAYS = 0
#: Mentions (and quoted posts) of one post that notify: a post naming more notifies the
#: first ones only.
NOTIFICATIONS_MAX_MENTIONS = 10
#: Lines per page of /notifications.
NOTIFICATIONS_PER_PAGE = 30
#: Read notifications older than this many days are deleted.
NOTIFICATIONS_RETENTION_DAYS = 90

#: Personal access tokens for the JSON API one member may hold at once.
API_TOKENS_PER_MEMBER = 20
#: JSON API requests per caller (token, member or address), and per client address.
API_RATE_LIMIT = "300 per minute"
API_ADDRESS_RATE_LIMIT = "600 per minute"

#: Members may have their posts deleted with their account (otherwise the posts stay,
#: shown as written by "deleted user").
ACCOUNT_DELETE_POSTS_ALLOWED = False
#: Downloads of a member's data export (each reads everything they wrote).
ACCOUNT_EXPORT_LIMIT = "3 per hour"

#: Rate limits, in Flask-Limiter's notation.
RATELIMIT_STORAGE_URI = "memory://"
#: Seconds a request waits for the rate-limit storage (Redis) before treating it as down:
#: reads then go on unlimited, writes and logins get a 503 (see forumapp.limit_storage).
RATELIMIT_STORAGE_TIMEOUT = 0.5
RATELIMIT_HEADERS_ENABLED = True
RATELIMIT_ENABLED = True
AUTH_LOGIN_LIMIT = "10 per 5 minutes"
AUTH_LOGIN_ACCOUNT_LIMIT = "5 per 5 minutes"
#: A browser that logged in to an account is remembered this many days (a signed cookie):
#: its failed logins count on a budget of their own, not on the account's shared one.
AUTH_TRUSTED_DEVICE_DAYS = 365
AUTH_REGISTER_LIMIT = "10 per hour"
AUTH_FORGOT_PASSWORD_LIMIT = "5 per 15 minutes"
#: Requests to change the email address per member: each one sends two emails.
ACCOUNT_EMAIL_CHANGE_LIMIT = "5 per hour"
AUTH_ACTIVATION_LIMIT = "5 per 15 minutes"
#: Submissions of the first-run setup form per client address, right code or wrong.
SETUP_LIMIT = "10 per hour"
#: Number of trusted proxies in front of the app setting X-Forwarded-For.
PROXY_FIX_X_FOR = 0
PROXY_FIX_X_PROTO = 0

MAIL_BACKEND = "console"
MAIL_SERVER = "localhost"
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME: str | None = None
MAIL_PASSWORD: str | None = None
MAIL_DEFAULT_SENDER = "forumapp <noreply@localhost>"
MAIL_TIMEOUT = 10
#: Do the work behind "forgot password" and "resend activation" after the response is
#: sent, so that response times do not reveal whether an email was sent (account
#: enumeration by timing). The email itself is always a background job.
MAIL_SEND_ASYNC = True

#: The job queue's storage: ``None`` for the SQLite file ``jobs.sqlite3`` in the instance
#: folder, ``sqlite:////path/to/jobs.sqlite3``, or ``redis://HOST:6379/1`` in production.
JOBS_URL: str | None = None
#: Run each job as it is enqueued, in the process that enqueues it (tests, debugging).
JOBS_IMMEDIATE = False
#: ``forumapp run`` also runs the job consumer in a thread of its own; turn off when a
#: ``forumapp worker`` process runs beside it.
JOBS_IN_PROCESS = True
#: Attempts after the first failed one, and the wait before the first retry in seconds
#: (doubled for each next one: 30 s, 1 min, 2 min, 4 min, 8 min by default).
JOBS_RETRIES = 5
JOBS_RETRY_DELAY = 30
#: A worker's claim on a running job lasts this many seconds (a long job renews it); a job
#: whose worker died is taken back by the periodic relay once it lapses, and run again.
JOBS_LEASE_SECONDS = 300

SESSION_COOKIE_NAME = "forumapp_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_NAME = "forumapp_remember"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_SECURE = False
REMEMBER_COOKIE_DURATION = timedelta(days=30)
#: How long a server-side login session lives without "remember me".
AUTH_SESSION_LIFETIME = timedelta(days=1)

#: Where uploaded files (avatars) are kept: ``None`` for the folder ``uploads`` in the
#: instance folder, another folder, or ``s3://bucket/prefix?endpoint_url=...&region=...``
#: (see :mod:`forumapp.storage.urls`).
STORAGE_URL: str | None = None
#: Largest avatar upload, in bytes, and the most pixels a side of its picture may have.
AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_MAX_SIDE = 4096
#: Avatar uploads and removals per member.
AVATAR_CHANGE_LIMIT = "10 per hour"

WTF_CSRF_TIME_LIMIT = 3600 * 8
#: Room for an avatar upload (AVATAR_MAX_BYTES) and the form around it; text fields are
#: held to MAX_FORM_MEMORY_SIZE.
MAX_CONTENT_LENGTH = 3 * 1024 * 1024
MAX_FORM_MEMORY_SIZE = 256 * 1024
