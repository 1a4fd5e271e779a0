"""The project's Celery app for the benchmark's worker.

Every task this worker sends (the e-mail queued once a certificate is ready) goes to the
benchmark's private queue, like the tasks the benchmark sends: no other worker on the same
Redis takes them, and this worker takes nothing else. Nothing else differs from production.
"""

import os

from config.celery import app

app.conf.task_default_queue = os.environ["CHENGXIN_BENCH_QUEUE"]

__all__ = ["app"]
