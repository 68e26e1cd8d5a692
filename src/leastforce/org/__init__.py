"""leastforce.org."""
