"""Verify: does a user have what a manifest's features need, and the fix when not."""
