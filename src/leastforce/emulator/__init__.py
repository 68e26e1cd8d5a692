"""leastforce.emulator."""
