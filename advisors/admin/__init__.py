"""The ANCT administrators' back office for the Conseillers numériques programme, in the
Wagtail admin (registered by ``advisors/wagtail_hooks.py``).

This package is also imported by Django's admin autodiscovery: it must stay free of side
effects."""
