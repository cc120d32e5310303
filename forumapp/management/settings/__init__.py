"""The site settings edited in the panel and applied to every worker."""
