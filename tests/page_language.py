"""Issue 14: every page speaks one language. A page in Chinese or in English is read as a person sees it (icons'
ligature names left out), and no catalog text of the other language may show; in Chinese no English word may
show beyond the few names kept as they are (Excel, the statisticians' names, file types, the language switch's
"English"). tests/test_browser.py checks it on every page it renders, in the same visit."""

from __future__ import annotations

import re
import string

from app import i18n

# English words a Chinese page may show: names and formats, not sentences. Explore lists the warehouse's
# tables by their SQL names, which are identifiers, not words.
KEPT = {
    "English",
    "Excel",
    "Wilson",
    "Laney",
    "Libre",
    "Office",
    "LibreOffice",
    "WPS",
    "Spiegelhalter",
    "zip",
    "csv",
    "xlsx",
}
SQL_NAMES = {
    "callbacks",
    "cases",
    "complaints",
    "dealers",
    "hotline",
    "notices",
    "rejects",
    "repairs",
    "requests",
    "sales",
}
SEEN = """() => {
  const parts = [];
  for (const id of ["stMain", "stSidebar"]) {
    const node = document.querySelector(`[data-testid="${id}"]`);
    if (!node) continue;
    const copy = node.cloneNode(true);
    copy.querySelectorAll('[translate="no"]').forEach(icon => icon.remove());
    document.body.appendChild(copy);          // innerText needs a rendered node
    parts.push(copy.innerText);
    copy.remove();
  }
  return parts.join("\\n");
}"""


def _fragments(text: str) -> list[str]:
    """The literal pieces of a catalog text between its {placeholders}."""
    return [literal.strip() for literal, *_ in string.Formatter().parse(text) if literal and literal.strip()]


def _distinctive(lang: str) -> set[str]:
    """Catalog texts of `lang` that give the language away: a Chinese piece of 3+ characters with 2+ Chinese ones, an
    English piece of 2+ words; none that the other catalog holds too."""
    other = "en" if lang == "zh" else "zh"
    theirs = {piece for key, texts in i18n.STRINGS.items() for piece in _fragments(texts[other])}
    pieces = set()
    for texts in i18n.STRINGS.values():
        for piece in _fragments(texts[lang]):
            if piece in theirs:
                continue
            chinese = lang == "zh" and len(re.findall(r"[\u4e00-\u9fff]", piece)) >= 2 and len(piece) >= 3
            if chinese or (lang == "en" and len(re.findall(r"[A-Za-z]{2,}", piece)) >= 2):
                pieces.add(piece)
    return pieces


def assert_one_language(page, name: str, lang: str) -> None:
    """The page as shown holds no distinctive text of the other language (and, in Chinese, no English word but
    the kept names)."""
    seen = page.evaluate(SEEN)
    other = "en" if lang == "zh" else "zh"
    leaked = sorted(piece for piece in _distinctive(other) if piece in seen)
    assert not leaked, leaked
    if lang == "zh":
        tokens = [token for token in seen.split() if not re.search(r"[._@/\\:=]", token)]  # file names, links
        words = {word for token in tokens for word in re.findall(r"[A-Za-z][a-z]{2,}", token)}
        allowed = KEPT | (SQL_NAMES if name == "explore" else set())
        assert not sorted(words - allowed)
