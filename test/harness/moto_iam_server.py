"""moto's server, with IAM's resource-level checks for Lambda and CloudWatch alarms.

moto authorizes Lambda and CloudWatch requests against the resource "*" only (S3 it checks by
bucket and key), so a policy that names functions, layers and alarms, as lci generate's do, would
be refused everything. This names the resource each request acts on, as AWS does (Lambda
developer guide, "Resources and conditions for Lambda actions": a function, version or alias ARN;
a layer for PublishLayerVersion and ListLayerVersions, a layer version for GetLayerVersion and
DeleteLayerVersion; "*" for GetAccountSettings), and lets moto match it against the policy.
Everything else is moto as released. Run as: python3 moto_iam_server.py -H 127.0.0.1 -p PORT
"""

import re
import sys

import xmltodict
from urllib.parse import unquote, urlparse

from moto.awslambda.responses import LambdaResponse
from moto.cloudwatch.responses import CloudWatchResponse
from moto.iam.access_control import IAMRequestBase
from moto.s3.responses import S3Response
from moto.server import main


def lambda_resource(self):
    path = unquote(urlparse(self.uri).path)
    base = f"arn:aws:lambda:{self.region}:{self.current_account}"
    qualifier = (self.querystring.get("Qualifier") or [None])[0]
    tags = re.match(r"^/[^/]+/tags/(.+)$", path)
    if tags:
        return tags.group(1)
    layer = re.match(r"^/[^/]+/layers/([^/]+)/versions(?:/([^/]+))?/?$", path)
    if layer:
        name = layer.group(1).split(":layer:")[-1]
        return f"{base}:layer:{name}" + (f":{layer.group(2)}" if layer.group(2) else "")
    fn = re.match(r"^/[^/]+/functions/([^/]+)", path)
    if fn:
        # alias actions act on the function; a Qualifier (a version, an alias) names that one
        name = fn.group(1).split(":function:")[-1]
        if qualifier and ":" not in name:
            name = f"{name}:{qualifier}"
        return f"{base}:function:{name}"
    return "*"


def cloudwatch_resource(self):
    try:
        names = self._get_param("AlarmNames", []) or []
    except Exception:  # noqa: BLE001 - an unparsed request is checked against "*", as moto does
        names = []
    if len(names) == 1:
        return f"arn:aws:cloudwatch:{self.region}:{self.current_account}:alarm:{names[0]}"
    return "*"


def unchecked_signature(self):
    """Signatures are not what is tested here: moto recomputes them from the decoded request and so
    refuses valid SigV4 signatures of queries holding '$' (GetFunction Qualifier=$LATEST)."""


moto_request_init = IAMRequestBase.__init__


def request_init(self, *args, **kwargs):
    """moto names an action after the signing name, CloudWatch's 'monitoring'; IAM calls it 'cloudwatch'."""
    moto_request_init(self, *args, **kwargs)
    if self._action.startswith("monitoring:"):
        self._action = "cloudwatch:" + self._action.split(":", 1)[1]


moto_s3_authorize = S3Response._authenticate_and_authorize_s3_action


def s3_authorize(self, bucket_name=None, key_name=None):
    """DeleteObjects needs s3:DeleteObject on each object it deletes (S3 API reference); moto asks it of the bucket."""
    if key_name is None and self.data.get("Action") == "DeleteObject" and self.is_delete_keys():
        objects = xmltodict.parse(self.body)["Delete"].get("Object", [])
        for o in objects if isinstance(objects, list) else [objects]:
            moto_s3_authorize(self, bucket_name=bucket_name, key_name=o["Key"])
        return
    moto_s3_authorize(self, bucket_name=bucket_name, key_name=key_name)


LambdaResponse._determine_resource = lambda_resource
IAMRequestBase.__init__ = request_init
S3Response._authenticate_and_authorize_s3_action = s3_authorize
IAMRequestBase.check_signature = unchecked_signature
CloudWatchResponse._determine_resource = cloudwatch_resource

if __name__ == "__main__":
    main(sys.argv[1:])
