"""Find the AWS API calls the app's code makes, by reading it (``ast``; nothing is run).

A small flow-insensitive abstract interpretation over every module the package
holds. Values it follows: the ``boto3`` module and its ``client`` /
``resource`` / ``Session`` (under any alias), sessions, clients, resources
(service resources, sub-resources such as ``Table('t')``, and the resources
a collection yields), collections, paginators and waiters; constant strings
(literals, module constants, environment variables); dicts; project
functions (what they return, what their parameters are given at each call
site, positional or keyword), classes (class attributes and ``self.x``
attributes) and project modules (``import store``, ``from .store import x``).

Names are bound flow-insensitively (a name that ever holds a client is a
client everywhere in its scope), which over-approximates a little and is what
least privilege needs here: missing a call breaks the app at run time.
Everything under ``if __name__ == "__main__":`` is skipped. What it cannot
follow (a client method named by a variable, a service name that is not a
constant) is reported as skipped, never guessed.
"""
from __future__ import annotations

import ast
import dataclasses
import pathlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from . import models
from .values import (
    AWS_VALUES,
    Analysis,
    Boto3,
    ClassRef,
    Client,
    Collection,
    DictValue,
    Environ,
    FoundCall,
    FunctionRef,
    Instance,
    Method,
    ModuleRef,
    Paginator,
    Resource,
    SessionValue,
    Skip,
    SubResource,
    Text,
    Value,
    Waiter,
)

# -- the project's code ----------------------------------------------------------------------


@dataclasses.dataclass
class _Function:
    fid: int
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    module: str
    parent: int | None  # enclosing function
    cls: int | None  # the class it is a method of
    locals: dict[str, set[Value]] = dataclasses.field(default_factory=dict)
    returns: set[Value] = dataclasses.field(default_factory=set)
    declared_global: set[str] | None = None  # names of its `global` statements
    return_nodes: list[ast.expr] = dataclasses.field(default_factory=list)

    @property
    def params(self) -> list[str]:
        args = self.node.args
        return [a.arg for a in [*args.posonlyargs, *args.args]]

    @property
    def all_params(self) -> set[str]:
        args = self.node.args
        names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
        names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
        return names


@dataclasses.dataclass
class _Class:
    cid: int
    node: ast.ClassDef
    module: str
    attrs: dict[str, set[Value]] = dataclasses.field(default_factory=dict)
    methods: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class _Module:
    name: str
    path: str
    tree: ast.Module
    is_package: bool
    globals: dict[str, set[Value]] = dataclasses.field(default_factory=dict)


def _module_name(relpath: str) -> tuple[str, bool]:
    parts = relpath[:-3].split("/")
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _is_property(node: ast.AST) -> bool:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    names = {d.id if isinstance(d, ast.Name) else d.attr if isinstance(d, ast.Attribute) else ""
             for d in node.decorator_list}
    return bool(names & {"property", "cached_property"})


# The nodes that bind or pass values (visited on every pass of the binding).
_BINDING = (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.AsyncFor, ast.comprehension,
            ast.With, ast.AsyncWith, ast.Return, ast.Lambda, ast.Import, ast.ImportFrom,
            ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Call)


class _Holder(ast.AST):
    """A node holding one node, so that :meth:`_Program._index` visits it."""

    _fields = ("item",)

    def __init__(self, item: ast.AST) -> None:
        super().__init__()
        self.item = item


class _Body(ast.AST):
    """A node holding a list of statements (a class body)."""

    _fields = ("body",)

    def __init__(self, body: list[ast.stmt]) -> None:
        super().__init__()
        self.body = body


