"""Names in every script become readable ASCII file names: the standard transliteration of
each script and language where there is one (docs/file-names.md), anyascii's letters where
there is none; always a safe, bounded, stable file stem."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snapshotpdf import romanize
from snapshotpdf.files import MAX_STEM, pdf_name, slug
from snapshotpdf.romanize import ENOUGH, READ_HERE, ascii_names, kana_ascii


def test_a_japanese_city_is_read_in_japanese() -> None:
    assert pdf_name("Japan", "仙台市") == "japan-sendai-shi.pdf"  # not xiantaishi
    assert slug("Japan", "東京都") == "japan-tokyo-to"
    assert slug("日本", "東京都") == "nippon-tokyo-to"
    assert slug("Japan", "Sendai") == "japan-sendai"  # Latin as ever


@pytest.mark.parametrize(
    "city, stem",
    [
        ("大阪市", "osaka-shi"),
        ("京都市", "kyoto-shi"),
        ("横浜市", "yokohama-shi"),
        ("名古屋市", "nagoya-shi"),
        ("札幌市", "sapporo-shi"),
        ("神戸市", "kobe-shi"),
        ("北九州市", "kitakyushu-shi"),
        ("八王子市", "hachioji-shi"),
        ("大分市", "oita-shi"),
        ("郡山市", "koriyama-shi"),
        ("四日市市", "yokkaichi-shi"),
        ("十日町市", "tokamachi-shi"),
        ("豊田市", "toyota-shi"),
        ("港区", "minato-ku"),
        ("渋谷区", "shibuya-ku"),
        ("女川町", "onagawa-cho"),
        ("さいたま市", "saitama-shi"),
        ("南アルプス市", "minami-arupusu-shi"),
        ("北海道札幌市中央区", "hokkaido-sapporo-shi-chuo-ku"),
        ("ｾﾝﾀﾞｲ", "sendai"),
    ],
)
def test_japanese_names_in_hepburn(city: str, stem: str) -> None:
    assert slug("Japan", city) == f"japan-{stem}"


JAPAN = [
    "Japan",
    "JAPAN",
    " japan ",
    "日本",
    "日本国",
    "Nippon",
    "nihon",
    "JP",
    "jpn",
    "ＪＡＰＡＮ",
]


@pytest.mark.parametrize("country", JAPAN)
def test_every_name_of_japan_makes_kanji_japanese(country: str) -> None:
    assert ascii_names([country, "仙台市"])[1] == "sendai-shi"


def test_kana_makes_the_names_japanese_whatever_the_country() -> None:
    assert ascii_names(["Ruritania", "さいたま市", "仙台"]) == [
        "Ruritania",
        "saitama-shi",
        "sendai",
    ]
    assert ascii_names(["Ruritania", "仙台市"]) == ["Ruritania", "xiantaishi"]  # Chinese
    assert slug("仙台市") == "xiantaishi"  # one name: no country to say it is Japanese


@pytest.mark.parametrize(
    "kana, ascii",
    [
        ("トウキョウ", "tokyo"),
        ("オオサカ", "osaka"),
        ("キュウシュウ", "kyushu"),
        ("ニイガタ", "niigata"),
        ("ケイセイ", "keisei"),
        ("シンバシ", "shinbashi"),
        ("マッチャ", "matcha"),
        ("ホッカイドウ", "hokkaido"),
        ("ベップ", "beppu"),
        ("ニューヨーク", "nyuyoku"),
        ("ヴェネツィア", "venetsia"),
        ("ふじさん", "fujisan"),
        ("ぢづ", "jizu"),
        ("ッ", ""),
        ("ー", ""),
    ],
)
def test_kana_in_modified_hepburn_without_macrons(kana: str, ascii: str) -> None:
    assert kana_ascii(kana) == ascii


@pytest.mark.parametrize(
    "city, stem",
    [
        ("서울", "seoul"),
        ("부산", "busan"),
        ("대구", "daegu"),
        ("인천", "incheon"),
        ("광주", "gwangju"),
        ("대전", "daejeon"),
        ("울산", "ulsan"),
        ("서울특별시", "seoulteukbyeolsi"),
        ("부산광역시", "busangwangyeoksi"),
        ("세종", "sejong"),
        ("수원", "suwon"),
        ("청주", "cheongju"),
        ("제주", "jeju"),
        ("천안", "cheonan"),
        ("의정부", "uijeongbu"),
        ("평택", "pyeongtaek"),
        ("목포", "mokpo"),
        ("속초", "sokcho"),
        ("포항", "pohang"),
        ("정읍", "jeongeup"),
        ("강릉", "gangneung"),  # ㅇ + ㄹ: n
        ("종로", "jongno"),
        ("신라", "silla"),  # ㄴ + ㄹ: ll
        ("울릉", "ulleung"),
        ("대관령", "daegwallyeong"),
        ("청량리", "cheongnyangni"),
        ("왕십리", "wangsimni"),  # ㅂ + ㄹ: m n
        ("백마", "baengma"),
        ("설악", "seorak"),  # ㄹ before a vowel: r
        ("같이", "gachi"),
        ("묵호", "mukho"),  # a noun: ㄱ + ㅎ not aspirated
        ("좋고", "joko"),
        ("대한민국", "daehanminguk"),
    ],
)
def test_korean_names_in_revised_romanization(city: str, stem: str) -> None:
    assert slug("대한민국", city) == f"daehanminguk-{stem}"


@pytest.mark.parametrize(
    "city, stem",
    [
        ("北京", "beijing"),
        ("北京市", "beijingshi"),
        ("上海", "shanghai"),
        ("重庆", "chongqing"),  # 重 as in the word, not zhong
        ("长沙", "changsha"),
        ("厦门", "xiamen"),
        ("成都", "chengdu"),
        ("佛山", "foshan"),
        ("蚌埠", "bengbu"),
        ("广州", "guangzhou"),
        ("西安", "xi-an"),  # Xi'an: the syllable mark
        ("哈尔滨", "ha-erbin"),
        ("吕梁", "luliang"),  # ü: u
        ("臺北", "taibei"),
    ],
)
def test_chinese_names_in_pinyin(city: str, stem: str) -> None:
    assert slug("中国", city) == f"zhongguo-{stem}"


@pytest.mark.parametrize(
    "parts, names",
    [
        (["Россия", "Москва"], ["Rossiya", "Moskva"]),
        (["Россия", "Ульяновск"], ["Rossiya", "Ulyanovsk"]),  # no soft sign: not ul-yanovsk
        (["Россия", "Тверь"], ["Rossiya", "Tver"]),
        (["Ukraine", "Київ"], ["Ukraine", "kyiv"]),
        (["Україна", "Запоріжжя"], ["ukraina", "zaporizhzhia"]),
        (["Ukraine", "Житомир"], ["Ukraine", "zhytomyr"]),
        (["Ukraine", "Львів"], ["Ukraine", "lviv"]),
        (["Ukraine", "Згурівка"], ["Ukraine", "zghurivka"]),
        (["Ukraine", "Знам'янка"], ["Ukraine", "znamianka"]),
        (["Ukraine", "Єнакієве"], ["Ukraine", "yenakiieve"]),
        (["Ελλάδα", "Αθήνα"], ["Ellada", "Athina"]),
        (["Ελλάδα", "Θεσσαλονίκη"], ["Ellada", "Thessaloniki"]),
        (["Ελλάδα", "Λευκάδα"], ["Ellada", "Lefkada"]),
        (["Ελλάδα", "Ναύπλιο"], ["Ellada", "Nafplio"]),
        (["Ελλάδα", "Αυλώνα"], ["Ellada", "Avlona"]),
        (["Ελλάδα", "Ύδρα"], ["Ellada", "Ydra"]),  # υ after no vowel: y
        (["Κύπρος", "Λευκωσία"], ["Kypros", "Lefkosia"]),
        (["საქართველო", "თბილისი"], ["sakartvelo", "tbilisi"]),
        (["საქართველო", "წყალტუბო"], ["sakartvelo", "tsqaltubo"]),  # not ts-q-alt-ubo
        (["Հայաստան", "Երևան"], ["hayastan", "yerevan"]),
        (["Հայաստան", "Գյումրի"], ["hayastan", "gyumri"]),
        (["Հայաստան", "Ոսկեվազ"], ["hayastan", "voskevaz"]),
    ],
)
def test_alphabets_in_their_standard_transliteration(parts: list[str], names: list[str]) -> None:
    assert ascii_names(parts) == names


@pytest.mark.parametrize(
    "parts, stem",
    [
        (("India", "पुणे"), "india-pune"),
        (("India", "मुंबई"), "india-mumbi"),
        (("Bangladesh", "ঢাকা"), "bangladesh-dhaka"),
        (("Thailand", "กรุงเทพมหานคร"), "thailand-krungethphmhankhr"),
        (("Jordan", "عمّان"), "jordan-mn"),
        (("Tunisia", "تونس"), "tunisia-twns"),
        (("Israel", "תל אביב-יפו"), "israel-tl-vyv-yfv"),
        (("Israel", "ירושלים"), "israel-yrvslym"),
    ],
)
def test_scripts_without_a_reading_here_keep_anyascii_letters(
    parts: tuple[str, str], stem: str
) -> None:
    """Devanagari, Bengali, Thai and the abjads: anyascii's letters, as before (stable)."""
    assert slug(*parts) == stem


