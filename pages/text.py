"""One cleaning for every piece of free text the public sends us: form answers, hidden
fields and query strings.

`clean_text` gives text in one spelling (Unicode NFKC: full-width letters and digits are
plain ones, the "fi" ligature is two letters), so staff's search and the CSV find what was
typed, and refuses what would mislead or break things:

- control characters (NUL and the like): PostgreSQL refuses NUL in text, and none of
  them is something a person types (a message keeps its line breaks and tabs);
- marks that flip the order text is shown in (embeddings, overrides, isolates):
  "\u202eNHOJ" reads as "JOHN" on screen, in the admin and in the CSV;
- in one-line answers, any other invisible character (zero-width spaces and joiners,
  direction marks, soft hyphens, letters that draw nothing). A message keeps zero-width
  joiners and non-joiners: emoji (👩🏽‍⚕️) and scripts such as Persian need them.

pages imports nothing of ours, so both apps can use this module.
"""

import re
import unicodedata

CONTROL = "control"
INVISIBLE = "invisible"
LINE_BREAKS = frozenset("\n\r\t")
BIDI_REORDERING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Hangul fillers and the blank braille cell: letters that draw nothing.
BLANK_LETTERS = frozenset("\u115f\u1160\u2800")
# Zero-width joiner and non-joiner: part of emoji and of words in some scripts.
JOINERS = frozenset("\u200c\u200d")


class UnsafeText(ValueError):
    """Text we will not store or search; `kind` is CONTROL or INVISIBLE."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def _is_control(ch, multiline):
    return unicodedata.category(ch) == "Cc" and not (multiline and ch in LINE_BREAKS)


def _is_invisible(ch, multiline):
    if ch in BIDI_REORDERING:
        return True
    if multiline:
        return False
    return unicodedata.category(ch) == "Cf" or ch in BLANK_LETTERS


def problem(value, *, multiline=False):
    """CONTROL, INVISIBLE, or None when `value` (already normalised) is fine."""
    if any(_is_control(ch, multiline) for ch in value):
        return CONTROL
    if any(_is_invisible(ch, multiline) for ch in value):
        return INVISIBLE
    return None


def clean_text(value, *, multiline=False):
    """`value` in NFKC, or UnsafeText. Line breaks are "\\n" in a multi-line answer."""
    value = unicodedata.normalize("NFKC", value)
    if multiline:
        # A browser counts a line break as one character and sends it as two (CRLF).
        value = value.replace("\r\n", "\n")
    kind = problem(value, multiline=multiline)
    if kind:
        raise UnsafeText(kind)
    return value


def strip_unsafe(value):
    """For text nobody can be asked to fix (a search in a link): NFKC, with control and
    invisible characters dropped rather than refused."""
    value = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in value if not (_is_control(ch, False) or _is_invisible(ch, False)))


_ANY_DIGIT = re.compile(r"\d")


def ascii_digits(value):
    """Every decimal digit as its ASCII twin: "٦٨٠٠٥" (Arabic-Indic) is 68005. NFKC already
    does this for full-width digits, not for other scripts' own digits."""
    return _ANY_DIGIT.sub(lambda match: str(unicodedata.decimal(match.group())), value)
