"""The old bucket-based store; nothing imports it any more."""
import boto3

s3 = boto3.client("s3")


def drop_everything() -> None:
    s3.delete_bucket(Bucket="corpus-legacy-users")
