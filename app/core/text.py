"""Text folding for search: lower case, no Vietnamese diacritics, single spaces."""

import unicodedata

# Đ/đ is a letter of its own, not D plus a combining mark, so NFD leaves it alone.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """'Sở Y tế' → 'so y te'; 'Đạ Huoai' → 'da huoai'."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def escape_like(text: str, escape: str = "\\") -> str:
    """Make % and _ in user input literal in a LIKE pattern."""
    return text.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")
