"""Orders CSV files in the shops' export formats (server/campaigns/orders.py): each format read, an
order spread over line items counted once, and every broken file refused with the line and why."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from server.campaigns.orders import OrdersCsvError, parse_codes, parse_day, parse_orders, parse_total

SHOPIFY = (
    "Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Refunded Amount\n"
    "#1001,a@example.com,paid,2025-03-01 10:22:33 -0500,USD,40.00,5.00,3.00,48.00,ALICE10,4.00,"
    "2025-03-01 10:22:33 -0500,1,\"Mug, blue\",20.00,\n"
    "#1001,a@example.com,,,,,,,,,,2025-03-01 10:22:33 -0500,1,Tea,20.00,\n"
    "#1002,b@example.com,partially_refunded,2025-03-02 09:00:00 -0500,USD,100.00,0,0,100.00,alice10,0,"
    "2025-03-02 09:00:00 -0500,2,Kettle,50.00,30.00\n"
    "#1003,c@example.com,paid,2025-03-02 11:00:00 -0500,USD,12.50,0,0,12.50,,0,2025-03-02 11:00:00 -0500,1,Tea,12.50,\n"
)


def test_shopify_export_counts_each_order_once():
    parsed = parse_orders(SHOPIFY.encode())
    assert parsed.format == "shopify" and parsed.rows == 4
    assert parsed.orders == [
        {"order_id": "#1001", "date": "2025-03-01", "total": 48.0, "currency": "USD", "code": "ALICE10", "codes": ["ALICE10"]},
        {"order_id": "#1002", "date": "2025-03-02", "total": 70.0, "currency": "USD", "code": "alice10", "codes": ["alice10"]},
        {"order_id": "#1003", "date": "2025-03-02", "total": 12.5, "currency": "USD", "code": None, "codes": []},
    ]


def test_woocommerce_webtoffee_columns_with_coupon_items():
    text = ("order_id,order_number,order_date,status,order_total,order_currency,coupon_items\n"
            "501,501,9/6/2025 6:29:00,completed,59.90,EUR,code:spring10|amount:5.00;code:ALICE|amount:2.00\n"
            "502,502,2025-09-07 08:00:00,completed,20,EUR,\n")
    parsed = parse_orders(text)
    assert parsed.format == "woocommerce"
    assert [(o["order_id"], o["date"], o["total"], o["codes"]) for o in parsed.orders] == [
        ("501", "2025-09-06", 59.9, ["spring10", "ALICE"]), ("502", "2025-09-07", 20.0, [])]


def test_woocommerce_named_columns_one_row_per_item_and_semicolons():
    text = ("\ufeffOrder Number;Order Date;Order Status;Order Total Amount;Order Currency;Coupon Code;Item Name\n"
            "7001;2025-04-01 12:00;completed;1.234,50;EUR;ALICE10;Lamp\n"
            "7001;2025-04-01 12:00;completed;1.234,50;EUR;ALICE10;Bulb\n"
            "7002;2025-04-02 12:00;refunded;-19,99;EUR;\"ALICE10; BOB\";Lamp\n")
    parsed = parse_orders(text.encode())
    assert parsed.format == "woocommerce" and parsed.rows == 3
    assert [(o["order_id"], o["total"], o["codes"]) for o in parsed.orders] == [
        ("7001", 1234.5, ["ALICE10"]), ("7002", -19.99, ["ALICE10", "BOB"])]


def test_plain_format_any_column_order_quoted_commas_and_default_currency():
    text = ('order_id,date,total,currency,discount_code\n'
            '"A-1",2025-05-01,"1,200.00",usd,"ALICE10, SPRING"\n'
            'A-2,2025-05-02,(15.00),,ALICE10\n'
            '\n')
    parsed = parse_orders(text, default_currency="EUR")
    assert parsed.format == "plain"
    assert [(o["order_id"], o["total"], o["currency"], o["codes"]) for o in parsed.orders] == [
        ("A-1", 1200.0, "USD", ["ALICE10", "SPRING"]), ("A-2", -15.0, "EUR", ["ALICE10"])]


@pytest.mark.parametrize("text, line, words", [
    ("foo,bar\n1,2\n", 1, "not an orders export"),
    ("date,order_id,total,currency,discount_cod\n", 1, "unknown column(s) 'discount_cod'"),
    ("date,order_id,total,discount_code\n", 1, "without the column(s) currency"),
    ("Order ID,Order Total,Order Currency\n1,2,USD\n", 1, "without the column(s) order date"),
    ("date,order_id,total,currency,discount_code\n2025-01-01,1,abc,USD,X\n", 2, "the total 'abc' is not a number"),
    ("date,order_id,total,currency,discount_code\n2025-02-30,1,5,USD,X\n", 2, "is not a date"),
    ("date,order_id,total,currency,discount_code\n2025-02-03,1,5,US Dollars,X\n", 2, "not a three-letter code"),
    ("date,order_id,total,currency,discount_code\n2025-02-03,,5,USD,X\n", 2, "has no order id"),
    ("date,order_id,total,currency,discount_code\n2025-02-03,1,5,USD\n", 2, "has 4 field(s), the header has 5"),
    ("date,order_id,total,currency,discount_code\n2025-02-03,1,5,USD,X\n2025-02-03,2,5,USD\n", 3, "has 4 field(s)"),
    ("", 1, "empty"),
])
def test_a_broken_file_names_the_line_and_why(text, line, words):
    with pytest.raises(OrdersCsvError) as err:
        parse_orders(text)
    assert any(n == line and words in why for n, why in err.value.problems), err.value.problems
    assert f"line {line}" in err.value.fields()


def test_every_bad_line_is_listed_up_to_a_limit():
    rows = "".join(f"2025-01-01,{i},oops,USD,X\n" for i in range(30))
    with pytest.raises(OrdersCsvError) as err:
        parse_orders("date,order_id,total,currency,discount_code\n" + rows)
    assert len(err.value.problems) == 20 and err.value.more == 10
    assert err.value.fields()["more"] == "10 more problem(s) after these."


def test_not_utf8_is_said_so():
    with pytest.raises(OrdersCsvError, match="not UTF-8"):
        parse_orders("date,order_id,total,currency,discount_code\n2025-01-01,1,5,EUR,CAFÉ\n".encode("latin-1"))


def test_a_quoted_line_break_stays_in_its_field():
    text = 'date,order_id,total,currency,discount_code\n2025-01-01,"A\nB",5,EUR,X\n2025-01-02,C,oops,EUR,X\n'
    with pytest.raises(OrdersCsvError) as err:
        parse_orders(text)
    assert err.value.problems == [(4, "the total 'oops' is not a number.")]


@pytest.mark.parametrize("raw, sep, value", [
    ("12", ",", 12.0), ("-3.5", ",", -3.5), ("$1,234.56", ",", 1234.56), ("€ 9.99", ",", 9.99), ("(4.00)", ",", -4.0),
    ("12,50", ";", 12.5), ("1.234,50", ";", 1234.5), ("12,50", ",", None), ("1e5", ",", None), ("", ",", None),
    ("nan", ",", None), ("99999999999999", ",", None),
])
def test_totals(raw, sep, value):
    assert parse_total(raw, sep) == value


@pytest.mark.parametrize("raw, day", [
    ("2025-03-01", "2025-03-01"), ("2025-03-01T23:59:00Z", "2025-03-01"), ("2025-03-01 10:22:33 -0500", "2025-03-01"),
    ("2025/3/1", "2025-03-01"), ("9/6/2016 6:29:00", "2016-09-06"), ("31/12/2025", None), ("yesterday", None),
    ("2025-13-01", None),
])
def test_days(raw, day):
    assert parse_day(raw) == day


def test_codes():
    assert parse_codes(" A , b;a ") == ["A", "b"]
    assert parse_codes("code:x1|amount:5.00;code:Y2|amount:1") == ["x1", "Y2"]
    assert parse_codes("") == []

HEADERS = ["date,order_id,total,currency,discount_code", "Name,Created at,Total,Currency,Discount Code",
           "Order ID,Order Date,Order Total,Order Currency,Coupons"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(HEADERS), st.text(alphabet=st.sampled_from(list('0123456789-/,;"\n\r .$()abcUSD:|\ufeff\x00')), max_size=300))
def test_any_text_is_orders_or_a_typed_error(header, rest):
    try:
        parsed = parse_orders(header + "\n" + rest)
    except OrdersCsvError as exc:
        assert exc.problems and all(isinstance(why, str) for _, why in exc.problems)
    else:
        assert all(o["order_id"] and o["date"] and len(o["currency"]) == 3 for o in parsed.orders)
