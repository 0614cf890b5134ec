"""The instance file: format, reading, units, validation, uncertainty declarations, and the generator of large instances."""
