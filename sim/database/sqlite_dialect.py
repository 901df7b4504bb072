"""The SQLite translator: MariaDB statements from the initialization scripts, event bodies and
queries, rewritten for SQLite. Small on purpose: it translates the forms listed here and refuses
the rest with the reason (:class:`Untranslatable`), which the caller turns into an error naming
the script, the statement number and the line.

``CREATE TABLE``
    ``AUTO_INCREMENT`` on the primary key → ``INTEGER PRIMARY KEY AUTOINCREMENT``;
    ``INDEX``/``KEY`` clauses → separate ``CREATE INDEX`` statements (SQLite's index names are
    per database, not per table); ``UNIQUE [KEY]``, ``PRIMARY KEY``, ``FOREIGN KEY``,
    ``CHECK`` kept; ``UNSIGNED``, ``ZEROFILL``, ``CHARACTER SET``, ``COLLATE``, ``COMMENT``
    and the table options ``ENGINE``, ``[DEFAULT] CHARSET``, ``COLLATE``, ``COMMENT``,
    ``ROW_FORMAT`` dropped; ``AUTO_INCREMENT=n`` seeds ``sqlite_sequence``; ``JSON`` → ``TEXT``;
    ``DATETIME(p)``/``TIMESTAMP(p)`` (p ≤ 3) kept, with triggers that store canonical UTC text
    (:mod:`sim.database.sqlite_time`); ``DEFAULT CURRENT_TIMESTAMP`` → the wall clock's time.
    Refused: ``ENUM``, ``SET``, precision above 3, ``ON UPDATE``, generated and invisible
    columns, ``FULLTEXT``/``SPATIAL`` indexes, partitions, ``LIKE``.
``CREATE [UNIQUE] INDEX``, ``DROP TABLE|VIEW|INDEX``, ``CREATE [OR REPLACE] VIEW``, ``TRUNCATE``
    rewritten to SQLite's forms (prefix lengths and ``USING`` dropped).
``INSERT``, ``REPLACE``, ``UPDATE``, ``DELETE``, ``SELECT``, ``WITH`` and event bodies
    ``NOW([p])``, ``CURRENT_TIMESTAMP[(p)]``, ``LOCALTIMESTAMP``, ``LOCALTIME``,
    ``UTC_TIMESTAMP()`` → ``NOW()`` (the simulated instant while an event fires);
    ``CURRENT_DATE``, ``UTC_DATE()`` → ``CURDATE()``;
    ``X + INTERVAL n UNIT`` and ``X - INTERVAL n UNIT``, chained, where ``X`` is a function call,
    a column, a literal or a parenthesised expression not itself the right operand of another
    arithmetic operator, and ``DATE_ADD``/``DATE_SUB``/``ADDDATE``/``SUBDATE(X, INTERVAL n
    UNIT)`` → ``STREAMLAB_ADD_SECONDS(X, ±n × seconds)``; ``n`` is a number, a column, a
    function call or a parenthesised expression; UNIT is ``SECOND``, ``MINUTE``, ``HOUR``,
    ``DAY`` or ``WEEK``;
    ``ON DUPLICATE KEY UPDATE c = VALUES(c)`` → ``ON CONFLICT DO UPDATE SET c = excluded.c``
    (with ``WHERE true`` added to an ``INSERT … SELECT … FROM …`` that has no clause after
    ``FROM``, as SQLite's grammar needs); ``INSERT IGNORE`` → ``INSERT OR IGNORE``;
    ``IF(`` → ``IIF(``; ``"text"`` → ``'text'``; backslash escapes in strings applied;
    a date-time literal in UTC compared with ``=``, ``<``, ``>``, ``<=``, ``>=``, ``<>``,
    ``!=`` or ``BETWEEN`` → the canonical text (``'2026-11-02 12:00:00'`` →
    ``'2026-11-02 12:00:00.000'``), so it compares with DATETIME columns as on MariaDB.
    Refused: ``DIV``, ``SYSDATE()``, ``INSERT … SET``, ``INTERVAL`` with MONTH, QUARTER, YEAR,
    MICROSECOND or compound units, and MariaDB's executable comments ``/*! … */``.
``SET``
    ``time_zone`` '+00:00' or 'UTC', ``NAMES``, ``CHARACTER SET``, ``foreign_key_checks``,
    ``unique_checks``, ``sql_mode`` and ``autocommit`` are accepted and change nothing (SQLite
    keeps UTC text and UTF-8); anything else is refused.
``START TRANSACTION``, ``BEGIN``, ``COMMIT``, ``ROLLBACK`` pass through.

Everything else is refused: ``ALTER TABLE``, procedures, functions, MariaDB triggers,
``LOCK TABLES``, ``GRANT``, user variables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sim.database.lexer import Token, identifier, string_value, tokenize
from sim.database.sqlite_time import (
    CANONICAL_PRECISION,
    UTC_LITERAL,
    canonical_from_millis,
    canonical_triggers,
    parse_millis,
)

# Seconds per INTERVAL unit streamlab translates (calendar units have no fixed length).
UNIT_SECONDS = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400, "WEEK": 604800}
_CALENDAR_UNITS = ("MONTH", "QUARTER", "YEAR", "MICROSECOND")
_COMPARISONS = ("=", "<", ">", "<=", ">=", "<>", "!=", "<=>")
_ARITHMETIC = ("+", "-", "*", "/", "%", "||", "DIV", "MOD")
_NOW_ALIASES = ("NOW", "CURRENT_TIMESTAMP", "LOCALTIMESTAMP", "LOCALTIME", "UTC_TIMESTAMP")
_TODAY_ALIASES = ("CURRENT_DATE", "UTC_DATE", "CURDATE")
_DATE_ADD = {"DATE_ADD": 1, "ADDDATE": 1, "DATE_SUB": -1, "SUBDATE": -1}
# Words that end an expression on their left (a term before "- INTERVAL" cannot be them).
_CLAUSE_WORDS = frozenset(
    ("SELECT", "WHERE", "AND", "OR", "NOT", "ON", "BY", "SET", "VALUES", "VALUE", "AS")
    + ("WHEN", "THEN", "ELSE", "CASE", "END", "IN", "IS", "LIKE", "BETWEEN", "HAVING")
    + ("FROM", "JOIN", "RETURN", "DO", "INTERVAL", "XOR")
)
_SESSION_SETTINGS = ("FOREIGN_KEY_CHECKS", "UNIQUE_CHECKS", "SQL_MODE", "AUTOCOMMIT")
_UTC_ZONES = ("+00:00", "+0:00", "UTC", "-00:00")
_DML = ("INSERT", "REPLACE", "UPDATE", "DELETE", "SELECT", "WITH")


class Untranslatable(ValueError):
    """What the translator cannot translate, in plain words (``reason``) with its line."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


