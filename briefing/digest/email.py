"""The digest as an email: HTML and plain text alternatives, unsubscribe headers.

    message = build_message(picked, recipient, day=day, settings=settings, now=now)

The HTML part comes from `templates/digest.html.j2` with autoescape ON (every string
from an article is escaped; only http/https URLs become links), laid out with tables
and inline styles, which is what common mail clients render. The text part comes
from `templates/digest.txt.j2`. Citations are numbered per story, one number per
source article, in order of first use, and each number links to that article.

Every header that takes subscriber or article text (`Subject`, the `To` display name)
gets it through `briefing.untrusted.header_text`: plain text, one line, no encoded words.

`List-Unsubscribe` carries `<BRIEFING_PUBLIC_URL/unsubscribe/TOKEN>` with
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058); the same link is
visible at the foot of both parts.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

from jinja2 import Environment

from briefing import templating
from briefing.config import Settings
from briefing.digest.compose import Picked
from briefing.untrusted import header_text
from briefing.errors import ConfigError
from briefing.models import Briefing, Flag, Source
from briefing.flag_kinds import FLAG_KINDS
from briefing.render.flags import FLAG_LABELS, describe_flag, flag_label, source_name, value_phrase
from briefing.render.view import clean_inline, plural, safe_url, trim

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SUBJECT_STORY_CHARS = 90
TIP_CHARS = 160
NAME_CHARS = 100

# Badge colours (text, background), the palette of the briefing page, and what each flag
# means for the legend: both from the one table of flag kinds (data/flags.toml)
FLAG_COLOURS: dict[str, tuple[str, str]] = {k.name: (k.colour, k.background) for k in FLAG_KINDS.values()}
FLAG_MEANINGS: dict[str, str] = {k.name: k.meaning for k in FLAG_KINDS.values()}


def public_url(settings: Settings) -> str:
    """Settings.public_url (BRIEFING_PUBLIC_URL: where the API answers /unsubscribe)."""
    raw = settings.public_url.strip() or DEFAULT_PUBLIC_URL
    url = safe_url(raw)
    if url is None:
        raise ConfigError(f"BRIEFING_PUBLIC_URL must be an http(s) URL, not {raw!r}")
    return url.rstrip("/")


def unsubscribe_url(token: str, base: str) -> str:
    return f"{base}/unsubscribe/{token}"


def date_text(day: date) -> str:
    """'22 Nov 2026', whatever the locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def subject_for(day: date, picked: Sequence[Picked]) -> str:
    """'Your briefing — 22 Nov 2026: <top story>'."""
    top = header_text(picked[0].briefing.title or picked[0].story.headline) if picked else ""
    head = f"Your briefing — {date_text(day)}"
    return f"{head}: {trim(top, SUBJECT_STORY_CHARS)}" if top else head


# ---------------------------------------------------------------- view


@dataclass(frozen=True)
class Recipient:
    """Who the message goes to, and the facts its footer states."""

    email: str
    name: str = ""
    topics: tuple[str, ...] = ()
    timezone: str = "UTC"
    send_hour: int = 7
    token: str = ""
    id: str = ""


@dataclass
class Ref:
    n: int
    link: str | None
    tip: str  # the cited words, for a hover title


@dataclass
class FlagLine:
    kind: str
    label: str  # "Single source", "Sources disagree"
    detail: str  # competing values for a conflict, else ""
    tip: str  # the whole sentence: label, reason, values
    fg: str
    bg: str


@dataclass
class PointLine:
    text: str
    refs: list[Ref]
    flags: list[FlagLine]

    @property
    def markers(self) -> str:
        """"[1][2]" for the text part."""
        return "".join(f"[{r.n}]" for r in self.refs)


@dataclass
class SourceLine:
    n: int
    name: str
    title: str
    link: str | None
    published: str


@dataclass
class StoryView:
    n: int
    title: str
    scope: str
    points: list[PointLine]
    sources: list[SourceLine]


@dataclass
class DigestView:
    subject: str
    date_text: str
    greeting: str
    intro: str
    preheader: str
    stories: list[StoryView]
    legend: list[tuple[str, str]]
    recipient: Recipient
    topics_text: str
    schedule_text: str
    unsubscribe_url: str
    engine: str = ""
    flag_colours: dict[str, tuple[str, str]] = field(default_factory=lambda: FLAG_COLOURS)


