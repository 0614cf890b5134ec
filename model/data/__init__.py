"""The instance file: format (and the document generated from it), reading, units, validation, uncertainty declarations, and the generator of large instances."""
