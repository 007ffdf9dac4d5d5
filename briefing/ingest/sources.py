"""Where inputs come from: paths, folders (with a meta.json sidecar), stdin, uploaded bytes."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from briefing.config import MAX_INPUT_BYTES
from briefing.errors import InputError
from briefing.ingest.formats import SUFFIX_FORMATS, TOO_DEEP, Doc, read_doc
from briefing.ingest.records import finish
from briefing.ingest.text import binary_reason, decode, parse_date
from briefing.models import Article, IngestResult, InputProblem

STDIN = "-"
META_NAME = "meta.json"
_META_TEXT_FIELDS = ("title", "outlet", "url")

Meta = dict[str, Mapping[str, object]]
_READ_CHUNK = 1 << 20  # bytes per read while streaming a file or stdin


class _Allowance:
    """Bytes one call may still read, over all its inputs: memory stays bounded however
    many files a folder holds."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def refusal(self) -> str:
        first = self.left == self.limit
        return (
            f"larger than the {self.limit:,}-byte limit on input read at once"
            + ("" if first else f" (with the {self.limit - self.left:,} bytes read before it)")
            + "; split it, or raise BRIEFING_MAX_INPUT_BYTES"
        )

    def read(self, stream: BinaryIO | TextIO) -> bytes | str | None:
        """The stream's content, or None (nothing counted) once it passes what is left."""
        data = _read_capped(stream, self.left)
        if data is not None:
            self.left -= len(data)
        return data


def _read_capped(stream: BinaryIO | TextIO, limit: int) -> bytes | str | None:
    """Everything in the stream, read a chunk at a time, or None once it passes `limit`
    (bytes, or characters for a text stream): a huge input costs at most `limit` of memory."""
    parts: list = []
    size = 0
    while chunk := stream.read(_READ_CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return parts[0][:0].join(parts) if parts else stream.read(0)  # b"" or ""


def _problem(source: str, message: str) -> IngestResult:
    return IngestResult(problems=[InputProblem(source=source, message=message)])


def _merge(parts: Sequence[IngestResult]) -> IngestResult:
    return IngestResult(
        articles=[a for p in parts for a in p.articles],
        problems=[q for p in parts for q in p.problems],
    )


def _format_for(name: str) -> str | None:
    """The format a name's suffix implies; None (sniff) for unknown or missing suffixes."""
    return SUFFIX_FORMATS.get(Path(name).suffix.lower())


def _read_blob(
    name: str, stem: str, data: bytes, path: str | None, fmt: str | None
) -> IngestResult:
    """Check, decode and read one input's bytes."""
    if not data.strip():
        return _problem(name, "the file is empty")
    reason = binary_reason(data)
    if reason:
        return _problem(name, reason)
    return read_doc(Doc(name=name, stem=stem, path=path, text=decode(data), raw=data), fmt)


def read_bytes(name: str, data: bytes) -> IngestResult:
    """One in-memory file (an upload): format from the name's suffix, sniffed when unknown."""
    stem = Path(name).stem or "input"
    where = name or "<upload>"
    return finish(_read_blob(where, stem, data, name or None, _format_for(name)))


def _read_stdin(stream: TextIO | BinaryIO, allowance: _Allowance) -> IngestResult:
    """Stdin, format sniffed; bytes are preferred so our decoding rules apply, not the locale's."""
    name = "<stdin>"
    buffer = getattr(stream, "buffer", None)
    try:
        data = allowance.read(buffer if buffer is not None else stream)
    except (OSError, UnicodeDecodeError) as exc:
        return _problem(name, f"cannot read stdin: {exc}")
    if data is None:
        return _problem(name, allowance.refusal())
    if isinstance(data, bytes):
        return _read_blob(name, "stdin", data, name, None)
    if "\x00" in data:
        return _problem(name, "looks like a binary stream (contains NUL bytes), not text")
    return read_doc(
        Doc(name=name, stem="stdin", path=name, text=data, raw=data.encode("utf-8", "replace")),
        None,
    )


def _load_meta(folder: Path) -> tuple[Meta, list[InputProblem]]:
    """The folder's meta.json sidecar ({filename: {outlet, url, published_at, title}}), if any."""
    meta_path = folder / META_NAME
    if not meta_path.is_file():
        return {}, []
    where = str(meta_path)
    try:
        data = json.loads(decode(meta_path.read_bytes()))
    except OSError as exc:
        return {}, [InputProblem(source=where, message=f"cannot read: {exc.strerror or exc}")]
    except RecursionError:
        return {}, [InputProblem(source=where, message=f"{TOO_DEEP}; metadata ignored")]
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} (column {exc.colno}); metadata ignored"
        return {}, [InputProblem(source=f"{where}:{exc.lineno}", message=message)]
    if not isinstance(data, Mapping):
        return {}, [InputProblem(source=where, message="must be an object keyed by file name")]
    meta = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    problems = [
        InputProblem(source=where, message=f"the entry for {k!r} must be an object; ignored")
        for k, v in data.items()
        if not isinstance(v, Mapping)
    ]
    return meta, problems


