"""Media files moved with the resource API's managed transfer methods."""
import io
import tempfile

import boto3

from myframework import App

app = App("corpus")
s3 = boto3.resource("s3")
media = s3.Bucket("corpus-media")


@app.route("/media/{name}", methods=["PUT"], content_types=["application/octet-stream"])
def upload_media(name: str) -> dict[str, str]:
    with tempfile.NamedTemporaryFile() as handle:
        handle.write(app.current_request.raw_body)
        handle.flush()
        media.upload_file(handle.name, f"media/{name}")
    return {"key": f"media/{name}"}


@app.route("/thumbnails/{name}")
def thumbnail(name: str) -> bytes:
    buffer = io.BytesIO()
    s3.Object("corpus-thumbs", f"thumbs/{name}").download_fileobj(buffer)
    return buffer.getvalue()


@app.route("/media/{name}/publish", methods=["POST"])
def publish(name: str) -> dict[str, str]:
    s3.Bucket("corpus-published").copy({"Bucket": "corpus-media", "Key": f"media/{name}"},
                                       f"public/{name}")
    return {"published": f"public/{name}"}
