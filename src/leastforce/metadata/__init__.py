"""leastforce.metadata."""
