"""The queue of reported posts."""
