"""The application's URLs plus the benchmark's two yardstick pages (used only by config.settings.bench)."""

from django.urls import path

from bench.load.views import case_opened, minimal
from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as application_urls

urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("bench/case-opened/<int:pk>/", case_opened, name="bench_case_opened"),
    *application_urls,
]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
