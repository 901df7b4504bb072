"""The base of every scenario model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator

from sim.scenario.types import NULLABLE, ONE_OF, describe, fail, field_extra


class Spec(BaseModel):
    """Base of every scenario model: unknown keys are errors, types are not coerced, and fields
    made with ``one_of(group, ...)`` must be given exactly once per group."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @classmethod
    def one_of_groups(cls) -> dict[str, tuple[str, ...]]:
        """Group label → the alternative field names, in declaration order."""
        groups: dict[str, tuple[str, ...]] = {}
        for name, field in cls.model_fields.items():
            group = field_extra(field).get(ONE_OF)
            if group:
                groups[group] = (*groups.get(group, ()), name)
        return groups

    def chosen(self, group: str) -> str:
        """The name of the alternative given for ``group`` (validation ensures exactly one)."""
        names = type(self).one_of_groups()[group]
        return next(name for name in names if name in self.model_fields_set)

    @model_validator(mode="after")
    def _exactly_one(self) -> Spec:
        cls = type(self)
        for group, names in cls.one_of_groups().items():
            given = [name for name in names if name in self.model_fields_set]
            for name in given:
                field = cls.model_fields[name]
                if getattr(self, name) is None and not field_extra(field).get(NULLABLE):
                    fail(describe(field.annotation, field.metadata), None, key=name)
            choices = ", ".join(names)
            if not given:
                fail(f"exactly one {group} ({choices})", found_text="none of them")
            if len(given) > 1:
                fail(
                    f"exactly one {group} ({choices})",
                    found_text=" and ".join(given),
                    keys=given,
                )
        return self
