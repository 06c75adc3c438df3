from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's tools: the synthetic archive generator and its command."""

    name = "bench"
