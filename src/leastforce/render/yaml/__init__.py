"""YAML renderers: manifests leastforce writes (ruamel.yaml, so comments and key order are kept)."""
