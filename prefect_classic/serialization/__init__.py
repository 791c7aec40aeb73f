"""
Marshmallow schemas that read and write Prefect 1's JSON for states, results, tasks,
edges, flows and schedules (marshmallow 3 and 4).

`state.serialize()`, `State.deserialize(data)`, `task.serialize()`, `edge.serialize()`
and `flow.serialize()` use these schemas; use them directly to load tasks, edges and
flows, e.g. `FlowSchema().load(data)`.
"""

from prefect_classic.serialization import edge, fields, flow, result, schedule, schema, state, task

__all__ = ["edge", "fields", "flow", "result", "schedule", "schema", "state", "task"]
