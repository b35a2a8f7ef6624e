import json

from acme_common.money import to_cents


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    total = to_cents(body.get("amount", "0"))
    return {"statusCode": 200, "body": json.dumps({"total_cents": total})}
