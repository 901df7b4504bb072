"""Record producers: deterministic data generators that also run stand-alone.

Each module defines a :class:`producers.base.Producer` subclass the simulation drives one tick
at a time, and a ``main()`` that puts the same records onto a real endpoint (LocalStack, AWS or
``sim up``) the way the labs' own scripts did. Producers never import ``sim``.
"""
