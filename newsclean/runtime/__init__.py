"""Runtime: how a run executes. Planning (plan.py), the two passes over shards (passes.py), worker processes
(workers.py, execution.py), the spool between passes (spool.py), private scratch folders (scratch.py),
progress and the garbage collector."""
