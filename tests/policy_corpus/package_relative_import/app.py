"""A shop whose order handling is a package with relative imports."""
from typing import Any

from shop import order_status, place_order

from myframework import App

app = App("corpus")


@app.route("/orders", methods=["POST"])
def create_order() -> dict[str, Any]:
    return place_order(app.current_request.json_body)


@app.route("/orders/{order_id}")
def get_order(order_id: str) -> dict[str, Any]:
    return order_status(order_id)
