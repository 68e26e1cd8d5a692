"""adopt: a user's effective access, as it is today, written back as a manifest document (the reverse of
``desired``). Pure: EffectiveAccess + catalog in, an ``Adoption`` value out; render/yaml writes it."""
