"""Free text as people type and paste it, made safe to keep and to put in a document.

Word pastes a line break as a vertical tab (U+000B) and a page break as a form feed (U+000C); other control
characters arrive unseen from copied text. XML (so a .docx) cannot hold them, and PostgreSQL cannot hold a NUL, so
every form field, every API text and every document builder passes text through `clean_text`: the two breaks become
a line feed, the rest go silently (the user cannot see them, so an error about them would only confuse).
"""

import re

# Long free text (minutes, research, the victim's voice, completion notes): far above any real minute, well below
# what would make a page or a document unwieldy.
LONG_TEXT_MAX = 20_000

_LINE_BREAKS = re.compile("[\x0b\x0c]")
# Kept: tab, line feed, carriage return. Gone: the other C0 controls, DEL, the non-characters U+FFFE and U+FFFF,
# and surrogates (a Python string only holds one unpaired, from JSON such as "\ud800").
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """`text` with U+000B and U+000C as line feeds and the other control characters XML cannot hold removed."""
    return _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))


def docx_text(text: str) -> str:
    """Stored text, safe to write into a Word document: cleaned as on input (old data may not have been), and a
    Windows line ending is one line break, not two."""
    return clean_text(text).replace("\r\n", "\n")
