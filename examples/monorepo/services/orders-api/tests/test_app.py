from app import handler


def test_total():
    assert handler({"body": '{"amount": "1.25"}'}, None)["body"] == '{"total_cents": 125}'
