"""A scratch bucket: uploads under tmp/, purged every day."""
import boto3

from myframework import App, Rate

app = App("corpus")
bucket = boto3.resource("s3").Bucket("corpus-scratch")


@app.route("/scratch/{name}", methods=["PUT"], content_types=["application/octet-stream"])
def put_scratch(name: str) -> dict[str, str]:
    bucket.put_object(Key=f"tmp/{name}", Body=app.current_request.raw_body)
    return {"key": f"tmp/{name}"}


@app.schedule(Rate(1, unit=Rate.DAYS))
def purge(event: object) -> None:
    bucket.objects.filter(Prefix="tmp/").delete()
