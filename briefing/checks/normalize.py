"""Text normalisation for the support checker: tokens, stems, sentences, quantities.

Everything here is pure Python + `re` and cheap enough to run on every briefing sentence.

Quantities are the language layer's figures (briefing.lang.numbers: "10,000" = "ten
thousand", "May 16" = "16 May", "$1.2bn" = "1.2 billion dollars"), compared here by the
checker's classes (num, pct, money, date, time, ordinal, decade).
"""

from __future__ import annotations

import re
from functools import lru_cache

from briefing.lang.lexicon import lexicon
from briefing.lang.numbers import Figure, figures
from briefing.lang.tokens import Token

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
COMMON_INITIAL = frozenset(
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

def norm_word(text: str) -> str:
    """Lowercase, curly quotes straightened, possessive and dots removed ("U.K." -> "uk", "Putin's" -> "putin")."""
    w = text.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    elif w.endswith("'"):
        w = w[:-1]
    return w.replace(".", "")


_QUANTITY_WORDS = frozenset(["percent", "pct", "cent", "percentage", "hundred"]) | frozenset(lexicon().units.currency_words)
_MEASURE_UNITS = frozenset(u for u, _ in lexicon().units.measures.values()) | {""}
_NUMBER_WORDS = frozenset(lexicon().numbers.units) | frozenset(lexicon().numbers.tens) | frozenset(lexicon().numbers.scales)


def content_words(tokens: tuple[Token, ...]) -> list[Token]:
    """Word tokens that carry content: not stopwords, not verbs of saying."""
    out = []
    for t in tokens:
        if t.kind in ("word", "alnum", "acro"):
            w = norm_word(t.text)
            if len(w) < 2 or w in STOPWORDS or w in REPORTING_VERBS:
                continue
            if w in _NUMBER_WORDS or w in _QUANTITY_WORDS:
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

# The checker compares figures as written: a kind and one value per figure. They are the
# language layer's figures (briefing.lang.numbers), seen through the checker's classes.
_CHECK_KIND = {"percent": "pct", "points": "pct", "money": "money", "conversion": "money", "date": "date", "time": "time",
               "ordinal": "ordinal", "decade": "decade"}


def check_kind(f: Figure) -> str:
    """num | pct | money | date | time | ordinal | decade: what must meet what."""
    return _CHECK_KIND.get(f.kind, "num")


def _check_value(f: Figure) -> float:
    if f.kind in ("money", "conversion", "date", "time", "decade", "ordinal", "percent"):
        return f.value
    return f.number


def _step(f: Figure) -> float:
    return f.step if f.kind in ("money", "count") else f.step * (f.number / f.value if f.value else 1.0)


@lru_cache(maxsize=8192)
def extract_quantities(text: str) -> tuple[Figure, ...]:
    """The figures the checker compares (weekdays and "yesterday" are left to the words)."""
    return tuple(f for f in figures(text) if f.kind not in ("weekday", "relday") and not _loose(f))


def _loose(f: Figure) -> bool:
    """"one of them", "thousands", "5G": words or labels the checker compares as words."""
    if f.one_word or f.kind == "count" and f.qualifier == "vague":
        return True  # "one of them", "thousands of people"
    return f.kind == "measure" and f.unit not in _MEASURE_UNITS


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def quantity_supported(q: Figure, evidence: tuple[Figure, ...]) -> bool:
    """Is claim quantity `q` stated by some evidence quantity (after normalisation, allowing rounding)?"""
    qk = check_kind(q)
    for e in evidence:
        ek = check_kind(e)
        if qk in ("date", "time"):
            # a time in a zone is checked in UTC against another in a zone, never against one in none
            if ek == qk and (e.value == q.value or (qk == "time" and (q.zone is None) == (e.zone is None) and q.overlaps(e))):
                return True
            continue
        if ek in ("date", "time"):
            if ek == "date" and qk == "num" and _close(_check_value(q), e.value % 100):
                return True
            continue
        if qk == "pct" and ek != "pct":
            continue
        if qk == "money" and ek not in ("money", "num"):
            continue
        if qk == ek == "money" and q.unit != e.unit:
            continue
        a, b = _check_value(q), _check_value(e)
        if _close(a, b):
            return True
        # rounding to the precision the claim was written with: "1.2 billion" for 1.23 billion
        step = _step(q)
        if step and step >= 1e-6 and abs(a - b) <= step / 2 + 1e-9 * abs(a):
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
