"""A small but real Flask site, mounted in myframework by the WSGI bridge tests.

``create_app()`` returns a fresh application each time, so tests never share
state (sessions are signed cookies; nothing is stored server-side).
"""
from __future__ import annotations

import datetime
import gzip
import hashlib
import io

from flask import (
    Flask,
    Response,
    abort,
    jsonify,
    redirect,
    render_template_string,
    request,
    send_file,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

SECRET_KEY = "flask-site-test-secret"
# A PNG signature plus bytes that are not UTF-8: a body that must travel as base64.
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4 + b"\x00\xff\xfe"
FILE_BYTES = bytes(reversed(range(256))) * 16
GZIP_TEXT = "compressed text, already gzip-encoded by the app. " * 20
# A fixed date, so the Set-Cookie values are the same from one run to the next.
COOKIE_EXPIRES = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)

HTML_TEMPLATE = """<!doctype html>
<html><head><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><p>Hello, {{ who }}!</p></body></html>"""


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=SECRET_KEY, PROPAGATE_EXCEPTIONS=False, TESTING=False)

    @app.get("/json")
    def json_view() -> Response:
        return jsonify(framework="flask", items=[1, 2, 3], text="caf\u00e9")

    @app.get("/html")
    def html_view() -> str:
        return render_template_string(HTML_TEMPLATE, title="Flask page",
                                      who=request.args.get("who", "world"))

    @app.get("/redirect")
    def redirect_view() -> BaseResponse:
        return redirect(url_for("json_view"))

    @app.get("/urls")
    def urls_view() -> Response:
        return jsonify(external=url_for("json_view", _external=True),
                       relative=url_for("json_view"),
                       with_arg=url_for("hello", name="x y"),
                       script_root=request.script_root,
                       path=request.path)

    @app.get("/cookies/set")
    def set_cookies() -> Response:
        response = jsonify(set=["first", "second", "third"])
        response.set_cookie("first", "1")
        response.set_cookie("second", "two", path="/", httponly=True)
        response.set_cookie("third", "3", expires=COOKIE_EXPIRES, samesite="Lax")
        return response

    @app.get("/cookies/read")
    def read_cookies() -> Response:
        return jsonify(dict(request.cookies))

    @app.get("/session")
    def session_counter() -> Response:
        session["count"] = session.get("count", 0) + 1
        return jsonify(count=session["count"])

    @app.post("/upload")
    def upload() -> Response:
        uploaded = request.files["file"]
        data = uploaded.read()
        return jsonify(filename=uploaded.filename, size=len(data),
                       sha256=hashlib.sha256(data).hexdigest(),
                       content_type=uploaded.content_type,
                       field=request.form.get("field"))

    @app.get("/download/png")
    def download_png() -> Response:
        return Response(PNG_BYTES, mimetype="image/png")

    @app.get("/download/file")
    def download_file() -> Response:
        return send_file(io.BytesIO(FILE_BYTES), mimetype="application/octet-stream",
                         as_attachment=True, download_name="data.bin")

    @app.get("/hello/<name>")
    def hello(name: str) -> Response:
        return jsonify(name=name, args=request.args.to_dict(flat=False), path=request.path)

    @app.get("/missing")
    def missing() -> Response:
        abort(404)

    @app.get("/boom")
    def boom() -> Response:
        raise RuntimeError("the Flask view failed")

    @app.get("/gzip")
    def gzipped() -> Response:
        response = Response(gzip.compress(GZIP_TEXT.encode("utf-8"), mtime=0),
                            mimetype="text/plain")
        response.headers["Content-Encoding"] = "gzip"
        return response

    @app.get("/head-me")
    def head_me() -> Response:
        response = Response("a body HEAD must not carry", mimetype="text/plain")
        response.headers["X-Head-Me"] = "yes"
        return response

    return app
