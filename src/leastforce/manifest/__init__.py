"""leastforce.manifest."""
