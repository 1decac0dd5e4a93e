"""Names in any script as readable ASCII, for file names (files.slug): each script read
with the standard transliteration of its language where one exists, else anyascii's
letter-by-letter ASCII. docs/file-names.md has the table, with examples.

Only runs of these scripts are read here; all other text (Latin above all) goes through
anyascii exactly as before, so the file names of Latin-script cities never change.

- Japanese (kana; and kanji when the names are Japanese: there is kana, or the country
  names Japan): modified Hepburn without macrons, words from SudachiPy's dictionary
  ("仙台市" -> "sendai-shi", "東京都" -> "tokyo-to").
- Chinese (other Han characters): Hanyu Pinyin without tones, readings of words from
  pypinyin ("重庆市" -> "chongqingshi"; "西安" -> "xi-an", the syllable mark as "-").
- Korean: Revised Romanization, with its sound changes ("강릉" -> "gangneung").
- Ukrainian (the country names Ukraine, or the names use є, ї or ґ): the national
  transliteration of 2010 ("Київ" -> "kyiv"); other Cyrillic as anyascii reads it
  (close to BGN/PCGN: "Москва" -> "moskva"), soft and hard signs left out.
- Greek: ELOT 743 ("Λευκάδα" -> "lefkada"); Georgian: the national system of 2002
  without the ejectives' apostrophes ("წყალტუბო" -> "tsqaltubo"); Armenian: BGN/PCGN
  ("Երևան" -> "yerevan", "Գյումրի" -> "gyumri").

The Japanese and Chinese readers are imported on first use only, so `import
snapshotpdf.files` (and `snapshotpdf --help`) never loads a dictionary.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from anyascii import anyascii

# The country names that make Han characters Japanese (compared after NFKC and casefold).
JAPAN = {"japan", "日本", "日本国", "nippon", "nihon", "jp", "jpn"}
UKRAINE = {"ukraine", "україна", "ua", "ukr"}
_UKRAINIAN_ONLY = re.compile("[єїґЄЇҐ]")  # letters of Ukrainian and no other Cyrillic alphabet
_KANA_CHAR = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")  # full or half width
_APOSTROPHES = "'\u2019\u02bc"  # inside a Cyrillic word: Ukrainian and Belarusian write one


def ascii_names(parts: Sequence[str]) -> list[str]:
    """Each of parts (country first, when there are two or more) in ASCII, each script
    read as the names' language suggests; letters may keep their case, punctuation stays."""
    japanese = _is_japanese(parts)
    ukrainian = _names_country(parts, UKRAINE) or any(map(_UKRAINIAN_ONLY.search, parts))
    return [_romanize(part, japanese=japanese, ukrainian=ukrainian) for part in parts]


def _is_japanese(parts: Sequence[str]) -> bool:
    return _names_country(parts, JAPAN) or any(map(_KANA_CHAR.search, parts))


def _names_country(parts: Sequence[str], names: set[str]) -> bool:
    return len(parts) >= 2 and unicodedata.normalize("NFKC", parts[0]).strip().casefold() in names


