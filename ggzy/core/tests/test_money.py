"""The one money type: plain decimal text, at most two decimals, within the column's range, else a Chinese error."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from ggzy.core.errors import DomainError
from ggzy.core.money import CapitalMoney, Money, format_yuan, money_limit, number_text, plain_decimal, yuan

HOSTILE = ["1e15", "1E20", "1e40", "1e400", "NaN", "nan", "Infinity", "-Infinity", "-0.001", "1.234", "-1",
           "0x10", "1_000", "１２３", "12 34", "", "   ", "1.", ".5", "+5", "100000000000000", 1e20, float("nan"),
           float("inf"), Decimal("1E+2"), Decimal("NaN"), True, None, [], {}]


@pytest.mark.parametrize("value", HOSTILE, ids=[repr(v) for v in HOSTILE])
def test_hostile_amounts_are_refused_with_a_chinese_message_naming_the_field(value):
    with pytest.raises(DomainError) as caught:
        yuan(value, field="bond_amount", label="投标保证金")
    assert list(caught.value.errors) == ["bond_amount"]
    assert caught.value.message.startswith("投标保证金")


@pytest.mark.parametrize(("text", "expected"), [
    ("0", "0.00"), ("1234.5", "1234.50"), (" 1,234,567.89 ", "1234567.89"), ("99999999999999.99", "99999999999999.99"),
    (1500, "1500.00"), (Decimal("12.30"), "12.30"), (12.5, "12.50")])
def test_plain_amounts_are_accepted(text, expected):
    assert str(yuan(text)) == expected


def test_the_range_follows_the_column():
    # given registered capital's wider column (max_digits=18)
    assert yuan("9999999999999999.99", max_digits=18) == money_limit(18)
    # then the same figure is too large for an ordinary amount column (max_digits=16)
    with pytest.raises(DomainError, match="超出允许范围"):
        yuan("9999999999999999.99")


@given(st.decimals(min_value=0, max_value=money_limit(), places=2, allow_nan=False, allow_infinity=False))
def test_every_amount_a_column_holds_round_trips(amount):
    assert yuan(f"{amount:f}") == amount
    assert yuan(f"{amount:,f}") == amount


@given(st.text(max_size=30))
def test_any_text_is_parsed_or_refused_but_never_crashes(text):
    try:
        amount = yuan(text)
    except DomainError as exc:
        assert exc.errors
    else:
        assert amount.is_finite() and 0 <= amount <= money_limit()


def test_schema_type_refuses_in_chinese_and_documents_the_range():
    class Payload(BaseModel):
        amount: Money
        capital: CapitalMoney | None = None

    with pytest.raises(ValidationError) as caught:
        Payload(amount="1e20")
    error = caught.value.errors()[0]
    assert error["loc"] == ("amount",) and "科学计数法" in error["msg"]
    schema = Payload.model_json_schema()["properties"]["amount"]
    assert schema["type"] == "string" and schema["pattern"] == r"^[0-9]{1,14}(\.[0-9]{1,2})?$"
    assert Payload(amount="12.3", capital="1000000").capital == Decimal("1000000.00")


def test_numbers_in_messages_are_written_as_people_write_them():
    assert number_text(Decimal("2E+1")) == "20"
    assert number_text(Decimal("66.50")) == "66.5"
    assert number_text(Decimal("70.00")) == "70"
    assert number_text(Decimal("0.00")) == "0"
    assert format_yuan(Decimal("NaN")) == "—" and format_yuan(None) == "—"
    assert format_yuan(Decimal("1234567.8")) == "¥1,234,567.80"


def test_plain_decimal_bounds_name_the_field():
    with pytest.raises(DomainError, match="价格分权重超出允许范围") as caught:
        plain_decimal("100.5", field="lots.0.price_weight", label="价格分权重", maximum=Decimal(100))
    assert "lots.0.price_weight" in caught.value.errors
