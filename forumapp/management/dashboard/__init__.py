"""The panel's dashboard: counts, 30 days of activity, recent posts and mail failures."""
