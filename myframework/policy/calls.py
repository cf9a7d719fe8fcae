"""From a call on a client, resource, collection, paginator or waiter that the analysis
found to the API operations it makes, with the parameters whose values are known."""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from . import models
from .values import Client, Collection, FoundCall, Method, Paginator, Resource, Skip, Waiter

if TYPE_CHECKING:
    from .analysis import _Program

# Positional parameters of S3's managed transfer methods, per owner.
_TRANSFER_ARGS = {
    ("client", "upload_file"): ("Filename", "Bucket", "Key"),
    ("client", "upload_fileobj"): ("Fileobj", "Bucket", "Key"),
    ("client", "download_file"): ("Bucket", "Key", "Filename"),
    ("client", "download_fileobj"): ("Bucket", "Key", "Fileobj"),
    ("client", "copy"): ("CopySource", "Bucket", "Key"),
    ("Bucket", "upload_file"): ("Filename", "Key"),
    ("Bucket", "upload_fileobj"): ("Fileobj", "Key"),
    ("Bucket", "download_file"): ("Key", "Filename"),
    ("Bucket", "download_fileobj"): ("Key", "Fileobj"),
    ("Bucket", "copy"): ("CopySource", "Key"),
    ("Object", "upload_file"): ("Filename",),
    ("Object", "upload_fileobj"): ("Fileobj",),
    ("Object", "download_file"): ("Filename",),
    ("Object", "download_fileobj"): ("Fileobj",),
    ("Object", "copy"): ("CopySource",),
}
_CLIENT_HELPERS = {"get_paginator", "get_waiter", "can_paginate", "close", "meta", "exceptions"}
_RESOURCE_HELPERS = {"meta", "get_available_subresources"}


def _params(program: _Program, node: ast.Call, positional: tuple[str, ...] = ()
            ) -> dict[str, str | None]:
    """The call's arguments whose values are strings (None: a value not known)."""
    params: dict[str, str | None] = {}
    pairs = list(zip(positional, node.args, strict=False))
    pairs += [(k.arg, k.value) for k in node.keywords if k.arg]
    for name, arg in pairs:
        if name == "CopySource":  # {"Bucket": ..., "Key": ...} or "bucket/key"
            source = _dict_constants(program, arg, node)
            text = program._constant(arg, node) if not source else None
            params["CopySourceBucket"] = (source.get("Bucket") if source else
                                          text.lstrip("/").split("/", 1)[0] or None
                                          if text and "/" in text else None)
            continue
        if name in ("Params",):
            params.update(_dict_constants(program, arg, node) or {})
            continue
        if name == "RequestItems":  # batch_get_item / batch_write_item: tables are its keys
            tables = list(_dict_constants(program, arg, node))
            params["TableName"] = tables[0] if len(tables) == 1 else None
            continue
        params[name] = program._constant(arg, node)
        nested = _nested_constants(program, arg, node)
        for key, value in nested.items():  # put_events(Entries=[{"EventBusName": ...}])
            params.setdefault(key, value)
    return params


