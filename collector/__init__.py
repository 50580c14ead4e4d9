"""SIGMAX sentiment & research collector."""

__version__ = "0.1.0"
