"""Notes stored as S3 objects, through the resource's Object."""
import boto3

from myframework import App

app = App("corpus")
s3 = boto3.resource("s3")
BUCKET = "corpus-notes"


@app.route("/notes/{note_id}")
def read_note(note_id: str) -> dict[str, str]:
    body = s3.Object(BUCKET, f"notes/{note_id}.txt").get()["Body"].read()
    return {"id": note_id, "text": body.decode()}


@app.route("/notes/{note_id}", methods=["PUT"], content_types=["text/plain"])
def write_note(note_id: str) -> dict[str, str]:
    s3.Object(BUCKET, f"notes/{note_id}.txt").put(Body=app.current_request.raw_body)
    return {"id": note_id}


@app.route("/notes/{note_id}", methods=["DELETE"])
def delete_note(note_id: str) -> dict[str, str]:
    note = s3.Object(BUCKET, f"notes/{note_id}.txt")
    note.delete()
    return {"deleted": note_id}
