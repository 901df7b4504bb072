"""Event filter patterns in a scenario, checked when it is loaded as Lambda checks them when a
mapping is created (CreateEventSourceMapping answers InvalidParameterValueException).

The pattern grammar lives with the mappings that apply it (:mod:`sim.services.esm.filtering`, a
module without dependencies on the rest of the services); the scenario model uses it so that a
bad pattern is reported with its place in the file, before anything runs.
"""

from __future__ import annotations

from sim.scenario.types import fail


def check_filter_criteria(patterns: list[str], source: str) -> None:
    """Refuse the first invalid pattern, naming it (``filters[i]``) and what is wrong."""
    from sim.services.esm.filtering import parse_filter_criteria

    try:
        parse_filter_criteria(
            {"Filters": [{"Pattern": pattern} for pattern in patterns]},
            source=source,
            max_filters=max(len(patterns), 1),
        )
    except Exception as error:  # InvalidFilterCriteriaException, FilterPatternTooLongException
        index = getattr(error, "filter_index", None)
        reason = getattr(error, "reason", str(error))
        fail(
            "a filter pattern Lambda accepts (docs/event-source-mappings.md)",
            found_text=f"{reason}",
            key=(index,) if index is not None else None,
        )