# --- nested token structure ------------------------------------------------------------------


@dataclass
class Group:
    """A parenthesised part: ``(`` items ``)``."""

    open: Token
    items: list[Item]
    close: Token

    @property
    def line(self) -> int:
        return self.open.line


Item = Token | Group


def nest(tokens: list[Token]) -> list[Item]:
    """Tokens with each ``( … )`` folded into a :class:`Group`."""
    stack: list[tuple[Token | None, list[Item]]] = [(None, [])]
    for token in tokens:
        if token.kind == "exec_comment":
            raise Untranslatable(
                f"MariaDB's executable comment {token.text[:20]!r}… has no SQLite equivalent "
                "(write the statement itself)",
                token.line,
            )
        if token.is_op("("):
            stack.append((token, []))
        elif token.is_op(")"):
            if len(stack) == 1:
                raise Untranslatable("a ')' without its '('", token.line)
            opener, items = stack.pop()
            assert opener is not None
            stack[-1][1].append(Group(opener, items, token))
        else:
            stack[-1][1].append(token)
    if len(stack) > 1:
        raise Untranslatable("a '(' that is never closed", stack[-1][0].line)  # type: ignore[union-attr]
    return stack[0][1]


def render(items: list[Item]) -> str:
    return "".join(_render(item) for item in items)


def _render(item: Item) -> str:
    if isinstance(item, Group):
        return item.open.text + render(item.items) + item.close.text
    return item.text


def _significant(items: list[Item]) -> list[Item]:
    return [i for i in items if isinstance(i, Group) or i.significant]


def _is_word(item: Item | None, *words: str) -> bool:
    return isinstance(item, Token) and item.is_word(*words)


def _line(item: Item) -> int:
    return item.line


def _expr(text: str, line: int) -> Token:
    """A translated piece, treated as one complete term from then on."""
    return Token("expr", text, line)


def split_commas(items: list[Item]) -> list[list[Item]]:
    parts: list[list[Item]] = [[]]
    for item in items:
        if isinstance(item, Token) and item.is_op(","):
            parts.append([])
        else:
            parts[-1].append(item)
    return parts


# --- expressions -----------------------------------------------------------------------------


def translate_items(items: list[Item]) -> list[Item]:
    """The expression-level translations, inner parentheses first."""
    items = _tokens(items)
    items = _date_add_calls(items)
    items = [
        Group(i.open, translate_items(i.items), i.close) if isinstance(i, Group) else i
        for i in items
    ]
    return _intervals(items)


def _tokens(items: list[Item]) -> list[Item]:
    """One-token rewrites: strings, NOW() aliases, IF(, refused words."""
    out: list[Item] = []
    before: Item | None = None  # the previous significant item
    between = False  # inside BETWEEN … AND …, before its AND
    after_between_and = False  # the previous item is the AND of a BETWEEN
    for index, item in enumerate(items):
        if isinstance(item, Token) and not item.significant:
            out.append(item)
            continue
        if isinstance(item, Token):
            following = _next_significant(items, index)
            if item.kind == "string":
                item = _string(item, before, following, after_between_and)
            elif item.kind == "word":
                item = _word(item, before, following)
        and_of_between = between and _is_word(item, "AND")
        if _is_word(item, "BETWEEN"):
            between = True
        elif and_of_between:
            between = False
        after_between_and = and_of_between
        out.append(item)
        before = item
    return out


def _word(item: Token, before: Item | None, following: Item | None) -> Token:
    word = item.upper
    if word == "DIV":
        raise Untranslatable(
            "the integer division DIV has no SQLite equivalent: write CAST(a / b AS INTEGER)",
            item.line,
        )
    if word == "SYSDATE":
        raise Untranslatable(
            "SYSDATE() reads the server's clock, not the simulated instant: use NOW()", item.line
        )
    called = isinstance(following, Group)
    if isinstance(before, Token) and before.is_op("."):
        return item  # a qualified name such as t.now
    if word in _NOW_ALIASES and (called or word != "NOW"):
        return Token("word", "NOW", item.line) if called else _expr("NOW()", item.line)
    if word in _TODAY_ALIASES and (called or word != "CURDATE"):
        return Token("word", "CURDATE", item.line) if called else _expr("CURDATE()", item.line)
    if word == "IF" and called:
        return Token("word", "IIF", item.line)
    return item


