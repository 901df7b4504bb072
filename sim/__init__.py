"""streamlab: run AWS streaming pipelines locally, on a simulated clock.

from sim import Simulation
with Simulation.from_file("scenarios/noaa-weather.yaml", seed=42) as simulation:
    result = simulation.run()
    assert result.passed
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sim.runner import Simulation, SimulationResult

__all__ = ["Simulation", "SimulationResult", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported lazily: `import sim` stays cheap for the CLI's quick commands.
    if name in ("Simulation", "SimulationResult"):
        from sim import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
