"""Reconciliation: a run's source against the target, item by item, and what changed since the previous run."""