def _next_significant(items: list[Item], index: int) -> Item | None:
    for item in items[index + 1 :]:
        if isinstance(item, Group) or item.significant:
            return item
    return None


def _string(
    token: Token, before: Item | None, after: Item | None, after_between_and: bool
) -> Token:
    """A MariaDB string as an SQLite literal; a compared UTC date-time as canonical text."""
    value = string_value(token)
    compared = (
        (isinstance(before, Token) and before.kind == "op" and before.text in _COMPARISONS)
        or (isinstance(after, Token) and after.kind == "op" and after.text in _COMPARISONS)
        or _is_word(before, "BETWEEN")
        or after_between_and
    )
    if compared and UTC_LITERAL.match(value):
        millis = parse_millis(value)
        if millis is not None:
            value = canonical_from_millis(millis, CANONICAL_PRECISION)
    return Token("string", "'" + value.replace("'", "''") + "'", token.line)


def _date_add_calls(items: list[Item]) -> list[Item]:
    """``DATE_ADD(x, INTERVAL n UNIT)`` and its kin → ``STREAMLAB_ADD_SECONDS(x, ±n·s)``."""
    out: list[Item] = []
    index = 0
    while index < len(items):
        item = items[index]
        following = _next_index(items, index)
        if (
            isinstance(item, Token)
            and item.kind == "word"
            and item.upper in _DATE_ADD
            and following is not None
            and isinstance(items[following], Group)
        ):
            group = items[following]
            assert isinstance(group, Group)
            parts = split_commas(group.items)
            interval = _significant(parts[1]) if len(parts) == 2 else []
            interval = [
                Group(i.open, translate_items(i.items), i.close) if isinstance(i, Group) else i
                for i in _tokens(interval)
            ]
            if not interval or not _is_word(interval[0], "INTERVAL"):
                raise Untranslatable(
                    f"{item.upper}(date, INTERVAL n UNIT) is translated; found another form",
                    item.line,
                )
            amount, unit = _interval_operand(interval, 1, item.line)
            sign = _DATE_ADD[item.upper]
            base = render(translate_items(parts[0])).strip()
            out.append(_add_seconds(base, amount, unit, sign, item.line))
            index = following + 1
            continue
        out.append(item)
        index += 1
    return out


def _next_index(items: list[Item], index: int) -> int | None:
    for j in range(index + 1, len(items)):
        item = items[j]
        if isinstance(item, Group) or item.significant:
            return j
    return None


def _interval_operand(sig: list[Item], at: int, line: int) -> tuple[str, str]:
    """``n UNIT`` of an INTERVAL whose word is at ``sig[at - 1]``: (amount SQL, unit)."""
    amount: list[Item] = []
    j = at
    if j < len(sig) and isinstance(sig[j], Token) and sig[j].is_op("-", "+"):
        amount.append(sig[j])
        j += 1
    if j >= len(sig):
        raise Untranslatable("INTERVAL without an amount and a unit", line)
    term = sig[j]
    amount.append(term)
    j += 1
    if (
        isinstance(term, Token)
        and term.kind == "word"
        and j < len(sig)
        and isinstance(sig[j], Group)
        and term.upper not in UNIT_SECONDS
    ):
        amount.append(sig[j])  # a function call
        j += 1
    if j >= len(sig) or not isinstance(sig[j], Token) or sig[j].kind != "word":
        raise Untranslatable("INTERVAL n UNIT needs a unit such as MINUTE or HOUR", line)
    unit = sig[j].upper
    if unit in _CALENDAR_UNITS or unit not in UNIT_SECONDS:
        kind = "a calendar unit" if unit in _CALENDAR_UNITS[:3] else "a unit"
        raise Untranslatable(
            f"INTERVAL … {unit}: {kind} SQLite's translation does not handle; use SECOND, "
            "MINUTE, HOUR, DAY or WEEK",
            line,
        )
    if isinstance(term, Token) and term.kind == "string":
        text = string_value(term)
        try:
            float(text)
        except ValueError:
            raise Untranslatable(
                f"INTERVAL '{text}' {unit}: compound interval values are not translated", line
            ) from None
        amount[-1] = Token("number", text, term.line)
    return " ".join(_render(a) for a in amount), unit


def _add_seconds(base: str, amount: str, unit: str, sign: int, line: int) -> Token:
    factor = UNIT_SECONDS[unit] * sign
    return _expr(f"STREAMLAB_ADD_SECONDS({base}, ({amount}) * {factor})", line)


