"""Doctor: the cause and fix of a connection error, checked against the org."""
