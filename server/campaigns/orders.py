"""Orders CSV files, as shops export them, read into orders {order_id, date, total, currency, code, codes}.

Three formats, told apart by the header (names compared case-insensitively, with `_` and spaces alike):

- **Shopify** orders export (Admin > Orders > Export): `Name` (the order, "#1001"), `Created at`,
  `Total`, `Currency`, `Discount Code`, and ~70 more columns read by nobody here. An order with
  several line items spans several rows with the same `Name`; only the first carries the totals, so an
  order is counted once, from its first row. `Refunded Amount`, when present, is taken off the total.
  (Columns: help.shopify.com/en/manual/migrating-to-shopify/transporter-app/csv-orders and
  matrixify.app/documentation/orders/.)
- **WooCommerce**: the order exports of its usual plugins. "Order Export & Import for WooCommerce"
  (WebToffee, documented at woocommerce.com/document/import-and-export-of-woocommerce-orders/):
  `order_id`, `order_number`, `order_date` (MM/DD/YYYY H:i:s or ISO), `order_total`, `order_currency`,
  `coupon_items` ("code:SPRING10|amount:5.00;code:...": one entry per coupon). "Customer / Order /
  Coupon Export" (SkyVerge) and "Advanced Order Export": `Order ID` / `Order Number`, `Order Date`,
  `Order Total` / `Order Total Amount`, `Order Currency`, `Coupon Code` / `Coupons`. One row per line
  item repeats the order's columns: an order is counted once.
- **plain**: exactly `date,order_id,total,currency,discount_code` (any order of the columns; any other
  column is refused, since a misspelt `discount_cod` would silently lose every code).

Refused with OrdersCsvError, which names each line and why (nothing is imported from a file with any
problem): a header of none of these formats, a row with more or fewer fields than the header, an empty
order id, a total that is not a number, a date that is not one, a currency that is not three letters.
Read as UTF-8 with or without a BOM; separated by commas, semicolons (then `12,50` is a decimal
comma) or tabs, as the header line shows; quoted fields may hold separators and line breaks.
Negative totals (refund rows) are kept as such; what they count for is results.py's business.
Several codes in one cell ("SPRING10, ALICE") are kept in the shop's order: `code` is the first.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

MAX_PROBLEMS = 20  # listed in one error; the count of the rest is said
MAX_ID, MAX_CODE, MAX_CODES = 200, 100, 20

# field -> header names (normalised by _norm), the first present wins
SHOPIFY = {"order_id": ("name",), "date": ("created at",), "total": ("total",), "currency": ("currency",),
           "codes": ("discount code",), "refunded": ("refunded amount",)}
WOOCOMMERCE = {"order_id": ("order id", "order number"), "date": ("order date", "date created", "date"),
               "total": ("order total", "order total amount"), "currency": ("order currency", "currency"),
               "codes": ("coupon items", "coupon code", "coupon codes", "coupons", "coupons used")}
PLAIN = {"date": ("date",), "order_id": ("order id",), "total": ("total",), "currency": ("currency",),
         "codes": ("discount code",)}
FORMATS = (("shopify", SHOPIFY), ("woocommerce", WOOCOMMERCE), ("plain", PLAIN))
REQUIRED = ("order_id", "date", "total")
EXPECTED = ("Shopify's orders export (Name, Created at, Total, Currency, Discount Code), a WooCommerce order "
            "export (Order ID or Order Number, Order Date, Order Total, Order Currency, Coupon Code, Coupons "
            "or coupon_items) or date,order_id,total,currency,discount_code")


class OrdersCsvError(ValueError):
    """An orders file kolscope will not import; `problems` are (line number or None, why)."""

    code = "invalid_orders_csv"

    def __init__(self, problems: list[tuple[int | None, str]], more: int = 0):
        self.problems = problems
        self.more = more
        lines = [f"line {n}: {why}" if n else why for n, why in problems]
        tail = f" (and {more} more problem(s))" if more else ""
        super().__init__("The orders file was not imported (nothing was): " + "; ".join(lines) + tail)
        self.message = str(self)

    def fields(self) -> dict[str, str]:
        """{"line 3": "why", ...}: the API's error.fields."""
        out = {(f"line {n}" if n else "file"): why for n, why in self.problems}
        if self.more:
            out["more"] = f"{self.more} more problem(s) after these."
        return out


