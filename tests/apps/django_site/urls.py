"""ROOT_URLCONF of the test Django site."""
from django.urls import path

from . import views

urlpatterns = [
    path("json", views.json_view, name="json"),
    path("html", views.html_view, name="html"),
    path("redirect", views.redirect_view, name="redirect"),
    path("urls", views.urls_view, name="urls"),
    path("cookies/set", views.set_cookies, name="set-cookies"),
    path("cookies/read", views.read_cookies, name="read-cookies"),
    path("session", views.session_counter, name="session"),
    path("upload", views.upload, name="upload"),
    path("download/png", views.download_png, name="download-png"),
    path("download/file", views.download_file, name="download-file"),
    path("hello/<str:name>", views.hello, name="hello"),
    path("missing", views.missing, name="missing"),
    path("boom", views.boom, name="boom"),
    path("gzip", views.gzipped, name="gzip"),
    path("head-me", views.head_me, name="head-me"),
]
