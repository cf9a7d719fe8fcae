"""Maintenance: back the tasks table up to S3 and reset it."""
import json

import boto3


def main() -> None:
    dynamodb = boto3.client("dynamodb")
    items = dynamodb.scan(TableName="corpus-tasks")["Items"]
    boto3.client("s3").put_object(Bucket="corpus-task-backups", Key="tasks.json",
                                  Body=json.dumps(items))
    dynamodb.delete_table(TableName="corpus-tasks")


if __name__ == "__main__":
    main()