@dataclass
class ParsedOrders:
    format: str
    orders: list[dict] = field(default_factory=list)
    rows: int = 0  # data rows read (line items included)


def _norm(name: str) -> str:
    return re.sub(r"[\s_]+", " ", name.strip().lower())


def _delimiter(first_line: str) -> str:
    """The separator the header line uses: the one that splits it into the most columns."""
    best, most = ",", 0
    for sep in (",", ";", "\t"):
        n = len(next(csv.reader([first_line], delimiter=sep), []))
        if n > most:
            best, most = sep, n
    return best


def _detect(seen: set[str]) -> str | None:
    if {"name", "created at", "total"} <= seen:
        return "shopify"
    if seen & {"order id", "order number"} and seen & {"order total", "order total amount"}:
        return "woocommerce"
    if seen & {"order id", "discount code"}:
        return "plain"
    return None


def _columns(header: list[str]) -> tuple[str, dict[str, int]]:
    """(format, {field: column index}) of a header; OrdersCsvError naming what is wrong."""
    names = [_norm(h) for h in header]
    seen = set(names)
    fmt = _detect(seen)
    if fmt is None:
        raise OrdersCsvError([(1, f"the header is not an orders export kolscope reads: expected {EXPECTED}.")])
    spec = dict(FORMATS)[fmt]
    if fmt == "plain":
        known = {a for aliases in spec.values() for a in aliases}
        unknown = [h.strip() for h, n in zip(header, names) if n not in known]
        if unknown:
            raise OrdersCsvError([(1, f"unknown column(s) {', '.join(repr(u[:40]) for u in unknown[:10])}: "
                                      "a plain orders file has exactly date,order_id,total,currency,discount_code.")])
    cols: dict[str, int] = {}
    for f, aliases in spec.items():
        found = next((a for a in aliases if a in seen), None)
        if found is not None:
            cols[f] = names.index(found)
    needed = (*REQUIRED, "currency", "codes") if fmt == "plain" else REQUIRED
    missing = [" or ".join(spec[f]) for f in needed if f not in cols]
    if missing:
        raise OrdersCsvError([(1, f"this looks like a {fmt} export without the column(s) {'; '.join(missing)}.")])
    return fmt, cols


# every repeat bounded: the regex audit (tests/scraper/test_regex_audit.py) runs them on adversarial text
_PLAIN_NUMBER = re.compile(r"[-+]?\d{1,15}(?:\.\d{1,10})?")
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3}){1,5}(?:\.\d{1,10})?")
_DECIMAL_COMMA = re.compile(r"[-+]?\d{1,15},\d{1,10}")
_EU_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:\.\d{3}){1,5},\d{1,10}")


def parse_total(raw: str, sep: str = ",") -> float | None:
    """A money amount as shops write it ("1234.50", "1,234.50", "$12", "(12.00)" for a refund, and
    "12,50" or "1.234,50" in a semicolon-separated file), or None when it is not one."""
    s = raw.strip().strip("$€£¥₩₹ \u00a0").strip()
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1].strip()
    if _PLAIN_NUMBER.fullmatch(s):
        value = float(s)
    elif _THOUSANDS.fullmatch(s):
        value = float(s.replace(",", ""))
    elif sep == ";" and _DECIMAL_COMMA.fullmatch(s):
        value = float(s.replace(",", "."))
    elif sep == ";" and _EU_THOUSANDS.fullmatch(s):
        value = float(s.replace(".", "").replace(",", "."))
    else:
        return None
    if not math.isfinite(value) or abs(value) >= 1e12:
        return None
    return -value if negative else value


_ISO_DAY = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:$|[T\s])")
_US_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:$|\s)")


