"""Celery task modules, one per kind of work; routed to queues by module name."""
