"""File listing; running the module directly creates the bucket (a developer shortcut)."""
import boto3

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")
BUCKET = "corpus-main"


@app.route("/files")
def list_files() -> list[str]:
    response = s3.list_objects_v2(Bucket=BUCKET)
    return [obj["Key"] for obj in response.get("Contents", [])]


if __name__ == "__main__":
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    print("created", BUCKET)