def _story_view(n: int, briefing: Briefing, headline: str) -> StoryView:
    by_id: dict[str, Source] = {s.id: s for s in briefing.sources}
    numbers: dict[str, int] = {}

    def number(source_id: str) -> int:
        return numbers.setdefault(source_id, len(numbers) + 1)

    points: list[PointLine] = []
    for p in briefing.points:
        refs: list[Ref] = []
        for c in p.citations:
            k = number(c.source_id)
            if all(r.n != k for r in refs):
                src = by_id.get(c.source_id)
                refs.append(Ref(k, safe_url(src.url if src else None), trim(clean_inline(c.quote), TIP_CHARS)))
        points.append(PointLine(clean_inline(p.text), sorted(refs, key=lambda r: r.n), [_flag(f, by_id) for f in p.flags]))

    sources: list[SourceLine] = []
    for source_id, k in numbers.items():
        src = by_id.get(source_id)
        sources.append(
            SourceLine(
                n=k,
                name=trim(clean_inline(source_name(src, source_id)), NAME_CHARS),
                title=trim(clean_inline(src.title if src else ""), NAME_CHARS),
                link=safe_url(src.url if src else None),
                published=date_text(src.published_at.date()) if src and src.published_at else "",
            )
        )
    articles = briefing.stats.articles or len(briefing.sources)
    origins = briefing.stats.origins or len({s.origin for s in briefing.sources})
    scope = f"{plural(articles, 'article')} · {plural(origins, 'independent origin')}"
    title = clean_inline(briefing.title) or clean_inline(headline) or f"Story {n}"
    return StoryView(n, title, scope, points, sources)


def _flag(flag: Flag, sources: dict[str, Source]) -> FlagLine:
    fg, bg = FLAG_COLOURS.get(flag.kind, FLAG_COLOURS["unverified"])
    detail = " vs ".join(clean_inline(value_phrase(v, sources)) for v in flag.values)
    return FlagLine(flag.kind, clean_inline(flag_label(flag)), detail, clean_inline(describe_flag(flag, sources)), fg, bg)


def build_view(
    picked: Sequence[Picked], recipient: Recipient, *, day: date, base_url: str
) -> DigestView:
    """Everything both templates show, worked out once (strings raw: templates escape)."""
    stories = [_story_view(i, p.briefing, p.story.headline) for i, p in enumerate(picked, 1)]
    kinds = [k for k in FLAG_MEANINGS if any(f.kind == k for s in stories for p in s.points for f in p.flags)]
    name = clean_inline(recipient.name)
    count = f"{len(stories)} {'story' if len(stories) == 1 else 'stories'}"
    topics = ", ".join(clean_inline(t) for t in recipient.topics)
    engines = sorted({clean_inline(p.briefing.stats.engine) for p in picked if p.briefing.stats.engine})
    return DigestView(
        subject=subject_for(day, picked),
        date_text=date_text(day),
        greeting=f"{count} for {name}" if name else f"Today’s {count}",
        intro=(
            "The stories in the last day’s articles, most independent sources first. Every point "
            "links to the articles it rests on; a flag says where the evidence is thin."
        ),
        preheader=" · ".join(s.title for s in stories[:3]),
        stories=stories,
        legend=[(FLAG_LABELS[k], FLAG_MEANINGS[k]) for k in kinds],
        recipient=recipient,
        topics_text=topics,
        schedule_text=f"{recipient.send_hour:02d}:00 {recipient.timezone}",
        unsubscribe_url=unsubscribe_url(recipient.token, base_url),
        engine=", ".join(engines),
    )


# ---------------------------------------------------------------- templates


def _wrap(text: str, width: int = 76, indent: str = "", hang: str | None = None) -> str:
    lines = textwrap.wrap(
        text, width=width, initial_indent=indent, subsequent_indent=indent if hang is None else hang,
        break_long_words=False, break_on_hyphens=False,
    )
    return "\n".join(lines) or indent.rstrip()


def environment(autoescape: bool) -> Environment:
    """The shared template environment, with the digest's `wrap` filter."""
    env = templating.environment(autoescape)
    env.filters.setdefault("wrap", _wrap)
    return env


def render_html(view: DigestView) -> str:
    return environment(True).get_template("digest.html.j2").render(v=view)


def render_text(view: DigestView) -> str:
    return environment(False).get_template("digest.txt.j2").render(v=view)


# ---------------------------------------------------------------- message


def message_id(day: date, recipient: Recipient, mail_from: str) -> str:
    """Stable per (subscriber, date): a re-send after a crash carries the same Message-ID."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    who = recipient.id or recipient.email.replace("@", ".")
    return f"<digest.{day:%Y%m%d}.{who}@{domain}>"


def build_message(
    picked: Sequence[Picked],
    recipient: Recipient,
    *,
    day: date,
    settings: Settings,
    now: datetime | None = None,
    base_url: str | None = None,
) -> EmailMessage:
    """A multipart/alternative message (text, then HTML) with unsubscribe headers."""
    view = build_view(picked, recipient, day=day, base_url=base_url or public_url(settings))
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = view.subject
    msg["From"] = settings.mail_from
    msg["To"] = Address(display_name=header_text(recipient.name, NAME_CHARS), addr_spec=recipient.email)
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = message_id(day, recipient, settings.mail_from)
    msg["List-Id"] = "Daily briefing <digest.briefing>"
    msg["List-Unsubscribe"] = f"<{view.unsubscribe_url}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(render_text(view), subtype="plain", charset="utf-8")
    msg.add_alternative(render_html(view), subtype="html", charset="utf-8")
    return msg
