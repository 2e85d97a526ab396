"""Pinyin keys of customer names, so `dadi` and `ddyh` find 大地银行.

`name_keys("大地银行（深圳）")` → `("dadiyinhangshenzhen", "ddyhsz")`: the full pinyin letters and
the initials, lower-case ASCII letters and digits only (punctuation and spaces dropped; a Latin or
digit run such as `ABC` or `5G` is kept whole in both). Polyphonic characters follow pypinyin's
phrase dictionary (银行 → yin hang, 重庆 → chong qing). Both keys are stored on `Customer`
(indexed) and searched by prefix; the list sorts names by the full key.
"""

import functools
import re

from pypinyin import Style, lazy_pinyin

# Longest stored keys: a prefix search needs only the beginning of a long name.
PINYIN_MAX = 255
INITIALS_MAX = 200

_NOT_KEY = re.compile(r"[^a-z0-9]+")
_FOREIGN = "\x00"  # marks a run that is not Chinese (kept whole, also in the initials)


def _foreign(chunk: str) -> str:
    return _FOREIGN + chunk


@functools.lru_cache(maxsize=65536)
def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name; cached, since imports and the demo repeat names."""
    full, initials = [], []
    for item in lazy_pinyin(name or "", style=Style.NORMAL, errors=_foreign, v_to_u=False):
        if item.startswith(_FOREIGN):
            text = _NOT_KEY.sub("", item[1:].lower())
            full.append(text)
            initials.append(text)
        else:
            text = _NOT_KEY.sub("", item.lower())
            full.append(text)
            initials.append(text[:1])
    return "".join(full)[:PINYIN_MAX], "".join(initials)[:INITIALS_MAX]


def is_key_query(word: str) -> bool:
    """Whether a search word can be a pinyin key (ASCII letters, at least one, and digits)."""
    return bool(word) and word.isascii() and word.isalnum() and not word.isdigit()
