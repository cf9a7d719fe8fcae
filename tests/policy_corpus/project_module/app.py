"""User accounts; the data access lives in storage.py."""
from typing import Any

from storage import load_user, save_user

from myframework import App, NotFoundError

app = App("corpus")


@app.route("/users/{user_id}")
def get_user(user_id: str) -> dict[str, Any]:
    user = load_user(user_id)
    if user is None:
        raise NotFoundError(user_id)
    return user


@app.route("/users/{user_id}", methods=["PUT"])
def put_user(user_id: str) -> dict[str, Any]:
    return save_user(user_id, app.current_request.json_body)