def test_every_character_read_here_is_in_read_here() -> None:
    """READ_HERE lets text without such a character skip romanize: it must hold them all."""
    for code in range(0x323B0):
        char = chr(code)
        if romanize._script(char, True) or romanize._script(char, False):
            assert READ_HERE.match(char), hex(code)


def test_a_huge_name_is_read_only_so_far() -> None:
    for city in ("北" * 1_000_000, "서" * 1_000_000, "а" * 1_000_000, "北a" * 500_000):
        assert len(ascii_names(["Ruritania", city])[1]) < 4 * ENOUGH
        assert len(slug("Ruritania", city)) == MAX_STEM


def test_the_dictionaries_are_imported_only_for_japanese_or_chinese_names() -> None:
    code = (
        "import sys; from snapshotpdf.files import slug; from snapshotpdf.cli.app import app;"
        "from typer.testing import CliRunner; CliRunner().invoke(app, ['--help']);"
        "slug('Peru', 'Lima'); slug('대한민국', '서울'); slug('Россия', 'Москва');"
        "print(sorted(m for m in ('sudachipy', 'pypinyin') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


SCRIPTS = st.sampled_from(
    "仙台市東京都さいたまカタカナｶﾀｶﾅー々ッ北京重庆서울특별시강릉ㄱМоскваКиївЄґьъ'Ευρώπη"
    "თბილისიԵրևանու आइ ঢাকা กรุงعمّانתל★ -.'ÉéŁłİı"
)
NAMES = st.text(SCRIPTS | st.characters(blacklist_categories=["Cs"]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.lists(NAMES, min_size=1, max_size=3))
def test_any_names_give_a_safe_bounded_stable_stem(parts: list[str]) -> None:
    stem = slug(*parts)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", stem), stem
    assert len(stem) <= MAX_STEM
    assert slug(*parts) == stem
    assert all(name.isascii() for name in ascii_names(parts))
