"""Utilities: context, configuration, logging, collections, tasks and edges helpers."""
