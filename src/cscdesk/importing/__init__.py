"""Importers for data that arrives as files (employer rosters); each validates before it writes."""