# Enough ASCII of one name for any file name (files.MAX_STEM is 120): a longer name is
# read only this far, so a hostile million-character name costs no more than a real one.
ENOUGH = 1000
# A character of a script read here (a superset of _script's, checked by the tests):
# text without one goes through anyascii whole, at once.
READ_HERE = re.compile(
    "[\u0370-\u03ff\u0400-\u052f\u0531-\u0587\u10a0-\u10ff\u1c90-\u1cbf\u1f00-\u1fff"
    "\u2d00-\u2d2f\u3005\u3006\u303b\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)


def _romanize(text: str, *, japanese: bool, ukrainian: bool) -> str:
    if not READ_HERE.search(text):
        return anyascii(text)
    readers: dict[str | None, Callable[[str], str]] = {
        "ja": japanese_ascii,
        "zh": chinese_ascii,
        "ko": korean_ascii,
        "cyrl": ukrainian_ascii if ukrainian else cyrillic_ascii,
        "grek": greek_ascii,
        "geor": georgian_ascii,
        "armn": armenian_ascii,
        None: anyascii,
    }
    out = ""
    for script, run in _runs(text, japanese):
        out += readers[script](run[:ENOUGH])
        if len(out) >= ENOUGH:
            break
    return out


def _runs(text: str, japanese: bool) -> Iterator[tuple[str | None, str]]:
    """text cut into runs of one script (None: any script read by anyascii as it is), none
    longer than ENOUGH; an apostrophe between two Cyrillic letters is part of their word."""
    start, current = 0, None
    for i, char in enumerate(text):
        script = _script(char, japanese)
        if current == "cyrl" and char in _APOSTROPHES:
            script = "cyrl" if _script(text[i + 1 : i + 2] or " ", japanese) == "cyrl" else None
        if i and (script != current or i - start == ENOUGH):
            yield current, text[start:i]
            start = i
        current = script
    if text:
        yield current, text[start:]


def _script(char: str, japanese: bool) -> str | None:
    code = ord(char)
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return "ja"  # kana, as _KANA_CHAR
    if (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3134F
    ):
        return "ja" if japanese else "zh"
    if japanese and char in "々〆〻":
        return "ja"
    if 0xAC00 <= code <= 0xD7A3:
        return "ko"  # Hangul syllables (lone jamo go to anyascii)
    if 0x0400 <= code <= 0x052F:
        return "cyrl" if char.isalpha() else None
    if 0x0370 <= code <= 0x03FF or 0x1F00 <= code <= 0x1FFF:
        return "grek" if char.isalpha() else None
    if 0x10A0 <= code <= 0x10FF or 0x1C90 <= code <= 0x1CBF or 0x2D00 <= code <= 0x2D2F:
        return "geor" if char.isalpha() else None
    if 0x0531 <= code <= 0x0587:
        return "armn" if char.isalpha() else None
    return None


# Japanese: SudachiPy (Apache-2.0) and its core dictionary (Apache-2.0) read the kanji;
# the kana become modified Hepburn without macrons here.

_SUDACHI_LOCK = threading.Lock()
_CHUNK = 1000  # characters given to the tokenizer at once (it refuses very long input)


@functools.cache
def _sudachi() -> Any:
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.C), SplitMode.A


def japanese_ascii(text: str) -> str:
    """Kana and kanji in modified Hepburn, one word per dictionary word and a word for
    each unit such as 市 (shi) or 区 (ku): "仙台市" -> "sendai-shi", "東京都" -> "tokyo-to"."""
    words: list[str] = []
    with _SUDACHI_LOCK:
        tokenizer, split_a = _sudachi()
        for start in range(0, len(text), _CHUNK):
            for morpheme in tokenizer.tokenize(text[start : start + _CHUNK]):
                words += _words(morpheme, split_a)
    return "-".join(word for word in words if word)


def _words(morpheme: Any, split_a: Any) -> list[str]:
    """A dictionary word in Hepburn: as its parts ("仙台" "市") when their readings make
    the word's reading, else as one word."""
    if morpheme.part_of_speech()[0] in ("補助記号", "空白"):
        return []
    reading = morpheme.reading_form()
    parts = list(morpheme.split(split_a))
    if len(parts) > 1 and "".join(p.reading_form() for p in parts) == reading:
        return [_reading(p.reading_form(), p.surface()) for p in parts]
    return [_reading(reading, morpheme.surface())]


def _reading(reading: str, surface: str) -> str:
    if reading and not _KANA_CHAR.sub("", reading):  # all kana
        return kana_ascii(reading)
    return anyascii(surface)  # a word the dictionary cannot read


