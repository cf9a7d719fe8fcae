"""The API is split into blueprints in the api package."""
from api.orders import bp as orders

from myframework import App

app = App("corpus")
app.register_blueprint(orders, url_prefix="/v1")


@app.route("/")
def index() -> dict[str, str]:
    return {"service": "orders"}
