"""A hit counter, with `from boto3 import resource`."""
from boto3 import resource

from myframework import App

app = App("corpus")
counters = resource("dynamodb").Table("corpus-counters")


@app.route("/hits/{page}", methods=["POST"])
def hit(page: str) -> dict[str, int]:
    response = counters.update_item(
        Key={"page": page},
        UpdateExpression="ADD hits :one",
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_NEW",
    )
    return {"hits": int(response["Attributes"]["hits"])}