def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "__name__" and len(test.comparators) == 1
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def _children(node: ast.AST) -> Iterator[ast.AST]:
    """Child nodes, leaving out ``if __name__ == "__main__":`` blocks."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.stmt) and _is_main_guard(child):
            continue
        yield child


class _Program:
    def __init__(self, files: Mapping[str, pathlib.Path], environment: Mapping[str, str]) -> None:
        self.environment = dict(environment)
        self.modules: dict[str, _Module] = {}
        self.functions: dict[int, _Function] = {}
        self.classes: dict[int, _Class] = {}
        self.scope_of: dict[int, int | None] = {}  # id(node) -> enclosing function id
        self.module_of: dict[int, str] = {}
        self.dicts: dict[int, ast.Dict] = {}
        self.skipped: list[Skip] = []
        self.bindable: list[ast.AST] = []  # the nodes that bind names, in source order
        self._overlays: list[tuple[int, dict[str, set[Value]]]] = []
        self.mentions_boto3 = False
        self.changed = False
        for relpath, path in sorted(files.items()):
            if not relpath.endswith(".py"):
                continue
            try:
                source = path.read_bytes()
                self.mentions_boto3 = self.mentions_boto3 or b"boto3" in source
                tree = ast.parse(source, filename=relpath)
            except (SyntaxError, ValueError, OSError) as exc:
                self.skipped.append(Skip(relpath, getattr(exc, "lineno", 0) or 0,
                                         "cannot be parsed: %s" % exc))
                continue
            name, package = _module_name(relpath)
            self.modules[name] = _Module(name, relpath, tree, package)
        for module in self.modules.values():
            self._index(module.tree, module.name, None, None)

    # -- indexing ---------------------------------------------------------------------

    def _index(self, node: ast.AST, module: str, function: int | None,
               cls: int | None = None) -> None:
        """Record each node's module and enclosing function; make the function and class
        records (``cls``: ``node`` is that class's body)."""
        for child in _children(node):
            self.scope_of[id(child)] = function
            self.module_of[id(child)] = module
            if isinstance(child, _BINDING):
                self.bindable.append(child)
            if isinstance(child, ast.Return) and child.value is not None and function is not None:
                self.functions[function].return_nodes.append(child.value)
            if isinstance(child, ast.Dict):
                self.dicts[id(child)] = child
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                fid = id(child)
                self.functions[fid] = _Function(fid, child, module, function, cls)
                if cls is not None and not isinstance(child, ast.Lambda):
                    self.classes[cls].methods[child.name] = fid
                outer: list[ast.AST] = [*child.args.defaults,
                                        *(d for d in child.args.kw_defaults if d is not None)]
                if not isinstance(child, ast.Lambda):
                    outer += child.decorator_list
                for item in outer:
                    self.scope_of[id(item)] = function
                    self.module_of[id(item)] = module
                    self._index(item, module, function)
                body = [child.body] if isinstance(child, ast.Lambda) else child.body
                for item in body:
                    if isinstance(item, ast.stmt) and _is_main_guard(item):
                        continue
                    self._index(_Holder(item), module, fid)
            elif isinstance(child, ast.ClassDef):
                cid = id(child)
                self.classes[cid] = _Class(cid, child, module)
                for item in [*child.bases, *child.keywords, *child.decorator_list]:
                    self._index(_Holder(item), module, function)
                self._index(_Body(child.body), module, function, cid)
            else:
                self._index(child, module, function)

    # -- binding ----------------------------------------------------------------------

    def _add(self, table: dict[str, set[Value]], name: str, values: Iterable[Value]) -> None:
        current = table.setdefault(name, set())
        before = len(current)
        current.update(values)
        if len(current) != before:
            self.changed = True

    def _table(self, node: ast.AST, name: str) -> dict[str, set[Value]]:
        """Where an assignment to ``name`` at ``node`` goes."""
        fid = self.scope_of.get(id(node))
        if fid is not None:
            function = self.functions[fid]
            if self._declared_global(function, name):
                return self.modules[function.module].globals
            return function.locals
        return self.modules[self.module_of[id(node)]].globals

    @staticmethod
    def _declared_global(function: _Function, name: str) -> bool:
        if function.declared_global is None:
            function.declared_global = set() if isinstance(function.node, ast.Lambda) else {
                name for node in ast.walk(function.node) if isinstance(node, ast.Global)
                for name in node.names}
        return name in function.declared_global

    def bind(self, target: ast.AST, values: set[Value], at: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self._add(self._table(at, target.id), target.id, values)
        elif isinstance(target, ast.Attribute):
            for owner in self.eval(target.value, at):
                if isinstance(owner, (Instance, ClassRef)):
                    self._add(self.classes[owner.cid].attrs, target.attr, values)
                elif isinstance(owner, ModuleRef) and owner.name in self.modules:
                    self._add(self.modules[owner.name].globals, target.attr, values)
        elif isinstance(target, ast.Subscript):
            key = self._constant(target.slice, at)
            for owner in self.eval(target.value, at):
                if isinstance(owner, DictValue):
                    self._add(self._dict_extra(owner), key or "*", values)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind(element.value if isinstance(element, ast.Starred) else element,
                          {v for v in values if not isinstance(v, Text)}, at)

    def _dict_extra(self, value: DictValue) -> dict[str, set[Value]]:
        return self._dict_entries.setdefault(value.node_id, {})

    _dict_entries: dict[int, dict[str, set[Value]]]

    def run(self) -> None:
        self._dict_entries = {}
        for _ in range(8):  # until nothing new is learnt (a few passes in practice)
            self.changed = False
            for node in self.bindable:
                self._bind_node(node)
            if not self.changed:
                break

    def _bind_node(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            values = self.eval(node.value, node)
            for target in node.targets:
                self.bind(target, values, node)
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            self.bind(node.target, self.eval(node.value, node), node)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            self.bind(node.target, self._iterate(self.eval(node.iter, node)), node)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, self.eval(item.context_expr, node), node)
        elif isinstance(node, ast.Return) and node.value is not None:
            fid = self.scope_of.get(id(node))
            if fid is not None:
                self._add_returns(fid, self.eval(node.value, node))
        elif isinstance(node, ast.Lambda):
            self._add_returns(id(node), self.eval(node.body, node.body))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self._bind_import(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            fid = id(node)
            function = self.functions.get(fid)
            if function is not None:  # def handler(event, s3=boto3.client("s3")): ...
                args = node.args
                positional = [a.arg for a in [*args.posonlyargs, *args.args]]
                defaults = list(zip(positional[len(positional) - len(args.defaults):],
                                    args.defaults, strict=True))
                defaults += [(a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults,
                                                        strict=True) if d is not None]
                for name, default in defaults:
                    self._add(function.locals, name, self._aws_only(self.eval(default, node)))
            if function is not None and function.cls is None:
                self._add(self._table(node, node.name), node.name, {FunctionRef(fid)})
            if function is not None and function.cls is not None:
                self._bind_self(function)
        elif isinstance(node, ast.ClassDef):
            self._add(self._table(node, node.name), node.name, {ClassRef(id(node))})
            cls = self.classes[id(node)]
            for statement in node.body:
                targets: list[ast.expr] = []
                value: ast.expr | None = None
                if isinstance(statement, ast.Assign):
                    targets, value = list(statement.targets), statement.value
                elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                    targets, value = [statement.target], statement.value
                for target in targets:
                    if isinstance(target, ast.Name) and value is not None:
                        self._add(cls.attrs, target.id, self.eval(value, statement))
        elif isinstance(node, ast.Call):
            self._bind_call_arguments(node)

    def _add_returns(self, fid: int, values: set[Value]) -> None:
        function = self.functions.get(fid)
        if function is None:
            return
        before = len(function.returns)
        function.returns.update(values)
        if len(function.returns) != before:
            self.changed = True

    def _bind_self(self, function: _Function) -> None:
        node = function.node
        if isinstance(node, ast.Lambda) or function.cls is None or not function.params:
            return
        decorators = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
        if "staticmethod" in decorators:
            return
        first = function.params[0]
        value: Value = ClassRef(function.cls) if "classmethod" in decorators else Instance(
            function.cls)
        self._add(function.locals, first, {value})

    def _bind_import(self, node: ast.Import | ast.ImportFrom) -> None:
        table = self._table(node, "")
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "boto3" or alias.name.startswith("boto3."):
                    if alias.asname and alias.name == "boto3.session":
                        self._add(table, alias.asname, {Boto3("session-module")})
                    else:
                        self._add(table, alias.asname or "boto3", {Boto3("module")})
                elif alias.name == "os":
                    self._add(table, alias.asname or "os", {Environ("os")})
                elif alias.name in self.modules or any(
                        m.startswith(alias.name + ".") for m in self.modules):
                    bound = alias.name if alias.asname else alias.name.split(".")[0]
                    self._add(table, alias.asname or bound, {ModuleRef(bound)})
            return
        source = self._resolve_from(node)
        for alias in node.names:
            name = alias.asname or alias.name
            if source == "boto3":
                kind = {"client": "client", "resource": "resource", "Session": "Session",
                        "session": "session-module"}.get(alias.name)
                if kind:
                    self._add(table, name, {Boto3(kind)})
            elif source == "boto3.session" and alias.name == "Session":
                self._add(table, name, {Boto3("Session")})
            elif source == "os" and alias.name in ("environ", "getenv"):
                self._add(table, name, {Environ(alias.name)})
            elif source is not None and source in self.modules:
                submodule = "%s.%s" % (source, alias.name) if source else alias.name
                if submodule in self.modules:
                    self._add(table, name, {ModuleRef(submodule)})
                else:
                    self._add(table, name, self.modules[source].globals.get(alias.name, set()))
            elif source is not None and "%s.%s" % (source, alias.name) in self.modules:
                self._add(table, name, {ModuleRef("%s.%s" % (source, alias.name))})

    def _resolve_from(self, node: ast.ImportFrom) -> str | None:
        if not node.level:
            return node.module
        here = self.modules[self.module_of[id(node)]]
        parts = here.name.split(".") if here.name else []
        if not here.is_package:
            parts = parts[:-1]
        if node.level > 1:
            parts = parts[:len(parts) - (node.level - 1)]
        if node.module:
            parts.append(node.module)
        return ".".join(p for p in parts if p)

    def _bind_call_arguments(self, node: ast.Call) -> None:
        """Values given to a project function's parameters at this call."""
        for callee in self.eval(node.func, node):
            fid, skip_first = None, False
            if isinstance(callee, FunctionRef):
                fid, skip_first = callee.fid, callee.bound
            elif isinstance(callee, ClassRef):
                fid = self.classes[callee.cid].methods.get("__init__")
                skip_first = True
            if fid is None or fid not in self.functions:
                continue
            function = self.functions[fid]
            params = function.params[1:] if skip_first else function.params
            for param, arg in zip(params, node.args, strict=False):
                if not isinstance(arg, ast.Starred):
                    self._add(function.locals, param, self._argument(self.eval(arg, node)))
            for keyword in node.keywords:
                if keyword.arg and keyword.arg in function.all_params:
                    self._add(function.locals, keyword.arg,
                              self._argument(self.eval(keyword.value, node)))

    @staticmethod
    def _aws_only(values: set[Value]) -> set[Value]:
        return {v for v in values if not isinstance(v, Text)}

    @staticmethod
    def _argument(values: set[Value]) -> set[Value]:
        """What a parameter is given at one call: a value this analysis follows, or a
        string; anything else counts as an unknown string, so that a parameter given a
        constant here and a run-time value there is not taken for the constant."""
        return values or {Text(None)}

    # -- evaluation -------------------------------------------------------------------

    def lookup(self, name: str, at: ast.AST) -> set[Value]:
        fid = self.scope_of.get(id(at))
        while fid is not None:
            for overlay_fid, overlay in reversed(self._overlays):
                if overlay_fid == fid and name in overlay:  # this call's arguments
                    return overlay[name]
            function = self.functions[fid]
            if name in function.locals:
                return function.locals[name]
            fid = function.parent
        module = self.modules.get(self.module_of.get(id(at), ""))
        if module is not None and name in module.globals:
            return module.globals[name]
        return set()

    def _constant(self, node: ast.AST, at: ast.AST) -> str | None:
        texts = [v for v in self.eval(node, at) if isinstance(v, Text)]
        known = {t.value for t in texts}
        if len(known) == 1:
            return known.pop()
        return None

    def eval(self, node: ast.AST, at: ast.AST) -> set[Value]:
        try:
            return self._eval(node, at)
        except RecursionError:
            return set()

    def _eval(self, node: ast.AST, at: ast.AST) -> set[Value]:
        if isinstance(node, ast.Constant):
            return {Text(node.value)} if isinstance(node.value, str) else set()
        if isinstance(node, ast.JoinedStr):
            if all(isinstance(v, ast.Constant) for v in node.values):
                return {Text("".join(str(v.value) for v in node.values
                                     if isinstance(v, ast.Constant)))}
            return {Text(None)}
        if isinstance(node, ast.BinOp):
            return {Text(None)} if any(isinstance(v, Text) for v in self.eval(node.left, at)) \
                else set()
        if isinstance(node, ast.Name):
            return set(self.lookup(node.id, at))
        if isinstance(node, ast.Attribute):
            return self._attribute(self.eval(node.value, at), node.attr)
        if isinstance(node, ast.Call):
            return self._call(node, at)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, at)
        if isinstance(node, ast.Dict):
            return {DictValue(id(node))}
        if isinstance(node, ast.IfExp):
            return self.eval(node.body, at) | self.eval(node.orelse, at)
        if isinstance(node, ast.BoolOp):
            values: set[Value] = set()
            for item in node.values:
                values |= self.eval(item, at)
            return values
        if isinstance(node, ast.Lambda):
            return {FunctionRef(id(node))}
        if isinstance(node, ast.Await):
            return self.eval(node.value, at)
        if isinstance(node, ast.NamedExpr):
            return self.eval(node.value, at)
        return set()

    def _subscript(self, node: ast.Subscript, at: ast.AST) -> set[Value]:
        key = self._constant(node.slice, at)
        found: set[Value] = set()
        for owner in self.eval(node.value, at):
            if isinstance(owner, DictValue):
                literal = self.dicts.get(owner.node_id)
                if literal is not None:
                    for k, v in zip(literal.keys, literal.values, strict=False):
                        if k is None:
                            continue
                        if key is None or self._constant(k, at) in (key, None):
                            found |= self.eval(v, at)
                extra = self._dict_entries.get(owner.node_id, {})
                for name, values in extra.items():
                    if key is None or name in (key, "*"):
                        found |= values
            elif isinstance(owner, Environ) and owner.what == "environ":
                found.add(Text(self.environment.get(key) if key else None))
        return found

    def _attribute(self, owners: set[Value], attr: str) -> set[Value]:
        found: set[Value] = set()
        for owner in owners:
            found |= self._attribute_of(owner, attr)
        return found

    def _attribute_of(self, owner: Value, attr: str) -> set[Value]:
        if isinstance(owner, Boto3):
            if owner.what == "module":
                return {Boto3({"client": "client", "resource": "resource", "Session": "Session",
                               "session": "session-module"}[attr])} if attr in (
                    "client", "resource", "Session", "session") else set()
            if owner.what == "session-module" and attr == "Session":
                return {Boto3("Session")}
            return set()
        if isinstance(owner, Environ):
            if owner.what == "os" and attr in ("environ", "getenv"):
                return {Environ(attr)}
            if owner.what == "environ" and attr == "get":
                return {Environ("environ.get")}
            return set()
        if isinstance(owner, ModuleRef):
            module = self.modules.get(owner.name)
            sub = "%s.%s" % (owner.name, attr)
            if sub in self.modules:
                return {ModuleRef(sub)}
            return set(module.globals.get(attr, set())) if module else set()
        if isinstance(owner, (Instance, ClassRef)):
            values = set()
            for cls in self._lineage(owner.cid):  # the class, then its project base classes
                values |= cls.attrs.get(attr, set())
                if attr in cls.methods:
                    method = self.functions[cls.methods[attr]]
                    if isinstance(owner, Instance) and _is_property(method.node):
                        values |= method.returns  # self.client, a @property
                    else:
                        values.add(FunctionRef(method.fid, bound=True))
                    break
            return values
        if isinstance(owner, Client):
            return {Method(owner, attr)}
        if isinstance(owner, Resource):
            return self._resource_attribute(owner, attr)
        if isinstance(owner, (Collection, Paginator, Waiter, SessionValue)):
            return {Method(owner, attr)}
        if isinstance(owner, Method) and owner.name == "meta" and attr == "client" \
                and isinstance(owner.owner, Resource):
            return {Client(owner.owner.service, owner.owner.region)}  # resource.meta.client
        return set()

    def _resource_attribute(self, owner: Resource, attr: str) -> set[Value]:
        definition = models.definition(owner.service, owner.type_name) or {}
        if attr == "meta":
            return {Method(owner, "meta")}
        has = models.named(definition.get("has", {}), attr)
        if has is not None and attr[:1].isupper():
            target = has[1].get("resource", {})
            inherited = tuple((item.get("target", ""), dict(owner.ids).get(item.get("name", "")))
                              for item in target.get("identifiers", [])
                              if item.get("source") == "identifier")
            return {SubResource(owner.service, target.get("type", attr), inherited,
                                owner.region)}
        if owner.type_name == "service" and attr[:1].isupper() \
                and models.definition(owner.service, attr) is not None:
            # boto3 offers every resource type on the service resource (s3.Object(b, k)).
            return {SubResource(owner.service, attr, (), owner.region)}
        many = models.named(definition.get("hasMany", {}), attr)
        if many is not None:
            return {Collection(owner.service, owner, many[0])}
        return {Method(owner, attr)}

    # -- calls ------------------------------------------------------------------------

    def _lineage(self, cid: int) -> list[_Class]:
        """The class and the project classes it derives from (depth first, each once)."""
        order: list[_Class] = []
        pending = [cid]
        while pending:
            current = self.classes.get(pending.pop(0))
            if current is None or current in order:
                continue
            order.append(current)
            for base in current.node.bases:
                pending += [v.cid for v in self.eval(base, base) if isinstance(v, ClassRef)]
        return order

    def _call(self, node: ast.Call, at: ast.AST) -> set[Value]:
        found: set[Value] = set()
        func = node.func
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) else "")
        if name == "cast" and len(node.args) == 2:  # typing.cast(S3Client, client)
            return self.eval(node.args[1], at)
        if name in ("get", "setdefault", "pop") and isinstance(func, ast.Attribute) and node.args:
            owners = self.eval(func.value, at)
            if any(isinstance(owner, DictValue) for owner in owners):  # CLIENTS.get("s3")
                return self._subscript(ast.Subscript(value=func.value, slice=node.args[0],
                                                     ctx=ast.Load()), at)
        if isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) >= 2:
            attribute = self._constant(node.args[1], at)
            if attribute is None:
                return set()
            return self._attribute(self.eval(node.args[0], at), attribute)
        for callee in self.eval(func, at):
            found |= self._call_value(callee, node, at)
        return found

    def _service_arg(self, node: ast.Call, at: ast.AST) -> str | None:
        services = self._services(node, at)
        return services[0] if services and len(services) == 1 else None

    def _services(self, node: ast.Call, at: ast.AST) -> list[str] | None:
        """The service names a ``client(...)``/``resource(...)`` call may be given (a
        factory's parameter can be several); None when one of them is not known."""
        arg = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "service_name"), None)
        if arg is None:
            return None
        names = {v.value for v in self.eval(arg, at) if isinstance(v, Text)}
        if not names or None in names:
            return None
        return sorted(name for name in names if name is not None)

    def _region_arg(self, node: ast.Call, at: ast.AST) -> str | None:
        for keyword in node.keywords:
            if keyword.arg == "region_name":
                return self._constant(keyword.value, at)
        return None

    def _call_value(self, callee: Value, node: ast.Call, at: ast.AST,
                    region: str | None = None) -> set[Value]:
        if isinstance(callee, Boto3):
            if callee.what in ("client", "resource"):
                services = self._services(node, at) or []
                region = self._region_arg(node, at) or region
                return {Client(service, region) if callee.what == "client"
                        else Resource(service, "service", region=region)
                        for service in services}
            if callee.what == "Session":
                return {SessionValue(self._region_arg(node, at))}
            return set()
        if isinstance(callee, Method):
            return self._method_result(callee, node, at)
        if isinstance(callee, SubResource):
            ids = dict(callee.ids)
            names = [n for n in models.identifiers(callee.service, callee.type_name)
                     if n not in ids]
            for name, arg in zip(names, node.args, strict=False):
                ids[name] = self._constant(arg, at)
            for keyword in node.keywords:
                if keyword.arg in names:
                    ids[keyword.arg] = self._constant(keyword.value, at)
            return {Resource(callee.service, callee.type_name, tuple(sorted(ids.items())),
                             callee.region)}
        if isinstance(callee, FunctionRef):
            function = self.functions.get(callee.fid)
            if function is None:
                return set()
            precise = self._returns_for(function, callee.bound, node, at)
            if any(isinstance(value, AWS_VALUES) for value in precise):
                return precise  # what it returns for these arguments
            return set(function.returns)
        if isinstance(callee, ClassRef):
            return {Instance(callee.cid)}
        if isinstance(callee, Environ) and callee.what in ("getenv", "environ.get"):
            key = self._constant(node.args[0], at) if node.args else None
            default = self._constant(node.args[1], at) if len(node.args) > 1 else None
            value = self.environment.get(key) if key else None
            return {Text(value if value is not None else default)}
        return set()

    def _returns_for(self, function: _Function, bound: bool, node: ast.Call,
                     at: ast.AST) -> set[Value]:
        """What a factory returns for this call's arguments (``client("s3")`` when it
        does ``return boto3.client(name)``): its return expressions evaluated again
        with the parameters bound to the arguments, a few calls deep."""
        if not function.return_nodes or len(self._overlays) >= 3 or not (
                node.args or node.keywords):
            return set()
        params = function.params[1:] if bound else function.params
        binding: dict[str, set[Value]] = {}
        for param, arg in zip(params, node.args, strict=False):
            if not isinstance(arg, ast.Starred):
                binding[param] = self.eval(arg, at)
        for keyword in node.keywords:
            if keyword.arg and keyword.arg in function.all_params:
                binding[keyword.arg] = self.eval(keyword.value, at)
        if not any(isinstance(v, Text) and v.value for values in binding.values()
                   for v in values):
            return set()  # nothing a constant could change
        args = function.node.args
        positional = [a.arg for a in [*args.posonlyargs, *args.args]]
        defaults = dict(zip(positional[len(positional) - len(args.defaults):], args.defaults,
                            strict=True))
        defaults.update((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults,
                                                   strict=True) if d is not None)
        for param in params:  # the ones this call leaves to their defaults
            if param not in binding:
                default = defaults.get(param)
                binding[param] = (self.eval(default, default) if default is not None
                                  else set()) or {Text(None)}
        self._overlays.append((function.fid, binding))
        try:
            found: set[Value] = set()
            for expression in function.return_nodes:
                found |= self.eval(expression, expression)
            return found
        finally:
            self._overlays.pop()

    def _method_result(self, method: Method, node: ast.Call, at: ast.AST) -> set[Value]:
        owner, name = method.owner, method.name
        if isinstance(owner, SessionValue) and name in ("client", "resource"):
            return self._call_value(Boto3(name), node, at, owner.region)
        if isinstance(owner, Client):
            if name == "get_paginator" and node.args:
                paginator = self._constant(node.args[0], at)
                from .actions import paginator_operation
                operation = paginator_operation(owner.service, paginator) if paginator else None
                return {Paginator(owner.service, operation, owner.region)} if operation else set()
            if name == "get_waiter" and node.args:
                waiter = self._constant(node.args[0], at)
                from .actions import waiter_operations
                operations = waiter_operations(owner.service, waiter) if waiter else ()
                return {Waiter(owner.service, operations, owner.region)} if operations else set()
            return set()
        if isinstance(owner, Resource):
            if name == "meta":
                return set()
            if (owner.service, owner.type_name, name) == ("dynamodb", "Table", "batch_writer"):
                return {Resource(owner.service, "BatchWriter", owner.ids, owner.region)}
            return self._resource_action_result(owner, name, node, at)
        if isinstance(owner, Collection):
            if name in ("all", "filter", "limit", "page_size"):
                return {owner}
            return set()
        return set()

    def _resource_action_result(self, owner: Resource, name: str, node: ast.Call,
                                at: ast.AST) -> set[Value]:
        definition = models.definition(owner.service, owner.type_name) or {}
        action = models.named(definition.get("actions", {}), name)
        if action is None:
            return set()
        target = action[1].get("resource")
        if not target:
            return set()
        hints = tuple(sorted((k.arg, self._constant(k.value, at)) for k in node.keywords
                             if k.arg))
        owner_ids = dict(owner.ids)
        ids = tuple(sorted((item.get("target", ""), owner_ids.get(item.get("name")))
                           for item in target.get("identifiers", [])
                           if item.get("source") == "identifier"))
        return {Resource(owner.service, target.get("type", ""), ids, owner.region, hints)}

    def _iterate(self, values: set[Value]) -> set[Value]:
        found: set[Value] = set()
        for value in values:
            if isinstance(value, Collection):
                definition = models.definition(value.service, value.owner.type_name) or {}
                target = definition.get("hasMany", {}).get(value.name, {}).get("resource", {})
                if target.get("type"):  # what it yields keeps the owner's identifiers
                    owner_ids = dict(value.owner.ids)
                    ids = tuple(sorted((item.get("target", ""), owner_ids.get(item.get("name")))
                                       for item in target.get("identifiers", [])
                                       if item.get("source") == "identifier"))
                    found.add(Resource(value.service, target["type"], ids,
                                       value.owner.region))
            elif isinstance(value, Resource) and value.type_name != "service":
                found.add(value)  # a list of resources an action returned (receive_messages)
        return found

    # -- what the code calls ----------------------------------------------------------

    def collect(self) -> list[FoundCall]:
        calls: list[FoundCall] = []
        for module in self.modules.values():
            for node in self._walk(module.tree):
                if isinstance(node, ast.Call):
                    calls.extend(self._api_calls(node, module))
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                    calls.extend(self._loads(node, module))
        return calls

    def _walk(self, node: ast.AST) -> Iterator[ast.AST]:
        for child in _children(node):
            yield child
            yield from self._walk(child)

    def _api_calls(self, node: ast.Call, module: _Module) -> list[FoundCall]:
        from . import calls as mapping
        found: list[FoundCall] = []
        func = node.func
        callees: set[Value]
        if isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) >= 2:
            return self._dynamic_getattr(node, module)
        callees = self.eval(func, node)
        unknown: list[Skip] = []
        for callee in callees:
            if isinstance(callee, Method):
                before = len(self.skipped)
                found.extend(mapping.method_call(self, callee, node, module.path))
                unknown += self.skipped[before:]
                del self.skipped[before:]
            elif isinstance(callee, Boto3) and callee.what in ("client", "resource") \
                    and self._service_arg(node, node) is None \
                    and not self._is_parameter(node.args[0] if node.args else None, node):
                    self.skipped.append(Skip(module.path, node.lineno,
                                             "boto3.%s() with a service name that is not a "
                                             "constant" % callee.what))
        if unknown and not found:  # no candidate client has such a method
            self.skipped.extend(unknown[:1])
        # getattr(client, "name")(...)
        if isinstance(func, ast.Call) and isinstance(func.func, ast.Name) \
                and func.func.id == "getattr" and len(func.args) >= 2:
            name = self._constant(func.args[1], node)
            for owner in self.eval(func.args[0], node):
                if name is not None and isinstance(owner, (Client, Resource, Collection)):
                    for method in self._attribute_of(owner, name):
                        if isinstance(method, Method) and method not in callees:
                            found.extend(mapping.method_call(self, method, node, module.path))
        return found

    def _is_parameter(self, arg: ast.AST | None, at: ast.AST) -> bool:
        """``arg`` names a parameter of the enclosing function (a factory: its call sites
        say which service)."""
        fid = self.scope_of.get(id(at))
        return (isinstance(arg, ast.Name) and fid is not None
                and arg.id in self.functions[fid].all_params)

    def _dynamic_getattr(self, node: ast.Call, module: _Module) -> list[FoundCall]:
        name = self._constant(node.args[1], node)
        if name is None and any(isinstance(v, (Client, Resource))
                                for v in self.eval(node.args[0], node)):
            self.skipped.append(Skip(module.path, node.lineno,
                                     "getattr() on an AWS client with a name that is not a "
                                     "constant"))
        return []

    def _loads(self, node: ast.Attribute, module: _Module) -> list[FoundCall]:
        """Reading a resource's data attribute loads it (``table.item_count`` ->
        DescribeTable)."""
        from . import calls as mapping
        found: list[FoundCall] = []
        for owner in self.eval(node.value, node):
            if isinstance(owner, Resource) and owner.type_name != "service":
                found.extend(mapping.load_call(owner, node.attr, node, module.path))
        return found


def analyze(files: Mapping[str, pathlib.Path], environment: Mapping[str, str]) -> Analysis:
    """The AWS calls the Python files in ``files`` make (relative path -> file)."""
    program = _Program(files, environment)
    if not program.mentions_boto3:  # no AWS client can be made: nothing to follow
        return Analysis([], program.skipped)
    program.run()
    calls = program.collect()
    unique: dict[tuple[Any, ...], FoundCall] = {}
    for call in calls:
        key = (call.service, call.operations, tuple(sorted(call.params.items(),
                                                           key=lambda i: (i[0], str(i[1])))),
               call.path, call.line, call.label, call.region)
        unique.setdefault(key, call)
    ordered = sorted(unique.values(), key=lambda c: (c.path, c.line, c.label, c.service,
                                                     c.operations, str(c.region)))
    return Analysis(ordered, program.skipped)
