"""A fast regex tokenizer for figures: numbers with their suffixes, clock times, symbols.

spaCy splits "4.6bn" and "3.52am" differently from how news writes them; this keeps each
figure in one token, so the figure reader (numbers.py) and the checker see the same pieces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import lexicon

_TOKEN = r"""
    (?P<time>\b\d{1,2}(?:[:.]\d{2})?\s?(?:[aApP]\.[mM]\.|[aApP][mM]\b)|\b\d{1,2}:\d{2}\b)
  | (?P<num>(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|(?<![\w.,])\.\d+)(?:[^\W\d_]{1,8})?)(?![^\W_])
  | (?P<alnum>[^\W\d_]+\d[^\W_]*|\d+[^\W\d_][^\W_]*)
  | (?P<acro>(?:[A-Za-z]\.){2,})
  | (?P<word>[^\W\d_]+(?:[-'’][^\W\d_]+)*)
  | (?P<sym>[$£€¥₹₽₴%])
  | (?P<punct>[^\w\s])
    """


@lru_cache(maxsize=1)
def _token_re() -> re.Pattern[str]:
    """The token pattern, with the lexicon's currency signs ("HK$", "$US") and codes joined to a
    number ("USD10m", "RM79") read as one symbol before the number."""
    units = lexicon().units
    signs = sorted((s for s in units.currency_symbols if len(s) > 1), key=len, reverse=True)
    codes = sorted(units.currency_codes, key=len, reverse=True)
    money = "|".join([*(re.escape(s) for s in signs), *(rf"\b{c}(?=\d)" for c in codes)])
    return re.compile(rf"(?P<cur>{money})|" + _TOKEN.strip(), re.VERBOSE)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # time | num | alnum | acro | word | sym | punct
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


@lru_cache(maxsize=8192)
def tokenize(text: str) -> tuple[Token, ...]:
    return tuple(
        Token("sym" if m.lastgroup == "cur" else m.lastgroup or "punct", m.group(), m.start(), m.end())
        for m in _token_re().finditer(text)
    )
