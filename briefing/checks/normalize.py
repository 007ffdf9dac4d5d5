"""Text normalisation for the support checker: tokens, stems, sentences, quantities.

Everything here is pure Python + `re` and cheap enough to run on every briefing sentence.

Quantities are normalised so that surface variants compare equal:

    "10,000" = "10000" = "ten thousand" = "10k"          -> Quantity("num", 10000.0)
    "May 16" = "16 May" = "May 16th" = "16th of May"     -> Quantity("date", (5, 16))
    "$1.2 billion" = "1.2 billion dollars" = "$1.2bn"     -> Quantity("money", 1.2e9)
    "12%" = "12 percent" = "12 per cent"                  -> Quantity("pct", 12.0)
    "3rd" = "third"                                       -> Quantity("ordinal", 3.0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# ---------------------------------------------------------------- word lists

STOPWORDS = frozenset(
    """
    a about above across after afterwards again against all almost alone along already also although always am among
    amongst an and another any anyhow anyone anything anyway anywhere are around as at back be became because become
    becomes becoming been before beforehand behind being below beside besides between beyond both but by can cannot
    could did do does doing done down during each either else elsewhere enough etc even ever every everyone
    everything everywhere except few for former formerly from further had has have having he hence her here hereafter
    hereby herein hereupon hers herself him himself his how however i if in indeed into is it its itself just
    latter latterly least less many may me meanwhile might mine more moreover most mostly much must my myself
    namely neither never nevertheless next no nobody none noone nor not nothing now nowhere of off often on once one
    only onto or other others otherwise our ours ourselves out over own per perhaps please quite rather re
    same seem seemed seeming seems several she should since so some somehow someone something sometime sometimes
    somewhere still such than that the their theirs them themselves then thence there thereafter thereby therefore
    therein thereupon these they this those though through throughout thru thus to together too toward towards
    under until up upon us very via was we well were what whatever when whence whenever where whereafter whereas
    whereby wherein whereupon wherever whether which while whither who whoever whole whom whose why will with
    within without would yet you your yours yourself yourselves s t d ll m ve re n't 's mr mrs ms
    """.split()
)

# Verbs of saying: handled by the attribution rule, not by content coverage.
REPORTING_VERBS = frozenset(
    """
    say says said saying tell tells told telling state states stated claim claims claimed add adds added
    announce announces announced report reports reported according insist insists insisted argue argues argued
    warn warns warned write writes wrote tweet tweeted post posted note notes noted suggest suggests suggested
    estimate estimates estimated allege alleges alleged testify testified assert asserted maintain maintained
    """.split()
)

# Sentence-initial words that are never names.
_COMMON_INITIAL = frozenset(
    """
    the a an in on at for from but and or so yet after before as while when if though although this that these those
    it its he she they we i you his her their our there here what why how who which where meanwhile however also
    still despite during under over since until by with without among about earlier later today yesterday tomorrow
    last next some many most several all both each every other another no not one two three four five six seven eight
    nine ten more less only just even now then instead elsewhere separately officials police protesters according
    """.split()
)

TITLES = frozenset(
    """
    mr mrs ms miss dr prof sir dame lord lady president vice prime minister secretary chancellor senator sen rep
    representative gov governor mayor judge justice gen general col colonel lt lieutenant capt captain sgt sergeant
    adm admiral cmdr commander king queen prince princess pope rev reverend father sheikh chief deputy foreign
    defence defense interior finance health home state chairman chairwoman chair ceo director spokesman spokeswoman
    spokesperson ambassador officer detective inspector superintendent constable coach manager st saint
    """.split()
)

NAME_CONNECTORS = frozenset(["of", "de", "del", "della", "la", "le", "van", "von", "der", "den", "al", "bin", "ibn",
                             "da", "di", "du", "dos", "das", "y", "&", "and", "the"])

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])

_UNITS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SCALES = {"hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
           "bn": 1e9, "mn": 1e6, "tn": 1e12, "k": 1e3}
_ORDINAL_WORDS = {
    "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
    "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40,
    "fiftieth": 50, "hundredth": 100,
}
_CURRENCY_SYMBOLS = {"$": "usd", "£": "gbp", "€": "eur", "¥": "jpy", "₹": "inr", "₽": "rub", "₴": "uah"}
_CURRENCY_WORDS = {
    "dollar": "usd", "dollars": "usd", "usd": "usd", "pound": "gbp", "pounds": "gbp", "sterling": "gbp",
    "gbp": "gbp", "euro": "eur", "euros": "eur", "eur": "eur", "yen": "jpy", "yuan": "cny", "renminbi": "cny",
    "rupee": "inr", "rupees": "inr", "rouble": "rub", "roubles": "rub", "ruble": "rub", "rubles": "rub",
    "hryvnia": "uah", "hryvnias": "uah", "hryvnia's": "uah", "franc": "chf", "francs": "chf", "peso": "mxn",
    "pesos": "mxn", "lira": "try", "shekel": "ils", "shekels": "ils",
}
APPROX_WORDS = frozenset(
    "about around approximately roughly nearly almost some over under more less than least estimated up upwards "
    "close just around circa ~ some".split()
)

# Irregular forms common in news, mapped to one stem.
_IRREGULAR = {
    "said": "say", "says": "say", "told": "tell", "won": "win", "wins": "win", "lost": "lose", "loses": "lose",
    "fell": "fall", "fallen": "fall", "rose": "rise", "risen": "rise", "took": "take", "taken": "take",
    "gave": "give", "given": "give", "came": "come", "went": "go", "gone": "go", "made": "make", "held": "hold",
    "left": "leave", "met": "meet", "paid": "pay", "sold": "sell", "bought": "buy", "brought": "bring",
    "began": "begin", "begun": "begin", "fought": "fight", "ran": "run", "saw": "see", "seen": "see",
    "shot": "shoot", "spent": "spend", "struck": "strike", "thought": "think", "wrote": "write",
    "written": "write", "drove": "drive", "driven": "drive", "flew": "fly", "flown": "fly", "grew": "grow",
    "grown": "grow", "knew": "know", "known": "know", "led": "lead", "kept": "keep", "sent": "send",
    "built": "build", "caught": "catch", "chose": "choose", "chosen": "choose", "found": "find", "felt": "feel",
    "got": "get", "gotten": "get", "stood": "stand", "stole": "steal", "stolen": "steal", "sought": "seek",
    "taught": "teach", "withdrew": "withdraw", "withdrawn": "withdraw", "broke": "break", "broken": "break",
    "fled": "flee", "hid": "hide", "hidden": "hide", "hung": "hang", "laid": "lay", "meant": "mean",
    "sank": "sink", "sunk": "sink", "spoke": "speak", "spoken": "speak", "threw": "throw", "thrown": "throw",
    "wore": "wear", "worn": "wear", "men": "man", "women": "woman", "children": "child", "people": "person",
    "died": "die", "dies": "die", "dying": "die", "lying": "lie", "lay": "lie", "became": "become", "ate": "eat",
    "eaten": "eat", "forgave": "forgive", "froze": "freeze", "frozen": "freeze", "rang": "ring", "bore": "bear",
    "born": "bear", "beaten": "beat", "bit": "bite", "bitten": "bite", "blew": "blow", "blown": "blow",
    "drew": "draw", "drawn": "draw", "drank": "drink", "fed": "feed", "forgot": "forget", "heard": "hear",
    "hit": "hit", "hurt": "hurt", "lent": "lend", "lit": "light", "overtook": "overtake", "quit": "quit",
    "rode": "ride", "sang": "sing", "shut": "shut", "slept": "sleep", "spread": "spread", "swore": "swear",
    "sworn": "swear", "swept": "sweep", "woke": "wake", "wound": "wind", "underwent": "undergo",
    "undertook": "undertake", "upheld": "uphold", "overthrew": "overthrow", "mice": "mouse", "feet": "foot",
    "teeth": "tooth", "used": "use", "uses": "use", "using": "use", "analyses": "analysis", "crises": "crisis", "data": "datum", "media": "medium",
}

_VOWELS = set("aeiouy")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, lemmatiser-ish stem: lowercase, strip possessive and common inflections."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    elif w.endswith("'"):
        w = w[:-1]
    if w in _IRREGULAR:
        w = _IRREGULAR[w]
    n = len(w)
    if n <= 3:
        return w
    if w.endswith("ies") and n > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("es") and n > 4 and w[-3] in "sxz" or w.endswith(("ches", "shes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and n > 3:
        w = w[:-1]
    n = len(w)
    for suf in ("ingly", "edly", "ing", "ed"):
        if w.endswith(suf) and n - len(suf) >= 3 and any(c in _VOWELS for c in w[: n - len(suf)]):
            base = w[: n - len(suf)]
            if suf in ("ed", "edly") and base.endswith("i"):
                base = base[:-1] + "y"
            elif len(base) >= 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            elif base.endswith(("at", "iz", "bl", "us", "ir", "rg", "nc", "rs", "ac", "uc", "dg")):
                base = base + "e"
            w = base
            break
    else:
        if w.endswith("ly") and n > 5:
            w = w[:-2]
            if w.endswith("i"):
                w = w[:-1] + "y"
    if len(w) > 3 and w.endswith("e") and not w.endswith(("ee", "ye")):
        w = w[:-1]
    return w


# ---------------------------------------------------------------- tokens

_TOKEN_RE = re.compile(
    r"""
    (?P<time>\b\d{1,2}:\d{2}\b)
  | (?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:st|nd|rd|th|s|k|m|bn|mn|tn|b|million|billion|trillion)?)(?![^\W_])
  | (?P<alnum>[^\W\d_]+\d[^\W_]*|\d+[^\W\d_][^\W_]*)
  | (?P<acro>(?:[A-Za-z]\.){2,})
  | (?P<word>[^\W\d_]+(?:[-'’][^\W\d_]+)*)
  | (?P<sym>[$£€¥₹₽₴%])
  | (?P<punct>[^\w\s])
    """,
    re.VERBOSE,
)


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
    return tuple(Token(m.lastgroup or "punct", m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text))


def norm_word(text: str) -> str:
    """Lowercase, curly quotes straightened, possessive and dots removed ("U.K." -> "uk", "Putin's" -> "putin")."""
    w = text.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    elif w.endswith("'"):
        w = w[:-1]
    return w.replace(".", "")


_QUANTITY_WORDS = frozenset(["percent", "pct", "cent", "percentage", "hundred"]) | frozenset(_CURRENCY_WORDS)


def content_words(tokens: tuple[Token, ...]) -> list[Token]:
    """Word tokens that carry content: not stopwords, not verbs of saying."""
    out = []
    for t in tokens:
        if t.kind in ("word", "alnum", "acro"):
            w = norm_word(t.text)
            if len(w) < 2 or w in STOPWORDS or w in REPORTING_VERBS:
                continue
            if w in _UNITS or w in _TENS or w in _SCALES or w in _QUANTITY_WORDS:
                continue  # numbers are checked as quantities
            out.append(t)
    return out


# ---------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof st jr sr gen gov sen rep lt col capt sgt cmdr adm inc ltd co corp vs etc no nos jan feb mar apr
    jun jul aug sep sept oct nov dec fig approx dept est ft mt rev hon u.s u.k u.n e.g i.e a.m p.m
    """.split()
)
_SENT_END_RE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+)|\n+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans [start, end) of `text`, trimmed of surrounding whitespace.

    Splits on ., ! or ? followed by whitespace and a capital/digit/quote, and on line breaks.
    Does not split after common abbreviations ("Mr.", "U.S.", "Jan.") or single-letter initials.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    # all-lowercase text (some datasets, some feeds): sentences may start with a lowercase letter
    lower_mode = n > 200 and sum(c.isupper() for c in text) < 0.002 * n
    for m in _SENT_END_RE.finditer(text):
        end = m.end()
        if m.group().startswith("\n"):
            spans.append((start, m.start()))
            start = end
            continue
        # what follows must look like a sentence start
        j = end
        while j < n and text[j] in " \t":
            j += 1
        if j < n and text[j] != "\n" and not (
            text[j].isupper() or text[j].isdigit() or text[j] in "\"'“‘([`" or (lower_mode and text[j].isalpha())
        ):
            continue
        if m.group()[0] == ".":
            k = m.start()
            b = k
            while b > 0 and (text[b - 1].isalpha() or text[b - 1] == "."):
                b -= 1
            prev = text[b:k].lower()
            if prev in _ABBREVIATIONS or (len(prev) == 1 and text[b:k].isupper()):
                continue
            if len(prev) > 1 and "." in prev:  # U.S. / e.g. style
                continue
        spans.append((start, end))
        start = end
    spans.append((start, n))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


# ---------------------------------------------------------------- quantities


@dataclass(frozen=True, slots=True)
class Quantity:
    """A normalised number, percentage, money amount, date or time found in text."""

    kind: str  # num | ordinal | pct | money | date | time | decade
    value: float | tuple[int, int] | str
    surface: str
    approx: bool = False  # preceded by "about", "nearly", "more than", ...
    step: float = 0.0  # the precision the number was written with (1.2 billion -> 1e8), for rounding
    currency: str | None = None

    def key(self) -> str:
        return f"{self.kind}:{self.value}"


def _parse_digits(s: str) -> tuple[float, int]:
    """'12,000.50' -> (12000.5, 2 decimals)."""
    s = s.replace(",", "")
    dec = len(s.split(".")[1]) if "." in s else 0
    return float(s), dec


def _num_word_value(words: list[str]) -> float | None:
    total = 0.0
    current = 0.0
    seen = False
    for w in words:
        if w in _UNITS:
            current += _UNITS[w]
            seen = True
        elif w in _TENS:
            current += _TENS[w]
            seen = True
        elif w == "one" or w == "a":
            current += 1
        elif w == "hundred":
            current = (current or 1) * 100
            seen = True
        elif w in ("thousand", "million", "billion", "trillion"):
            total += (current or 1) * _SCALES[w]
            current = 0
            seen = True
        elif w == "and":
            continue
        else:
            return None
    return total + current if seen else None


_NUMBER_WORDS = set(_UNITS) | set(_TENS) | {"hundred", "thousand", "million", "billion", "trillion"}
_SCALE_WORDS = {"hundred", "thousand", "million", "billion", "trillion", "bn", "mn", "tn"}


@lru_cache(maxsize=8192)
def extract_quantities(text: str) -> tuple[Quantity, ...]:
    """Every number-like fact in `text`, normalised (see module docstring)."""
    toks = tokenize(text)
    n = len(toks)
    out: list[Quantity] = []
    low = [t.text.lower().replace("’", "'") for t in toks]
    used = [False] * n

    def approx_before(i: int) -> bool:
        for j in range(max(0, i - 3), i):
            if low[j] in APPROX_WORDS:
                return True
        return False

    def currency_before(i: int) -> str | None:
        j = i - 1
        if j >= 0 and toks[j].kind == "sym" and toks[j].text in _CURRENCY_SYMBOLS:
            return _CURRENCY_SYMBOLS[toks[j].text]
        return None

    def tail(i: int, value: float, step: float, currency: str | None) -> tuple[int, str, float, float, str | None]:
        """Consume scale words, %/percent and currency words after a number ending at token i-1."""
        kind = "money" if currency else "num"
        if currency and i < n and low[i] in ("m", "bn", "mn", "b") and toks[i].kind == "word":
            sc = {"m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9}[low[i]]  # "£50 m"
            value *= sc
            step *= sc
            i += 1
        while i < n and low[i] in _SCALE_WORDS:
            sc = _SCALES[low[i]]
            value *= sc
            step *= sc
            i += 1
        if i < n and (toks[i].text == "%" or low[i] in ("percent", "pct", "percentage")):
            kind = "pct"
            i += 1
            if i < n and low[i] == "points":
                i += 1
        elif i + 1 < n and low[i] == "per" and low[i + 1] == "cent":
            kind = "pct"
            i += 2
        elif i < n and low[i] in _CURRENCY_WORDS:
            kind = "money"
            currency = _CURRENCY_WORDS[low[i]]
            i += 1
        return i, kind, value, step, currency

    i = 0
    while i < n:
        t = toks[i]
        if used[i]:
            i += 1
            continue
        if t.kind == "time":
            out.append(Quantity("time", t.text.zfill(5), t.text))
            i += 1
            continue
        if t.kind == "num":
            raw = t.text
            m = re.match(r"((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(.*)", raw)
            assert m
            value, dec = _parse_digits(m.group(1))
            suffix = m.group(2).lower()
            step = 10.0 ** (-dec)
            cur = currency_before(i)
            start_i = i
            # dates: "May 16", "May 16th", "May 16, 2023"
            if suffix in ("", "st", "nd", "rd", "th") and dec == 0 and 1 <= value <= 31:
                month = None
                s0, s1 = t.start, t.end
                if i > 0 and low[i - 1] in MONTHS and toks[i - 1].text[0].isupper():
                    month = MONTHS[low[i - 1]]
                    s0 = toks[i - 1].start
                elif i + 1 < n and low[i + 1] in MONTHS and toks[i + 1].text[0].isupper():
                    month = MONTHS[low[i + 1]]
                    used[i + 1] = True
                    s1 = toks[i + 1].end
                elif i + 2 < n and low[i + 1] == "of" and low[i + 2] in MONTHS:
                    month = MONTHS[low[i + 2]]
                    used[i + 2] = True
                    s1 = toks[i + 2].end
                if month is not None:
                    out.append(Quantity("date", (month, int(value)), text[s0:s1]))
                    i += 1
                    continue
            if suffix in ("st", "nd", "rd", "th"):
                out.append(Quantity("ordinal", value, raw))
                i += 1
                continue
            if suffix == "s" and dec == 0:
                out.append(Quantity("decade", value, raw))
                i += 1
                continue
            if suffix in ("k", "bn", "mn", "tn", "b", "million", "billion", "trillion") or (suffix == "m" and cur):
                sc = {"k": 1e3, "bn": 1e9, "mn": 1e6, "tn": 1e12, "b": 1e9, "m": 1e6, "million": 1e6,
                      "billion": 1e9, "trillion": 1e12}[suffix]
                value *= sc
                step *= sc
            i, kind, value, step, cur2 = tail(i + 1, value, step, cur)
            s0 = toks[start_i - 1].start if cur else t.start
            out.append(Quantity(kind, value, text[s0 : toks[i - 1].end], approx_before(start_i), step, cur2))
            continue
        if t.kind == "word":
            w = low[i]
            if w in _ORDINAL_WORDS:
                out.append(Quantity("ordinal", float(_ORDINAL_WORDS[w]), t.text))
                i += 1
                continue
            parts = w.split("-")
            if parts[0] in _NUMBER_WORDS or ((w in ("a", "one")) and i + 1 < n and low[i + 1] in _SCALE_WORDS):
                # a run of number words: "two hundred and fifty thousand", "twenty-five", "three-year"
                words: list[str] = []
                j = i
                while j < n:
                    ps = low[j].split("-")
                    k = 0
                    while k < len(ps) and (
                        ps[k] in _NUMBER_WORDS
                        or (ps[k] == "one" and (not words and k == 0 or (words + ps[:k])[-1:] and (words + ps[:k])[-1] in _TENS))
                        or (ps[k] == "a" and not words and k == 0)
                    ):
                        k += 1
                    if k == 0:
                        if low[j] == "and" and words and j + 1 < n and low[j + 1].split("-")[0] in _NUMBER_WORDS:
                            j += 1
                            continue
                        break
                    words.extend(ps[:k])
                    j += 1
                    if k < len(ps):  # "three-year": the number ends inside the token
                        break
                value = _num_word_value(words)
                if value is None or words == ["a"] or words == ["one"]:
                    i += 1
                    continue
                cur = currency_before(i)
                j2, kind, value, step, cur2 = tail(j, value, 0.0, cur)
                s0 = toks[i - 1].start if cur else t.start
                out.append(Quantity(kind, value, text[s0 : toks[j2 - 1].end], approx_before(i), step, cur2))
                i = max(j2, i + 1)
                continue
        i += 1
    return tuple(out)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def quantity_supported(q: Quantity, evidence: tuple[Quantity, ...]) -> bool:
    """Is claim quantity `q` stated by some evidence quantity (after normalisation, allowing rounding)?"""
    for e in evidence:
        if q.kind == "date":
            if e.kind == "date" and e.value == q.value:
                return True
            continue
        if q.kind == "time":
            if e.kind == "time" and e.value == q.value:
                return True
            continue
        if e.kind in ("date", "time"):
            if e.kind == "date" and isinstance(e.value, tuple) and q.kind == "num" and _close(q.value, e.value[1]):
                return True
            continue
        if q.kind == "pct" and e.kind != "pct":
            continue
        if q.kind == "money" and e.kind not in ("money", "num"):
            continue
        if q.currency and e.currency and q.currency != e.currency:
            continue
        a, b = float(q.value), float(e.value)  # type: ignore[arg-type]
        if _close(a, b):
            return True
        # rounding to the precision the claim was written with: "1.2 billion" for 1.23 billion
        if q.step and q.step >= 1e-6 and abs(a - b) <= q.step / 2 + 1e-9 * abs(a):
            if a != 0 and abs(a - b) / abs(a) <= 0.05:
                return True
        # hedged claim: "about 10,000", "nearly 500", "more than 40"
        if q.approx and a != 0 and abs(a - b) / abs(a) <= 0.1:
            return True
    return False


# ---------------------------------------------------------------- names

# Aliases and demonyms that share no prefix with their country.
_ALIAS_GROUPS = [
    {"uk", "britain", "british", "united kingdom", "brit", "brits"},
    {"us", "usa", "united states", "america", "american", "americans", "washington"},
    {"eu", "european union", "europe", "european"},
    {"un", "united nations"},
    {"france", "french"},
    {"germany", "german", "germans", "berlin"},
    {"netherlands", "dutch", "holland"},
    {"spain", "spanish"},
    {"switzerland", "swiss"},
    {"sweden", "swedish", "swede", "swedes"},
    {"denmark", "danish", "dane", "danes"},
    {"poland", "polish", "pole", "poles"},
    {"finland", "finnish", "finn", "finns"},
    {"ireland", "irish"},
    {"scotland", "scottish", "scot", "scots"},
    {"wales", "welsh"},
    {"turkey", "turkish", "turk", "turks", "türkiye"},
    {"greece", "greek", "greeks"},
    {"china", "chinese", "beijing"},
    {"japan", "japanese", "tokyo"},
    {"russia", "russian", "russians", "moscow", "kremlin"},
    {"ukraine", "ukrainian", "ukrainians", "kyiv", "kiev"},
    {"philippines", "filipino", "filipinos", "philippine"},
    {"thailand", "thai"},
    {"iraq", "iraqi", "iraqis"},
    {"pakistan", "pakistani", "pakistanis"},
    {"afghanistan", "afghan", "afghans"},
    {"new zealand", "kiwi", "kiwis"},
    {"uae", "united arab emirates", "emirati"},
    {"nato", "north atlantic treaty organization"},
    {"who", "world health organization"},
    {"imf", "international monetary fund"},
    {"fed", "federal reserve"},
    {"ecb", "european central bank"},
    {"boe", "bank of england"},
]
# A country (claim side) is supported by evidence naming a place in it: "UK activists" <- "activists in London".
# One-directional: a city in the claim is not supported by its country in the evidence.
_PLACES = {
    "uk": "london manchester birmingham glasgow edinburgh liverpool belfast cardiff leeds bristol westminster",
    "us": "washington york california texas florida chicago pentagon congress",
    "france": "paris marseille lyon", "germany": "berlin munich frankfurt hamburg",
    "russia": "moscow kremlin petersburg", "ukraine": "kyiv kiev kharkiv odesa lviv donetsk luhansk kherson",
    "china": "beijing shanghai", "japan": "tokyo osaka", "israel": "jerusalem tel aviv", "iran": "tehran",
    "india": "delhi mumbai", "italy": "rome milan", "spain": "madrid barcelona", "canada": "ottawa toronto",
    "australia": "sydney melbourne canberra brisbane perth", "turkey": "ankara istanbul", "egypt": "cairo",
    "brazil": "brasilia paulo rio", "mexico": "mexico", "syria": "damascus aleppo", "iraq": "baghdad",
    "lebanon": "beirut", "belgium": "brussels", "netherlands": "amsterdam hague", "poland": "warsaw",
    "scotland": "glasgow edinburgh", "ireland": "dublin", "south korea": "seoul", "north korea": "pyongyang",
    "taiwan": "taipei", "gaza": "rafah", "pakistan": "islamabad karachi lahore", "afghanistan": "kabul",
}
SUPPORTED_BY: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in _PLACES.items()}

ALIASES: dict[str, frozenset[str]] = {}
for _g in _ALIAS_GROUPS:
    for _w in _g:
        ALIASES[_w] = frozenset(_g - {_w})

_KEY_SUFFIXES = ("ians", "ian", "eans", "ean", "ans", "an", "ese", "ish", "is", "i", "e", "a", "y", "s")


@lru_cache(maxsize=65536)
def name_key(w: str) -> str:
    """A crude key so that demonyms meet their place: russian/russia, ukrainian/ukraine, israeli/israel."""
    for suf in _KEY_SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            return w[: -len(suf)]
    return w


def within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance <= 1 (transliteration variants: Zelensky / Zelenskyy / Zelenskiy)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]
