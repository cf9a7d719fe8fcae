"""Errors of the deploy side that a user can act on."""
from __future__ import annotations


class PackagingError(Exception):
    """The package cannot be built; the message says why and what to do."""
