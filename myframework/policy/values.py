"""What the analysis (:mod:`myframework.policy.analysis`) follows through the code, and
what it finds."""
from __future__ import annotations

import dataclasses
from typing import Union

# -- values ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Boto3:
    """The ``boto3`` module, ``boto3.session``, or one of their callables."""

    what: str  # "module", "session-module", "client", "resource", "Session"


@dataclasses.dataclass(frozen=True)
class SessionValue:
    region: str | None = None


@dataclasses.dataclass(frozen=True)
class Client:
    service: str
    region: str | None = None  # a region the code names (region_name=)


@dataclasses.dataclass(frozen=True)
class Resource:
    service: str
    type_name: str  # "service" for the service resource
    ids: tuple[tuple[str, str | None], ...] = ()  # identifier name -> constant value
    region: str | None = None
    # Parameters of the call that made it, when its identifiers come from the response
    # (sqs.get_queue_by_name(QueueName="q") gives a Queue whose URL is not in the code).
    hints: tuple[tuple[str, str | None], ...] = ()


@dataclasses.dataclass(frozen=True)
class SubResource:
    """``dynamodb.Table``: called with identifiers, gives a Resource."""

    service: str
    type_name: str
    ids: tuple[tuple[str, str | None], ...] = ()  # identifiers taken from the parent
    region: str | None = None


@dataclasses.dataclass(frozen=True)
class Collection:
    service: str
    owner: Resource
    name: str  # the hasMany key, e.g. "Objects"


@dataclasses.dataclass(frozen=True)
class Paginator:
    service: str
    operation: str
    region: str | None = None


@dataclasses.dataclass(frozen=True)
class Waiter:
    service: str
    operations: tuple[str, ...]
    region: str | None = None


@dataclasses.dataclass(frozen=True)
class Method:
    """An attribute of a client, resource or collection, about to be called."""

    owner: Union[Client, Resource, Collection, Paginator, Waiter, SessionValue, Boto3]
    name: str


@dataclasses.dataclass(frozen=True)
class Text:
    value: str | None  # None: a string whose value is not known


@dataclasses.dataclass(frozen=True)
class DictValue:
    node_id: int  # the dict literal


@dataclasses.dataclass(frozen=True)
class FunctionRef:
    fid: int
    bound: bool = False  # a method reached through an instance (self is given)


@dataclasses.dataclass(frozen=True)
class ClassRef:
    cid: int


@dataclasses.dataclass(frozen=True)
class Instance:
    cid: int


@dataclasses.dataclass(frozen=True)
class ModuleRef:
    name: str


@dataclasses.dataclass(frozen=True)
class Environ:
    """``os.environ`` (or ``os``)."""

    what: str  # "os", "environ", "getenv", "environ.get"


Value = Union[Boto3, SessionValue, Client, Resource, SubResource, Collection, Paginator, Waiter,
              Method, Text, DictValue, FunctionRef, ClassRef, Instance, ModuleRef, Environ]
AWS_VALUES = (Client, Resource, SubResource, Collection, Paginator, Waiter, SessionValue)

# -- results -------------------------------------------------------------------------------


@dataclasses.dataclass
class FoundCall:
    service: str
    operations: tuple[str, ...]
    params: dict[str, str | None]
    path: str
    line: int
    label: str  # e.g. "s3.put_object", "dynamodb.Table.put_item"
    region: str | None = None  # the region the code names for the client, if it does


@dataclasses.dataclass
class Skip:
    path: str
    line: int
    why: str


@dataclasses.dataclass
class Analysis:
    calls: list[FoundCall]
    skipped: list[Skip]
