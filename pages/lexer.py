"""The Logicor lexer: text to a list of tokens, every character in exactly one token.

The reference scans templates character by character; every character that can change what
it does is a token of its own here, and the runs between them (letters, blanks, other text)
are single tokens, so the parser takes whole runs at a time.
"""

from __future__ import annotations

import re

from pages.tokens import PUNCTUATION, T, Token

_TOKEN = re.compile(
    r"([A-Za-z]+)"  # a word
    r"|([\x00-\x20]+)"  # blanks and controls
    r'|([(){}\[\]"`,.])'  # one punctuation character
    r'|([^A-Za-z\x00-\x20(){}\[\]"`,.]+)'  # anything else
)


def tokenize(text: str) -> list[Token]:
    """All tokens of `text`, in order; their values joined give `text` back."""
    tokens: list[Token] = []
    append = tokens.append
    for match in _TOKEN.finditer(text):
        word, space, punct, other = match.groups()
        start = match.start()
        if word is not None:
            append(Token(T.WORD, word, start))
        elif space is not None:
            append(Token(T.SPACE, space, start))
        elif punct is not None:
            append(Token(PUNCTUATION[punct], punct, start))
        else:
            append(Token(T.TEXT, other or "", start))
    return tokens
