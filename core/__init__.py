"""Shared building blocks any app may import; ``core`` imports no app of the project."""
