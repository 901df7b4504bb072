"""Event filtering for Lambda event source mappings: ``FilterCriteria``, as Lambda applies it.

``parse_filter_criteria`` checks a mapping's ``FilterCriteria`` the way CreateEventSourceMapping
does and compiles its patterns once; ``RecordFilter.matches`` then answers, for one event record
exactly as it appears in the Lambda event, whether Lambda would keep it (some filter matches) or
discard it. The pollers use it before batching; records it rejects are *filtered* in the ledger.

What AWS documents, and what this module does about it
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html, the per-source pages
with-kinesis-filtering.html, with-ddb-filtering.html, with-sqs-filtering.html, and the
``Filter`` / ``FilterCriteria`` API types):

* ``FilterCriteria = {"Filters": [{"Pattern": "<JSON text>"}, ...]}``. Filters are OR-ed; an empty
  ``FilterCriteria`` (or ``Filters: []``) means no filtering. At most 5 filters (10 after a quota
  increase: ``max_filters``); a pattern is at most 4,096 characters (botocore's model).
* Pattern syntax: the comparison operators of Lambda's table: null, empty string, equals,
  ``equals-ignore-case``, and (several keys), or (several values in a rule list), ``$or`` (several
  fields), ``anything-but`` (a list of values, or one value), ``numeric`` (``=``, or a range of
  ``>``/``>=`` then ``<``/``<=``), ``exists``, ``prefix``, ``suffix``. EventBridge operators Lambda
  does not list (``wildcard``, ``cidr``, ``anything-but`` with ``prefix``/``suffix``/
  ``equals-ignore-case``, ``prefix``/``suffix`` with ``equals-ignore-case``) are refused (EventBridge
  Pipes, whose filtering Lambda's resembles, lacks the ``anything-but`` variants too:
  eb-create-pattern-operators.html). Duplicate keys: the last one wins (documented; ``json`` does
  the same). The pattern ``{}`` matches every record (assumption, not AWS-documented). Source of
  the operator list: the archived page (awsdocs/aws-lambda-developer-guide, 2023) was read in full
  and gives every row but three; "Equals (ignore case)", "Or (multiple fields)" (``$or``) and "Ends
  with" (``suffix``) are rows of the current page that streamlab could only confirm indirectly.
* Matching is EventBridge's: a pattern key walks into nested objects; an array in the record is
  matched element by element (a rule matches if any element matches); a rule list matches
  *leaf* values only (an object is not a value: ``exists: true`` on an object is false,
  ``exists: false`` true). Strings match character by character. Numbers in an exact-value rule
  match by their JSON text, as the Lambda page says ("300, 300.0, and 3.0e2 are not considered
  equal"); ``numeric`` compares values and never matches a string (DynamoDB's ``{"N": "42"}``
  included: AWS-validated in LocalStack's test_lambda_integration_dynamodbstreams.py).
* What a pattern sees, per source (the "data key" is ``data`` / ``dynamodb`` / ``body``):

  - **kinesis**: only ``{"data": <record["kinesis"]["data"], base64-decoded, parsed as JSON>}``.
    with-kinesis-filtering.html: "Kinesis event source mappings only support filtering on the
    ``data`` key." A pattern key other than ``data`` therefore finds nothing (so it never matches,
    except ``exists: false``) -- AWS does not say whether it refuses such a pattern; streamlab
    accepts it (assumption, not AWS-documented).
  - **dynamodb**: the record as in the event (``eventName``, ``dynamodb.Keys``, ``NewImage`` with
    typed values like ``{"S": "x"}``, ``ApproximateCreationDateTime`` a number ...).
  - **sqs**: the record as in the event, ``body`` parsed as JSON when it is valid JSON, else the
    plain string.

* JSON / non-JSON combinations (the tables of invocation-eventfiltering.html, "Properly filtering
  ..."): a pattern that gives the data key an *object* (a JSON pattern) drops a record whose data
  is not valid JSON; for SQS, a pattern that gives ``body`` a *rule list* (a plain-string pattern)
  drops a record whose body is valid JSON; a pattern without the data key filters on the other
  keys only. For Kinesis and DynamoDB a plain-string pattern for the data key is refused when the
  mapping is created ("Lambda throws an exception at the time of the event source mapping
  creation"). These checks apply per ``$or`` alternative.
* Errors: every bad pattern is AWS's ``InvalidParameterValueException`` with the one message AWS
  gives, ``Invalid filter pattern definition.`` (recorded from AWS in LocalStack's AWS-validated
  snapshots test_lambda_integration_sqs.snapshot.json and ..._dynamodbstreams.snapshot.json: not
  JSON, ``null``, a non-list value, an empty list). AWS never says what is wrong, so
  :class:`InvalidFilterCriteriaException` also carries ``filter_index`` and ``reason`` (streamlab's
  words; the reasons reuse EventBridge's event-ruler texts where one exists), and ``str()`` shows
  them. A pattern over 4,096 characters breaks the API model's length constraint, which AWS
  answers with a ``ValidationException`` in its generic wording (:class:`FilterPatternTooLongException`).

Performance: patterns are compiled once into flat (path, rule) conditions per ``$or`` alternative;
``matches`` walks only the paths the patterns name, and decodes Kinesis ``data`` / parses the SQS
``body`` (one ``json`` decode) only when some pattern names the data key.

Not modelled: EventBridge's dotted-key equivalence (``{"a.b": ...}`` matching ``{"a": {"b": ...}}``)
and its numeric range limits; KPL-aggregated Kinesis records (Lambda does not filter inside them).
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.errors import ValidationException
from sim.services.lambda_.exceptions import InvalidParameterValueException

__all__ = [
    "FILTER_PATTERN_MAX_LENGTH",
    "INVALID_FILTER_PATTERN",
    "MAX_FILTERS",
    "MAX_FILTERS_QUOTA_CEILING",
    "SOURCES",
    "FilterPattern",
    "FilterPatternTooLongException",
    "InvalidFilterCriteriaException",
    "RecordFilter",
    "parse_filter_criteria",
]

# "By default, you can define up to five different filters for a single event source mapping";
# "you can request a quota increase for up to 10 filters". -- invocation-eventfiltering.html
MAX_FILTERS = 5
MAX_FILTERS_QUOTA_CEILING = 10
# Filter.Pattern: "Length Constraints: Minimum length of 0. Maximum length of 4096." -- API_Filter
# (botocore's lambda model: Pattern min 0, max 4096).
FILTER_PATTERN_MAX_LENGTH = 4096
# AWS's one answer to any bad pattern (recorded from AWS; see the module docstring).
INVALID_FILTER_PATTERN = "Invalid filter pattern definition."
# AWS does not say what it answers when there are more filters than the quota allows ("Lambda will
# return an error"); streamlab answers InvalidParameterValueException in these words (assumption,
# not AWS-documented).
TOO_MANY_FILTERS = (
    "The FilterCriteria has {count} filters; the limit is {limit} "
    "(5 by default, up to 10 after a quota increase)."
)
# ``$or`` multiplies alternatives. AWS documents no limit for Lambda; streamlab refuses a pattern
# that expands to more than this many, to keep matching cheap (assumption, not AWS-documented).
MAX_ALTERNATIVES = 1024

SOURCES = ("kinesis", "dynamodb", "sqs")
# The key that holds a record's data, per source. -- invocation-eventfiltering.html ("For Kinesis
# event sources, the data key is data. For Amazon SQS ... body. For DynamoDB ... dynamodb.")
DATA_KEYS = {"kinesis": "data", "dynamodb": "dynamodb", "sqs": "body"}
# Sources whose data key only takes a JSON (object) pattern: a plain-string pattern is refused.
_JSON_ONLY_SOURCES = frozenset({"kinesis", "dynamodb"})

# The comparison operators of Lambda's table, and EventBridge's others that Lambda does not list.
SUPPORTED_OPERATORS = (
    "anything-but",
    "equals-ignore-case",
    "exists",
    "numeric",
    "prefix",
    "suffix",
)
_EVENTBRIDGE_ONLY_OPERATORS = frozenset({"wildcard", "cidr"})
_NUMERIC_OPERATORS = frozenset({"<", "<=", "=", ">", ">="})


class InvalidFilterCriteriaException(InvalidParameterValueException):
    """A ``FilterCriteria`` CreateEventSourceMapping would refuse.

    ``message`` is AWS's answer (``Invalid filter pattern definition.`` for a bad pattern);
    ``filter_index`` (0-based, ``None`` when no single filter is at fault) and ``reason`` say what
    streamlab found wrong, and ``str()`` shows them.
    """

    def __init__(self, message: str, *, reason: str, filter_index: int | None = None):
        super().__init__(message)
        self.reason = reason
        self.filter_index = filter_index

    def __str__(self) -> str:
        where = "FilterCriteria" if self.filter_index is None else _where(self.filter_index)
        return f"{self.code}: {self.message} ({where}: {self.reason})"


class FilterPatternTooLongException(ValidationException):
    """A pattern longer than 4,096 characters: AWS's model-constraint ``ValidationException``.

    ``message`` is AWS's generic wording (``1 validation error detected: Value '...' at
    'filterCriteria.filters.N.member.pattern' failed to satisfy constraint: ...``, N 1-based as
    AWS numbers list members); ``filter_index`` is 0-based.
    """

    def __init__(self, pattern: str, *, filter_index: int):
        super().__init__(
            f"1 validation error detected: Value '{pattern}' at "
            f"'filterCriteria.filters.{filter_index + 1}.member.pattern' failed to satisfy "
            f"constraint: Member must have length less than or equal to {FILTER_PATTERN_MAX_LENGTH}"
        )
        self.filter_index = filter_index
        self.reason = (
            f"the pattern has {len(pattern)} characters; at most {FILTER_PATTERN_MAX_LENGTH}"
        )

    def __str__(self) -> str:
        return f"{self.code}: {_where(self.filter_index)}: {self.reason}"


def _where(filter_index: int) -> str:
    return f"FilterCriteria.Filters[{filter_index}].Pattern"


class _PatternError(Exception):
    """Raised while compiling one pattern; turned into InvalidFilterCriteriaException."""


# ---------------------------------------------------------------------------------------------
# Values: the JSON decoding both patterns and record data go through.


class _JsonFloat(float):
    """A JSON number with a fraction or exponent, keeping its text ("300.0" is not "3.0e2")."""

    __slots__ = ("text",)

    def __new__(cls, text: str) -> _JsonFloat:
        number = super().__new__(cls, text)
        number.text = text
        return number


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # Python's json would accept NaN and Infinity


_DECODER = json.JSONDecoder(parse_float=_JsonFloat, parse_constant=_refuse_constant)
_MISSING = object()


def _value_key(value: Any) -> tuple[str, Any]:
    """A hashable identity for a leaf value under exact matching (type, then text for numbers)."""
    if value is None:
        return ("null", None)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, _JsonFloat):
        return ("number", value.text)
    if isinstance(value, int | float):
        return ("number", repr(value))
    return ("other", id(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ---------------------------------------------------------------------------------------------
# Compiled patterns.

Matcher = Callable[[list[Any]], bool]


@dataclass(frozen=True, slots=True)
class _Leaf:
    """One rule list (``"key": [rule, ...]``): matches if any rule matches any value."""

    exact: frozenset[tuple[str, Any]]
    matchers: tuple[Matcher, ...]

    def matches(self, values: list[Any]) -> bool:
        if self.exact:
            for value in values:
                if _value_key(value) in self.exact:
                    return True
        return any(matcher(values) for matcher in self.matchers)


# How an alternative uses the data key: not at all, as JSON (an object pattern), as a plain
# string (a rule list on the key itself), or both (never matches).
_NO_DATA, _JSON_DATA, _STRING_DATA, _CONFLICT = "none", "json", "string", "conflict"


@dataclass(frozen=True, slots=True)
class _Alternative:
    """One way a pattern can match: every (path, rule list) condition holds (one ``$or`` branch)."""

    conditions: tuple[tuple[tuple[str, ...], _Leaf], ...]
    data_format: str = _NO_DATA

    def with_condition(self, path: tuple[str, ...], leaf: _Leaf) -> _Alternative:
        return _Alternative((*self.conditions, (path, leaf)), self.data_format)

    def with_data_format(self, data_format: str) -> _Alternative:
        merged = data_format if self.data_format in (_NO_DATA, data_format) else _CONFLICT
        return _Alternative(self.conditions, merged)

    def matches(self, document: Any, data_is_json: bool) -> bool:
        if self.data_format != _NO_DATA:
            if self.data_format == _CONFLICT:
                return False
            if data_is_json != (self.data_format == _JSON_DATA):
                return False
        for path, leaf in self.conditions:
            values: list[Any] = []
            _collect(document, path, 0, values)
            if not leaf.matches(values):
                return False
        return True


def _collect(node: Any, path: tuple[str, ...], depth: int, out: list[Any]) -> None:
    """The leaf values at ``path`` under ``node``, walking into every element of an array."""
    if isinstance(node, list | tuple):
        for item in node:
            _collect(item, path, depth, out)
        return
    is_object = type(node) is dict or isinstance(node, Mapping)
    if depth == len(path):
        if not is_object:
            out.append(node)
        return
    if is_object:
        child = node.get(path[depth], _MISSING)
        if child is not _MISSING:
            _collect(child, path, depth + 1, out)


@dataclass(frozen=True, slots=True)
class FilterPattern:
    """One compiled filter: its position in ``Filters``, its text, and its alternatives."""

    index: int
    pattern: str
    alternatives: tuple[_Alternative, ...]

    @property
    def uses_data(self) -> bool:
        return any(alt.data_format != _NO_DATA for alt in self.alternatives)


class RecordFilter:
    """The compiled ``FilterCriteria`` of one mapping: ``matches(record)`` is Lambda's verdict.

    ``record`` is one event record exactly as the function would receive it (Kinesis with
    ``record["kinesis"]["data"]`` base64, SQS with ``record["body"]`` a string, DynamoDB as is).
    """

    __slots__ = ("_alternatives", "_uses_data", "filters", "source")

    def __init__(self, filters: Sequence[FilterPattern], *, source: str):
        if source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
        self.source = source
        self.filters: tuple[FilterPattern, ...] = tuple(filters)
        self._alternatives = tuple(alt for f in self.filters for alt in f.alternatives)
        self._uses_data = any(f.uses_data for f in self.filters)

    def matches(self, record: Mapping[str, Any]) -> bool:
        """True if some filter matches (Lambda keeps the record), False if Lambda discards it."""
        document, data_is_json = self._document(record)
        return any(alt.matches(document, data_is_json) for alt in self._alternatives)

    def _document(self, record: Mapping[str, Any]) -> tuple[Any, bool]:
        """What the patterns see, and whether the record's data is valid JSON."""
        if self.source == "kinesis":
            if not self._uses_data:
                return _EMPTY, False
            data = _kinesis_data(record)
            return ({"data": data}, True) if data is not _MISSING else (_EMPTY, False)
        if self.source == "sqs":
            if not self._uses_data:
                return record, False
            body = record.get("body")
            parsed = _parse_json(body) if isinstance(body, str) else _MISSING
            if parsed is _MISSING:
                return record, False
            return {**record, "body": parsed}, True
        # DynamoDB: the record is the document; its data key is always an object.
        dynamodb = record.get("dynamodb")
        return record, type(dynamodb) is dict or isinstance(dynamodb, Mapping)

    def __repr__(self) -> str:
        patterns = ", ".join(f.pattern for f in self.filters)
        return f"RecordFilter(source={self.source!r}, filters=[{patterns}])"


