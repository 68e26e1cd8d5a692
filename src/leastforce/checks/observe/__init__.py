"""observe: what an integration user really did, from Event Monitoring's log files, against what it holds
and what its manifest declares (pure: values in, values out)."""
