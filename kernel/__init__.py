"""The shared kernel: errors, enqueue-by-name, roles, rate limits and cache.

Small, and it depends on Django only; every other layer may import it.
"""
