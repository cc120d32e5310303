"""Members: the list, bans, editing, deleting and emailing a member."""
