"""Groups and their permission flags."""
