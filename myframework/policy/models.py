"""boto3's resource models (``resources-1.json``), read as data: what a resource's
attributes, actions, sub-resources and collections call."""
from __future__ import annotations

import functools
from typing import Any


@functools.cache
def resource_model(service: str) -> dict[str, Any] | None:
    """The service's boto3 resource model, or None when boto3 has none for it."""
    import os

    import boto3
    from botocore.exceptions import DataNotFoundError
    from botocore.loaders import Loader
    loader = Loader(extra_search_paths=[os.path.join(os.path.dirname(boto3.__file__), "data")])
    try:
        model: dict[str, Any] = loader.load_service_model(service, "resources-1")
    except (DataNotFoundError, ValueError):
        return None
    return model


def definition(service: str, type_name: str) -> dict[str, Any] | None:
    """The definition of resource ``type_name`` ("service" for the service resource)."""
    model = resource_model(service)
    if model is None:
        return None
    if type_name == "service":
        found: dict[str, Any] = model.get("service", {})
        return found
    resources: dict[str, Any] = model.get("resources", {})
    return resources.get(type_name)


def identifiers(service: str, type_name: str) -> list[str]:
    found = definition(service, type_name) or {}
    return [item["name"] for item in found.get("identifiers", [])]


@functools.cache
def snake(name: str) -> str:
    from botocore import xform_name
    return str(xform_name(name))


def named(mapping: dict[str, Any], python_name: str) -> tuple[str, Any] | None:
    """The entry of ``mapping`` whose boto3 Python name is ``python_name``."""
    for key, value in mapping.items():
        if snake(key) == python_name or key == python_name:
            return key, value
    return None
