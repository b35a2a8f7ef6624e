from decimal import Decimal


def to_cents(amount: str) -> int:
    return int(Decimal(amount) * 100)
