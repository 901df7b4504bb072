"""Fault injection: a scenario's ``faults``, each acting from ``start`` until ``end`` or for its
first ``count`` affected requests (:mod:`sim.scenario.faults`), with what each did counted.

=====================  ==============================================  ========================
kind                   what AWS answers                                needs
=====================  ==============================================  ========================
function_error         the invocation fails (InjectedFault)            streamlab's Lambda
function_timeout       the invocation times out                        streamlab's Lambda
function_throttle      Invoke: 429 TooManyRequestsException            streamlab's Lambda
stream_throttle        ProvisionedThroughputExceededException per      streamlab's Kinesis
                       record (``failure_rate`` of them)
table_throttle         ProvisionedThroughputExceededException /        the embedded backend
                       ThrottlingException; batches: unprocessed
bucket_unavailable     503 SlowDown                                    the embedded backend
=====================  ==============================================  ========================

:func:`check_faults` refuses, before anything is created, a fault the backend cannot inject;
:func:`schedule_faults` installs the faults and returns the :class:`FaultEffects` they count
into (``SimulationResult.faults``, the report's Faults section). Details, and the AWS sources
of every answer, in the modules: :mod:`.functions`, :mod:`.streams`, :mod:`.tables`,
:mod:`.buckets`; docs/faults.md for users.
"""

from __future__ import annotations

from sim.faults.check import UnsupportedFault, check_faults
from sim.faults.effects import FaultEffect, FaultEffects
from sim.faults.schedule import schedule_faults

__all__ = ["FaultEffect", "FaultEffects", "UnsupportedFault", "check_faults", "schedule_faults"]