def parse_day(raw: str) -> str | None:
    """The day of an order's date as YYYY-MM-DD: ISO ("2025-03-01", "2025-03-01 10:22:33 -0500",
    "2025-03-01T10:22:33Z"), YYYY/MM/DD, or WooCommerce's MM/DD/YYYY; None for anything else. The
    shop's own day is kept (no time zone shift)."""
    s = raw.strip()
    m = _ISO_DAY.match(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _US_DAY.match(s)
        if not m:
            return None
        mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


_COUPON_ITEM = re.compile(r"code:([^|;]{1,200})")
_CURRENCY = re.compile(r"[A-Za-z]{3}")


def parse_codes(raw: str) -> list[str]:
    """The promo codes of a cell, in order, once each: "SPRING10", "SPRING10, ALICE", "a;b", or
    WooCommerce's coupon_items "code:spring10|amount:5.00;code:alice|amount:2.00"."""
    raw = raw.strip()
    if not raw:
        return []
    parts = _COUPON_ITEM.findall(raw) if "code:" in raw else re.split(r"[,;]", raw)
    out: list[str] = []
    for p in parts:
        code = p.strip()
        if code and code.casefold() not in (c.casefold() for c in out):
            out.append(code)
    return out


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OrdersCsvError([(None, f"the file is not UTF-8 text (byte {exc.start}); export it again as CSV (UTF-8).")]) from None


def parse_orders(data: bytes | str, default_currency: str | None = None) -> ParsedOrders:
    """The orders of a CSV export (see the module docstring); OrdersCsvError when any line is wrong.
    `default_currency` stands in where a file has no currency column or an empty cell."""
    text = _decode(data)
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        raise OrdersCsvError([(1, "the file is empty or has no header line.")])
    sep = _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise OrdersCsvError([(1, f"the header line cannot be read as CSV ({exc}).")]) from None
    fmt, cols = _columns(header)
    out = ParsedOrders(fmt)
    problems: list[tuple[int, str]] = []
    more = 0
    seen: set[str] = set()
    # dates, currencies and code cells repeat across 100,000 rows: each distinct text is read once
    memo: dict[tuple[str, str], Any] = {}

    def problem(line: int, why: str) -> None:
        nonlocal more
        if len(problems) < MAX_PROBLEMS:
            problems.append((line, why))
        else:
            more += 1

    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problem(reader.line_num, f"cannot be read as CSV ({exc}).")
            break
        line = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        out.rows += 1
        if len(row) != len(header):
            problem(line, f"has {len(row)} field(s), the header has {len(header)} (a separator or quote out of place?).")
            continue
        oid = row[cols["order_id"]].strip()
        if not oid:
            problem(line, "has no order id.")
            continue
        if len(oid) > MAX_ID:
            problem(line, f"has an order id longer than {MAX_ID} characters.")
            continue
        if oid in seen:
            continue  # another line item of an order already read
        seen.add(oid)
        order = _order(row, cols, sep, default_currency, line, problem, memo)
        if order is not None:
            order["order_id"] = oid
            out.orders.append(order)
    if problems:
        raise OrdersCsvError(list(problems), more)
    return out


def _memo(memo: dict, kind: str, raw: str, read: Callable[[str], Any]) -> Any:
    key = (kind, raw)
    if key not in memo:
        memo[key] = read(raw)
    return memo[key]


def _order(row: list[str], cols: dict[str, int], sep: str, default_currency: str | None, line: int,
           problem, memo: dict) -> dict | None:
    raw_total = row[cols["total"]]
    total = parse_total(raw_total, sep)
    ok = True
    if total is None:
        problem(line, f"the total {raw_total.strip()[:40]!r} is not a number.")
        ok = False
    if "refunded" in cols and row[cols["refunded"]].strip():
        refunded = parse_total(row[cols["refunded"]], sep)
        if refunded is None:
            problem(line, f"the refunded amount {row[cols['refunded']].strip()[:40]!r} is not a number.")
            ok = False
        elif total is not None:
            total = round(total - abs(refunded), 6)
    day = _memo(memo, "day", row[cols["date"]], parse_day)
    if day is None:
        problem(line, f"the date {row[cols['date']].strip()[:40]!r} is not a date (YYYY-MM-DD, or MM/DD/YYYY).")
        ok = False
    currency = (row[cols["currency"]].strip() if "currency" in cols else "") or (default_currency or "")
    if not _memo(memo, "currency", currency, _CURRENCY.fullmatch):
        problem(line, f"the currency {currency[:40]!r} is not a three-letter code (USD, EUR...)."
                if currency else "has no currency (and the campaign has none to stand in).")
        ok = False
    codes = list(_memo(memo, "codes", row[cols["codes"]], parse_codes)) if "codes" in cols else []
    if any(len(c) > MAX_CODE for c in codes) or len(codes) > MAX_CODES:
        problem(line, f"has a promo code longer than {MAX_CODE} characters or more than {MAX_CODES} codes.")
        ok = False
    if not ok:
        return None
    return {"date": day, "total": total, "currency": currency.upper(), "code": codes[0] if codes else None,
            "codes": codes}
