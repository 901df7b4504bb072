"""The teaching labs' naming convention (seed 004, the Ticker lab), checked when a scenario asks.

"each service resource you configure should be named DE{first 3 letters of your name
capitalised}{first 3 letters of your surname capitalised}-{name of service}": Kyle Maposa's
streaming Lambda is ``DEKYLMAP-streaming-lambda``. Bucket names are lowercase and must be
globally unique, so the lab uses the full name: ``dekylemaposa-deliverystream-s3``. All work
happens in the lab's region, eu-west-1.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from sim.scenario.base import Spec
from sim.scenario.types import Region, Text, fail

PersonName = Annotated[str, Text(r"[A-Za-z][A-Za-z'\- ]*", "a name of letters", min_len=1)]


def _letters(name: str) -> str:
    return "".join(c for c in name if c.isalpha())


class Naming(Spec):
    """The lab's naming convention: every resource is named after the student."""

    first: PersonName = Field(description="First name (its first three letters are used).")
    last: PersonName = Field(description="Surname (its first three letters are used).")
    region: Region = Field("eu-west-1", description="The region the lab's work must be in.")

    @property
    def prefix(self) -> str:
        """``DEKYLMAP`` for Kyle Maposa."""
        return f"DE{_letters(self.first)[:3].upper()}{_letters(self.last)[:3].upper()}"

    @property
    def bucket_prefix(self) -> str:
        """``dekylemaposa`` for Kyle Maposa."""
        return f"de{_letters(self.first).lower()}{_letters(self.last).lower()}"


def check_naming(scenario: Any) -> None:
    """Fail, naming the first offending field, when a resource breaks the convention."""
    naming = scenario.naming
    if naming is None:
        return
    if scenario.region != naming.region:
        fail(
            f"region {naming.region}, where the lab's work must be (naming.region)",
            scenario.region,
            key="region",
        )
    prefix = f"{naming.prefix}-"
    bucket_prefix = f"{naming.bucket_prefix}-"
    resources = scenario.resources
    named: list[tuple[tuple[Any, ...], str]] = []
    for kind in ("streams", "tables", "topics", "queues", "delivery_streams"):
        for index, spec in enumerate(getattr(resources, kind)):
            named.append((("resources", kind, index, "name"), spec.name))
    for index, spec in enumerate(scenario.functions):
        named.append((("functions", index, "name"), spec.name))
    for key, name in named:
        if not name.upper().startswith(prefix):
            fail(
                f"a name starting with {prefix} (the lab's convention for "
                f"{naming.first} {naming.last}: DE + 3 letters of the first name + 3 of the "
                "surname, then the service)",
                name,
                key=key,
            )
    for index, spec in enumerate(resources.buckets):
        if not spec.name.startswith(bucket_prefix):
            fail(
                f"a bucket name starting with {bucket_prefix} (DE and the full name, lowercase, "
                "for a globally unique bucket)",
                spec.name,
                key=("resources", "buckets", index, "name"),
            )
