"""warta: foreign-language editions of Indonesian news.

The public surface is small: :func:`warta.services.build_services` composes the application from
:class:`warta.config.Settings`; everything else is reached through the objects it returns.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
