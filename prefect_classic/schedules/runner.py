"""
Running a flow on its schedule: `flow.run(run_on_schedule=True)` waits for each event of
`flow.schedule`, runs the flow, and stops when the schedule has no more events.
Ctrl-C while waiting ends the loop cleanly.
"""

import time
from datetime import datetime
from typing import Any, Callable, Dict, Optional

import pendulum

from prefect_classic.engine.state import Cancelled, State
from prefect_classic.utilities.logging import get_logger

__all__ = ["SLEEP_INCREMENT", "run_on_schedule", "wait_until"]

#: the longest single sleep while waiting (seconds), so that Ctrl-C is handled promptly
SLEEP_INCREMENT = 0.5

RunOnce = Callable[[pendulum.DateTime, Dict[str, Any]], State]


def wait_until(when: datetime, increment: Optional[float] = None) -> None:
    """
    Sleep until `when`, in steps of at most `increment` seconds.

    Args:
        - when (datetime): the (time zone aware) time to wait for
        - increment (float, optional): the longest single sleep; default `SLEEP_INCREMENT`
    """
    step = SLEEP_INCREMENT if increment is None else increment
    while True:
        remaining = (when - pendulum.now("UTC")).total_seconds()
        if remaining <= 0:
            return
        time.sleep(min(remaining, step))


def run_on_schedule(flow: Any, run_once: RunOnce) -> State:
    """
    Run a flow at each event of its schedule: wait until the next event (logging
    "Waiting for next scheduled run at ..."), call `run_once(start_time,
    parameter_defaults)`, and repeat until the schedule has no more events. Events that
    passed while a run was going on are skipped, as in Prefect 1.

    A `KeyboardInterrupt` (Ctrl-C) while waiting stops the loop: the state of the last
    run is returned, or a `Cancelled` state when no run happened yet. An interrupt
    during a run is left to the run itself.

    Args:
        - flow (Flow): the flow; `flow.schedule` must be set
        - run_once (Callable): runs the flow once; called with the event's time (a
            pendulum `DateTime`) and the event's Parameter defaults (a dict, which Prefect 1
            applies over the parameters passed to `flow.run`)

    Returns:
        - State: the state of the last run

    Raises:
        - ValueError: when the flow has no schedule, or the schedule has no future events
    """
    schedule = getattr(flow, "schedule", None)
    if schedule is None:
        raise ValueError("This flow has no schedule to run on.")
    logger = getattr(flow, "logger", None) or get_logger("Flow")
    events = schedule.next(1, return_events=True)
    if not events:
        raise ValueError("Flow has no more scheduled runs.")
    last_state: Optional[State] = None
    while events:
        event = events[0]
        start = pendulum.instance(event.start_time)
        if start > pendulum.now("UTC"):
            logger.info("Waiting for next scheduled run at %s", start.isoformat())
        try:
            wait_until(start)
        except KeyboardInterrupt:
            logger.info("Interrupted; no more scheduled runs of this flow.")
            if last_state is None:
                return Cancelled("Interrupted before the first scheduled run.", result={})
            return last_state
        last_state = run_once(start, dict(event.parameter_defaults or {}))
        events = schedule.next(1, after=pendulum.now("UTC"), return_events=True)
    assert last_state is not None
    return last_state
