"""The avatar page: upload, replace or remove a member's picture."""
