"""Frozen values shared by every layer: the org model and the manifest's requirements."""
