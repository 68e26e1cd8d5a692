"""The emulator's HTTPS front: server, REST resources, admin endpoints, TLS."""
