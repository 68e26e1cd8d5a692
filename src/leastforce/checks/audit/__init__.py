"""Audit: every integration user, what it holds beyond its declaration, drift."""
