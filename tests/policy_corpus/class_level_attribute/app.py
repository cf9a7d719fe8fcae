"""User profiles: the table and the SNS client are class attributes."""
from typing import Any

import boto3

from myframework import App, NotFoundError

app = App("corpus")
TABLE = "corpus-profiles"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:corpus-profile-changes"


class Profiles:
    table = boto3.resource("dynamodb").Table(TABLE)
    sns = boto3.client("sns")

    def get(self, user_id: str) -> dict[str, Any] | None:
        return self.table.get_item(Key={"id": user_id}).get("Item")

    @classmethod
    def delete(cls, user_id: str) -> None:
        cls.table.delete_item(Key={"id": user_id})
        cls.sns.publish(TopicArn=TOPIC_ARN, Message=f"deleted {user_id}")


@app.route("/profiles/{user_id}")
def get_profile(user_id: str) -> dict[str, Any]:
    profile = Profiles().get(user_id)
    if profile is None:
        raise NotFoundError(user_id)
    return profile


@app.route("/profiles/{user_id}", methods=["PUT"])
def put_profile(user_id: str) -> dict[str, str]:
    Profiles.table.put_item(Item={"id": user_id, **app.current_request.json_body})
    return {"id": user_id}


@app.route("/profiles/{user_id}", methods=["DELETE"])
def delete_profile(user_id: str) -> dict[str, str]:
    Profiles.delete(user_id)
    return {"deleted": user_id}
