"""A minimal Django site (no database), mounted in myframework by the WSGI bridge tests.

Django is configured in code: :func:`get_wsgi_app` calls ``settings.configure()``
and ``django.setup()`` the first time, and returns a WSGI application.
"""
from __future__ import annotations

import threading
from typing import Any

SECRET_KEY = "django-site-test-secret-0123456789abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = [
    ".execute-api.us-east-1.amazonaws.com",  # REST and HTTP API default hosts
    ".lambda-url.us-east-1.on.aws",  # Function URLs
    ".elb.amazonaws.com",  # ALB
    "www.example.com",  # a custom domain
    "testserver",
]

ROOT_URLCONF = "tests.apps.django_site.urls"
_lock = threading.Lock()
_configured = False


def configure() -> None:
    """Configure Django for this site, once per process."""
    global _configured
    with _lock:
        if _configured:
            return
        import django
        from django.conf import settings

        if not settings.configured:
            settings.configure(
                DEBUG=False,
                SECRET_KEY=SECRET_KEY,
                ALLOWED_HOSTS=ALLOWED_HOSTS,
                ROOT_URLCONF=ROOT_URLCONF,
                INSTALLED_APPS=[],
                DATABASES={},
                MIDDLEWARE=[
                    "django.contrib.sessions.middleware.SessionMiddleware",
                    "django.middleware.csrf.CsrfViewMiddleware",
                ],
                SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
                USE_TZ=True,
                DEFAULT_CHARSET="utf-8",
                LOGGING_CONFIG=None,  # keep Django's handlers out of the test output
            )
        elif settings.ROOT_URLCONF != ROOT_URLCONF:
            raise RuntimeError("Django was configured elsewhere (ROOT_URLCONF=%r); the WSGI "
                               "bridge tests need %r" % (settings.ROOT_URLCONF, ROOT_URLCONF))
        django.setup()
        _configured = True


def get_wsgi_app() -> Any:
    """A Django WSGI application for this site (configuring Django first if needed)."""
    configure()
    from django.core.handlers.wsgi import WSGIHandler

    return WSGIHandler()