_KANA = {
    "ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o",
    "カ": "ka", "キ": "ki", "ク": "ku", "ケ": "ke", "コ": "ko",
    "サ": "sa", "シ": "shi", "ス": "su", "セ": "se", "ソ": "so",
    "タ": "ta", "チ": "chi", "ツ": "tsu", "テ": "te", "ト": "to",
    "ナ": "na", "ニ": "ni", "ヌ": "nu", "ネ": "ne", "ノ": "no",
    "ハ": "ha", "ヒ": "hi", "フ": "fu", "ヘ": "he", "ホ": "ho",
    "マ": "ma", "ミ": "mi", "ム": "mu", "メ": "me", "モ": "mo",
    "ヤ": "ya", "ユ": "yu", "ヨ": "yo",
    "ラ": "ra", "リ": "ri", "ル": "ru", "レ": "re", "ロ": "ro",
    "ワ": "wa", "ヰ": "i", "ヱ": "e", "ヲ": "o", "ン": "n",
    "ガ": "ga", "ギ": "gi", "グ": "gu", "ゲ": "ge", "ゴ": "go",
    "ザ": "za", "ジ": "ji", "ズ": "zu", "ゼ": "ze", "ゾ": "zo",
    "ダ": "da", "ヂ": "ji", "ヅ": "zu", "デ": "de", "ド": "do",
    "バ": "ba", "ビ": "bi", "ブ": "bu", "ベ": "be", "ボ": "bo",
    "パ": "pa", "ピ": "pi", "プ": "pu", "ペ": "pe", "ポ": "po",
    "ヴ": "vu", "ヷ": "va", "ヸ": "vi", "ヹ": "ve", "ヺ": "vo",
    "ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o",
    "ャ": "ya", "ュ": "yu", "ョ": "yo", "ヮ": "wa", "ヵ": "ka", "ヶ": "ke",
}  # fmt: skip
# A kana and a small one after it that make one syllable, beyond the ki + ya = kya kind.
_PAIRS = {
    "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo", "フュ": "fyu",
    "ティ": "ti", "ディ": "di", "トゥ": "tu", "ドゥ": "du", "テュ": "tyu", "デュ": "dyu",
    "ウィ": "wi", "ウェ": "we", "ウォ": "wo", "ヴァ": "va", "ヴィ": "vi", "ヴェ": "ve",
    "ヴォ": "vo", "ヴュ": "vyu", "シェ": "she", "ジェ": "je", "チェ": "che", "ツァ": "tsa",
    "ツィ": "tsi", "ツェ": "tse", "ツォ": "tso", "イェ": "ye", "クァ": "kwa", "クィ": "kwi",
    "クェ": "kwe", "クォ": "kwo", "グァ": "gwa", "スィ": "si", "ズィ": "zi",
}  # fmt: skip
_YOON = {"ャ": "a", "ュ": "u", "ョ": "o"}


def kana_ascii(kana: str) -> str:
    """Kana in modified Hepburn, long vowels written once (トウキョウ -> tokyo, オオサカ ->
    osaka, キュウシュウ -> kyushu; "ei" and "ii" stay), ん as n, っ doubling what follows."""
    kana = unicodedata.normalize("NFKC", kana)  # half-width katakana -> full width
    kana = "".join(chr(ord(c) + 0x60) if 0x3041 <= ord(c) <= 0x3096 else c for c in kana)
    syllables: list[str] = []
    i = 0
    while i < len(kana):
        pair = kana[i : i + 2]
        if pair in _PAIRS:
            syllables.append(_PAIRS[pair])
            i += 2
            continue
        base = _KANA.get(kana[i], "")
        if kana[i + 1 : i + 2] in _YOON and base.endswith("i") and len(base) > 1:
            vowel = _YOON[kana[i + 1]]
            stem = base[:-1] if base.endswith(("shi", "chi", "ji")) else base[:-1] + "y"
            syllables.append(stem + vowel)
            i += 2
            continue
        syllables.append("ッ" if kana[i] == "ッ" else base)  # ー and unknown marks: nothing
        i += 1
    out = ""
    for i, syllable in enumerate(syllables):
        if syllable == "ッ":
            after = next((s for s in syllables[i + 1 :] if s and s != "ッ"), "")
            out += "t" if after.startswith("ch") else after[:1] if after[:1] not in "aiueo" else ""
        else:
            out += syllable
    return out.replace("ou", "o").replace("oo", "o").replace("uu", "u")


# Chinese: pypinyin (MIT) reads each character as the words around it want (重庆: chong).


@functools.cache
def _pinyin() -> Callable[[str], list[str]]:
    from pypinyin import Style, lazy_pinyin

    return functools.partial(lazy_pinyin, style=Style.NORMAL, v_to_u=True)


def chinese_ascii(text: str) -> str:
    """Han characters in Hanyu Pinyin, no tones, syllables joined ("北京市" -> "beijingshi"),
    a syllable that starts with a, o or e after another marked by "-" (西安 -> "xi-an")."""
    out = ""
    for syllable in _pinyin()(text):
        syllable = anyascii(syllable).lower()  # ü -> u; a character it cannot read as before
        if out and syllable[:1] in ("a", "o", "e"):
            out += "-"
        out += syllable
    return out


# Korean: Revised Romanization of Korean (2000), with its sound changes across syllables:
# linking, nasalisation, ㄹ after other consonants, ㄴ+ㄹ -> ll, palatalisation, ㅎ.
# Not marked (as the rules say for nouns): aspiration of ㄱ ㄷ ㅂ before ㅎ (묵호 Mukho).

