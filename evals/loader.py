"""One loader for both case layouts, so one scorer serves every suite.

* The project's own cases (``evals/cases/<name>/``): article files next to ``expect.json`` in
  the schema of :mod:`evals.expect`; article ids are the readers' ids (file stems).
* The shared eval sets (``../shared/evalsets/<suite>/<name>/``): ``articles/`` (with its
  ``meta.json``) and ``expect.json`` in the schema of :mod:`evals.evalset`, whose ids are file
  names (``01_wire.txt``) or ``<file>#<n>``. The loader gives each article that id, so the
  briefing's source ids are the ids ``expect.json`` uses and nothing downstream maps them.

Articles are read by ``briefing.ingest.read_paths`` exactly as ``briefing build`` reads them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from briefing.ingest import read_paths
from briefing.models import Article
from evals.evalset import EvalsetExpect
from evals.expect import ArticleMeta, ExpectedCase

_NOT_ARTICLES = frozenset({"expect.json", "meta.json", "README.md"})


class Case(BaseModel):
    """One loaded eval case: its articles (as the service would receive them) and expectations.

    Exactly one of ``expect`` (the project's schema) and ``evalset`` (the shared schema) is set.
    """

    name: str
    path: Path
    files: list[Path] = Field(description="The article files, sorted by name.")
    articles: list[Article]
    expect: ExpectedCase | None = None
    evalset: EvalsetExpect | None = None
    has_meta: bool = Field(description="Whether the case ships a meta.json.")

    @model_validator(mode="after")
    def _references_exist(self) -> Case:
        if (self.expect is None) == (self.evalset is None):
            raise ValueError(f"{self.name}: needs exactly one of expect and evalset")
        wanted = (self.expect or self.evalset).referenced_ids()  # type: ignore[union-attr]
        missing = wanted - {a.id for a in self.articles}
        if missing:
            raise ValueError(f"{self.name}: expect.json names unknown articles {sorted(missing)}")
        return self

    @property
    def story(self) -> str:
        """What happened, in words: the shared schema's ``story``, else the case description."""
        return self.evalset.story if self.evalset else self.expect.description  # type: ignore[union-attr]

    @property
    def boilerplate(self) -> list[str]:
        return (self.evalset or self.expect).boilerplate  # type: ignore[union-attr]

    def article(self, article_id: str) -> Article:
        for a in self.articles:
            if a.id == article_id:
                return a
        raise KeyError(article_id)


def is_evalset_case(case_dir: Path) -> bool:
    """A shared-schema case keeps its articles in ``articles/``."""
    return (case_dir / "articles").is_dir()


def article_files(case_dir: Path) -> list[Path]:
    """The files of a case that hold its articles, sorted by name."""
    folder = case_dir / "articles" if is_evalset_case(case_dir) else case_dir
    return sorted(
        f
        for f in folder.iterdir()
        if f.is_file() and not f.name.startswith(".") and f.name not in _NOT_ARTICLES
    )


def _read(files: list[Path], name: str) -> list[Article]:
    read = read_paths(files)
    if read.problems:
        problems = "; ".join(f"{p.source}: {p.message}" for p in read.problems)
        raise ValueError(f"{name}: {problems}")
    return read.articles


def evalset_ids(articles: list[Article], files: list[Path]) -> list[Article]:
    """Re-id articles as the shared schema names them: the file name for a one-article file,
    ``<file>#<n>`` (n from 1, as the reader numbered it) for a record of a multi-record file."""
    by_path: dict[str, list[Article]] = {}
    for a in articles:
        by_path.setdefault(a.path or "", []).append(a)
    names = {str(f): f.name for f in files}
    out = []
    for path, group in by_path.items():
        name = names.get(path, Path(path).name)
        multi = len(group) > 1 or Path(name).suffix.lower() in (".jsonl", ".xml", ".rss", ".atom")
        for n, a in enumerate(group, start=1):
            m = re.search(r"#(\d+)$", a.id)
            new = f"{name}#{m.group(1) if m else n}" if multi else name
            out.append(a.model_copy(update={"id": new}))
    return out


def load_case(case_dir: str | Path) -> Case:
    """Read ``case_dir`` (either layout) into a validated Case."""
    case_dir = Path(case_dir)
    files = article_files(case_dir)
    raw = (case_dir / "expect.json").read_text("utf-8")
    if is_evalset_case(case_dir):
        articles = evalset_ids(_read(files, case_dir.name), files)
        return Case(
            name=case_dir.name, path=case_dir, files=files, articles=articles,
            evalset=EvalsetExpect.model_validate_json(raw),
            has_meta=(case_dir / "articles" / "meta.json").exists(),
        )  # fmt: skip
    meta_path = case_dir / "meta.json"
    if meta_path.exists():
        meta = {n: ArticleMeta.model_validate(m) for n, m in json.loads(meta_path.read_text("utf-8")).items()}
        unknown = set(meta) - {f.name for f in files}
        if unknown:
            raise ValueError(f"{case_dir.name}: meta.json names missing files {sorted(unknown)}")
    return Case(
        name=case_dir.name, path=case_dir, files=files, articles=_read(files, case_dir.name),
        expect=ExpectedCase.model_validate_json(raw), has_meta=meta_path.exists(),
    )  # fmt: skip


def list_cases(root: str | Path | None = None) -> list[Path]:
    """Case folders (those holding an expect.json) under ``root`` (default: evals/cases)."""
    root = Path(root) if root is not None else Path(__file__).parent / "cases"
    return sorted(p.parent for p in root.glob("*/expect.json"))
