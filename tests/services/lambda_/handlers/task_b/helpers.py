"""Helper module deployed next to the handler (same name in task_a and task_b)."""

NAME = "helpers from task_b"
