"""The password, email address and sessions pages, and the security notices they send."""
