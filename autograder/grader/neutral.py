"""Neutralise text a student controls before it leaves the grader.

Folder names, grade_ids, exception messages, notes and printed output end up in a
terminal, a spreadsheet, JSON and HTML. Whatever they hold, what the grader writes has no
control characters (so no terminal escape sequences), no bidi overrides or other invisible
format characters, no lone surrogates and no line breaks where one line is expected: each
such character is shown as a Python-style escape (`\\x1b`, `\\u202e`). Bytes of a file
name that are not UTF-8 (surrogate-escaped by `os.listdir`) are shown as `\\xNN`, so two
different names never look the same (`visible` also escapes the backslash for that).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@")
ELLIPSIS = "..."


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x80:
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\x{code:02x}")
    if 0xDC80 <= code <= 0xDCFF:        # a non-UTF-8 byte of a file name
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _clean(text: str, keep: str = "", backslash: bool = False) -> str:
    if text.isprintable() and not (backslash and "\\" in text):
        return text
    out = []
    for char in text:
        if char == "\\" and backslash:
            out.append("\\\\")
        else:
            # str.isprintable: False for Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs except " "
            out.append(char if char.isprintable() or char in keep else _escape(char))
    return "".join(out)


def _cut(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[:max(0, limit - len(ELLIPSIS))] + ELLIPSIS


def visible(name: object) -> str:
    """A name (student id, file name) shown unambiguously: different names stay different."""
    return _clean(str(name), backslash=True)


def one_line(text: object, limit: int | None = 300) -> str:
    """A single-line field (status, message, note): every non-printable char escaped."""
    return _cut(_clean(str(text)), limit)


def block(text: object, limit: int | None = 20_000) -> str:
    """Multi-line output (printed text): keeps newlines and tabs, escapes the rest."""
    return _cut(_clean(str(text).replace("\r\n", "\n"), keep="\n\t"), limit)


def csv_cell(text: object, limit: int | None = 1000) -> str:
    """A one-line csv cell a spreadsheet shows as text, never evaluates as a formula."""
    cell = one_line(text, limit)
    return "'" + cell if cell.lstrip(" ").startswith(FORMULA_STARTS) else cell
