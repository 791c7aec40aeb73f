"""Prefect's task library (the parts prefect_classic keeps)."""
