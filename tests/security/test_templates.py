"""No inline script, style or event handler in any template: the CSP would refuse them.

A failing test here means: move the code to a file under static/web/ (data-* attributes carry
values into it) and the style into gecrm.css.
"""

import re
from pathlib import Path

import gecrm

SRC = Path(gecrm.__file__).parent
TEMPLATES = sorted(p for p in SRC.rglob("templates/**/*.html"))

FORBIDDEN = {
    "inline script": re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/json[\"'])[^>]*>", re.I
    ),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "htmx inline handler": re.compile(r"\shx-on[:\-]", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_there_are_templates_to_scan():
    assert len(TEMPLATES) > 20
    assert any(p.name == "base.html" for p in TEMPLATES)


def test_no_template_has_inline_script_style_or_handlers():
    problems = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for what, pattern in FORBIDDEN.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(SRC)}:{line}: {what}: {match.group(0)!r}")
    assert not problems, "\n".join(problems)


def test_the_scan_finds_what_it_looks_for():
    samples = {
        "inline script": "<script>alert(1)</script>",
        "style element": "<style>p{}</style>",
        "style attribute": '<div class="x" style="color:red">',
        "event handler attribute": '<button onclick="go()">',
        "htmx inline handler": '<form hx-on::after-request="x()">',
        "javascript: URL": '<a href="javascript:void(0)">',
    }
    for what, sample in samples.items():
        assert FORBIDDEN[what].search(sample), what
    assert not FORBIDDEN["inline script"].search('<script src="/static/web/x.js" defer></script>')
    assert not FORBIDDEN["inline script"].search('<script type="application/json" id="d">')
    assert not FORBIDDEN["event handler attribute"].search('<input name="donation">')


def test_every_post_form_carries_the_csrf_token():
    forms = re.compile(r"<form\b[^>]*method=[\"']post[\"'][^>]*>(.*?)</form>", re.I | re.S)
    checked = 0
    for path in TEMPLATES:
        for match in forms.finditer(path.read_text(encoding="utf-8")):
            checked += 1
            assert "{% csrf_token %}" in match.group(1), path.relative_to(SRC)
    assert checked >= 5
