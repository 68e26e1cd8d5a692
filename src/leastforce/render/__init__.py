"""Renderers: pure functions from result values to text (terminal, JSON, Markdown, HTML, XML)."""
