"""Plan: the desired setup against the org, as changes in Setup and API terms."""
