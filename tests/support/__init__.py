"""Test helpers: factories, org builders, paths."""
