"""The package version: one place, read by the package, its metadata and --version."""

__version__ = "0.1.0"
