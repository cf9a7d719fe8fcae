"""Encrypts and decrypts small secrets with KMS."""
import base64

import boto3

from myframework import App

app = App("corpus")
kms = boto3.client("kms")
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@app.route("/encrypt", methods=["POST"], content_types=["text/plain"])
def encrypt() -> dict[str, str]:
    blob = kms.encrypt(KeyId=KEY_ARN, Plaintext=app.current_request.raw_body)["CiphertextBlob"]
    return {"ciphertext": base64.b64encode(blob).decode()}


@app.route("/decrypt", methods=["POST"])
def decrypt() -> dict[str, str]:
    blob = base64.b64decode(app.current_request.json_body["ciphertext"])
    return {"plaintext": kms.decrypt(CiphertextBlob=blob)["Plaintext"].decode()}