_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
)  # fmt: skip
_FINALS = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"
_INITIAL_ASCII = {
    "ㄱ": "g", "ㄲ": "kk", "ㄴ": "n", "ㄷ": "d", "ㄸ": "tt", "ㄹ": "r", "ㅁ": "m", "ㅂ": "b",
    "ㅃ": "pp", "ㅅ": "s", "ㅆ": "ss", "ㅇ": "", "ㅈ": "j", "ㅉ": "jj", "ㅊ": "ch", "ㅋ": "k",
    "ㅌ": "t", "ㅍ": "p", "ㅎ": "h",
}  # fmt: skip
# A final as it sounds at the end of a syllable: seven sounds.
_FINAL_ASCII = {
    "ㄱ": "k", "ㄲ": "k", "ㄳ": "k", "ㄺ": "k", "ㅋ": "k", "ㄴ": "n", "ㄵ": "n", "ㄶ": "n",
    "ㄷ": "t", "ㅅ": "t", "ㅆ": "t", "ㅈ": "t", "ㅊ": "t", "ㅌ": "t", "ㅎ": "t",
    "ㄹ": "l", "ㄼ": "l", "ㄽ": "l", "ㄾ": "l", "ㅀ": "l", "ㅁ": "m", "ㄻ": "m",
    "ㅂ": "p", "ㅄ": "p", "ㄿ": "p", "ㅍ": "p", "ㅇ": "ng",
}  # fmt: skip
_K, _T, _P = set("ㄱㄲㄳㄺㅋ"), set("ㄷㅅㅆㅈㅊㅌㅎ"), set("ㅂㅄㄿㅍ")
_L = set("ㄹㄼㄽㄾㅀ")
_NASAL = {**dict.fromkeys(_K, "ㅇ"), **dict.fromkeys(_T, "ㄴ"), **dict.fromkeys(_P, "ㅁ")}
# A final before a vowel: what stays, and the consonant that begins the next syllable.
_LINK = {
    "ㄳ": ("ㄱ", "ㅆ"), "ㄵ": ("ㄴ", "ㅈ"), "ㄶ": ("", "ㄴ"), "ㄺ": ("ㄹ", "ㄱ"),
    "ㄻ": ("ㄹ", "ㅁ"), "ㄼ": ("ㄹ", "ㅂ"), "ㄽ": ("ㄹ", "ㅆ"), "ㄾ": ("ㄹ", "ㅌ"),
    "ㄿ": ("ㄹ", "ㅍ"), "ㅀ": ("", "ㄹ"), "ㅄ": ("ㅂ", "ㅆ"), "ㅇ": ("ㅇ", "ㅇ"), "ㅎ": ("", "ㅇ"),
}  # fmt: skip
_ASPIRATED = {"ㄱ": "ㅋ", "ㄷ": "ㅌ", "ㅈ": "ㅊ", "ㅅ": "ㅆ"}


