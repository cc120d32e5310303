"""Users and groups: the people of the forum and what they may do."""
