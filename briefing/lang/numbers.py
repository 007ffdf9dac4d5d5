"""Figures in text, read off the surface: what was written, normalised, as an interval.

    "10,000" = "ten thousand" = "10k"                  -> count 10000
    "$1.2 billion" = "1.2 billion dollars" = "$1.2bn"   -> money 1.2e9 usd
    "12%" = "12 per cent"; "a quarter of"               -> percent 12; percent 25
    "a quarter of a percentage point" = "25 basis points" -> points 25 (basis points)
    "six and a half years" = "six years and six months" -> duration 6.5 years (in seconds)
    "an hour and a half" = "90-minute"                  -> duration 5400 s
    "June 3" = "3 June" = "3rd of June"                 -> date 603 (month * 100 + day)
    "3:10 a.m." = "ten past three" = "3.10am"           -> time 190 (minutes after midnight)
    "about 9,000" / "more than 6,400" / "5 to 8"        -> [8100, 9900] / [6400, 8000] / [5, 8]

No parse is needed: this runs on every sentence the checker reads. The slots around a
figure (what it counts, its verb, its role) come from the parse in frames.py.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .lexicon import lexicon
from .tokens import Token, tokenize

# kinds whose value is a plain number (a count, a measure, a year): what the checker compares
NUMERIC = frozenset({"count", "measure", "duration", "year", "points"})
# a lower or upper bound on a round figure reaches this far (share of the figure): "more
# than 6,400" is [6,400, 8,000], so it fits 7,000 but not "about 9,000"
OPEN_SLACK = 0.25
ROUGH_MINUTES = 15  # "around 9pm" is 8:45 to 9:15
# kinds compared exactly: days, clock times, years and ranks are not measurements
_EXACT = frozenset({"date", "time", "weekday", "relday", "year", "ordinal", "decade", "label"})


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure as written: kind, normalised value and interval, unit, where it stands."""

    kind: str  # count money percent points duration measure date weekday relday time year ordinal
    # decade, and label ("Route 66"), score ("9-3"), conversion ("($265m)")
    value: float  # normalised: seconds, metres, basis points, month*100+day, minutes after midnight
    lo: float
    hi: float
    unit: str = ""  # currency code, "%", "bp", "s", "m", "magnitude", "clock", "clock12", …
    text: str = ""
    start: int = 0
    end: int = 0
    qualifier: str | None = None  # "about", "more than", …
    number: float = 0.0  # the bare number as written ("ten years" -> 10, "$4bn" -> 4e9)
    step: float = 0.0  # the precision it was written with (1.2 billion -> 1e8)
    is_range: bool = False
    year: int | None = None  # a date's year, when written
    lead: int = 0  # characters of qualifier before `start` ("more than " in "more than 6,400")
    zone: tuple[int, int] | None = None  # a clock time's zone, as its least and most offset from UTC

    def said(self, text: str) -> str:
        """The figure with its qualifier, as written in `text` ("More than 6,400")."""
        return text[self.start - self.lead : self.end]

    @property
    def approx(self) -> bool:
        return self.qualifier is not None

    @property
    def one_word(self) -> bool:
        """The word "one": it picks one of several ("one of the victims", "one Australian and
        one English climber") more often than it counts a total, so the checker reads it as a
        word and conflicts never compare it."""
        return self.kind == "count" and self.text.lower() == "one"

    def overlaps(self, other: Figure, tolerance: float = 0.005) -> bool:
        """Can both be true at once? Intervals meet (within `tolerance` of their size)."""
        if self.kind == "time" and (self.zone or other.zone):
            return _same_instant(self, other)
        if self.kind == "time" and "clock12" in (self.unit, other.unit):
            return self.value % 720 == other.value % 720
        if self.kind in _EXACT or other.kind in _EXACT:
            return self.lo <= other.hi and other.lo <= self.hi and (
                self.year is None or other.year is None or self.year == other.year)
        pad = tolerance * max(abs(self.hi), abs(other.hi), 1e-9)
        return self.lo <= other.hi + pad and other.lo <= self.hi + pad

    def same_value(self, other: Figure) -> bool:
        return self.kind == other.kind and self.unit == other.unit and abs(self.value - other.value) <= 1e-9 * max(
            1.0, abs(self.value)
        )


