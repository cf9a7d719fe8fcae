"""The 50-route app of the shared runtime benchmark, on myframework.

``/``, 47 filler routes ``/res{i}/{id}`` registered first (so a router that
scans in order pays for all of them), ``/users/{id}`` and ``POST /items``.
"""
from typing import Any

from myframework import App, Response

app = App("bench")


@app.route("/")
def index() -> dict[str, str]:
    return {"hello": "world"}


def _add_filler(i: int) -> None:
    def view(id: str) -> dict[str, Any]:
        return {"resource": i, "id": id}
    view.__name__ = "res%d" % i
    app.route("/res%d/{id}" % i)(view)


for _i in range(47):
    _add_filler(_i)


@app.route("/users/{id}")
def get_user(id: str) -> dict[str, str]:
    return {"id": id, "name": "user-" + id}


@app.route("/items", methods=["POST"])
def create_item() -> Response:
    return Response(body=app.current_request.json_body, status_code=201)


handler = app
