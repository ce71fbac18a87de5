"""CLI commands, one module per group; see :mod:`warta.cli`."""
