"""The one sanitiser for text from an org or a manifest on its way to a terminal, a text file, Markdown or HTML.

A profile name, a label or a manifest string is data, never terminal commands: ESC starts CSI sequences
(``ESC [ 2J`` clears the screen, ``ESC [ 8m`` hides what follows) and OSC sequences (``ESC ] 0;title BEL``
sets the window title; some terminals run OSC 8 hyperlinks or clipboard writes), a carriage return or a
newline lets a value overwrite or forge a line, bidi overrides and isolates reorder what the admin reads
(Trojan Source, https://trojansource.codes/ and Unicode UAX #9, https://www.unicode.org/reports/tr9/), and
zero-width characters make two different names look identical (``Standard\u200bUser``).

``visible(text)`` shows every such character as printable ASCII (``\\x1b``, ``\\n``, ``<U+202E>``; DEL
and C1 controls as ``<U+009B>``) so
that the admin sees that something is there and what it is; nothing is dropped silently. ``visible_lines``
keeps line feeds (for a message that is several lines on purpose). Renderers call it on every string that
comes from an org or a manifest, before they add their own colours. ``hostile_character`` finds the first
such character, for the manifest, which refuses them in the first place.
"""

from __future__ import annotations

import re

# Bidirectional formatting characters (UAX #9 section 2: embeddings, overrides, isolates, marks).
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Invisible characters that change no glyph: zero width space, non-joiner, joiner, word joiner,
# invisible operators, the BOM / zero width no-break space, Mongolian vowel separator, soft hyphen,
# and the line / paragraph separators (a line break to some terminals and editors).
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u2028\u2029"
# C0 controls (with tab, LF, CR and ESC), DEL and the C1 controls (0x9b is a one-byte CSI to some terminals).
_CONTROL = "".join(chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)))

_HOSTILE = re.compile(f"[{re.escape(_CONTROL + _BIDI + _INVISIBLE)}]")
_HOSTILE_KEEP_LF = re.compile(f"[{re.escape(_CONTROL.replace(chr(10), '') + _BIDI + _INVISIBLE)}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _show(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x20 else f"<U+{code:04X}>"


def visible(text: str) -> str:
    """``text`` on one line with every control, bidi and invisible character shown as printable ASCII."""
    return _HOSTILE.sub(_show, text)


def visible_lines(text: str) -> str:
    """Like :func:`visible`, but line feeds stay line feeds (a multi-line message or document)."""
    return _HOSTILE_KEEP_LF.sub(_show, text)


def visible_html(text: str) -> str:
    """An HTML page (or fragment) with the characters shown as ``&lt;U+202E&gt;``: line feeds and tabs
    stay; the ``<U+...>`` form is escaped, so it is text in an element and valid inside a JSON string in a
    ``<script type="application/json">`` block (``tojson`` has already escaped the C0 controls there)."""
    return _HOSTILE_KEEP_LF.sub(_show_html, text)


def _show_html(match: re.Match[str]) -> str:
    char = match.group()
    return char if char == "\t" else f"&lt;U+{ord(char):04X}&gt;"


def hostile_character(text: str, *, allow_lines: bool = False) -> tuple[int, str] | None:
    """The offset and visible form of the first control, bidi or invisible character, or None.

    With ``allow_lines``, tab and line feed are allowed (free text written over several lines)."""
    pattern = _HOSTILE_KEEP_LF if allow_lines else _HOSTILE
    for match in pattern.finditer(text):
        if allow_lines and match.group() == "\t":
            continue
        return match.start(), _show(match)
    return None


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with bidi and invisible characters written
    as ``\\uXXXX`` escapes: the same JSON value, but nothing that reorders or hides text when the JSON is
    shown in a terminal. (json.dumps already escapes C0 controls; C1 controls are escaped here too.)"""
    if text.isascii() and "\x7f" not in text:  # all else escaped here is non-ASCII: two C passes
        return text
    return re.sub(
        f"[{re.escape(_BIDI + _INVISIBLE)}\u007f-\u009f]", lambda m: f"\\u{ord(m.group()):04x}", text
    )
