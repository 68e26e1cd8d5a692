"""HTML renderers (self-contained pages, autoescaped)."""
