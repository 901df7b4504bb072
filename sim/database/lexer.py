"""MariaDB's SQL as tokens, enough to split scripts and translate statements.

Token kinds: ``word`` (keywords and bare identifiers), ``qid`` (a back-quoted identifier),
``string`` ('…' or "…", which MariaDB's default sql_mode reads as strings), ``number``,
``var`` (``@user`` or ``@@system`` variables), ``op`` (operators and punctuation), ``ws``,
``comment`` (``-- ``, ``#``, ``/* */``) and ``exec_comment`` (``/*! … */``, ``/*M! … */``:
MariaDB runs what they hold). Each token keeps its exact text, so untouched parts of a statement
are reproduced byte for byte, and its line for error messages.
"""

from __future__ import annotations

from dataclasses import dataclass

# Longest first: MariaDB's multi-character operators.
_OPERATORS = ("<=>", "->>", "<=", ">=", "<>", "!=", ":=", "||", "&&", "<<", ">>", "->")
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")
# MariaDB's backslash escapes in strings (sql_mode without NO_BACKSLASH_ESCAPES).
# https://mariadb.com/kb/en/string-literals/
_ESCAPES = {"0": "\0", "'": "'", '"': '"', "b": "\b", "n": "\n", "r": "\r", "t": "\t"}
_ESCAPES.update({"Z": "\x1a", "\\": "\\", "%": "\\%", "_": "\\_"})


class LexError(ValueError):
    """Text that is not SQL MariaDB could read (an unterminated string or comment)."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    line: int

    @property
    def upper(self) -> str:
        """The text in capitals for a word (keywords compare this way), else the text."""
        return self.text.upper() if self.kind == "word" else self.text

    @property
    def significant(self) -> bool:
        return self.kind not in ("ws", "comment")

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words

    def is_op(self, *ops: str) -> bool:
        return self.kind == "op" and self.text in ops


def line_comment_starts(text: str, i: int) -> bool:
    """``--`` starts a comment in MariaDB only when followed by a space, a control character
    or the end (``a--1`` is a minus a minus)."""
    if text.startswith("--", i):
        following = text[i + 2 : i + 3]
        return following == "" or following in " \t\r\n\f\v"
    return text[i] == "#"


def tokenize(text: str, line: int = 1) -> list[Token]:
    """The tokens of ``text``, whose first character is on line ``line``."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        start, start_line = i, line
        if c in " \t\r\n\f\v":
            while i < n and text[i] in " \t\r\n\f\v":
                i += 1
            kind = "ws"
        elif line_comment_starts(text, i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            kind = "comment"
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise LexError("a /* comment that is never closed with */", line)
            i = end + 2
            executable = text.startswith("/*!", start) or text.startswith("/*M!", start)
            kind = "exec_comment" if executable else "comment"
        elif c in "'\"`":
            i = quoted_end(text, i, line)
            kind = "qid" if c == "`" else "string"
        elif c.isdigit() or (c == "." and text[i + 1 : i + 2].isdigit()):
            i = _number_end(text, i)
            if i < n and text[i] in _WORD_CHARS:  # 1abc: an identifier starting with a digit
                while i < n and text[i] in _WORD_CHARS:
                    i += 1
                kind = "word"
            else:
                kind = "number"
        elif c in _WORD_CHARS or ord(c) > 127:
            while i < n and (text[i] in _WORD_CHARS or ord(text[i]) > 127):
                i += 1
            kind = "word"
        elif c == "@":
            i += 2 if text.startswith("@@", i) else 1
            if i < n and text[i] in "'\"`":
                i = quoted_end(text, i, line)
            else:
                while i < n and (text[i] in _WORD_CHARS or text[i] == "."):
                    i += 1
            kind = "var"
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), c)
            i += len(op)
            kind = "op"
        piece = text[start:i]
        tokens.append(Token(kind, piece, start_line))
        line += piece.count("\n")
    return tokens


def quoted_end(text: str, i: int, line: int) -> int:
    """The index after the quoted token starting at ``i`` (a doubled quote stays inside;
    a backslash escapes the next character in strings, not in back-quoted identifiers)."""
    quote = text[i]
    j = i + 1
    while True:
        k = text.find(quote, j)
        if quote != "`":
            b = text.find("\\", j)
            if 0 <= b < k or (k < 0 <= b):
                j = b + 2
                continue
        if k < 0:
            what = "identifier" if quote == "`" else "string"
            raise LexError(f"a {what} opened with {quote} that is never closed", line)
        if text.startswith(quote * 2, k):
            j = k + 2
            continue
        return k + 1


def _number_end(text: str, i: int) -> int:
    n = len(text)
    if text.startswith(("0x", "0X", "0b", "0B"), i):
        i += 2
        while i < n and text[i].isalnum():
            i += 1
        return i
    while i < n and text[i].isdigit():
        i += 1
    if i < n and text[i] == "." and not text.startswith("..", i):
        i += 1
        while i < n and text[i].isdigit():
            i += 1
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j].isdigit():
            i = j
            while i < n and text[i].isdigit():
                i += 1
    return i


def string_value(token: Token) -> str:
    """The value of a string token, MariaDB's escapes applied."""
    body, quote = token.text[1:-1], token.text[0]
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
        elif c == quote and body[i + 1 : i + 2] == quote:
            out.append(quote)
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def identifier(token: Token) -> str:
    """The name a word or back-quoted identifier token stands for."""
    if token.kind == "qid":
        return token.text[1:-1].replace("``", "`")
    return token.text


def significant(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.significant]
