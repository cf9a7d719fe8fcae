"""Views mirroring tests/apps/flask_site.py."""
from __future__ import annotations

import gzip
import hashlib
import io
from typing import Any

from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4 + b"\x00\xff\xfe"
FILE_BYTES = bytes(reversed(range(256))) * 16
GZIP_TEXT = "compressed text, already gzip-encoded by the app. " * 20
# A fixed date as text (a datetime would make Django add a Max-Age counted from now).
COOKIE_EXPIRES = "Wed, 02 Jan 2030 03:04:05 GMT"
HTML_PAGE = """<!doctype html>
<html><head><title>Django page</title></head>
<body><h1>Django page</h1><p>Hello, %s!</p></body></html>"""


def json_view(request: Any) -> Any:
    return JsonResponse({"framework": "django", "items": [1, 2, 3], "text": "caf\u00e9"})


def html_view(request: Any) -> Any:
    from django.utils.html import escape

    return HttpResponse(HTML_PAGE % escape(request.GET.get("who", "world")))


def redirect_view(request: Any) -> Any:
    return redirect(reverse("json"))


def urls_view(request: Any) -> Any:
    return JsonResponse({
        "external": request.build_absolute_uri(reverse("json")),
        "relative": reverse("json"),
        "with_arg": reverse("hello", kwargs={"name": "x y"}),
        "script_name": request.META.get("SCRIPT_NAME"),
        "path": request.path,
        "path_info": request.path_info,
    })


def set_cookies(request: Any) -> Any:
    response = JsonResponse({"set": ["first", "second", "third"]})
    response.set_cookie("first", "1")
    response.set_cookie("second", "two", path="/", httponly=True)
    response.set_cookie("third", "3", expires=COOKIE_EXPIRES, samesite="Lax")
    return response


def read_cookies(request: Any) -> Any:
    return JsonResponse(dict(request.COOKIES))


def session_counter(request: Any) -> Any:
    count = request.session.get("count", 0) + 1
    request.session["count"] = count
    return JsonResponse({"count": count})


@csrf_exempt
def upload(request: Any) -> Any:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    uploaded = request.FILES["file"]
    data = uploaded.read()
    return JsonResponse({
        "filename": uploaded.name, "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content_type": uploaded.content_type,
        "field": request.POST.get("field"),
    })


def download_png(request: Any) -> Any:
    return HttpResponse(PNG_BYTES, content_type="image/png")


def download_file(request: Any) -> Any:
    return FileResponse(io.BytesIO(FILE_BYTES), as_attachment=True, filename="data.bin",
                        content_type="application/octet-stream")


def hello(request: Any, name: str) -> Any:
    args = {key: request.GET.getlist(key) for key in request.GET}
    return JsonResponse({"name": name, "args": args, "path": request.path})


def missing(request: Any) -> Any:
    raise Http404("no such thing")


def boom(request: Any) -> Any:
    raise RuntimeError("the Django view failed")


def gzipped(request: Any) -> Any:
    response = HttpResponse(gzip.compress(GZIP_TEXT.encode("utf-8"), mtime=0),
                            content_type="text/plain")
    response.headers["Content-Encoding"] = "gzip"
    return response


def head_me(request: Any) -> Any:
    response = HttpResponse("a body HEAD must not carry", content_type="text/plain")
    response.headers["X-Head-Me"] = "yes"
    return response
