"""Payment agents' registries after the switch (issue 19): layouts as data, translated by the key map."""