def _same_instant(a: Figure, b: Figure) -> bool:
    """Two clock times, one or both told in a time zone: in UTC they meet (on some day, or half
    a day apart for a time without a.m. or p.m.). A time in a zone and one in none cannot be
    told apart ("3 p.m." may be local time)."""
    if a.zone is None or b.zone is None:
        return True
    low = (a.lo - a.zone[1]) - (b.hi - b.zone[0])
    high = (a.hi - a.zone[0]) - (b.lo - b.zone[1])
    period = 720 if "clock12" in (a.unit, b.unit) else 1440
    return math.floor(high / period) * period >= low  # a multiple of the period lies in [low, high]


def _round(value: float) -> bool:
    return value >= 100 and value % 100 == 0


def _phrases(words: list[str]) -> list[tuple[str, ...]]:
    return sorted((tuple(w.split()) for w in words), key=len, reverse=True)


@lru_cache(maxsize=1)
def _tables() -> dict:
    lx = lexicon()
    n, u = lx.numbers, lx.units
    return {
        "units": n.units,
        "tens": n.tens,
        "scales": n.scales,
        "ordinals": n.ordinals,
        "fractions": n.fractions,
        "label_words": frozenset(n.label_words),
        "one_pronoun": frozenset(n.one_pronoun_before),
        "not_plural": frozenset(n.not_plural),
        "number_words": set(n.units) | set(n.tens) | {"hundred", "thousand", "million", "billion", "trillion"},
        "scale_words": set(n.scales) - {"k"},
        "months": lx.dates.months,
        "weekdays": lx.dates.weekdays,
        "relative": lx.dates.relative,
        "quals": [(p, "lower") for p in _phrases(lx.qualifiers.lower)]
        + [(p, "upper") for p in _phrases(lx.qualifiers.upper)]
        + [(p, "ceiling") for p in _phrases(lx.qualifiers.ceiling)]
        + [(p, "rough") for p in _phrases(lx.qualifiers.rough)],
        "rough": lx.qualifiers.rough_width,
        "cur_sym": u.currency_symbols,
        "cur_code": u.currency_codes,
        "irregular_plurals": frozenset(lx.frames.irregular_plurals.values()),
        "cur_word": u.currency_words,
        "durations": u.durations,
        "measures": u.measures,
        "clock_words": lx.times.words,
        "past": set(lx.times.past),
        "to": set(lx.times.to),
    }


def _digits(s: str) -> tuple[float, int]:
    s = s.replace(",", "")
    return float(s), (len(s.split(".")[1]) if "." in s else 0)


def _word_number(words: list[str]) -> float | None:
    t = _tables()
    total = current = 0.0
    seen = False
    for w in words:
        if w in t["units"] or w in t["tens"]:
            current += t["units"].get(w, 0) + t["tens"].get(w, 0)
            seen = True
        elif w in ("one", "a", "an"):
            current += 1
            seen = seen or w == "one"
        elif w == "hundred":
            current = (current or 1) * 100
            seen = True
        elif w in ("thousand", "million", "billion", "trillion"):
            total += (current or 1) * t["scales"][w]
            current = 0
            seen = True
        elif w != "and":
            return None
    return total + current if seen else None


_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s?([aApP])?")


def _clock(text: str) -> tuple[float, str]:
    m = _CLOCK.match(text)
    assert m
    h, mins, ap = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "").lower()
    if ap:
        return (h % 12 + (12 if ap == "p" else 0)) * 60 + mins, "clock"
    return h * 60 + mins, "clock" if h > 12 or h == 0 else "clock12"