def _nested_constants(program: _Program, node: ast.AST, at: ast.AST) -> dict[str, str | None]:
    """String values of the dict literals in a list or tuple literal (one value per key;
    None where they differ)."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return {}
    merged: dict[str, str | None] = {}
    for item in node.elts:
        for key, value in _dict_constants(program, item, at).items():
            merged[key] = value if merged.get(key, value) == value else None
    return merged


def _dict_constants(program: _Program, node: ast.AST, at: ast.AST) -> dict[str, str | None]:
    if isinstance(node, ast.Dict):
        return {key.value: program._constant(value, at)
                for key, value in zip(node.keys, node.values, strict=False)
                if isinstance(key, ast.Constant) and isinstance(key.value, str)}
    return {}


def _found(service: str, operations: tuple[str, ...], params: dict[str, str | None],
           path: str, node: ast.AST, label: str, region: str | None = None) -> list[FoundCall]:
    if not operations:
        return []
    return [FoundCall(service, operations, params, path, getattr(node, "lineno", 0), label,
                      region)]


def method_call(program: _Program, method: Method, node: ast.Call, path: str
                ) -> list[FoundCall]:
    owner, name = method.owner, method.name
    if isinstance(owner, Client):
        return _client_call(program, owner, name, node, path)
    if isinstance(owner, Paginator) and name == "paginate":
        return _found(owner.service, (owner.operation,), _params(program, node), path, node,
                      "%s.get_paginator(...).paginate" % owner.service, owner.region)
    if isinstance(owner, Waiter) and name == "wait":
        return _found(owner.service, owner.operations, _params(program, node), path, node,
                      "%s.get_waiter(...).wait" % owner.service, owner.region)
    if isinstance(owner, Resource):
        return _resource_call(program, owner, name, node, path)
    if isinstance(owner, Collection):
        return _collection_call(program, owner, name, node, path)
    return []


def _client_call(program: _Program, client: Client, name: str, node: ast.Call,
                 path: str) -> list[FoundCall]:
    from .actions import PRESIGN_METHODS, TRANSFER_METHODS, operation_for_method
    service = client.service
    label = "%s.%s" % (service, name)
    if name in _CLIENT_HELPERS:
        return []
    if name in PRESIGN_METHODS:
        if name == "generate_presigned_post":
            return _found(service, ("PutObject",), _params(program, node, ("Bucket", "Key")),
                          path, node, label, client.region)
        method_node = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "ClientMethod"), None)
        client_method = program._constant(method_node, node) if method_node else None
        operation = operation_for_method(service, client_method) if client_method else None
        if operation is None:
            program.skipped.append(Skip(path, node.lineno, "%s: the client method is not a "
                                                           "constant" % label))
            return []
        return _found(service, (operation,), _params(program, node, ("ClientMethod", "Params")),
                      path, node, label, client.region)
    if service == "s3" and name in TRANSFER_METHODS:
        return _found(service, TRANSFER_METHODS[name],
                      _params(program, node, _TRANSFER_ARGS[("client", name)]), path, node, label,
                      client.region)
    operation = operation_for_method(service, name)
    if operation is None:
        program.skipped.append(Skip(path, node.lineno, "%s is not an operation of %s that "
                                                       "botocore knows" % (name, service)))
        return []
    return _found(service, (operation,), _params(program, node), path, node, label,
                  client.region)


def _identifier_params(owner: Resource, request: dict[str, Any]) -> dict[str, str | None]:
    ids = dict(owner.ids)
    params: dict[str, str | None] = dict(owner.hints)
    for item in request.get("params", []):
        if item.get("source") == "identifier":
            target = str(item.get("target", "")).split(".")[0].split("[")[0]
            params[target] = ids.get(item.get("name", ""))
    return params


def _resource_call(program: _Program, owner: Resource, name: str, node: ast.Call,
                   path: str) -> list[FoundCall]:
    from .actions import TRANSFER_METHODS, waiter_operations
    service = owner.service
    label = "%s.%s.%s" % (service, owner.type_name if owner.type_name != "service"
                          else "resource", name)
    if name in _RESOURCE_HELPERS:
        return []
    definition = models.definition(service, owner.type_name) or {}
    ids = dict(owner.ids)
    if owner.type_name != "client" and (owner.type_name, name) in _TRANSFER_ARGS:
        params = _params(program, node, _TRANSFER_ARGS[(owner.type_name, name)])
        params.setdefault("Bucket", ids.get("Name") if owner.type_name == "Bucket"
                          else ids.get("BucketName"))
        if owner.type_name == "Object":
            params.setdefault("Key", ids.get("Key"))
        return _found(service, TRANSFER_METHODS[name], params, path, node, label, owner.region)
    if owner.type_name == "BatchWriter" and name in ("put_item", "delete_item"):
        return _found(service, ("BatchWriteItem",), {"TableName": ids.get("Name")}, path, node,
                      "dynamodb.Table.batch_writer().%s" % name, owner.region)
    if name in ("load", "reload"):
        return load_call(owner, "", node, path, force=True)
    action = models.named(definition.get("actions", {}), name)
    if action is not None:
        request = action[1].get("request", {})
        params = _identifier_params(owner, request)
        params.update(_params(program, node))
        return _found(service, (request.get("operation", action[0]),), params, path, node, label,
                      owner.region)
    for waiter_name, waiter in definition.get("waiters", {}).items():
        if "wait_until_" + models.snake(waiter_name) == name:
            operations = waiter_operations(service, waiter.get("waiterName", ""))
            params = _identifier_params(owner, waiter)
            return _found(service, operations, params, path, node, label, owner.region)
    return []


def _collection_call(program: _Program, owner: Collection, name: str, node: ast.Call,
                     path: str) -> list[FoundCall]:
    parent = models.definition(owner.service, owner.owner.type_name) or {}
    many = parent.get("hasMany", {}).get(owner.name, {})
    request = many.get("request", {})
    label = "%s.%s.%s.%s" % (owner.service, owner.owner.type_name, models.snake(owner.name),
                             name)
    params = _identifier_params(owner.owner, request)
    params.update(_params(program, node))
    region = owner.owner.region
    found = _found(owner.service, (request.get("operation", ""),) if request else (), params,
                   path, node, label, region)
    if name in ("all", "filter", "limit", "page_size", "pages"):
        return found
    target = many.get("resource", {}).get("type", "")
    batch = models.named((models.definition(owner.service, target) or {}).get(
        "batchActions", {}), name)
    if batch is not None:
        operation = batch[1].get("request", {}).get("operation", batch[0])
        found += _found(owner.service, (operation,), dict(params), path, node, label, region)
    return found


def load_call(owner: Resource, attr: str, node: ast.AST, path: str,
              force: bool = False) -> list[FoundCall]:
    """Reading data attribute ``attr`` of a resource that is loaded on first use."""
    definition = models.definition(owner.service, owner.type_name) or {}
    load = definition.get("load")
    if not load:
        return []
    if not force:
        names = {models.snake(key) for key in (*definition.get("actions", {}),
                                               *definition.get("has", {}),
                                               *definition.get("hasMany", {}))}
        names |= {"wait_until_" + models.snake(w) for w in definition.get("waiters", {})}
        names |= {models.snake(i) for i in models.identifiers(owner.service, owner.type_name)}
        names |= {"meta", "load", "reload", "get_available_subresources", "upload_file",
                  "upload_fileobj", "download_file", "download_fileobj", "copy"}
        if attr in names or attr.startswith("_") or attr in set(definition.get("has", {})):
            return []
        if not _is_shape_member(owner.service, definition.get("shape"), attr):
            return []
    request = load.get("request", {})
    return _found(owner.service, (request.get("operation", ""),),
                  _identifier_params(owner, request), path, node,
                  "%s.%s.%s" % (owner.service, owner.type_name, attr or "load"), owner.region)


def _is_shape_member(service: str, shape: str | None, attr: str) -> bool:
    if not shape:
        return False
    import botocore.session
    model = botocore.session.get_session().get_service_model(service)
    try:
        members = model.shape_for(shape).members  # type: ignore[attr-defined]
    except Exception:
        return False
    return attr in {models.snake(name) for name in members}
