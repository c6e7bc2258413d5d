"""`tandem simulate`: replay an evaluation suite's messages through the real workflow (see `simulate`)."""

from tandem.simulation.simulate import SimulationReport, run_simulation, simulate

__all__ = ["SimulationReport", "run_simulation", "simulate"]
