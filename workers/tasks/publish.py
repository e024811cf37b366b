"""YouTube publishing on the ``publish`` queue."""
