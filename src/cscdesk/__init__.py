"""cscdesk: the terminal workstation of an insurance broker's customer service center."""

__version__ = "0.1.0"
