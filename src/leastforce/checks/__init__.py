"""leastforce.checks."""
