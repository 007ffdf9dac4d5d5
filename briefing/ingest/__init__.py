"""Ingest: files, folders, stdin, uploads and API records in; Articles plus problems out.

A bad input never raises: it becomes an `InputProblem` naming the file (or `file:line`,
`file#n` for the n-th record) and the rest is still read. `Article.text` is the text as
received (decoded bytes for text files, extracted text for HTML and feeds) because every
later offset indexes it.
"""

from briefing.ingest.records import articles_from_records
from briefing.ingest.sources import read_bytes, read_paths

__all__ = ["articles_from_records", "read_bytes", "read_paths"]
