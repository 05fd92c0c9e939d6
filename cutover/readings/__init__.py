"""Readings that arrive after the switch by the legacy account and meter (issue 19)."""
