"""Who holds a role, read from the parse, and where independent origins disagree about it.

A role is what the dependency parse attaches to a PERSON (or, for verbs, an ORG): a title
before the name ("judge Henrika Lamm", "court spokeswoman Ilona Marek"), an apposition
("Pavel Dunst, the court's spokesman", "Maren Solvik, a palaeontologist at Greywater
University"), or a verb of leading ("the rescue was led by Petra Vasskog"). An ORG reached
from the person through "at"/"of" is the person's affiliation, itself a role whose holder
is the organisation.

Two independent origins disagree about a role when each names a different holder for it
and neither ever mentions the other's: two people who both appear in the story hold two
roles, not one disputed role, and "Petra Q. Smith" and "Smith" are one person.

Parsing is the cost, so only sentences with a name in a role-like position are parsed
(`candidate`), all at once (`prime`), with the tagger and lemmatizer off.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from briefing import data
from briefing.lang import nlp

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from briefing.claims import Claim

COMPONENTS = frozenset({"tok2vec", "parser", "ner"})  # deps, entities and casing suffice
AFFILIATION = "affiliation of "
_HOLDERS = ("PERSON", "ORG")
_AFFILIATION_PREPS = frozenset({"at", "of", "with", "from"})
_QUALIFIER_PREPS = frozenset({"of", "for"})
_GENERIC = frozenset({"the", "of", "and", "&", "for", "a", "an"})

# What makes a sentence worth parsing: a two-word name after a word that may be a title
# ("judge Henrika Lamm", "Judge Viktor Saltzer"), before or after an apposition's comma,
# or after "led by", or before "led" ("X, who led the rescue").
# A filter only: the parse decides.
_NAME = r"[A-Z][\w'’-]+(?:\s+[A-Z]\.)?\s+[A-Z][\w'’-]+"
_NOT_TITLE = (
    r"(?:said|says|told|stated|by|in|at|of|from|with|and|for|to|on|the|a|an|that|when|as|after|before|"
    r"according|against|who|whom|during|between|about|under|over|into|like|than|but|or|if|while|where|which)"
)
_CANDIDATE = re.compile(
    rf"\b(?!{_NOT_TITLE}\b)[a-z]{{3,}}\s+{_NAME}"
    rf"|{_NAME},\s+(?:(?:the|a|an|its|their|his|her)\s+)?(?!{_NOT_TITLE}\b|was\b|is\b|has\b|had\b)[a-z]{{3,}}"
    rf"|\b[a-z]{{3,}},\s+{_NAME}"
    r"|\b(?:led|headed|chaired|directed|coordinated|commanded|overseen)\s+by\s+[A-Z]"
    rf"|{_NAME},?\s+(?:who\s+)?(?:led|leads|headed|heads|chaired|chairs|directed|coordinated|commanded|oversaw)\b"
)


# a capitalised title before a two-word name ("Judge Viktor Saltzer"), neither part of a
# longer run of capitalised words ("Saint Ilse Regional Hospital" is a place)
_TITLED = re.compile(
    rf"(?<![\w'’-])(?!(?:The|A|An|As|In|At|On|By|For|From|With|After|Before|When|While|But|And|If|Since)\s)"
    rf"[A-Z][\w.]*\s+{_NAME}\b(?![\w'’-]|\s+[A-Z])"
)
_CAPITALISED_BEFORE = re.compile(r"[A-Z][\w'’.-]*\s+$")


class RoleWords(data.Table):
    """briefing/data/roles.toml."""

    honorifics: frozenset[str]
    distinct_modifiers: frozenset[str]
    synonyms: dict[str, str]
    verbs: dict[str, str]


@lru_cache(maxsize=1)
def words() -> RoleWords:
    return data.table("roles.toml", RoleWords)


def candidate(text: str) -> bool:
    """Might the sentence name someone in a role? (cheap: decides what gets parsed)"""
    if _CANDIDATE.search(text) is not None:
        return True
    return any(not _CAPITALISED_BEFORE.search(text, 0, m.start()) for m in _TITLED.finditer(text))


def prime(texts: Sequence[str]) -> None:
    """Parse every candidate sentence among `texts` in one batch (parses are cached)."""
    todo = list(dict.fromkeys(t for t in texts if candidate(t)))
    if todo:
        nlp.parse(todo, components=COMPONENTS)


@lru_cache(maxsize=8192)
def role_names(text: str) -> dict[str, str]:
    """Role → holder named in this sentence ('court spokesperson' → 'Ilona Marek';
    'affiliation of solvik' → 'Greywater University')."""
    if not candidate(text):
        return {}
    return _roles(nlp.parse_one(text, components=COMPONENTS))


# ---------------------------------------------------------------- reading a parse


def _name(span: Span) -> str:
    """An entity as a name: without a leading "the" or a trailing possessive."""
    toks = [t for t in span if t.dep_ != "case" and t.text not in ("'s", "’s")]
    if toks and toks[0].lower_ == "the":
        toks = toks[1:]
    return " ".join(t.text for t in toks).strip()


def _word(token: Token) -> str:
    w = token.lower_.strip(".")
    return words().synonyms.get(w, w)


def _role_phrase(noun: Token, skip: set[int]) -> str:
    """The role a noun names, with the modifiers that change it: nouns before it ("court
    spokesperson", "the court's spokesman"), distinct adjectives ("former mayor"), and a
    non-organisation complement ("spokesperson for the prosecutor's office")."""
    rw = words()
    parts: list[tuple[int, str]] = []
    for child in noun.children:
        if child.i in skip or child.i > noun.i:
            continue
        if child.dep_ in ("compound", "poss") and child.ent_type_ not in ("PERSON",):
            if child.lower_ not in rw.honorifics:
                parts.extend((t.i, _word(t)) for t in child.subtree if t.dep_ != "case" and t.lower_ not in ("the", "'s", "’s"))
        elif child.dep_ in ("amod", "compound") and child.lower_ in rw.distinct_modifiers:
            parts.append((child.i, child.lower_))
    parts.append((noun.i, _word(noun)))
    phrase = " ".join(w for _, w in sorted(parts))
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in _QUALIFIER_PREPS:
            for obj in prep.children:
                if obj.dep_ == "pobj" and obj.ent_type_ not in _HOLDERS:
                    words_ = [_word(t) for t in obj.subtree if t.dep_ in ("compound", "poss") or t is obj]
                    phrase += f" {prep.lower_} " + " ".join(w for w in words_ if w not in _GENERIC)
    return phrase


def _affiliation(token: Token, doc: Doc) -> str | None:
    """An organisation reached from `token` through at/of/with/from ("… at Greywater University")."""
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ in _AFFILIATION_PREPS:
            for obj in prep.children:
                if obj.dep_ == "pobj" and obj.ent_type_ == "ORG":
                    span = next((e for e in doc.ents if e.start <= obj.i < e.end), None)
                    if span is not None:
                        return _name(span)
    return None


def _title_before(ent: Span) -> str | None:
    """The role set before a name and outside it: "judge" in "Judge Henrika Lamm",
    "assistant sheriff" in "Assistant Sheriff Doyle Campbell" (every title word, in order)."""
    rw = words()
    titles = [
        t for t in ent.root.children
        if t.dep_ == "compound" and t.i < ent.start and t.lower_.strip(".") not in rw.honorifics
    ]  # fmt: skip
    if not titles:
        return None
    head = max(titles, key=lambda t: t.i)
    before = [_word(t) for t in sorted(titles, key=lambda t: t.i) if t is not head]
    return " ".join([*before, _role_phrase(head, set(range(ent.start, ent.end)))])


def _indefinite(noun: Token) -> bool:
    """ "a researcher", "an economist": one of several, not the holder of a role."""
    return any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.children)


def _put(found: dict[str, str], role: str, holder: str) -> None:
    """Keep the first holder of a role; a role or holder the parse left empty is no mention."""
    role = " ".join(role.split())
    if role and holder.strip():
        found.setdefault(role, holder)


def _roles(doc: Doc) -> dict[str, str]:
    found: dict[str, str] = {}
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        root, name = ent.root, _name(ent)
        surname = name.split()[-1].lower() if name else ""
        if not surname:
            continue
        inside = set(range(ent.start, ent.end))
        title = _title_before(ent)
        if title is not None:
            _put(found, title, name)
        for child in root.children:
            if child.dep_ == "appos" and child.ent_type_ not in _HOLDERS:
                if not _indefinite(child):
                    _put(found, _role_phrase(child, inside), name)
                org = _affiliation(child, doc)
                if org:
                    _put(found, AFFILIATION + surname, org)
        head = root.head
        if root.dep_ == "appos" and head.ent_type_ not in _HOLDERS and head.i < ent.start and not _indefinite(head):
            _put(found, _role_phrase(head, inside), name)  # "the court's spokesman, Pavel Dunst"
        org = _affiliation(root, doc)
        if org:
            _put(found, AFFILIATION + surname, org)
    for verb in doc:
        role = words().verbs.get(verb.lower_)
        if role is None:
            continue
        holder, thing = _led(verb, doc)
        if holder and thing:
            _put(found, f"{role} {thing}", holder)
    return found


def _led(verb: Token, doc: Doc) -> tuple[str | None, str | None]:
    """(who, what) of a verb of leading: "X led the rescue", "the rescue (was) led by X"."""
    who = what = None
    for child in verb.children:
        if child.dep_ == "agent":
            obj = next((o for o in child.children if o.dep_ == "pobj"), None)
            who = _entity_name(obj, doc) if obj is not None else None
        elif child.dep_ == "nsubj" and child.lower_ in ("who", "that") and verb.dep_ == "relcl":
            who = _entity_name(verb.head, doc)  # "Jonas Berg, who led the rescue"
        elif child.dep_ == "nsubj":
            who = _entity_name(child, doc)
        elif child.dep_ in ("dobj", "nsubjpass") and child.ent_type_ == "":
            what = _word(child)
    if what is None and verb.dep_ == "acl" and verb.head.ent_type_ == "":
        what = _word(verb.head)  # "the rescue, led by X"
    return who, what


def _entity_name(token: Token, doc: Doc) -> str | None:
    if token.ent_type_ not in _HOLDERS:
        return None
    span = next((e for e in doc.ents if e.start <= token.i < e.end), None)
    return _name(span) if span is not None else None


# ---------------------------------------------------------------- comparing holders


def _tokens(name: str) -> list[str]:
    return [t for t in re.findall(r"[\w'’-]+", name.lower()) if t not in _GENERIC]


def full_name(holder: str) -> str:
    """A person's name as compared: lower case, titles and generic words left out."""
    return " ".join(_tokens(holder))


def surname(holder: str) -> str | None:
    """The last word of a person's name, as a story calls them after the first mention."""
    tokens = _tokens(holder)
    return tokens[-1] if tokens else None


def same_holder(a: str, b: str) -> bool:
    """One holder named twice: "Petra Q. Smith" and "Smith", "the Corliss Museum of Natural
    Sciences" and "Corliss Museum" (one's words inside the other's, or the same surname)."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return False
    return set(ta) <= set(tb) or set(tb) <= set(ta) or ta[-1] == tb[-1]


def mentioned(holder: str, text: str, *, organisation: bool) -> bool:
    """Does `text` name this holder at all (a person by surname, an organisation by its
    first distinctive word)?"""
    tokens = [t for t in re.findall(r"[\w'’-]+", holder) if t.lower() not in _GENERIC]
    if not tokens:
        return False
    key = tokens[0] if organisation else tokens[-1]
    return re.search(rf"\b{re.escape(key)}\b", text) is not None


@dataclass(frozen=True)
class RoleDisagreement:
    """Claims i and j (of two independent origins) name other holders for one role."""

    i: int
    j: int
    role: str
    holders: tuple[str, str]

    @property
    def subject(self) -> str:
        if self.role.startswith(AFFILIATION):
            return f"{self.role.removeprefix(AFFILIATION).title()}'s affiliation"
        return self.role


def specific(role: str) -> bool:
    """A role one holder fills in a story: an affiliation, a verb's ("lead rescue"), or an
    office of a named body ("court spokesperson"). A bare noun ("judge", "researcher",
    "spokesperson") may have several holders in one story."""
    parts = role.split()
    if not parts or role.startswith(AFFILIATION) or parts[0] in set(words().verbs.values()):
        return bool(parts)
    return any(w not in words().distinct_modifiers for w in parts[:-1])


def _rivals(role: str, single: dict[str, tuple[int, str]]) -> list[tuple[str, str]]:
    """(origin, origin) pairs naming other holders. A specific role: any two origins. A
    bare one: only against a holder at least two origins agree on, so two outlets quoting
    two different researchers are not a disagreement."""
    origins = sorted(single)
    pairs = [(a, b) for x, a in enumerate(origins) for b in origins[x + 1 :] if not same_holder(single[a][1], single[b][1])]
    if specific(role):
        return pairs
    backing = {o: sum(same_holder(single[o][1], single[p][1]) for p in origins) for o in origins}
    return [(a, b) for a, b in pairs if max(backing[a], backing[b]) >= 2]


def disagreements(claims: Sequence[Claim]) -> list[RoleDisagreement]:
    """Roles that two origins give to different holders, each never named by the other
    (see `_rivals` for bare roles); an origin naming two holders for one role is left out
    of that role."""
    prime([c.text for c in claims])
    stated: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    said: dict[str, list[str]] = defaultdict(list)
    for i, c in enumerate(claims):
        said[c.origin].append(c.text)
        for role, holder in role_names(c.text).items():
            stated[role][c.origin].append((i, holder))
    text = {o: "\n".join(t) for o, t in said.items()}
    out: list[RoleDisagreement] = []
    seen: set[tuple[str, str, str]] = set()
    for role, by_origin in stated.items():
        organisation = role.startswith(AFFILIATION)
        single = {o: m[0] for o, m in by_origin.items() if all(same_holder(m[0][1], h) for _, h in m)}
        for oa, ob in _rivals(role, single):
            (i, ha), (j, hb) = single[oa], single[ob]
            if mentioned(hb, text[oa], organisation=organisation) or mentioned(ha, text[ob], organisation=organisation):
                continue
            low, high = sorted((ha.lower(), hb.lower()))
            if (role, low, high) not in seen:
                seen.add((role, low, high))
                out.append(RoleDisagreement(i, j, role, (ha, hb)))
    return out
