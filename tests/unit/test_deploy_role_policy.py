"""The role's inline policy must fit IAM's limit: a clear error before any call."""
from __future__ import annotations

import boto3
import pytest

from myframework.deploy.aws import Aws, DeployError
from myframework.deploy.desired import Desired
from myframework.deploy.kinds import Observed
from myframework.deploy.kinds.functions import INLINE_POLICY_LIMIT, RoleKind

pytestmark = pytest.mark.usefixtures("no_aws_environment")


def test_a_policy_over_the_inline_limit_stops_before_calling_aws() -> None:
    session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="x",
                                    aws_secret_access_key="y")
    aws = Aws(session, sleep=lambda seconds: None)
    aws.account = "123456789012"
    statements = [{"Effect": "Allow", "Action": ["s3:GetObject"],
                   "Resource": ["arn:aws:s3:::bucket-%04d/*" % n for n in range(400)]}]
    config = {"RoleName": "big-dev", "Arn": "arn:aws:iam::123456789012:role/big-dev",
              "AssumeRolePolicyDocument": {}, "Policy": {"Version": "2012-10-17",
                                                         "Statement": statements}}
    with pytest.raises(DeployError) as raised:
        RoleKind().update(aws, Desired("role", "role", "IAM role big-dev", config), config,
                          Observed({"RoleName": "big-dev"}, {}), ["Policy"])
    message = str(raised.value)
    assert "over the %d IAM takes" % INLINE_POLICY_LIMIT in message
    assert "gen-policy" in message
    assert aws.calls == 0
