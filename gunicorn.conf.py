"""gunicorn reads this file from the working directory: `gunicorn tillit.wsgi`.

Workers come from WEB_CONCURRENCY (gunicorn's own convention, default 2 here). Before any
worker starts, the master refuses to start when the workers would not share the cache that
the join and respondent limits count in (see tillit/checks.py).
"""

import os

wsgi_app = "tillit.wsgi"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Behind a proxy that sets X-Forwarded-*: trust it only from the addresses listed here.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def on_starting(server) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tillit.settings")
    import django

    django.setup()
    from tillit.checks import shared_cache_messages

    problems = [m for m in shared_cache_messages(server.cfg.workers) if m.is_serious()]
    if problems:
        raise SystemExit("\n".join(f"{m.id}: {m.msg} {m.hint}" for m in problems))


def post_worker_init(worker) -> None:
    # Load the URLs, the reverse tables and the comparison's templates before the first
    # request instead of during it (see assessments.views.compare.warm_up).
    from assessments.views.compare import warm_up

    warm_up()