class _Reader:
    """One pass over the tokens of a text, left to right."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks: tuple[Token, ...] = tokenize(text)
        self.low = [t.text.lower().replace("’", "'") for t in self.toks]
        self.n = len(self.toks)
        self.used = [False] * self.n
        self.out: list[Figure] = []
        self.t = _tables()

    # ---- context
    def qualifier(self, i: int) -> tuple[str | None, str | None, int]:
        """The qualifier phrase ending just before token i: (phrase, sense, first token)."""
        for phrase, sense in self.t["quals"]:
            k = len(phrase)
            if i - k >= 0 and tuple(self.low[i - k : i]) == phrase:
                return " ".join(phrase), sense, i - k
        return None, None, i

    def currency_before(self, i: int) -> str | None:
        """The currency written just before token i: a sign ("$", "HK$"), a code ("USD", "RM"),
        or a dollar sign after its country's letters ("HK $3.7 billion")."""
        if i <= 0:
            return None
        prev = self.toks[i - 1].text
        if self.toks[i - 1].kind == "sym" and prev in self.t["cur_sym"]:
            if prev == "$" and i > 1 and self.toks[i - 2].end >= self.toks[i - 1].start - 1:
                return self.t["cur_sym"].get(self.toks[i - 2].text + "$", "usd")
            return self.t["cur_sym"][prev]
        return self.t["cur_code"].get(prev)

    def word_at(self, i: int) -> str:
        return self.low[i] if 0 <= i < self.n else ""

    def _place_after(self, i: int) -> bool:
        """A place word after a number makes it an address when written as a name
        (capitalised) or when it is "block" ("the 12000 block of Main Street"); in lower case
        it is an ordinary noun: "an 88-72 road loss", "10 road games"."""
        word = self.word_at(i)
        return word in self.t["label_words"] and (word == "block" or self.toks[i].text[:1].isupper())

    # ---- building figures
    def add(
        self, kind: str, value: float, first: int, last: int, *, unit: str = "", number: float | None = None,
        step: float = 0.0, qual_at: int | None = None, exact: bool = False,
    ) -> None:
        qual, sense, q0 = (None, None, first) if exact else self.qualifier(first if qual_at is None else qual_at)
        lo = hi = value
        if kind == "time" and sense == "rough":
            lo, hi = value - ROUGH_MINUTES, value + ROUGH_MINUTES
        elif sense == "rough" or (sense is None and step and kind in ("money", "count", "measure")):
            width = self.t["rough"] * abs(value) if sense == "rough" else step / 2
            lo, hi = value - width, value + width
        elif sense in ("lower", "upper") and _round(value):
            # "more than 10,000" is a loose bound; "at least 12" dead is a count a later 14 revises
            hi = value * (1 + OPEN_SLACK) if sense == "lower" else value
            lo = value * (1 - OPEN_SLACK) if sense == "upper" else value
        elif sense == "ceiling" and kind not in _EXACT:
            lo = 0.0 if value >= 0 else -math.inf  # "fewer than 100" says nothing of how many fewer
        start = self.toks[first].start
        lead = start - self.toks[q0].start if qual else 0
        self.out.append(
            Figure(kind, value, lo, hi, unit, self.text[start : self.toks[last].end], start,
                   self.toks[last].end, qual, value if number is None else number, step, lead=lead)
        )
        for k in range(first, last + 1):
            self.used[k] = True

    def tail(self, i: int, value: float, step: float, currency: str | None) -> tuple[int, str, float, float, str, float]:
        """Scale, percent, points, currency, duration or measure words after a number ending
        before token i: (next token, kind, value, step, unit, the number as written with its
        scale: "1 million barrels" -> 1e6)."""
        t, low, n = self.t, self.low, self.n
        if currency and i < n and low[i] in ("m", "bn", "mn", "b") and self.toks[i].kind == "word":
            sc = {"m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9}[low[i]]
            value, step, i = value * sc, step * sc, i + 1
        while i < n and low[i] in t["scale_words"]:
            sc = t["scales"][low[i]]
            value, step, i = value * sc, step * sc, i + 1
        number = value
        if currency:
            if i < n and low[i] in t["cur_word"]:
                i += 1
            return i, "money", value, step, currency, number
        j = i + 1 if i < n and low[i] == "-" else i  # "90-minute", "5.8-magnitude"
        w, w2 = self.word_at(j), self.word_at(j + 1)
        if f"{w} {w2}" in ("percentage point", "percentage points", "basis point", "basis points"):
            per = 100.0 if w == "percentage" else 1.0
            return j + 2, "points", value * per, step * per, "bp", number
        if w in ("bps", "bp"):
            return j + 1, "points", value, step, "bp", number
        if w == "%" or w in ("percent", "pct", "percentage") or (w == "per" and w2 == "cent"):
            return j + (2 if w == "per" else 1), "percent", value, step, "%", number
        if w in t["cur_word"]:
            return j + 1, "money", value, step, t["cur_word"][w], number
        if w in t["durations"]:
            end = j + 1
            secs = value * t["durations"][w]
            if self.word_at(end) == "and" and self.word_at(end + 1) in ("a", "one") and self.word_at(end + 2) in ("half", "quarter"):
                secs += (0.5 if self.word_at(end + 2) == "half" else 0.25) * t["durations"][w]
                end += 3
            return end, "duration", secs, step * t["durations"][w], "s", number
        if w in t["measures"] and not (w == "m" and self.toks[j].text == "M"):
            unit, factor = t["measures"][w]
            if w in ("m", "ft", "mm", "cm", "km", "kg") and j != i:
                return i, "count", value, step, "", number  # "8-m": leave it
            return j + 1, "measure", value * factor, step * factor, unit, number
        return i, "count", value, step, "", number

    def number(self, i: int) -> int:
        """A figure starting with digits at token i; returns the next token."""
        tok, low = self.toks[i], self.low
        m = re.match(r"((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(.*)", tok.text)
        assert m
        value, dec = _digits(m.group(1))
        suffix = m.group(2).lower()
        step = 10.0 ** (-dec)
        cur = self.currency_before(i)
        first = i - 1 if cur else i
        sign = self._sign(first)
        if sign:  # "-5 yards", "minus 387 degrees", "Stoxx 50 -1.3%"
            value, first = -value, first - sign
        if suffix == "m" and not cur and self._million(i):
            suffix = "million"
        if suffix in ("", "st", "nd", "rd", "th") and dec == 0 and 1 <= value <= 31 and not cur:
            month, last = None, i
            if i > 0 and low[i - 1] in self.t["months"] and self.toks[i - 1].text[0].isupper():
                month, first = self.t["months"][low[i - 1]], i - 1
            elif i > 1 and low[i - 1] == "." and low[i - 2] in self.t["months"] and self.toks[i - 2].text[0].isupper():
                month, first = self.t["months"][low[i - 2]], i - 2
            elif i + 1 < self.n and low[i + 1] in self.t["months"] and self.toks[i + 1].text[0].isupper():
                month, last = self.t["months"][low[i + 1]], i + 1
            elif i + 2 < self.n and low[i + 1] == "of" and low[i + 2] in self.t["months"]:
                month, last = self.t["months"][low[i + 2]], i + 2
            if month is not None:
                year = None
                k = last + 1 + (self.word_at(last + 1) == ",")
                if k < self.n and self.toks[k].kind == "num" and re.fullmatch(r"(19|20)\d\d", self.toks[k].text):
                    year, last = int(self.toks[k].text), k
                self.add("date", month * 100 + value, first, last, unit="md", exact=True)
                if year is not None:
                    self.out[-1] = replace(self.out[-1], year=year)
                return last + 1
        if suffix in ("st", "nd", "rd", "th"):
            self.add("ordinal", value, i, i, exact=True)
            return i + 1
        if suffix == "s" and dec == 0:
            self.add("decade", value, i, i, exact=True)
            return i + 1
        if suffix in ("k", "bn", "mn", "tn", "b", "million", "billion", "trillion") or (suffix in ("m", "mil") and cur):
            sc = self.t["scales"].get(suffix, {"b": 1e9, "m": 1e6, "mil": 1e6}.get(suffix, 1.0))
            value, step = value * sc, step * sc
        elif suffix in ("pc", "pct"):
            self.add("percent", value, first, i, unit="%", step=step)
            return i + 1
        elif suffix in self.t["durations"]:
            self.add("duration", value * self.t["durations"][suffix], first, i, unit="s", number=value, step=step)
            return i + 1
        elif suffix:  # "5.5kWh", "256GB", "10km": a measure in the unit written
            unit, factor = self.t["measures"].get(suffix, (suffix, 1.0))
            self.add("measure", value * factor, first, i, unit=unit, number=value, step=step)
            return i + 1
        if dec == 0 and suffix == "" and len(tok.text) == 4 and self.word_at(i + 1) in ("gmt", "utc") and value % 100 < 60:
            self.add("time", (value // 100) * 60 + value % 100, i, i + 1, unit="clock", exact=True)
            return i + 2  # "1300 GMT"
        if tok.text[0] == "0" and len(tok.text) > 1 and tok.text[1].isdigit() and not cur:
            self.add("label", value, i, i, exact=True)  # "0845 125": a code or phone number
            return i + 1
        nxt, kind, v2, step, unit, written = self.tail(i + 1, value, step, cur)
        if kind == "count" and not cur and (
            self._place_after(nxt) or self.word_at(i - 1) in self.t["label_words"]
            or (suffix == "" and self._in_name(i) and nxt == i + 1)
        ):
            # "the 12000 block", "Route 66", "S&P 500", "Game 2": a label or part of a name,
            # not a quantity (the checker still wants it stated; conflicts never compare it)
            self.add("label", value, i, i, exact=True)
            return i + 1
        if kind == "count" and not cur:
            lo_year, hi_year = lexicon().dates.years
            if dec == 0 and suffix == "" and "," not in tok.text and lo_year <= value <= hi_year and len(tok.text) == 4:
                kind = "year"
            elif dec and v2 == value and step == 10.0 ** (-dec):
                kind = "measure"  # "2.5" alone is a measure; "4.3M" or "4.6bn" (scaled) a count
            if self.word_at(i - 1) == "magnitude" or self.word_at(i - 2) == "magnitude":
                kind, unit = "measure", "magnitude"
        self.add(kind, v2, first, nxt - 1, unit=unit, number=written if kind in ("duration", "measure", "points") else v2,
                 step=step, exact=kind == "year")
        return nxt

    def words(self, i: int) -> int:
        """A figure told in words starting at token i ("forty-one thousand", "a quarter of",
        "ten past three", "an hour and a half"); returns the next token."""
        t, low = self.t, self.low
        w = low[i]
        if w in t["clock_words"]:
            self.add("time", t["clock_words"][w], i, i, unit="clock", exact=True)
            return i + 1
        if w in t["weekdays"] and self.toks[i].text[0].isupper():
            self.add("weekday", t["weekdays"][w], i, i, unit="weekday", exact=True)
            return i + 1
        if w in t["relative"]:
            self.add("relday", t["relative"][w], i, i, unit="day", exact=True)
            return i + 1
        if w in ("a", "an") and self.word_at(i + 1) in t["durations"] and self.word_at(i + 2) == "and" and \
                self.word_at(i + 3) == "a" and self.word_at(i + 4) == "half":
            secs = 1.5 * t["durations"][self.word_at(i + 1)]
            self.add("duration", secs, i, i + 4, unit="s", number=1.5)
            return i + 5
        if w in ("tens", "hundreds", "thousands", "millions", "billions", "dozens"):
            return self._vague(i)
        if w in ("a", "one", "half") or w in t["fractions"] or w.split("-")[0] in t["units"]:
            frac = self._fraction(i)
            if frac is not None:
                return frac
        if w in t["ordinals"]:
            self.add("ordinal", float(t["ordinals"][w]), i, i, exact=True)
            return i + 1
        parts = w.split("-")
        if len(parts) == 3 and parts[1] == "to" and parts[0] in t["units"] and (parts[2] in t["units"] or parts[2] == "zero"):
            self.add("score", t["units"][parts[0]], i, i, exact=True)  # "a five-to-two decision"
            return i + 1
        if not (parts[0] in t["number_words"] or (w in ("a", "one") and self.word_at(i + 1) in t["scale_words"])
                or (w == "one" and self._one_counts(i))):
            return i + 1
        run: list[str] = []
        j, rest = i, ""
        while j < self.n:
            ps = low[j].split("-")
            k = 0
            while k < len(ps) and (
                ps[k] in t["number_words"]
                or (ps[k] == "one" and (not run and k == 0 or (run + ps[:k])[-1:] and (run + ps[:k])[-1] in t["tens"]))
                or (ps[k] == "a" and not run and k == 0)
            ):
                k += 1
            if k == 0:
                if low[j] == "and" and run and self.word_at(j + 1).split("-")[0] in t["number_words"]:
                    j += 1
                    continue
                break
            run.extend(ps[:k])
            j += 1
            if k < len(ps):  # "nine-day": the number ends inside the token
                rest = "-".join(ps[k:])
                break
        value = _word_number(run)
        if value is None or run == ["a"]:
            return i + 1
        if self.word_at(j) == "and" and self.word_at(j + 1) in ("a", "one") and self.word_at(j + 2) in ("half", "quarter"):
            value += 0.5 if self.word_at(j + 2) == "half" else 0.25
            j += 3
        if not rest and self.word_at(j) in t["past"] | t["to"] and not self._counts(j + 2):
            hour = self._hour(j + 1)
            if hour is not None and value < 60:
                mins = hour * 60 + (value if self.word_at(j) in t["past"] else -value)
                self.add("time", mins, i, j + 1, unit="clock12", exact=True)
                return j + 2
        if not rest and self.word_at(j) == "o'clock" and value <= 12:
            self.add("time", value * 60, i, j, unit="clock12", exact=True)
            return j + 1
        cur = self.currency_before(i)
        if rest:
            if rest in t["durations"]:
                self.add("duration", value * t["durations"][rest], i, j - 1, unit="s", number=value)
                return j
            if rest in t["measures"]:
                unit, factor = t["measures"][rest]
                self.add("measure", value * factor, i, j - 1, unit=unit, number=value)
                return j
            return j  # "a three-storey building", "a four-lane bridge": a description, not a figure
        nxt, kind, v2, step, unit, written = self.tail(j, value, 0.0, cur)
        first = i - 1 if cur else i
        self.add(kind, v2, first, max(nxt - 1, i), unit=unit, number=written if kind in ("duration", "measure", "points") else v2,
                 step=step, qual_at=first)
        return max(nxt, i + 1)

    def _one_counts(self, i: int) -> bool:
        """"one count of fraud", "one of the best", "one man": the number 1; not the pronoun
        ("the same one", "each one", "a good one.") nor a name ("BBC One")."""
        prev, nxt = self.word_at(i - 1), self.toks[i + 1] if i + 1 < self.n else None
        if prev in self.t["one_pronoun"] or nxt is None or nxt.kind == "punct" and nxt.text not in ("-", "–"):
            return False
        return not (self.toks[i].text[0].isupper() and i > 0 and self.toks[i - 1].kind != "punct")

    def _counts(self, i: int) -> bool:
        """Token i says what a number before it counts ("five to six thousand", "… people",
        "… hours"): then "five to six" is a range, not the clock time 5:54."""
        w, t = self.word_at(i), self.t
        if w in t["scale_words"] or w in t["cur_word"] or w in t["durations"] or w in t["measures"]:
            return True
        if w in ("%", "percent", "per", "pct"):
            return True
        if w in t["irregular_plurals"]:  # "people", "children"
            return True
        return w.isalpha() and len(w) > 3 and w.endswith("s") and not w.endswith("ss") and w not in t["not_plural"]

    def _sign(self, i: int) -> int:
        """Tokens of a minus sign just before token i: 2 for "minus-", 1 for "minus" or a "-"
        written against the number after a space ("-1.3%"; not "2000 - 2500" or "5-2")."""
        if self.word_at(i - 1) == "minus":
            return 1
        if self.word_at(i - 1) in ("-", "−") and self.toks[i - 1].end == self.toks[i].start:
            if self.word_at(i - 2) == "minus":
                return 2
            before = self.text[self.toks[i - 1].start - 1] if self.toks[i - 1].start else " "
            return 1 if before.isspace() or before in "(:" else 0
        return 0

    def _million(self, i: int) -> bool:
        """"35m of its devices", "12.3m tonnes", "4.3M sales": m is million, not metres, when
        written in capitals, or before "of" or a unit of weight or volume."""
        nxt = self.word_at(i + 1)
        unit = self.t["measures"].get(nxt, ("m", 1.0))[0]
        return self.toks[i].text.endswith("M") or nxt == "of" or unit in ("kg", "l", "bbl", "ha")

    def _in_name(self, i: int) -> bool:
        """The number follows a capitalised word inside the sentence ("S&P 500")."""
        prev = i - 1
        if prev < 1 or self.toks[prev].kind not in ("word", "alnum", "punct") or self.used[prev]:
            return False
        w = self.toks[prev].text
        if w in ("&", "-") and prev >= 2:
            return self.toks[prev - 1].text[:1].isupper()
        lw = w.lower()
        if lw in self.t["months"] or lw in self.t["weekdays"] or lw in ("magnitude",) or self.qualifier(i)[0]:
            return False
        # "S&P 500", "Route 66"; "iPhone 14" (a capital inside the word is a product's name)
        named = w[:1].isupper() or any(c.isupper() for c in w[1:])
        return named and w.isalpha() and (self.toks[prev].start > 0 and self.text[self.toks[prev].start - 1] != "\n")

    def _vague(self, i: int) -> int:
        """"thousands of", "tens of thousands of", "millions": an order of magnitude."""
        low = self.low
        base = {"tens": 10.0, "hundreds": 100.0, "dozens": 12.0, "thousands": 1e3, "millions": 1e6, "billions": 1e9}
        lo, j = base[low[i]], i + 1
        if low[i] in ("tens", "hundreds", "dozens") and self.word_at(j) == "of" and self.word_at(j + 1) in (
                "thousands", "millions", "billions"):
            lo *= base[low[j + 1]]
            j += 2
        if lo < 100 and low[i] != "dozens":
            return i + 1
        self.add("count", lo * 10, i, j - 1, exact=True)
        self.out[-1] = replace(self.out[-1], lo=lo, is_range=True, number=lo * 10, qualifier="vague")
        return j

    def _hour(self, j: int) -> int | None:
        w = self.word_at(j)
        if w.isdigit() and 1 <= int(w) <= 12:
            return int(w)
        v = self.t["units"].get(w) or ({"one": 1}.get(w))
        return v if v and v <= 12 else None

    def _fraction(self, i: int) -> int | None:
        """"a quarter of", "half of", "two thirds of", "a quarter of a percentage point";
        "quarter past three", "half past two" (clock times)."""
        t, w = self.t, self.low[i]
        j, count = i, 1.0
        if w in ("a", "one"):
            j += 1
        elif w.split("-")[0] in t["units"] and "-" not in w:
            count, j = float(t["units"][w]), i + 1
        elif w == "half":
            pass
        word = self.word_at(j)
        if "-" in w and w.split("-")[0] in t["units"]:  # "two-thirds of": the fraction ends this token
            count, word = float(t["units"][w.split("-")[0]]), w.split("-", 1)[1]
        base = word[:-1] if word.endswith("s") and word[:-1] in t["fractions"] else word
        if base not in t["fractions"] or (count > 1 and not word.endswith("s")):
            return None
        share = count * t["fractions"][base]
        nxt = self.word_at(j + 1)
        if base in ("half", "quarter") and nxt in t["past"] | t["to"]:
            hour = self._hour(j + 2)
            if hour is not None:
                mins = hour * 60 + (share * 60 if nxt in t["past"] else -share * 60)
                self.add("time", mins, i, j + 2, unit="clock12", exact=True)
                return j + 3
            return None
        if nxt != "of" and not (w == "half" and nxt == "the"):
            return None
        k = j + 2
        if self.word_at(k) in ("a", "one") and f"{self.word_at(k + 1)} {self.word_at(k + 2)}" in (
            "percentage point", "basis point"):
            per = 100.0 if self.word_at(k + 1) == "percentage" else 1.0
            self.add("points", share * per, i, k + 2, unit="bp", number=share)
            return k + 3
        if self.word_at(k) in ("a", "one") and self.word_at(k + 1) in t["durations"]:
            secs = share * t["durations"][self.word_at(k + 1)]
            self.add("duration", secs, i, k + 1, unit="s", number=share)
            return k + 2
        self.add("percent", round(100 * share, 6), i, j, unit="%", number=share)
        lo, hi = self.out[-1].lo, self.out[-1].hi
        self.out[-1] = replace(self.out[-1], lo=lo - 0.5, hi=hi + 0.5)  # "a third" is about 33%
        return j + 1

    def read(self) -> list[Figure]:
        i = 0
        while i < self.n:
            tok = self.toks[i]
            if self.used[i]:
                i += 1
            elif tok.kind == "time":
                value, unit = _clock(tok.text)
                self.add("time", value, i, i, unit=unit)
                i += 1
            elif tok.kind == "num":
                i = self.number(i)
            elif tok.kind == "word":
                i = self.words(i)
            else:
                i += 1
        figs = _ranges(_joined_durations(self.text, _drop_weekdays_beside_dates(self.out)), self.text)
        return _zoned(_codes(_conversions(_scores(figs, self.text), self.text), self.text), self.text)


_ZONE_AFTER = re.compile(r"\s*\(?([A-Z]{1,4})\b")


def _zoned(figs: list[Figure], text: str) -> list[Figure]:
    """A clock time followed by a time zone in capitals ("3 p.m. ET", "1500 GMT") is told in it."""
    zones = lexicon().times.zones
    out = []
    for f in figs:
        if f.kind == "time":
            last = f.text.split()[-1]
            m = _ZONE_AFTER.match(text, f.end)
            zone = zones.get(last) or (zones.get(m.group(1)) if m else None)
            if zone is not None:
                f = replace(f, zone=zone)
        out.append(f)
    return out


def _conversions(figs: list[Figure], text: str) -> list[Figure]:
    """"200 million euros ($265.3 million)": the sum in brackets is the same one converted."""
    out = list(figs)
    for k in range(1, len(out)):
        a, b = out[k - 1], out[k]
        if a.kind == b.kind == "money" and text[a.end : b.start].strip() in ("(", "(US", "(about", "(or"):
            out[k] = replace(b, kind="conversion")
    return out


def _drop_weekdays_beside_dates(figs: list[Figure]) -> list[Figure]:
    """"Saturday 14 June": the date says it; the weekday is not a second date."""
    dates = [f for f in figs if f.kind == "date"]
    return [f for f in figs if f.kind != "weekday" or not any(abs(d.start - f.end) <= 3 for d in dates)]


def _joined_durations(text: str, figs: list[Figure]) -> list[Figure]:
    """"six years and six months" is one duration."""
    out: list[Figure] = []
    for f in figs:
        prev = out[-1] if out else None
        if prev and prev.kind == f.kind == "duration" and text[prev.end : f.start].strip() in ("and", ",", ", and") \
                and f.value < prev.value:
            v = prev.value + f.value
            out[-1] = replace(prev, value=v, lo=prev.lo + f.lo, hi=prev.hi + f.hi, text=text[prev.start : f.end], end=f.end)
        else:
            out.append(f)
    return out


# three or more groups of digits joined by single spaces or hyphens, with nothing else
# between: a phone number or code ("0845 125 2222", "555-123-4567", "9-1-1"), not quantities
_CODE = re.compile(r"(?<![\w,.])\+?\d+(?:[ -]\d+){2,}(?!\w|[.,]\d)")


def _codes(figs: list[Figure], text: str) -> list[Figure]:
    """Figures inside a phone number or code become labels (never compared)."""
    spans = [m.span() for m in _CODE.finditer(text)]
    if not spans:
        return figs
    return [
        replace(f, kind="label", unit="") if f.kind in ("count", "score", "label") and any(lo <= f.start and f.end <= hi for lo, hi in spans) else f
        for f in figs
    ]


def _scores(figs: list[Figure], text: str) -> list[Figure]:
    """"deadlocked at 9-3", "won 3-1", "passed 112 to 98": a score or tally, two numbers
    that are one fact; never two counts to compare with others."""
    out = list(figs)
    for k in range(1, len(out)):
        a, b = out[k - 1], out[k]
        if a.kind == b.kind == "count" and a.value > b.value and _TALLY.match(text[a.end : b.start]):
            out[k - 1] = replace(a, kind="score")
            out[k] = replace(b, kind="score")
    return out


_TALLY = re.compile(r"^\s*(?:-|–|—|to)\s*$")


def _ranges(figs: list[Figure], text: str) -> list[Figure]:
    """"between 5 and 8", "5 to 8", "5-8 percent": one figure [5, 8]. A falling pair
    ("112 to 98", "5-2") is a tally, not a range."""
    out: list[Figure] = []
    for f in figs:
        prev = out[-1] if out else None
        joint = text[prev.end : f.start].strip().lower() if prev is not None else ""
        if (
            prev is not None
            and joint in lexicon().qualifiers.range_joiners
            # a count's first number may look like a year: "2000 - 2500 calories"
            and (prev.kind in (f.kind, "count") or prev.kind == "year" and f.kind == "count" and joint in ("-", "–", "—"))
            and f.kind not in ("date", "time", "weekday", "relday", "ordinal")
            and prev.value < f.value
            and (joint != "and" or text[max(0, prev.start - 8) : prev.start].strip().lower().endswith("between"))
        ):
            scale = f.value / f.number if prev.kind == "count" and f.number and f.kind != "count" else 1.0
            lo = prev.value * scale if prev.kind != f.kind else prev.value
            lead = _lead_number(f.said(text))
            if lead and prev.value < lead < f.value and prev.value == _lead_number(prev.said(text)):
                lo = prev.value * (f.value / lead)  # "$10 to $15 billion", "1 to 2 thousand": the scale is shared
            if lo < f.value:
                out[-1] = replace(f, lo=lo, text=text[prev.start : f.end], start=prev.start, is_range=True,
                                  qualifier=prev.qualifier)
                continue
        out.append(f)
    return out


def _lead_number(said: str) -> float | None:
    """The first number written in a figure's text, before any scale ("$15 billion" -> 15,
    "five thousand" -> 5)."""
    m = re.search(r"\d[\d,]*(?:\.\d+)?|[a-z]+", said.lower())
    if m is None:
        return None
    if m.group()[0].isdigit():
        return _digits(m.group())[0]
    t = _tables()
    return t["units"].get(m.group()) or t["tens"].get(m.group()) or (1.0 if m.group() == "one" else None)


@lru_cache(maxsize=16384)
def figures(text: str) -> tuple[Figure, ...]:
    """Every figure in `text`, in order (see the module docstring)."""
    if not _CANDIDATE.search(text):
        return ()
    return tuple(_Reader(text).read())


_CANDIDATE = re.compile(
    r"\d|\b(?:" + "|".join(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
         "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion",
         "half", "quarter", "third", "noon", "midday", "midnight", "today", "tonight", "yesterday", "tomorrow",
         "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "fourth", "fifth", "tenth"]
    ) + r")",
    re.IGNORECASE,
)
