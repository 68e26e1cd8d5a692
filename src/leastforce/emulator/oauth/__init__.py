"""The emulator's OAuth endpoints: token flows, identity, JWT bearer."""
