"""cscdesk: the terminal workstation of an insurance broker's customer service center."""

__version__ = "0.1.0"  # the one place the version is written (pyproject reads it)
