"""Shared code of the Shop Floor book."""
