"""parse_count as a table: every locale and unit a user meets (the issue's list and more)."""

from __future__ import annotations

import pytest

from scraper.counts import int_or_none, parse_count, parse_count_ex

TABLE = [
    # text, lang, value, approximate
    ("1.2M", None, 1_200_000, True),
    ("5.03m subscribers", "en", 5_030_000, True),
    ("16K", None, 16_000, True),
    ("1,234,567", "en", 1_234_567, False),
    ("1.234.567", "de", 1_234_567, False),
    ("1 234 567", "fr", 1_234_567, False),
    ("1\u00a0234\u00a0567 abonnés", "fr", 1_234_567, False),
    ("1\u202f234 abonnés", "fr", 1_234, False),
    ("25 Mio. Abonnenten", "de", 25_000_000, True),
    ("3,4 Tsd.", "de", 3_400, True),
    ("1,2 mil suscriptores", "es", 1_200, True),
    ("1,2 mil inscritos", "pt", 1_200, True),
    ("1,2 mi inscritos", "pt-BR", 1_200_000, True),
    ("2,5 M de suscriptores", "es", 2_500_000, True),
    ("1,5 mil M", "es", 1_500_000_000, True),
    ("1.2万", "zh", 12_000, True),
    ("1.2万 位订阅者", "zh-CN", 12_000, True),
    ("3.4億", "ja", 340_000_000, True),
    ("チャンネル登録者数 1.2万人", "ja", 12_000, True),
    ("1.2만", "ko", 12_000, True),
    ("구독자 1.2만명", "ko", 12_000, True),
    ("12 lakh subscribers", "en-IN", 1_200_000, True),
    ("1.5 crore", "hi", 15_000_000, True),
    ("1,2 тыс.", "ru", 1_200, True),
    ("1,2 млн подписчиков", "ru", 1_200_000, True),
    ("1.2 N", "vi", 1_200, True),
    ("1,2 Tr người đăng ký", "vi", 1_200_000, True),
    ("1,2 rb", "id", 1_200, True),
    ("1,2 jt subscriber", "id", 1_200_000, True),
    ("1,2 B", "tr", 1_200, True),
    ("1,2 Mn abone", "tr", 1_200_000, True),
    ("1.2B", "en", 1_200_000_000, True),
    ("1.234", "de", 1_234, False),
    ("1.234", "en", 1_234, False),   # no unit: an integer in every language
    ("1,234", "de", 1_234, False),
    # a German watch page: the like button and the comments header (issue 10)
    ("469.694", "de", 469_694, False),
    ("469.694", None, 469_694, False),
    ("19.783 Kommentare", None, 19_783, False),
    ("Mag ich – zusammen mit 469.694 anderen Nutzern", "de", 469_694, False),
    # with a unit, a separator before three digits: the page's language decides
    ("1,234 Mio.", "de", 1_234_000, True),
    ("1,234K", "en", 1_234_000, True),
    ("1.234K", "en", 1_234, True),
    ("1.234K", None, 1_234, True),
    ("1,2 Mio.", "de", 1_200_000, True),
    ("1.2M", "de", 1_200_000, True),   # TikTok writes "1.2M" on every language's page
    ("1,234", "en", 1_234, False),
    ("1,5", "de", 2, True),
    ("12 tys.", "pl", 12_000, True),
    ("3,1 mln", "pl", 3_100_000, True),
    ("1,2 Mrd.", "de", 1_200_000_000, True),
    ("2 Md", "fr", 2_000_000_000, True),
    ("10 k abonnés", "fr", 10_000, True),
    ("1.2 แสน", "th", 120_000, True),
    ("٣٤ ألف", "ar", 34_000, True),
    ("12 members", "en", 12, False),
    ("123 Beiträge", "de", 123, False),
    ("No views", "en", 0, False),
    ("19K", None, 19_000, True),
    ("501k", None, 501_000, True),
    # texts of the real TikTok and Instagram pages (meta descriptions, rendered header, grid overlay)
    ("587.5M Likes", "en", 587_500_000, True),
    ("11.2M Followers", "en", 11_200_000, True),
    ("40.4k Followers", "en", 40_400, True),
    ("235.0k Likes", "en", 235_000, True),
    ("1053 Followers", "en", 1_053, False),
    ("1M Followers", "en", 1_000_000, True),
    ("7,883 Posts", "en", 7_883, False),
    ("3,347 Followers", "en", 3_347, False),
    ("1,137,245", None, 1_137_245, False),
    ("1.1M", "en", 1_100_000, True),
    ("20.9K", None, 20_900, True),
    ("1,2 Mio. Follower", "de", 1_200_000, True),
    ("1.234 Beiträge", "de", 1_234, False),
    ("1,5 M seguidores", "es", 1_500_000, True),
    ("12,3 k abonnés", "fr", 12_300, True),
    ("1 234 abonnements", "fr", 1_234, False),
    ("Followers", None, None, False),
    ("", None, None, False),
    (None, None, None, False),
    (42, None, 42, False),
]


@pytest.mark.parametrize("text,lang,value,approx", TABLE)
def test_parse_count_table(text, lang, value, approx):
    assert parse_count_ex(text, lang) == (value, approx)
    assert parse_count(text, lang) == value


def test_language_decides_ambiguous_units():
    assert parse_count("1,2 B", "tr") == 1_200
    assert parse_count("1.2 B", "en") == 1_200_000_000
    assert parse_count("1.234", "de") == 1_234
    assert parse_count("1.234", "en") == 1_234
    assert parse_count("1,234 Mio.", "de") == 1_234_000
    assert parse_count("1,234 Mio.", "en") == 1_234_000_000


# yt-dlp's own parse_count table (test/test_utils.py), every row: no language given.
YT_DLP_TABLE = [
    (None, None), ("", None), ("0", 0), ("1000", 1000), ("1.000", 1000), ("1.1k", 1100),
    ("1.1 k", 1100), ("1,1 k", 1100), ("1.1kk", 1_100_000), ("1.1kk ", 1_100_000),
    ("1,1kk", 1_100_000), ("100 views", 100), ("1,100 views", 1100), ("1.1kk views", 1_100_000),
    ("10M views", 10_000_000), ("has 10M views", 10_000_000),
]


@pytest.mark.parametrize("text,value", YT_DLP_TABLE)
def test_yt_dlp_parse_count_table(text, value):
    assert parse_count(text) == value


def test_linear_time_on_long_texts():
    # one scan for the number whatever follows it: separators without a closing digit, a digit run
    for text in ("1" + ".," * 500_000, "9" * 1_000_000, "x" * 1_000_000, "1 " * 500_000 + "k"):
        assert parse_count_ex(text, "de") is not None  # returns (no hang); values are beside the point


@pytest.mark.parametrize("value,expected", [(5, 5), ("123", 123), (" 7 ", 7), ("1.2M", None), (True, None),
                                            (None, None), (3.0, 3), (float("nan"), None)])
def test_int_or_none(value, expected):
    assert int_or_none(value) == expected
