"""The application's URLs plus the benchmark's minimal page (used only by config.settings.bench)."""

from django.urls import path

from bench.load.views import minimal
from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as application_urls

urlpatterns = [path("bench/minimal/", minimal, name="bench_minimal"), *application_urls]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
