"""Report files moved with the client's managed transfer methods."""
import io
import tempfile

import boto3

from myframework import App, Rate

app = App("corpus")
s3 = boto3.client("s3")
REPORTS = "corpus-reports"
ARCHIVE = "corpus-reports-archive"


@app.schedule(Rate(1, unit=Rate.HOURS))
def publish_report(event: object) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".csv") as handle:
        handle.write("id,total\n")
        handle.flush()
        s3.upload_file(handle.name, REPORTS, "reports/latest.csv")


@app.route("/reports/latest")
def latest_report() -> str:
    buffer = io.BytesIO()
    s3.download_fileobj(REPORTS, "reports/latest.csv", buffer)
    return buffer.getvalue().decode()


@app.route("/reports/latest/archive", methods=["POST"])
def archive_report() -> dict[str, str]:
    key = "reports/latest.csv"
    s3.copy({"Bucket": REPORTS, "Key": key}, ARCHIVE, key)
    return {"archived": key}