def _intervals(items: list[Item]) -> list[Item]:
    """``X ± INTERVAL n UNIT`` (chained, left to right) → ``STREAMLAB_ADD_SECONDS``; the rest
    of ``items`` keeps its text and spacing."""
    if not any(_is_word(i, "INTERVAL") for i in items):
        return items
    out: list[Item] = []
    index = 0
    while index < len(items):
        item = items[index]
        if not _is_word(item, "INTERVAL"):
            out.append(item)
            index += 1
            continue
        operator = _pop_significant(out)
        if not (isinstance(operator, Token) and operator.is_op("+", "-")):
            raise Untranslatable(
                "INTERVAL is translated only as X + INTERVAL n UNIT or X - INTERVAL n UNIT "
                "(or inside DATE_ADD/DATE_SUB)",
                item.line,
            )
        base = _pop_term(out, item.line)
        after = [(j, i) for j, i in enumerate(items) if j > index and _significant([i])]
        operand = [i for _, i in after]
        amount, unit = _interval_operand(operand, 0, item.line)
        last = after[_interval_length(operand, 0) - 1][0]
        sign = 1 if operator.text == "+" else -1
        out.append(_add_seconds(base, amount, unit, sign, item.line))
        index = last + 1
    return out


def _pop_significant(out: list[Item]) -> Item | None:
    """Remove trailing whitespace and comments from ``out``, then its last item."""
    _trailing_space(out)
    return out.pop() if out else None


def _trailing_space(out: list[Item]) -> list[Item]:
    """Remove and return the whitespace and comments at the end of ``out``."""
    removed: list[Item] = []
    while out and isinstance(out[-1], Token) and not out[-1].significant:
        removed.insert(0, out.pop())
    return removed


def _peek_significant(out: list[Item]) -> Item | None:
    for item in reversed(out):
        if isinstance(item, Group) or item.significant:
            return item
    return None


def _interval_length(sig: list[Item], at: int) -> int:
    """How many significant items ``n UNIT`` spans from ``sig[at]``."""
    j = at
    if isinstance(sig[j], Token) and sig[j].is_op("-", "+"):
        j += 1
    term = sig[j]
    j += 1
    if (
        isinstance(term, Token)
        and term.kind == "word"
        and j < len(sig)
        and isinstance(sig[j], Group)
        and term.upper not in UNIT_SECONDS
    ):
        j += 1
    return j + 1 - at


def _pop_term(out: list[Item], line: int) -> str:
    """Remove the term before ``± INTERVAL`` from ``out`` and return its SQL."""
    last = _pop_significant(out)
    if last is None:
        raise Untranslatable("INTERVAL arithmetic without a date-time on its left", line)
    parts: list[Item] = [last]
    if isinstance(last, Group):
        callee = _peek_significant(out)
        if (
            isinstance(callee, Token)
            and callee.kind == "word"
            and callee.upper not in _CLAUSE_WORDS
        ):
            parts.insert(0, _pop_significant(out))  # a function call
    elif isinstance(last, Token) and last.kind in ("word", "qid"):
        if last.kind == "word" and last.upper in _CLAUSE_WORDS:
            raise Untranslatable(f"INTERVAL arithmetic on {last.text}: a date-time expected", line)
        while isinstance(_peek_significant(out), Token) and _peek_significant(out).is_op("."):
            parts.insert(0, _pop_significant(out))  # the "." of a qualified name
            qualifier = _pop_significant(out)
            if qualifier is None:
                raise Untranslatable("a name starting with '.'", line)
            parts.insert(0, qualifier)
    elif isinstance(last, Token) and last.kind not in ("string", "number", "expr"):
        raise Untranslatable(
            f"INTERVAL arithmetic on {last.text!r}: a date-time term expected", line
        )
    before = _peek_significant(out)
    if isinstance(before, Token) and (
        (before.kind == "op" and before.text in _ARITHMETIC) or before.is_word("DIV", "MOD")
    ):
        raise Untranslatable(
            f"'{before.text} … ± INTERVAL': put the date-time in parentheses, "
            "e.g. (a + b) - INTERVAL 1 HOUR",
            line,
        )
    return "".join(_render(p) for p in parts)


# --- statements ------------------------------------------------------------------------------


@dataclass
class Translated:
    """SQLite statements for one MariaDB statement (none when it changes nothing)."""

    sql: list[str] = field(default_factory=list)


def translate_statement(text: str, line: int = 1) -> Translated:
    """The SQLite form of one MariaDB statement (CREATE EVENT is handled by
    :mod:`sim.database.events`). Raises :class:`Untranslatable`."""
    items = nest(tokenize(text, line))
    sig = _significant(items)
    if not sig:
        return Translated()
    head = [i.upper if isinstance(i, Token) else "(" for i in sig[:4]]
    first = head[0]
    if first == "CREATE":
        rest = head[1:]
        if rest[:1] == ["TABLE"] or rest[:2] == ["TEMPORARY", "TABLE"]:
            return Translated(_create_table(sig))
        if rest[:1] == ["INDEX"] or rest[:2] == ["UNIQUE", "INDEX"]:
            return Translated([_create_index(sig)])
        if "VIEW" in rest:
            return Translated(_create_view(items, sig))
        raise Untranslatable(f"CREATE {' '.join(rest[:2])} is not translated for SQLite", line)
    if first == "DROP":
        return Translated(_drop(sig))
    if first == "TRUNCATE":
        table = sig[2] if _is_word(sig[1], "TABLE") else sig[1]
        return Translated([f"DELETE FROM {_render(table)}"])
    if first == "SET":
        return Translated(_set(sig))
    if first in ("START", "BEGIN", "COMMIT", "ROLLBACK"):
        return Translated(["BEGIN" if first in ("START", "BEGIN") else first])
    if first in _DML:
        return Translated([translate_dml(items)])
    raise Untranslatable(f"{first} statements are not translated for SQLite", line)


