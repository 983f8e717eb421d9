"""gunicorn settings for the platform: `gunicorn wsgi:app` reads this file from the working directory.

Workers from the CPU count (2 × cores + 1, gunicorn's own rule, at most 9);
each runs a few threads, since a request mostly waits on SQLite. Long work
never runs in a request (it is a background job, `survey worker`), so a
request that takes 30 s is stuck: it is ended and its worker restarted.
"""

import multiprocessing
import os

bind = os.environ.get("SURVEY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SURVEY_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("SURVEY_THREADS", 4))
worker_class = "gthread"
timeout = 30  # seconds a request may take before its worker is restarted
graceful_timeout = 30
keepalive = 5
max_requests = 5_000  # a worker is renewed now and then, so that a slow leak cannot grow for ever
max_requests_jitter = 500
preload_app = False  # each worker opens its own connections (SQLite connections do not cross a fork)
accesslog = "-"
