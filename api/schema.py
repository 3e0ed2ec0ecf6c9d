"""The open API's OpenAPI schema as committed in docs/openapi.json: keys sorted, so it changes only with the API."""

import importlib
import json
from typing import Any

from django.urls import reverse


def schema() -> dict[str, Any]:
    from api.core import api

    importlib.import_module("api.urls")  # mounts the routers on the API
    return dict(api.get_openapi_schema(path_prefix=reverse("api:api-root").rstrip("/")))


def schema_text() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