def translate_dml(items: list[Item]) -> str:
    """INSERT, REPLACE, UPDATE, DELETE, SELECT or WITH, expression-level translations applied."""
    sig = _significant(items)
    if _is_word(sig[0], "INSERT"):
        _refuse_insert_set(sig)
    items = translate_items(items)
    items = _upsert(items)
    text = render(items).strip()
    if _is_word(sig[0], "INSERT") and len(sig) > 1 and _is_word(sig[1], "IGNORE"):
        text = "INSERT OR IGNORE" + text[text.upper().index("IGNORE") + len("IGNORE") :]
    return text


def _refuse_insert_set(sig: list[Item]) -> None:
    for i, item in enumerate(sig[:6]):
        if _is_word(item, "SET") and i >= 2:
            raise Untranslatable(
                "INSERT … SET col = value is MariaDB's own form: write "
                "INSERT INTO t (col, …) VALUES (…)",
                item.line,
            )


def _upsert(items: list[Item]) -> list[Item]:
    """``ON DUPLICATE KEY UPDATE`` → ``ON CONFLICT DO UPDATE SET``, ``VALUES(c)`` → ``excluded.c``."""
    sig = _significant(items)
    for i in range(len(sig) - 3):
        words = [s.upper if isinstance(s, Token) else "" for s in sig[i : i + 4]]
        if words == ["ON", "DUPLICATE", "KEY", "UPDATE"]:
            break
    else:
        return items
    start = _position(items, sig[i])
    end = _position(items, sig[i + 3])
    before = items[:start]
    clause = "ON CONFLICT DO UPDATE SET"
    if _needs_where(before):
        clause = "WHERE true " + clause
    return [*before, _expr(clause, sig[i].line), *_excluded(items[end + 1 :])]


def _position(items: list[Item], item: Item) -> int:
    """The index of ``item`` itself (tokens compare by value, so ``index`` could find another)."""
    return next(i for i, candidate in enumerate(items) if candidate is item)