def korean_ascii(text: str) -> str:
    """Hangul in Revised Romanization: "서울특별시" -> "seoulteukbyeolsi", "종로" ->
    "jongno", "신라" -> "silla", "왕십리" -> "wangsimni"."""
    syllables: list[list[str]] = []  # [initial, vowel in ASCII, final]
    for char in text:
        index = ord(char) - 0xAC00
        vowel = _VOWELS[index % 588 // 28]
        syllables.append([_INITIALS[index // 588], vowel, _FINALS[index % 28].strip()])
    for this, after in itertools.pairwise(syllables):
        _sound_change(this, after)
    out = ""
    previous = ""
    for initial, vowel, final in syllables:
        out += "l" if initial == "ㄹ" and previous in _L else _INITIAL_ASCII[initial]
        out += vowel + _FINAL_ASCII.get(final, "")
        previous = final
    return out


def _sound_change(this: list[str], after: list[str]) -> None:
    final, initial = this[2], after[0]
    if not final:
        return
    if initial == "ㅇ":  # the final is said at the start of the next syllable
        if final in ("ㄷ", "ㅌ", "ㄾ") and after[1] == "i":  # 같이 gachi
            this[2], after[0] = ("ㄹ" if final == "ㄾ" else ""), ("ㅈ" if final == "ㄷ" else "ㅊ")
        else:
            this[2], after[0] = _LINK.get(final, ("", final))
    elif final in ("ㅎ", "ㄶ", "ㅀ") and initial in (*_ASPIRATED, "ㄴ"):
        this[2] = {"ㅎ": "", "ㄶ": "ㄴ", "ㅀ": "ㄹ"}[final]
        if initial == "ㄴ":
            this[2], after[0] = ("ㄹ", "ㄹ") if final == "ㅀ" else ("ㄴ", "ㄴ")
        else:
            after[0] = _ASPIRATED[initial]
    elif initial == "ㄹ":
        if final in ("ㄴ", "ㄵ", "ㄶ"):  # 신라 silla
            this[2] = "ㄹ"
        elif final not in _L:  # 종로 jongno, 왕십리 wangsimni
            this[2], after[0] = _NASAL.get(final, final), "ㄴ"
    elif initial == "ㄴ" and final in _L:  # 설날 seollal
        after[0] = "ㄹ"
    elif initial in ("ㄴ", "ㅁ") and final in _NASAL:  # 백마 baengma
        this[2] = _NASAL[final]


# Cyrillic, Greek, Georgian, Armenian: anyascii, corrected where it leaves the standard.


def cyrillic_ascii(text: str) -> str:
    """anyascii's reading (Москва -> Moskva), without the apostrophes it writes for soft
    and hard signs, which would split a file name: Ульяновск -> Ulyanovsk."""
    return "".join(anyascii(c) for c in text if c not in _APOSTROPHES).replace("'", "")


_UKRAINIAN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "",
}  # fmt: skip
# Letters written one way at the start of a word, another way after it.
_UKRAINIAN_FIRST = {
    "є": ("ye", "ie"), "ї": ("yi", "i"), "й": ("y", "i"), "ю": ("yu", "iu"), "я": ("ya", "ia"),
}  # fmt: skip


def ukrainian_ascii(text: str) -> str:
    """Ukrainian in the national transliteration (Cabinet of Ministers, 2010): Київ ->
    kyiv, Запоріжжя -> zaporizhzhia, Згурівка -> zghurivka; no apostrophes."""
    out = ""
    for i, char in enumerate(text.lower()):
        if char in _UKRAINIAN_FIRST:
            out += _UKRAINIAN_FIRST[char][0 if i == 0 else 1]
        elif char == "г" and out.endswith("z"):
            out += "gh"
        elif char in _UKRAINIAN:
            out += _UKRAINIAN[char]
        elif char not in _APOSTROPHES:
            out += anyascii(char).replace("'", "")  # ы, э, ё, ъ: Russian letters
    return out


_GREEK_VOICELESS = set("θκξπσςτφχψΘΚΞΠΣΤΦΧΨ")


def greek_ascii(text: str) -> str:
    """Greek in ELOT 743: anyascii's reading, with αυ, ευ, ηυ as av, ev, iv (af, ef, if
    before a voiceless consonant or at the end): Ευρώπη -> Evropi, Λευκάδα -> Lefkada."""
    out = ""
    for i, char in enumerate(text):
        before = unicodedata.normalize("NFD", text[i - 1])[0].lower() if i else "-"
        if unicodedata.normalize("NFD", char)[0] in "υΥ" and char not in "ϋΫΰ" and before in "αεη":
            after = text[i + 1 : i + 2]
            out += "f" if not after or after in _GREEK_VOICELESS else "v"
        else:
            out += anyascii(char)
    return out


def georgian_ascii(text: str) -> str:
    """Georgian in the national system of 2002 as place names write it, without the
    apostrophes of ejectives: წყალტუბო -> tsqaltubo, ტყიბული -> tqibuli."""
    return anyascii(text).replace("'", "")


def armenian_ascii(text: str) -> str:
    """Armenian in BGN/PCGN: anyascii's reading, with ու as u, ե and ո at the start of a
    word as ye and vo, և as yev there, ռ as r: Երևան -> yerevan, Գյումրի -> gyumri."""
    text = text.lower()
    out = ""
    i = 0
    while i < len(text):
        char = text[i]
        if text[i : i + 2] == "ու":
            out += "u"
            i += 2
            continue
        if i == 0 and char in "եոև":
            out += {"ե": "ye", "ո": "vo", "և": "yev"}[char]
        else:
            out += "r" if char == "ռ" else anyascii(char)
        i += 1
    return out