def _apply_meta(article: Article, fields: Mapping[str, object], *, fill_only: bool) -> Article:
    """Sidecar metadata overrides what a one-article file said (blank or unparsable values do
    not). With `fill_only` (a file of several records: a feed export, JSON Lines) each record's
    own fields win and the sidecar only fills what the record left blank: one outlet named for
    the whole file would make five outlets' reports one origin."""
    update: dict[str, object] = {
        key: value.strip()
        for key in _META_TEXT_FIELDS
        if isinstance(value := fields.get(key), str) and value.strip()
    }
    published = parse_date(fields.get("published_at"))
    if published is not None:
        update["published_at"] = published
    if fill_only:
        update = {k: v for k, v in update.items() if not getattr(article, k)}
    return article.model_copy(update=update) if update else article


def _read_file(path: Path, meta: Meta, allowance: _Allowance) -> IngestResult:
    """One file, with its sidecar metadata applied."""
    name = str(path)
    if path.name == META_NAME:
        return _problem(
            name, "meta.json holds metadata for the other files in its folder; it is not an article"
        )
    try:
        if path.stat().st_size > allowance.left:  # refused before reading a byte
            return _problem(name, allowance.refusal())
        with path.open("rb") as stream:  # streamed too: a file may grow, or be a pipe
            data = allowance.read(stream)
    except OSError as exc:
        return _problem(name, f"cannot read: {exc.strerror or exc}")
    if data is None:
        return _problem(name, allowance.refusal())
    assert isinstance(data, bytes)
    result = _read_blob(name, path.stem, data, name, _format_for(path.name))
    fields = meta.get(path.name)
    if fields:
        several = len(result.articles) > 1
        result.articles = [_apply_meta(a, fields, fill_only=several) for a in result.articles]
    return result


def _read_folder(folder: Path, meta: Meta, allowance: _Allowance) -> IngestResult:
    """Every supported, non-hidden file directly in the folder, in name order."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        return _problem(str(folder), f"cannot list folder: {exc.strerror or exc}")
    files = [
        p for p in entries if p.is_file() and not p.name.startswith(".") and p.name != META_NAME
    ]
    parts = []
    for file in files:
        if file.suffix and file.suffix.lower() not in SUFFIX_FORMATS:
            message = f"skipped: {file.suffix!r} is not a supported format"
            parts.append(_problem(str(file), message))
        else:
            parts.append(_read_file(file, meta, allowance))
    names = {p.name for p in files}
    where = str(folder / META_NAME)
    parts += [
        _problem(where, f"names {k!r}, which is not in the folder") for k in meta if k not in names
    ]
    if not files:
        parts.append(_problem(str(folder), "the folder has no files to read"))
    return _merge(parts)


class _MetaCache:
    """Each folder's meta.json is read once per call, and its problems reported once."""

    def __init__(self) -> None:
        self._tables: dict[Path, Meta] = {}
        self.problems: list[InputProblem] = []

    def __call__(self, folder: Path) -> Meta:
        key = folder.resolve()
        if key not in self._tables:
            self._tables[key], problems = _load_meta(folder)
            self.problems += problems
        return self._tables[key]


def _read_path(
    raw: str | Path, stdin: TextIO | BinaryIO | None, metas: _MetaCache, allowance: _Allowance
) -> IngestResult:
    """One command-line argument: "-", a folder or a file."""
    if str(raw) == STDIN:
        return _read_stdin(stdin if stdin is not None else sys.stdin, allowance)
    path = Path(raw)
    if path.is_dir():
        return _read_folder(path, metas(path), allowance)
    if path.is_file():
        return _read_file(path, metas(path.parent), allowance)
    if path.exists():
        return _problem(str(raw), "not a regular file or folder")
    return _problem(str(raw), "no such file or folder")


def read_paths(
    paths: Sequence[str | Path],
    *,
    stdin: TextIO | BinaryIO | None = None,
    max_bytes: int = MAX_INPUT_BYTES,
) -> IngestResult:
    """Read files, folders and "-" (stdin); a bad input becomes a problem, never an exception.
    Inputs are read streamed, at most `max_bytes` (the CLI passes Settings.max_input_bytes) in
    all; a file or stdin that would pass it is one such problem, and is not read."""
    if isinstance(paths, (str, Path)):
        raise InputError("read_paths takes a list of paths; wrap a single path in a list")
    allowance = _Allowance(max_bytes)
    metas = _MetaCache()
    parts = [_read_path(p, stdin, metas, allowance) for p in paths]
    merged = _merge(parts)
    merged.problems = metas.problems + merged.problems
    return finish(merged)
