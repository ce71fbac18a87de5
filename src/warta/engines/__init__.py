"""Translation engines: the :class:`~warta.engines.base.Engine` protocol and its implementations.

Implementations are looked up lazily by name (see :mod:`warta.engines.registry`) so that processes
which never translate (the web front end) never import CTranslate2.
"""
