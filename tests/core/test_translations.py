"""The committed catalogues are complete and compiled: every English message has its Chinese."""

import ast
import gettext
import re
from pathlib import Path

import pytest

import gecrm

LOCALE = Path(gecrm.__file__).parent / "locale"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Django's own validation messages, reused by the API so that it words errors as forms do:
# Django's catalogue translates them.
DJANGO_OWN = ("core/api.py", "api/main.py")


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (list), flags and references."""
    entries, entry, key = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry if entry is not None else {"flags": set(), "refs": [], "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry["refs"] += [ref.rsplit(":", 1)[0] for ref in line[2:].split()]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(key, int):
                entry["msgstr"][key] += text
            else:
                entry[key] += text
        else:
            name, value = line.split(" ", 1)
            key = int(name[7:-1]) if name.startswith("msgstr[") else 0 if name == "msgstr" else name
            if isinstance(key, int):
                entry["msgstr"][key] = ast.literal_eval(value)
            else:
                entry[key] = ast.literal_eval(value)
    return [e for e in entries if e["msgid"]]  # the header has an empty msgid


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[-#0 +]?\d*(?:\.\d+)?[sdfr]|\{\w*\}", text))


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_catalogue_is_complete_and_compiled(language):
    entries = read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 300
    compiled = gettext.GNUTranslations((LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb"))
    for entry in entries:
        msgid = entry["msgid"]
        assert "fuzzy" not in entry["flags"], msgid
        chinese = bool(CJK.search(msgid)) and not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", msgid)
        needed = (language == "en") == chinese
        django_own = all(ref in DJANGO_OWN for ref in entry["refs"])
        translations = [text for text in entry["msgstr"].values() if text]
        if needed and not django_own:
            assert translations, f"{language}: no translation for {msgid!r}"
        for text in translations:
            assert placeholders(text) == placeholders(msgid), (msgid, text)
            if "msgid_plural" not in entry:
                found = (
                    compiled.pgettext(entry["msgctxt"], msgid)
                    if "msgctxt" in entry
                    else compiled.gettext(msgid)
                )
                assert found == text, f"{language}: .mo is stale for {msgid!r}"
