"""Contact form mail through SES."""
import boto3

from myframework import App

app = App("corpus")
ses = boto3.client("ses")
SENDER = "noreply@example.com"


@app.route("/contact", methods=["POST"])
def contact() -> dict[str, str]:
    form = app.current_request.json_body
    response = ses.send_email(
        Source=SENDER,
        Destination={"ToAddresses": ["support@example.com"]},
        Message={"Subject": {"Data": f"Contact from {form['name']}"},
                 "Body": {"Text": {"Data": form["message"]}}},
    )
    return {"id": response["MessageId"]}
