"""IAM policy documents: the checks AWS makes before accepting one."""

from __future__ import annotations

import difflib
from typing import Any

from sim.scenario import limits
from sim.scenario.types import fail


def check_policy(document: dict[str, Any], *, resource_policy: bool) -> dict[str, Any]:
    """The checks AWS applies before accepting a policy document, with the failing key."""
    allowed = ("Version", "Id", "Statement")
    for key in document:
        if key not in allowed:
            fail("one of the keys " + ", ".join(allowed), found_text=repr(key), key=key)
    if "Version" not in document:
        fail("a Version (" + " or ".join(limits.POLICY_VERSIONS) + ")", found_text="none")
    if document["Version"] not in limits.POLICY_VERSIONS:
        fail(" or ".join(limits.POLICY_VERSIONS), document["Version"], key="Version")
    if "Statement" not in document:
        fail("a Statement (a mapping or a list of mappings)", found_text="none")
    statements = document["Statement"]
    single = isinstance(statements, dict)
    if single:
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        fail("a mapping or a non-empty list of mappings", document["Statement"], key="Statement")
    keys = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction")
    keys += ("Resource", "NotResource", "Condition")
    for i, statement in enumerate(statements):
        at: tuple[str | int, ...] = ("Statement",) if single else ("Statement", i)
        if not isinstance(statement, dict):
            fail("a statement mapping", statement, key=at)
        for key in statement:
            if key not in keys:
                close = difflib.get_close_matches(key, keys, n=1)
                fail(
                    "one of the statement keys " + ", ".join(keys),
                    found_text=repr(key),
                    key=(*at, key),
                    hint=f"did you mean {close[0]!r}?" if close else None,
                )
        if statement.get("Effect") not in ("Allow", "Deny"):
            fail("Effect Allow or Deny", statement.get("Effect"), key=(*at, "Effect"))
        required = [("Action", "NotAction"), ("Resource", "NotResource")]
        if resource_policy:
            required.append(("Principal", "NotPrincipal"))
        for pair in required:
            present = [k for k in pair if k in statement]
            if not present:
                fail(f"{pair[0]} (or {pair[1]}) in every statement", found_text="none", key=at)
            value = statement[present[0]]
            if pair[0] != "Principal" and not (
                isinstance(value, str)
                or (isinstance(value, list) and value and all(isinstance(v, str) for v in value))
            ):
                fail("a string or a list of strings", value, key=(*at, present[0]))
    return document


def load_policy_files(scenario: Any, lines: Any, file: str) -> list[Any]:
    """Read every role policy given as ``{file: …}`` and every bucket's ``policy_file``
    (relative to ``file``'s directory) into its document; the errors, with the scenario's line, for those that cannot be read, are not
    JSON, or are not a policy AWS accepts."""
    import json
    from pathlib import Path

    from pydantic_core import PydanticCustomError

    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import format_path

    errors = []
    base = Path(file).parent if file and not file.startswith("<") else Path(".")
    roles: list[tuple[tuple[str | int, ...], Any]] = [
        (("functions", f, "role"), function.role) for f, function in enumerate(scenario.functions)
    ]
    roles += [
        (("resources", "delivery_streams", d, "role"), stream.role)
        for d, stream in enumerate(scenario.resources.delivery_streams)
    ]
    files: list[tuple[tuple[str | int, ...], Any, str, bool]] = []
    for where, role in roles:
        for p, policy in enumerate(getattr(role, "policies", None) or []):
            if policy.file is not None:
                files.append(((*where, "policies", p, "file"), policy, "document", False))
    for b, bucket in enumerate(scenario.resources.buckets):
        if bucket.policy_file is not None:
            files.append((("resources", "buckets", b, "policy_file"), bucket, "policy", True))
    for at, owner, attribute, resource_policy in files:
        path = base / (owner.file if attribute == "document" else owner.policy_file)

        def error(expected: str, found: str, at: tuple = at, path: Path = path) -> None:
            errors.append(
                ScenarioError(
                    file=file,
                    line=lines.value_line(at),
                    key=format_path(at),
                    expected=expected,
                    found=f"{path}: {found}",
                )
            )

        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            error("a readable JSON policy file", exc.strerror or str(exc))
            continue
        except ValueError as exc:
            error("a JSON policy document", f"not JSON ({exc})")
            continue
        if not isinstance(document, dict):
            error("a JSON policy document (an object)", type(document).__name__)
            continue
        try:
            setattr(owner, attribute, check_policy(document, resource_policy=resource_policy))
        except PydanticCustomError as exc:
            ctx = exc.context or {}
            key = ctx.get("key")
            if isinstance(key, tuple | list):
                key = format_path(tuple(key))
            where = f"{key}: " if key else ""
            error(str(ctx.get("expected", "a policy AWS accepts")), where + str(ctx["found"]))
    return errors


def check_public_bucket_policies(scenario: Any, lines: Any, file: str) -> list[Any]:
    """A public bucket policy on a bucket that keeps Block Public Access on is refused, as S3
    refuses it (PutBucketPolicy answers ``AccessDenied`` while ``BlockPublicPolicy`` is on, the
    setting of every new bucket); the error names the statement and the way out."""
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import format_path
    from sim.services.s3.public import public_statements

    errors = []
    for b, bucket in enumerate(scenario.resources.buckets):
        if bucket.policy is None or not bucket.block_public_access:
            continue
        found = public_statements(bucket.policy)
        if not found:
            continue
        statements = bucket.policy.get("Statement")
        statements = statements if isinstance(statements, list) else [statements]
        named = ", ".join(
            f"Statement[{i}]" + (f" ({statements[i]['Sid']})" if statements[i].get("Sid") else "")
            for i in found
        )
        at = ("resources", "buckets", b, "policy_file" if bucket.policy_file else "policy")
        errors.append(
            ScenarioError(
                file=file,
                line=lines.value_line(at),
                key=format_path(at),
                expected=(
                    "a policy that is not public while the bucket's Block Public Access is on "
                    "(S3 refuses a public policy with AccessDenied)"
                ),
                found=f"a public policy: {named} {'allows' if len(found) == 1 else 'allow'} "
                "a wildcard principal with no condition "
                "fixing the caller (aws:SourceArn, aws:SourceAccount, aws:SourceIp, ...)",
                hint="set block_public_access: false on the bucket (the console's "
                "'Block all public access' turned off)",
            )
        )
    return errors
