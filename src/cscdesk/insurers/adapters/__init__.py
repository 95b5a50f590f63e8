"""One adapter per way an insurer exposes its data: JSON REST, signed XML, daily batch files."""
