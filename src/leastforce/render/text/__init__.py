"""Plain-text and terminal renderers, one module per command result."""
