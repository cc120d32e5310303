"""Leaving the forum: export my data, delete my account."""
