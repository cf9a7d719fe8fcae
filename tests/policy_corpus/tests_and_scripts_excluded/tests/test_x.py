"""Table housekeeping, tested offline with botocore's Stubber."""
import boto3
from botocore.stub import Stubber


def test_drop_table() -> None:
    client = boto3.client("dynamodb", region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    with Stubber(client) as stubber:
        stubber.add_response("delete_table", {}, {"TableName": "corpus-tasks"})
        client.delete_table(TableName="corpus-tasks")
        stubber.assert_no_pending_responses()
