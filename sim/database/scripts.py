"""Initialization scripts: the ``*.sql`` files of a directory, split into statements the way
MariaDB's client splits them when the docker image's entrypoint runs
``/docker-entrypoint-initdb.d``.

* Files run in the order of their names (code-point order: ``01_…`` before ``02_…``). Only
  ``*.sql`` files are read; the entrypoint's other kinds (``*.sh``, ``*.sql.gz``, ``*.sql.xz``,
  ``*.sql.zst``) are refused with an error rather than skipped.
* A statement ends at the delimiter (``;``) outside strings, back-quoted names and comments.
* ``DELIMITER $$`` on a line of its own, between statements, changes the delimiter until the next
  ``DELIMITER`` line, as in the ``mariadb`` client, so bodies with ``BEGIN … END`` can hold ``;``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sim.database.errors import ScriptError
from sim.database.lexer import (
    LexError,
    Token,
    line_comment_starts,
    quoted_end,
    significant,
    tokenize,
)

REFUSED_SUFFIXES = (".sh", ".sql.gz", ".sql.xz", ".sql.zst")
_DELIMITER = re.compile(r"[ \t]*delimiter[ \t]+(\S+)[ \t]*(?:\r?\n|$)", re.IGNORECASE)


@dataclass
class Statement:
    """One statement of a script: ``number`` counts from 1 in its file, ``line`` is the line of
    its first word."""

    file: str
    number: int
    line: int
    text: str
    _tokens: list[Token] | None = field(default=None, repr=False)

    @property
    def tokens(self) -> list[Token]:
        """All tokens, whitespace and comments included."""
        if self._tokens is None:
            try:
                self._tokens = tokenize(self.text, self.line)
            except LexError as exc:  # the splitter has checked quotes; kept for safety
                raise self.error(exc.message) from None
        return self._tokens

    @property
    def words(self) -> list[Token]:
        """The significant tokens (no whitespace, no comments)."""
        return significant(self.tokens)

    def starts_with(self, *words: str) -> bool:
        head = self.words[: len(words)]
        return len(head) == len(words) and all(
            t.upper == w for t, w in zip(head, words, strict=True)
        )

    def error(self, reason: str, cls: type[ScriptError] = ScriptError) -> ScriptError:
        return cls(self.file, self.number, self.line, reason)


def script_files(directory: str | Path) -> list[Path]:
    """The ``*.sql`` files of ``directory`` in the order they run."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ScriptError(str(folder), 0, 0, "no such directory of initialization scripts")
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    for name in names:
        if name.endswith(REFUSED_SUFFIXES):
            raise ScriptError(
                str(folder / name),
                0,
                0,
                "streamlab applies *.sql scripts only (the docker entrypoint also runs .sh and "
                "compressed scripts): write it as plain SQL",
            )
    return [folder / name for name in names if name.endswith(".sql")]


def load_scripts(directory: str | Path) -> list[Statement]:
    """Every statement of every script of ``directory``, in the order they run."""
    statements: list[Statement] = []
    for path in script_files(directory):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScriptError(str(path), 0, 0, f"cannot read the script: {exc}") from None
        statements.extend(split_statements(text, str(path)))
    return statements


def split_statements(text: str, file: str = "<script>") -> list[Statement]:
    """The statements of one script (delimiters and ``DELIMITER`` lines removed)."""
    statements: list[Statement] = []
    delimiter = ";"
    i, n, line = 0, len(text), 1
    first: tuple[int, int] | None = None  # (index, line) of the statement's first character

    while i < n:
        if first is None and (i == 0 or text[i - 1] == "\n"):
            match = _DELIMITER.match(text, i)
            if match:
                delimiter = match.group(1)
                line += match.group(0).count("\n")
                i = match.end()
                continue
        c = text[i]
        if c in " \t\r\n\f\v":
            line += c == "\n"
            i += 1
            continue
        if line_comment_starts(text, i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith(delimiter, i):
            if first is not None:
                statements.append(_statement(file, len(statements) + 1, first, text[first[0] : i]))
            first = None
            i += len(delimiter)
            continue
        if text.startswith("/*", i) or c in "'\"`":
            end = _quoted_or_comment_end(text, i, file, len(statements) + 1, line)
            piece = text[i:end]
            if not (piece.startswith("/*") and not piece.startswith(("/*!", "/*M!"))):
                first = first or (i, line)
            line += piece.count("\n")
            i = end
            continue
        first = first or (i, line)
        i += 1
    if first is not None:
        statements.append(_statement(file, len(statements) + 1, first, text[first[0] :]))
    return statements


def _statement(file: str, number: int, first: tuple[int, int], text: str) -> Statement:
    return Statement(file, number, first[1], text.rstrip())


def _quoted_or_comment_end(text: str, i: int, file: str, number: int, line: int) -> int:
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        if end < 0:
            raise ScriptError(file, number, line, "a /* comment that is never closed with */")
        return end + 2
    try:
        return quoted_end(text, i, line)
    except LexError as exc:
        raise ScriptError(file, number, line, exc.message) from None
