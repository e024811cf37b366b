"""Resumable video uploads over the tus 1.0 protocol (``/api/v1/uploads/``)."""
