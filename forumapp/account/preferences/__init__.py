"""The preferences page, ``/settings/preferences``: language, time zone, page size."""
