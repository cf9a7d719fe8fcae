"""Starts an order workflow in Step Functions and reports on executions."""
import json

import boto3

from myframework import App

app = App("corpus")
sfn = boto3.client("stepfunctions")
STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:corpus-order-flow"


@app.route("/workflows", methods=["POST"])
def start() -> dict[str, str]:
    response = sfn.start_execution(stateMachineArn=STATE_MACHINE_ARN,
                                   input=json.dumps(app.current_request.json_body))
    return {"execution": response["executionArn"]}


@app.route("/workflows/status", methods=["POST"])
def status() -> dict[str, str]:
    execution_arn = app.current_request.json_body["execution"]
    return {"status": sfn.describe_execution(executionArn=execution_arn)["status"]}
