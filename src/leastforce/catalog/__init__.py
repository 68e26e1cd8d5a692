"""leastforce.catalog."""
