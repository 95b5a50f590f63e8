"""Ticket sync and archive tests."""
