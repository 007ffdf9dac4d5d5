"""Prompts as reviewed files, not strings buried in code.

Each prompt is `prompts/<name>.j2`: a Jinja header comment naming it, then a `system` block
and a `user` block. Why files: a prompt change shows up in review and in `manifest()`, so a
briefing can say exactly which prompt text produced it (stats.prompts).

Why the rules enforced here:
- StrictUndefined: a missing variable is an error, never a silently empty section.
- Variables listed under `data:` (article text, evidence, claims) are untrusted input. The
  loader refuses a system block that mentions them, and the `untrusted` filter defangs any
  delimiter tag inside them, so text from a web page cannot close `<articles>` early and
  pose as instructions.

Header (a Jinja comment, so it never reaches the model):

    {#
    name: judge
    version: 1
    purpose: does the evidence support the claim?
    output: SupportJudgement
    data: claim, evidence
    #}
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
from jinja2 import nodes
from pydantic import BaseModel, Field

from briefing.config import Settings
from briefing.errors import ConfigError

PROMPTS_ENV = "BRIEFING_PROMPTS_DIR"
_HEADER = re.compile(r"\A\s*\{#(?P<body>.*?)#\}", re.DOTALL)
_REQUIRED = ("name", "version", "purpose", "output")
_BLOCKS = ("system", "user")
# Tags that delimit data in our prompts; the same tags inside data are neutralised.
_DELIMITER_TAG = re.compile(
    r"<(/?)\s*(articles|article|evidence|claim|claims|pairs|pair|passages|passage|data|source)\b([^>]*)>",
    re.IGNORECASE,
)


class Prompt(BaseModel):
    """A prompt file, identified by the exact bytes that were reviewed."""

    name: str
    version: str
    purpose: str
    output: str = Field(description="Name of the response model the answer must match.")
    data: list[str] = Field(default_factory=list, description="Untrusted variables (user part only).")
    sha256: str
    path: Path

    @property
    def ref(self) -> str:
        """'version@sha256' as recorded in BriefingStats.prompts."""
        return f"{self.version}@{self.sha256}"


def packaged_prompts() -> Path:
    """The prompt files shipped with the package (`briefing/prompt_files`): in a checkout a
    link to the top-level prompts/ (the source of truth), in an installed wheel the files."""
    return Path(str(resources.files("briefing").joinpath("prompt_files"))).resolve()


def prompts_dir(settings: Settings | None = None) -> Path:
    """The packaged prompts, unless Settings.prompts_dir (BRIEFING_PROMPTS_DIR) names another
    folder; read at each call (not the cached process settings) so a prompt experiment can
    switch folders."""
    override = (settings or Settings()).prompts_dir
    return Path(override) if override else packaged_prompts()


def untrusted(value: object) -> str:
    """Jinja filter: make data unable to open or close our delimiter tags."""
    return _DELIMITER_TAG.sub(lambda m: f"[{m.group(1)}{m.group(2)}{m.group(3)}]", str(value))


@lru_cache(maxsize=8)
def _environment(directory: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # chat text, not HTML
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.filters["untrusted"] = untrusted
    return env


def _path(name: str) -> Path:
    if not re.fullmatch(r"[a-z0-9_\-]+", name):
        raise ConfigError(f"prompt name {name!r} must be lowercase letters, digits, '-' or '_'")
    path = prompts_dir() / f"{name}.j2"
    if not path.is_file():
        raise ConfigError(f"prompt {name!r} not found: expected {path}")
    return path


def _parse_header(source: str, path: Path) -> dict[str, str]:
    match = _HEADER.match(source)
    if not match:
        raise ConfigError(f"{path}: must start with a {{# name: … version: … #}} header comment")
    fields: dict[str, str] = {}
    for line in match.group("body").splitlines():
        if line.strip():
            key, sep, value = line.partition(":")
            if not sep:
                raise ConfigError(f"{path}: header line {line.strip()!r} is not 'key: value'")
            fields[key.strip().lower()] = value.strip()
    missing = [k for k in _REQUIRED if not fields.get(k)]
    if missing:
        raise ConfigError(f"{path}: header lacks {', '.join(missing)}")
    return fields


def _check_blocks(source: str, path: Path, data: list[str]) -> None:
    """Both blocks exist, and untrusted data is only ever referenced in the user block."""
    env = _environment(str(path.parent))
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: {exc.message}") from exc
    blocks = {b.name: b for b in tree.find_all(nodes.Block)}
    missing = [b for b in _BLOCKS if b not in blocks]
    if missing:
        raise ConfigError(f"{path}: needs {{% block system %}} and {{% block user %}} (missing {missing})")
    outside = [n for n in tree.body if n is not blocks["user"]]
    used = {name.name for node in outside for name in node.find_all(nodes.Name)}
    leaked = sorted(set(data) & used)
    if leaked:
        raise ConfigError(f"{path}: data variables {leaked} may only appear in the user block")


def load_prompt(name: str) -> Prompt:
    """Read and check `prompts/<name>.j2`; errors name the file and what to fix."""
    path = _path(name)
    raw = path.read_bytes()
    source = raw.decode("utf-8")
    fields = _parse_header(source, path)
    if fields["name"] != name:
        raise ConfigError(f"{path}: header name {fields['name']!r} does not match file name")
    data = [v.strip() for v in fields.get("data", "").split(",") if v.strip()]
    _check_blocks(source, path, data)
    return Prompt(
        name=name,
        version=fields["version"],
        purpose=fields["purpose"],
        output=fields["output"],
        data=data,
        sha256=hashlib.sha256(raw).hexdigest(),
        path=path,
    )


def render(name: str, **variables: object) -> list[dict[str, str]]:
    """Chat messages [system, user] for a prompt; a missing variable raises ConfigError."""
    prompt = load_prompt(name)
    template = _environment(str(prompt.path.parent)).get_template(prompt.path.name)
    context = template.new_context(dict(variables))
    messages = []
    for role in _BLOCKS:
        try:
            text = "".join(template.blocks[role](context)).strip()
        except jinja2.UndefinedError as exc:
            raise ConfigError(f"prompt {name!r} ({role} part): {exc.message}") from exc
        messages.append({"role": role, "content": text})
    return messages


def manifest() -> dict[str, str]:
    """name -> sha256 of every prompt file, to record which prompts produced a briefing."""
    directory = prompts_dir()
    return {
        p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.glob("*.j2"))
    }


def manifest_hash() -> str:
    """One hash for the whole prompt set (changes when any prompt file changes)."""
    lines = "".join(f"{name}:{sha}\n" for name, sha in sorted(manifest().items()))
    return hashlib.sha256(lines.encode()).hexdigest()
