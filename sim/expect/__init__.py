"""Expectations: what a scenario asserts about the stored state after a run.

Each check kind is a function ``check(params, context) -> actual`` registered in ``CHECKS``;
the comparison (equals / at_least / at_most / between) is applied to ``actual`` afterwards.
A new kind is one function and one entry.
"""

from sim.expect.evaluate import CHECKS, ExpectationResult, ExpectContext, evaluate

__all__ = ["CHECKS", "ExpectContext", "ExpectationResult", "evaluate"]