def _needs_where(items: list[Item]) -> bool:
    """An INSERT … SELECT … FROM … with no clause after FROM: SQLite would read the ON of
    ON CONFLICT as a join's ON (https://sqlite.org/lang_upsert.html, "Parsing Ambiguity")."""
    words = [i.upper for i in _significant(items) if isinstance(i, Token) and i.kind == "word"]
    if "SELECT" not in words or "FROM" not in words:
        return False
    tail = words[len(words) - 1 - words[::-1].index("FROM") :]
    return not any(w in tail for w in ("WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "WINDOW"))


def _excluded(items: list[Item]) -> list[Item]:
    out: list[Item] = []
    index = 0
    while index < len(items):
        item = items[index]
        following = _next_index(items, index)
        if (
            _is_word(item, "VALUES", "VALUE")
            and following is not None
            and isinstance(items[following], Group)
        ):
            inner = _significant(items[following].items)  # type: ignore[union-attr]
            if len(inner) == 1 and isinstance(inner[0], Token):
                out.append(_expr(f"excluded.{inner[0].text}", item.line))
                index = following + 1
                continue
        if isinstance(item, Group):
            item = Group(item.open, _excluded(item.items), item.close)
        out.append(item)
        index += 1
    return out


def _set(sig: list[Item]) -> list[str]:
    """Session settings: those that change nothing on SQLite are accepted, others refused."""
    words = [s.upper if isinstance(s, Token) else "" for s in sig]
    if words[1:2] in (["NAMES"], ["CHARSET"]) or words[1:3] == ["CHARACTER", "SET"]:
        return []
    for assignment in split_commas(sig[1:]):
        parts = [p for p in assignment if isinstance(p, Token)]
        if not parts:
            raise Untranslatable("SET without a setting", sig[0].line)
        names = [p for p in parts if p.kind in ("word", "var")]
        scope = names[0].upper if names else ""
        if scope in ("SESSION", "LOCAL") and len(names) > 1:
            names = names[1:]
        if scope == "GLOBAL":
            raise Untranslatable(
                "SET GLOBAL changes a MariaDB server; SQLite has no server", parts[0].line
            )
        name = names[0].text.upper().removeprefix("@@SESSION.").removeprefix("@@") if names else ""
        if names and names[0].kind == "var" and not names[0].text.startswith("@@"):
            raise Untranslatable(
                f"user variables ({names[0].text}) are not translated for SQLite", parts[0].line
            )
        if name == "TIME_ZONE":
            values = [p for p in parts if p.kind == "string"]
            zone = string_value(values[0]) if values else ""
            if zone.upper() not in _UTC_ZONES:
                raise Untranslatable(
                    f"SET time_zone = {zone!r}: SQLite keeps date-times as UTC text; use '+00:00'",
                    parts[0].line,
                )
            continue
        if name in _SESSION_SETTINGS:
            continue
        raise Untranslatable(
            f"SET {name.lower() or '…'} is not translated for SQLite", parts[0].line
        )
    return []


def _drop(sig: list[Item]) -> list[str]:
    kind = sig[1].upper if isinstance(sig[1], Token) else ""
    if kind in ("TABLE", "VIEW") or (kind == "TEMPORARY" and _is_word(sig[2], "TABLE")):
        at = 2 if kind != "TEMPORARY" else 3
        exists = ""
        if _is_word(sig[at], "IF") and _is_word(sig[at + 1], "EXISTS"):
            exists, at = "IF EXISTS ", at + 2
        noun = "VIEW" if kind == "VIEW" else "TABLE"
        names = [n for n in sig[at:] if not (isinstance(n, Token) and n.is_op(","))]
        names = [n for n in names if not _is_word(n, "RESTRICT", "CASCADE")]
        return [f"DROP {noun} {exists}{_render(name)}" for name in names]
    if kind == "INDEX":
        at = 2
        exists = ""
        if _is_word(sig[at], "IF") and _is_word(sig[at + 1], "EXISTS"):
            exists, at = "IF EXISTS ", at + 2
        return [f"DROP INDEX {exists}{_render(sig[at])}"]
    raise Untranslatable(f"DROP {kind} is not translated for SQLite", sig[0].line)


def _create_view(items: list[Item], sig: list[Item]) -> list[str]:
    words = [s.upper if isinstance(s, Token) else "(" for s in sig]
    view = words.index("VIEW")
    modifiers = [w for w in words[1:view] if w not in ("OR", "REPLACE")]
    if modifiers:
        raise Untranslatable(
            f"CREATE {' '.join(words[1:view])} VIEW: ALGORITHM, DEFINER and SQL SECURITY are "
            "not translated for SQLite",
            sig[0].line,
        )
    at = view + 1
    exists = ""
    if words[at : at + 3] == ["IF", "NOT", "EXISTS"]:
        exists, at = "IF NOT EXISTS ", at + 3
    name = _render(sig[at])
    if "AS" not in words[at:]:
        raise Untranslatable("CREATE VIEW without AS SELECT", sig[0].line)
    select_at = _position(items, sig[words.index("AS", at) + 1])
    body = translate_dml(items[select_at:])
    columns = f" {_render(sig[at + 1])}" if isinstance(sig[at + 1], Group) else ""
    statements = [f"CREATE VIEW {exists}{name}{columns} AS {body}"]
    if "REPLACE" in words[1:view]:
        statements.insert(0, f"DROP VIEW IF EXISTS {name}")
    return statements


def _index_columns(group: Group) -> str:
    """An index's column list without MariaDB's prefix lengths (``name(10)``)."""
    parts = []
    for part in split_commas(group.items):
        kept = [p for p in _significant(part) if not isinstance(p, Group)]  # no (length)
        parts.append(" ".join(_render(p) for p in kept))
    return "(" + ", ".join(parts) + ")"


def _create_index(sig: list[Item]) -> str:
    words = [s.upper if isinstance(s, Token) else "(" for s in sig]
    unique = "UNIQUE " if words[1] == "UNIQUE" else ""
    at = words.index("INDEX") + 1
    exists = ""
    if words[at : at + 3] == ["IF", "NOT", "EXISTS"]:
        exists, at = "IF NOT EXISTS ", at + 3
    name = _render(sig[at])
    if "ON" not in words[at:]:
        raise Untranslatable("CREATE INDEX without ON table (columns)", sig[0].line)
    on = words.index("ON", at)
    table = _render(sig[on + 1])
    group = sig[on + 2] if on + 2 < len(sig) else None
    if not isinstance(group, Group):
        raise Untranslatable("CREATE INDEX without its (columns)", sig[0].line)
    return f"CREATE {unique}INDEX {exists}{name} ON {table} {_index_columns(group)}"


# --- CREATE TABLE ----------------------------------------------------------------------------


@dataclass
class _Column:
    name: str
    sql: str
    auto_increment: bool = False
    primary_key: bool = False
    datetime_precision: int | None = None


def _create_table(sig: list[Item]) -> list[str]:
    words = [s.upper if isinstance(s, Token) else "(" for s in sig]
    temporary = "TEMPORARY " if words[1] == "TEMPORARY" else ""
    at = words.index("TABLE") + 1
    exists = False
    if words[at : at + 3] == ["IF", "NOT", "EXISTS"]:
        exists, at = True, at + 3
    name_items = [sig[at]]
    while at + 2 < len(sig) and isinstance(sig[at + 1], Token) and sig[at + 1].is_op("."):
        name_items = [sig[at + 2]]  # db.table: SQLite has one database, keep the table
        at += 2
    name_token = name_items[0]
    if not isinstance(name_token, Token):
        raise Untranslatable("CREATE TABLE without a table name", sig[0].line)
    table = identifier(name_token)
    body = sig[at + 1] if at + 1 < len(sig) else None
    if _is_word(body, "LIKE") or _is_word(body, "AS") or _is_word(body, "SELECT"):
        raise Untranslatable(
            "CREATE TABLE … LIKE / AS SELECT is not translated for SQLite", sig[0].line
        )
    if not isinstance(body, Group):
        raise Untranslatable("CREATE TABLE without its (column definitions)", sig[0].line)
    columns: list[_Column] = []
    constraints: list[str] = []
    indexes: list[tuple[str, Group]] = []
    primary: list[str] | None = None
    for element in split_commas(body.items):
        parts = _significant(element)
        if not parts:
            raise Untranslatable(f"an empty definition in CREATE TABLE {table}", body.line)
        first = parts[0].upper if isinstance(parts[0], Token) else ""
        if first in ("INDEX", "KEY"):
            indexes.append(_index_clause(table, parts[1:]))
        elif first in ("FULLTEXT", "SPATIAL"):
            raise Untranslatable(f"{first} indexes have no SQLite equivalent", parts[0].line)
        elif first == "PRIMARY":
            group = _first_group(parts, "PRIMARY KEY")
            primary = [_render(_significant(c)[0]) for c in split_commas(group.items)]
            constraints.append(f"PRIMARY KEY {_index_columns(group)}")
        elif first in ("UNIQUE", "CONSTRAINT", "FOREIGN", "CHECK"):
            constraints.append(_table_constraint(parts))
        elif first == "PERIOD":
            raise Untranslatable("PERIOD FOR … has no SQLite equivalent", parts[0].line)
        else:
            columns.append(_column(parts))
    auto = [c for c in columns if c.auto_increment]
    if auto:
        column = auto[0]
        if not column.primary_key:
            if primary is None or [identifier_text(p) for p in primary] != [column.name]:
                raise Untranslatable(
                    f"AUTO_INCREMENT on {column.name}: SQLite numbers rows only on a "
                    "single-column INTEGER PRIMARY KEY",
                    body.line,
                )
            constraints = [c for c in constraints if not c.startswith("PRIMARY KEY")]
            column.sql += " PRIMARY KEY"
        column.sql += " AUTOINCREMENT"
    definitions = [c.sql for c in columns] + constraints
    head = f"CREATE {temporary}TABLE {'IF NOT EXISTS ' if exists else ''}{_render(name_token)}"
    statements = [head + " (\n    " + ",\n    ".join(definitions) + "\n)"]
    statements += _table_options(table, sig[at + 2 :])
    for index_name, group in indexes:
        statements.append(
            f"CREATE INDEX {'IF NOT EXISTS ' if exists else ''}{index_name} "
            f"ON {_render(name_token)} {_index_columns(group)}"
        )
    for column in columns:
        if column.datetime_precision is not None:
            statements += canonical_triggers(
                table, column.name, column.datetime_precision, if_not_exists=exists
            )
    return statements


def identifier_text(text: str) -> str:
    return text[1:-1].replace("``", "`") if text.startswith("`") else text


def _first_group(parts: list[Item], what: str) -> Group:
    for part in parts:
        if isinstance(part, Group):
            return part
    raise Untranslatable(f"{what} without its (columns)", _line(parts[0]))


def _index_clause(table: str, parts: list[Item]) -> tuple[str, Group]:
    group = _first_group(parts, "INDEX")
    named = parts[0] if parts and isinstance(parts[0], Token) and parts[0] is not group else None
    if named is not None and named.kind in ("word", "qid") and not named.is_word("USING"):
        name = named.text
    else:
        columns = "_".join(
            identifier(c[0]) for c in (_significant(p) for p in split_commas(group.items)) if c
        )
        name = f"{table}_{columns}"
    return name, group


def _table_constraint(parts: list[Item]) -> str:
    words = [p.upper if isinstance(p, Token) else "(" for p in parts]
    prefix = ""
    if words[0] == "CONSTRAINT":
        if len(parts) > 2 and isinstance(parts[1], Token) and parts[1].kind in ("word", "qid"):
            if words[1] not in ("PRIMARY", "UNIQUE", "FOREIGN", "CHECK"):
                prefix = f"CONSTRAINT {parts[1].text} "
                parts, words = parts[2:], words[2:]
            else:
                parts, words = parts[1:], words[1:]
        else:
            parts, words = parts[1:], words[1:]
    kind = words[0]
    if kind == "PRIMARY":
        return prefix + "PRIMARY KEY " + _index_columns(_first_group(parts, "PRIMARY KEY"))
    if kind == "UNIQUE":
        return prefix + "UNIQUE " + _index_columns(_first_group(parts, "UNIQUE"))
    if kind == "CHECK":
        return prefix + "CHECK " + render(translate_items([_first_group(parts, "CHECK")]))
    if kind == "FOREIGN":
        group = _first_group(parts, "FOREIGN KEY")
        rest = parts[_position(parts, group) + 1 :]
        return prefix + "FOREIGN KEY " + _index_columns(group) + " " + _join(rest)
    raise Untranslatable(f"the table constraint {kind} is not translated", _line(parts[0]))


def _join(items: list[Item]) -> str:
    return " ".join(_render(i) for i in items)


def _column(parts: list[Item]) -> _Column:
    name_token = parts[0]
    if not isinstance(name_token, Token) or name_token.kind not in ("word", "qid"):
        raise Untranslatable("a column definition without a column name", _line(name_token))
    name = identifier(name_token)
    if len(parts) < 2 or not isinstance(parts[1], Token) or parts[1].kind != "word":
        raise Untranslatable(f"column {name} without a type", name_token.line)
    type_word = parts[1].upper
    j = 2
    type_sql = parts[1].text
    if type_word == "DOUBLE" and _is_word(parts[j] if j < len(parts) else None, "PRECISION"):
        j += 1
    arguments = parts[j] if j < len(parts) and isinstance(parts[j], Group) else None
    if arguments is not None:
        j += 1
    precision: int | None = None
    if type_word in ("ENUM", "SET"):
        raise Untranslatable(
            f"column {name} {type_word}(…): SQLite has no {type_word} type; use VARCHAR with a "
            "CHECK (… IN (…)) constraint",
            parts[1].line,
        )
    if type_word in ("DATETIME", "TIMESTAMP"):
        precision = 0
        if arguments is not None:
            precision = int(render(arguments.items).strip() or 0)
        if precision > CANONICAL_PRECISION:
            raise Untranslatable(
                f"column {name} {type_word}({precision}): SQLite's date functions keep "
                f"milliseconds; use {type_word}(3)",
                parts[1].line,
            )
    if type_word == "JSON":
        type_sql = "TEXT"
    elif arguments is not None:
        type_sql += _render(arguments)
    column = _Column(name, "", datetime_precision=precision)
    kept: list[str] = []
    while j < len(parts):
        part = parts[j]
        word = part.upper if isinstance(part, Token) else "("
        nxt = parts[j + 1] if j + 1 < len(parts) else None
        if word in ("UNSIGNED", "SIGNED", "ZEROFILL", "BINARY"):
            j += 1
        elif word == "NOT" and _is_word(nxt, "NULL"):
            kept.append("NOT NULL")
            j += 2
        elif word == "NULL":
            kept.append("NULL")
            j += 1
        elif word == "AUTO_INCREMENT":
            column.auto_increment = True
            j += 1
        elif word == "PRIMARY" and _is_word(nxt, "KEY"):
            column.primary_key = True
            kept.append("PRIMARY KEY")
            j += 2
        elif word == "KEY":
            column.primary_key = True
            kept.append("PRIMARY KEY")
            j += 1
        elif word == "UNIQUE":
            kept.append("UNIQUE")
            j += 2 if _is_word(nxt, "KEY") else 1
        elif word == "DEFAULT":
            sql, j = _default(name, parts, j + 1)
            kept.append(sql)
        elif word in ("COMMENT", "COLLATE", "CHARSET"):
            j += 2
        elif word == "CHARACTER" and _is_word(nxt, "SET"):
            j += 3
        elif word == "CHECK" and isinstance(nxt, Group):
            kept.append("CHECK " + render(translate_items([nxt])))
            j += 2
        elif word == "REFERENCES":
            kept.append(_join(parts[j:]))
            j = len(parts)
        elif word == "ON" and _is_word(nxt, "UPDATE"):
            raise Untranslatable(
                f"column {name} … ON UPDATE: SQLite has no such column attribute (set the "
                "value in the UPDATE)",
                part.line if isinstance(part, Token) else part.line,
            )
        elif word in ("GENERATED", "AS"):
            raise Untranslatable(f"generated column {name} is not translated", _line(part))
        else:
            raise Untranslatable(
                f"column {name}: the attribute {_render(part)!r} is not translated for SQLite",
                _line(part),
            )
    if column.auto_increment:
        type_sql = "INTEGER"
    column.sql = " ".join([name_token.text, type_sql, *kept])
    return column


def _default(name: str, parts: list[Item], j: int) -> tuple[str, int]:
    if j >= len(parts):
        raise Untranslatable(f"column {name} DEFAULT without a value", _line(parts[-1]))
    value = parts[j]
    if isinstance(value, Group):
        return "DEFAULT " + render(translate_items([value])), j + 1
    if value.is_op("-", "+") and j + 1 < len(parts):
        return f"DEFAULT {value.text}{_render(parts[j + 1])}", j + 2
    if value.is_word(*_NOW_ALIASES):
        j += 1
        if j < len(parts) and isinstance(parts[j], Group):
            j += 1
        # The row's insertion time: the wall clock on SQLite, the server's clock on MariaDB.
        return "DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))", j
    if value.kind == "string":
        return "DEFAULT " + _string(value, None, None, False).text, j + 1
    if value.kind == "number" or value.is_word("NULL", "TRUE", "FALSE"):
        return f"DEFAULT {value.text}", j + 1
    raise Untranslatable(
        f"column {name} DEFAULT {value.text}: only literals, (expressions) and "
        "CURRENT_TIMESTAMP are translated",
        value.line,
    )


def _table_options(table: str, parts: list[Item]) -> list[str]:
    statements: list[str] = []
    j = 0
    while j < len(parts):
        part = parts[j]
        word = part.upper if isinstance(part, Token) else "("
        if word in (",", "="):
            j += 1
            continue
        if word == "DEFAULT":
            j += 1
            continue
        if word in ("ENGINE", "CHARSET", "COLLATE", "ROW_FORMAT", "COMMENT"):
            j += 1
        elif word == "CHARACTER" and _is_word(parts[j + 1] if j + 1 < len(parts) else None, "SET"):
            j += 2
        elif word == "AUTO_INCREMENT":
            j += 1
            while j < len(parts) and isinstance(parts[j], Token) and parts[j].is_op("="):
                j += 1
            start = int(parts[j].text) if j < len(parts) else 1  # type: ignore[union-attr]
            quoted = table.replace("'", "''")
            statements.append(
                f"INSERT INTO sqlite_sequence (name, seq) SELECT '{quoted}', {start - 1} "
                f"WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '{quoted}')"
            )
            j += 1
            continue
        else:
            raise Untranslatable(
                f"the table option {_render(part)!r} is not translated for SQLite", _line(part)
            )
        while j < len(parts) and isinstance(parts[j], Token) and parts[j].is_op("="):
            j += 1
        j += 1  # the option's value
    return statements


def iter_statements(items: list[Item]) -> Iterator[list[Item]]:
    """The ``;``-separated statements of a compound body's items."""
    current: list[Item] = []
    for item in items:
        if isinstance(item, Token) and item.is_op(";"):
            if _significant(current):
                yield current
            current = []
        else:
            current.append(item)
    if _significant(current):
        yield current
