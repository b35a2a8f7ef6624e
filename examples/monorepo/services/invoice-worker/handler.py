from acme_common.money import to_cents


def main(event, context):
    return {"invoices": [to_cents(r["amount"]) for r in event.get("Records", [])]}