_EMPTY: Mapping[str, Any] = {}


def _parse_json(text: str) -> Any:
    try:
        return _DECODER.decode(text)
    except ValueError:  # JSONDecodeError, or NaN / Infinity
        return _MISSING


def _kinesis_data(record: Mapping[str, Any]) -> Any:
    """The record's data, base64-decoded and parsed; _MISSING if it is not valid JSON."""
    kinesis = record.get("kinesis")
    encoded = kinesis.get("data") if isinstance(kinesis, Mapping) else None
    if not isinstance(encoded, str | bytes):
        return _MISSING
    try:
        text = binascii.a2b_base64(encoded).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return _MISSING
    return _parse_json(text)


# ---------------------------------------------------------------------------------------------
# Parsing and validation.


def parse_filter_criteria(
    criteria: Mapping[str, Any] | None, *, source: str, max_filters: int = MAX_FILTERS
) -> RecordFilter | None:
    """Check and compile a mapping's ``FilterCriteria``; ``None`` when there are no filters.

    ``source`` is ``"kinesis"``, ``"dynamodb"`` or ``"sqs"``. ``max_filters`` is the account's
    quota (5 by default, at most 10). Raises :class:`InvalidFilterCriteriaException` (AWS's
    ``InvalidParameterValueException``) or :class:`FilterPatternTooLongException` (AWS's
    ``ValidationException``) for what AWS would refuse.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    if not 1 <= max_filters <= MAX_FILTERS_QUOTA_CEILING:
        raise ValueError(f"max_filters must be 1..{MAX_FILTERS_QUOTA_CEILING}, not {max_filters}")
    if criteria is None:
        return None
    if not isinstance(criteria, Mapping):
        raise InvalidFilterCriteriaException(
            INVALID_FILTER_PATTERN,
            reason=f"FilterCriteria must be an object with a Filters list, not {criteria!r}",
        )
    unknown = sorted(str(key) for key in criteria if key != "Filters")
    if unknown:
        raise InvalidFilterCriteriaException(
            INVALID_FILTER_PATTERN,
            reason=f"FilterCriteria has unknown keys {', '.join(unknown)}; it takes only Filters",
        )
    filters = criteria.get("Filters")
    if filters is None:
        return None
    if isinstance(filters, str | bytes) or not isinstance(filters, Sequence):
        raise InvalidFilterCriteriaException(
            INVALID_FILTER_PATTERN,
            reason=f"Filters must be a list of {{'Pattern': '<JSON>'}}, not {filters!r}",
        )
    if not filters:
        return None
    if len(filters) > max_filters:
        raise InvalidFilterCriteriaException(
            TOO_MANY_FILTERS.format(count=len(filters), limit=max_filters),
            reason=f"{len(filters)} filters; the quota allows {max_filters}",
            filter_index=max_filters,
        )
    compiled = [_parse_filter(entry, index, source) for index, entry in enumerate(filters)]
    return RecordFilter(compiled, source=source)


def _parse_filter(entry: Any, index: int, source: str) -> FilterPattern:
    def refuse(reason: str) -> InvalidFilterCriteriaException:
        return InvalidFilterCriteriaException(
            INVALID_FILTER_PATTERN, reason=reason, filter_index=index
        )

    if not isinstance(entry, Mapping):
        raise refuse(f"a filter must be an object {{'Pattern': '<JSON>'}}, not {entry!r}")
    unknown = sorted(str(key) for key in entry if key != "Pattern")
    if unknown:
        raise refuse(f"a filter takes only Pattern, not {', '.join(unknown)}")
    pattern = entry.get("Pattern")
    if pattern is None:
        raise refuse("the filter has no Pattern")
    if not isinstance(pattern, str):
        raise refuse(f"Pattern must be a string holding JSON, not {type(pattern).__name__}")
    if len(pattern) > FILTER_PATTERN_MAX_LENGTH:
        raise FilterPatternTooLongException(pattern, filter_index=index)
    try:
        document = _DECODER.decode(pattern)
    except ValueError as exc:
        raise refuse(f"Filter is not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise refuse(f"Filter is not an object (it is {_json_kind(document)})")
    try:
        alternatives = _compile(document, source)
    except _PatternError as exc:
        raise refuse(str(exc)) from None
    return FilterPattern(index=index, pattern=pattern, alternatives=tuple(alternatives))


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def _compile(document: dict[str, Any], source: str) -> list[_Alternative]:
    data_key = DATA_KEYS[source]

    def walk(obj: dict[str, Any], prefix: tuple[str, ...], alts: list[_Alternative]):
        for key, value in obj.items():
            if key == "$or":
                alts = _or(value, prefix, alts)
                continue
            path = (*prefix, key)
            at_data_key = path == (data_key,)
            if isinstance(value, dict):
                if at_data_key:
                    alts = [alt.with_data_format(_JSON_DATA) for alt in alts]
                alts = walk(value, path, alts)
            elif isinstance(value, list):
                if at_data_key:
                    if source in _JSON_ONLY_SOURCES:
                        raise _PatternError(
                            f'"{key}" must be an object: {source} filters need a JSON pattern '
                            "for the data properties"
                        )
                    alts = [alt.with_data_format(_STRING_DATA) for alt in alts]
                leaf = _compile_leaf(value, path)
                alts = [alt.with_condition(path, leaf) for alt in alts]
            else:
                raise _PatternError(f'"{_dotted(path)}" must be an object or an array')
        return alts

    def _or(value: Any, prefix: tuple[str, ...], alts: list[_Alternative]):
        where = _dotted((*prefix, "$or"))
        if not isinstance(value, list) or not value:
            raise _PatternError(f'"{where}" must be a non-empty array of objects')
        expanded: list[_Alternative] = []
        for choice in value:
            if not isinstance(choice, dict) or not choice:
                raise _PatternError(f'"{where}" must be a non-empty array of objects')
            expanded.extend(walk(choice, prefix, alts))
            if len(expanded) > MAX_ALTERNATIVES:
                raise _PatternError(
                    f"the pattern expands to more than {MAX_ALTERNATIVES} $or alternatives"
                )
        return expanded

    return walk(document, (), [_Alternative(())])


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path)


def _compile_leaf(rules: list[Any], path: tuple[str, ...]) -> _Leaf:
    where = _dotted(path)
    if not rules:
        raise _PatternError(f'"{where}": Empty arrays are not allowed')
    exact: set[tuple[str, Any]] = set()
    matchers: list[Matcher] = []
    for rule in rules:
        if rule is None or isinstance(rule, str | bool | int | float):
            exact.add(_value_key(rule))
        elif isinstance(rule, dict):
            matchers.append(_compile_operator(rule, where))
        else:
            raise _PatternError(
                f'"{where}": Match value must be String, number, true, false, or null'
            )
    return _Leaf(frozenset(exact), tuple(matchers))


def _compile_operator(rule: dict[str, Any], where: str) -> Matcher:
    if len(rule) != 1:
        raise _PatternError(f'"{where}": Only one key allowed in match expression')
    ((operator, operand),) = rule.items()
    if operator in ("prefix", "suffix", "equals-ignore-case"):
        if isinstance(operand, dict):
            raise _PatternError(
                f'"{where}": {operator} with {_keys(operand)} is not supported by Lambda event '
                f"filtering (supported operators: {', '.join(SUPPORTED_OPERATORS)})"
            )
        if not isinstance(operand, str):
            raise _PatternError(f'"{where}": {operator} match pattern must be a string')
        return _string_matcher(operator, operand)
    if operator == "anything-but":
        return _anything_but(operand, where)
    if operator == "numeric":
        return _numeric(operand, where)
    if operator == "exists":
        if not isinstance(operand, bool):
            raise _PatternError(f'"{where}": exists match pattern must be either true or false.')
        return _present if operand else _absent
    if operator in _EVENTBRIDGE_ONLY_OPERATORS:
        raise _PatternError(
            f'"{where}": {operator} is an EventBridge operator that Lambda event filtering does '
            f"not support (supported: {', '.join(SUPPORTED_OPERATORS)})"
        )
    raise _PatternError(
        f'"{where}": Unrecognized match type {operator} '
        f"(supported: {', '.join(SUPPORTED_OPERATORS)})"
    )


def _keys(operand: dict[str, Any]) -> str:
    return ", ".join(repr(key) for key in operand) or "{}"


def _present(values: list[Any]) -> bool:
    return bool(values)


def _absent(values: list[Any]) -> bool:
    return not values


def _string_matcher(operator: str, operand: str) -> Matcher:
    if operator == "prefix":
        return lambda values: any(isinstance(v, str) and v.startswith(operand) for v in values)
    if operator == "suffix":
        return lambda values: any(isinstance(v, str) and v.endswith(operand) for v in values)
    folded = operand.lower()
    return lambda values: any(isinstance(v, str) and v.lower() == folded for v in values)


def _anything_but(operand: Any, where: str) -> Matcher:
    if isinstance(operand, dict):
        raise _PatternError(
            f'"{where}": anything-but with {_keys(operand)} is not supported by Lambda event '
            "filtering (it takes a list of values or one value)"
        )
    if isinstance(operand, list):
        if not operand:
            raise _PatternError(f'"{where}": anything-but: Empty arrays are not allowed')
        for value in operand:
            if not (isinstance(value, str) or _is_number(value)):
                raise _PatternError(
                    f'"{where}": Inside anything but list, start|null|boolean is not supported.'
                )
        excluded = frozenset(_value_key(value) for value in operand)
    elif isinstance(operand, str) or _is_number(operand):
        excluded = frozenset({_value_key(operand)})
    else:
        raise _PatternError(
            f'"{where}": Value of anything-but must be an array or single string/number value.'
        )
    # A missing key never matches; a null value does (AWS-validated EventBridge behaviour,
    # LocalStack's content_anything_but_string_null / ..._missing_NEG templates).
    return lambda values: any(_value_key(v) not in excluded for v in values)


def _numeric(operand: Any, where: str) -> Matcher:
    """``[op, n]`` or ``[">"|">=", low, "<"|"<=", high]``; EventBridge's checks and wording."""
    if not isinstance(operand, list):
        raise _PatternError(f'"{where}": Value of numeric must be an array.')
    if not operand:
        raise _PatternError(f'"{where}": Invalid member in numeric match: ]')
    terms = list(operand)
    bounds: list[tuple[str, float]] = []
    first = True
    while terms:
        op = terms.pop(0)
        if not isinstance(op, str):
            word = "Invalid member in numeric match" if first else "Bad value in numeric range"
            raise _PatternError(f'"{where}": {word}: {op}')
        allowed = _NUMERIC_OPERATORS if first else {"<", "<="}
        if op not in allowed:
            word = "Unrecognized numeric range operator" if first else "Bad numeric range operator"
            raise _PatternError(f'"{where}": {word}: {op}')
        if not terms or not _is_number(terms[0]):
            name = "equals" if op == "=" else op
            raise _PatternError(f'"{where}": Value of {name} must be numeric')
        bounds.append((op, float(terms.pop(0))))
        if terms and not first:
            raise _PatternError(f'"{where}": Too many terms in numeric range expression')
        if terms and op not in (">", ">="):
            raise _PatternError(f'"{where}": Too many elements in numeric expression')
        first = False
    if len(bounds) == 2 and bounds[1][1] <= bounds[0][1]:
        raise _PatternError(f'"{where}": Bottom must be less than top')
    checks = tuple(_NUMERIC_CHECKS[op](bound) for op, bound in bounds)

    def matcher(values: list[Any]) -> bool:
        return any(_is_number(v) and all(check(v) for check in checks) for v in values)

    return matcher


_NUMERIC_CHECKS: dict[str, Callable[[float], Callable[[float], bool]]] = {
    "=": lambda bound: lambda value: value == bound,
    "<": lambda bound: lambda value: value < bound,
    "<=": lambda bound: lambda value: value <= bound,
    ">": lambda bound: lambda value: value > bound,
    ">=": lambda bound: lambda value: value >= bound,
}
