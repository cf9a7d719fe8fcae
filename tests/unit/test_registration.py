"""Errors at decoration time, and what the registry records."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import myframework
from myframework import App, Chalice, CORSConfig, RegistrationError, RouteSpec
from myframework.testing import Client


def _register(app: App, path: str, func: Callable[..., Any], **options: Any) -> None:
    app.route(path, **options)(func)


def _assert_names(exc: BaseException, func: Callable[..., Any], *fragments: str) -> None:
    message = str(exc)
    assert func.__qualname__ in message, message
    for fragment in fragments:
        assert fragment in message, message


def test_registration_error_is_a_value_error() -> None:
    assert issubclass(RegistrationError, ValueError)
    assert myframework.RegistrationError is RegistrationError


def test_chalice_is_an_alias_of_app() -> None:
    assert Chalice is App
    assert isinstance(Chalice("x"), App)


@pytest.mark.parametrize("name", ["", None, 3])
def test_app_needs_a_name(name: Any) -> None:
    with pytest.raises(ValueError, match="name"):
        App(name)


# -- unknown options -------------------------------------------------------------


@pytest.mark.parametrize(("option", "hint"), [
    ("method", "methods"),
    ("content_type", "content_types"),
    ("compresss", "compress"),
    ("api_key", "api_key_required"),
])
def test_unknown_option_with_hint(option: str, hint: str) -> None:
    app = App("opts")

    def my_view() -> None:
        return None

    with pytest.raises(RegistrationError) as info:
        _register(app, "/x", my_view, **{option: ["GET"]})
    _assert_names(info.value, my_view, repr(option), "did you mean %r" % hint)
    assert app.registry.routes == []


def test_unknown_option_without_hint_lists_allowed() -> None:
    app = App("opts")

    def odd_view() -> None:
        return None

    with pytest.raises(RegistrationError) as info:
        _register(app, "/x", odd_view, zzzzzz=1)
    _assert_names(info.value, odd_view, "'zzzzzz'", "methods")
    assert "did you mean" not in str(info.value)


def test_unknown_option_fails_at_decoration_time() -> None:
    app = App("opts")
    decorator = app.route("/x", method=["POST"])

    def later_view() -> None:
        return None

    with pytest.raises(RegistrationError, match="later_view"):
        decorator(later_view)


# -- duplicates ------------------------------------------------------------------


def test_duplicate_path_and_method() -> None:
    app = App("dup")

    def first_view() -> None:
        return None

    def second_view() -> None:
        return None

    _register(app, "/things", first_view, methods=["GET", "POST"])
    with pytest.raises(RegistrationError) as info:
        _register(app, "/things", second_view, methods=["POST"])
    _assert_names(info.value, second_view, "first_view", "POST", "/things")
    # the failed registration left nothing behind
    assert [r.view for r in app.registry.routes] == [first_view]
    assert app.routes["/things"]["POST"].view is first_view


def test_duplicate_method_case_insensitive() -> None:
    app = App("dup")

    def a_view() -> None:
        return None

    def b_view() -> None:
        return None

    _register(app, "/things", a_view)
    with pytest.raises(RegistrationError, match="b_view"):
        _register(app, "/things", b_view, methods=["get"])


def test_same_path_other_method_is_fine() -> None:
    app = App("dup")

    def get_view() -> str:
        return "get"

    def post_view() -> str:
        return "post"

    _register(app, "/things", get_view)
    _register(app, "/things", post_view, methods=["POST"])
    client = Client(app)
    assert client.http.get("/things").body == b"get"
    assert client.http.post("/things").body == b"post"


def test_method_listed_twice() -> None:
    app = App("dup")

    def twice_view() -> None:
        return None

    with pytest.raises(RegistrationError, match="twice_view"):
        _register(app, "/x", twice_view, methods=["GET", "get"])


def _make_view(result: str) -> Callable[[], str]:
    def view() -> str:
        return result
    return view


def test_two_functions_with_the_same_view_name() -> None:
    app = App("names")
    first = _make_view("one")
    second = _make_view("two")
    assert first.__name__ == second.__name__
    _register(app, "/one", first)
    with pytest.raises(RegistrationError) as info:
        _register(app, "/two", second)
    _assert_names(info.value, second, "'view'", "name=")
    assert "/two" not in app.routes
    # name= tells them apart
    _register(app, "/two", second, name="view_two")
    client = Client(app)
    assert client.http.get("/one").body == b"one"
    assert client.http.get("/two").body == b"two"


def test_same_function_on_two_paths_is_fine() -> None:
    app = App("names")

    def shared() -> str:
        return "shared"

    _register(app, "/one", shared)
    _register(app, "/two", shared)
    client = Client(app)
    assert client.http.get("/one").body == b"shared"
    assert client.http.get("/two").body == b"shared"


# -- malformed paths ---------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "pets",  # no leading slash
    "",
    "/pets/",  # trailing slash
    "/pets//toys",
    "//",
    "/{a}b",
    "/a{b}",
    "/pets/{id",
    "/pets/id}",
    "/{proxy+}/more",
    "/a/{x}/{x}",
    "/a/{x}/{x+}",
    "/a/{1x}",
    "/a/{a-b}",
    "/a/{}",
    "/a/{+}",
    "/a/{a b}",
    "/pets?x=1",
    "/pets#top",
    "/my pets",
    "/tab\there",
    "/pets/%20",
])
def test_malformed_path(path: str) -> None:
    app = App("paths")

    def path_view(**kwargs: str) -> None:
        return None

    with pytest.raises(RegistrationError) as info:
        _register(app, path, path_view)
    _assert_names(info.value, path_view, repr(path))
    assert app.registry.routes == []


def test_non_string_path() -> None:
    app = App("paths")

    def int_path_view() -> None:
        return None

    with pytest.raises(RegistrationError, match="int_path_view"):
        app.route(42)(int_path_view)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", ["/", "/a", "/a/{b}", "/a/{b}/c/{d}", "/a/{rest+}",
                                  "/{rest+}", "/a-b/c_d/e.f/~g"])
def test_valid_paths(path: str) -> None:
    app = App("paths")

    def ok_view(**kwargs: str) -> None:
        return None

    _register(app, path, ok_view)
    assert [r.path for r in app.registry.routes] == [path]


# -- methods and signatures ----------------------------------------------------------


@pytest.mark.parametrize("methods", [["FETCH"], ["GET", "CONNECT"], ["TRACE"], [1], []])
def test_unsupported_method(methods: list[Any]) -> None:
    app = App("methods")

    def method_view() -> None:
        return None

    with pytest.raises(RegistrationError) as info:
        _register(app, "/x", method_view, methods=methods)
    _assert_names(info.value, method_view)
    assert app.registry.routes == []


def test_view_missing_uri_parameter() -> None:
    app = App("sig")

    def pet_view() -> None:
        return None

    with pytest.raises(RegistrationError) as info:
        _register(app, "/pets/{pet_id}", pet_view)
    _assert_names(info.value, pet_view, "pet_id")


def test_view_with_wrong_parameter_name() -> None:
    app = App("sig")

    def pet_view(id: str) -> None:
        return None

    with pytest.raises(RegistrationError) as info:
        _register(app, "/pets/{pet_id}", pet_view)
    _assert_names(info.value, pet_view, "pet_id")


def test_view_missing_greedy_parameter() -> None:
    app = App("sig")

    def files_view() -> None:
        return None

    with pytest.raises(RegistrationError) as info:
        _register(app, "/files/{path+}", files_view)
    _assert_names(info.value, files_view, "path")


def test_view_requiring_argument_the_path_lacks() -> None:
    app = App("sig")

    def needy_view(pet_id: str, extra: str) -> None:
        return None

    with pytest.raises(RegistrationError) as info:
        _register(app, "/pets/{pet_id}", needy_view)
    _assert_names(info.value, needy_view, "extra")


def test_view_with_kwargs_or_defaults_is_accepted() -> None:
    app = App("sig")

    def kw_view(**params: str) -> dict[str, str]:
        return params

    def default_view(pet_id: str, verbose: str = "no") -> dict[str, str]:
        return {"pet_id": pet_id, "verbose": verbose}

    _register(app, "/kw/{a}/{b}", kw_view)
    _register(app, "/pets/{pet_id}", default_view)
    client = Client(app)
    assert client.http.get("/kw/1/2").json_body == {"a": "1", "b": "2"}
    assert client.http.get("/pets/7").json_body == {"pet_id": "7", "verbose": "no"}


# -- parameter names per position ------------------------------------------------------


def test_same_path_different_param_names() -> None:
    app = App("params")

    def by_id(id: str) -> None:
        return None

    def by_uid(uid: str) -> None:
        return None

    _register(app, "/u/{id}", by_id)
    with pytest.raises(RegistrationError) as info:
        _register(app, "/u/{uid}", by_uid, methods=["POST"])
    _assert_names(info.value, by_uid, "/u/{uid}", "/u/{id}")


def test_sibling_params_with_different_names() -> None:
    app = App("params")

    def by_id(id: str) -> None:
        return None

    def posts(uid: str) -> None:
        return None

    _register(app, "/u/{id}", by_id)
    with pytest.raises(RegistrationError) as info:
        _register(app, "/u/{uid}/posts", posts)
    _assert_names(info.value, posts, "uid", "id")
    assert "/u/{uid}/posts" not in app.routes


def test_sibling_params_other_order() -> None:
    app = App("params")

    def posts(uid: str) -> None:
        return None

    def by_id(id: str) -> None:
        return None

    _register(app, "/u/{uid}/posts", posts)
    with pytest.raises(RegistrationError) as info:
        _register(app, "/u/{id}", by_id)
    _assert_names(info.value, by_id, "uid")


def test_sibling_greedy_and_param_names() -> None:
    app = App("params")

    def by_id(id: str) -> None:
        return None

    def rest(proxy: str) -> None:
        return None

    _register(app, "/u/{id}", by_id)
    with pytest.raises(RegistrationError, match="rest"):
        _register(app, "/u/{proxy+}", rest)


def test_sibling_params_with_same_name_are_fine() -> None:
    app = App("params")

    def by_id(id: str) -> str:
        return "user " + id

    def posts(id: str) -> str:
        return "posts " + id

    _register(app, "/u/{id}", by_id)
    _register(app, "/u/{id}/posts", posts)
    client = Client(app)
    assert client.http.get("/u/3").body == b"user 3"
    assert client.http.get("/u/3/posts").body == b"posts 3"


# -- CORS ----------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "second"), [
    (True, None),
    (None, True),
    (True, False),
    (CORSConfig(allow_origin="https://a.example"), CORSConfig(allow_origin="https://b.example")),
    (CORSConfig(max_age=10), True),
])
def test_conflicting_cors_for_one_path(first: Any, second: Any) -> None:
    app = App("cors")

    def get_view() -> None:
        return None

    def post_view() -> None:
        return None

    _register(app, "/x", get_view, cors=first)
    with pytest.raises(RegistrationError) as info:
        _register(app, "/x", post_view, methods=["POST"], cors=second)
    _assert_names(info.value, post_view, "get_view", "CORS")
    assert list(app.routes["/x"]) == ["GET"]


@pytest.mark.parametrize(("first", "second"), [
    (True, True),
    (None, None),
    (True, CORSConfig()),
    (CORSConfig(allow_origin="https://a.example"), CORSConfig(allow_origin="https://a.example")),
])
def test_matching_cors_for_one_path(first: Any, second: Any) -> None:
    app = App("cors")

    def get_view() -> None:
        return None

    def post_view() -> None:
        return None

    _register(app, "/x", get_view, cors=first)
    _register(app, "/x", post_view, methods=["POST"], cors=second)
    assert sorted(app.routes["/x"]) == ["GET", "POST"]


@pytest.mark.parametrize("cors", ["yes", 1, {"allow_origin": "*"}])
def test_bad_cors_value(cors: Any) -> None:
    app = App("cors")

    def cors_view() -> None:
        return None

    with pytest.raises(RegistrationError, match="cors_view"):
        _register(app, "/x", cors_view, cors=cors)


@pytest.mark.parametrize(("option", "value"), [
    ("content_types", []),
    ("content_types", ["json"]),
    ("content_types", [1]),
    ("compress", "yes"),
    ("api_key_required", "yes"),
    ("authorizer", "iam"),
    ("methods", 5),
])
def test_bad_option_values(option: str, value: Any) -> None:
    app = App("opts")

    def opt_view() -> None:
        return None

    with pytest.raises(RegistrationError) as info:
        _register(app, "/x", opt_view, **{option: value})
    _assert_names(info.value, opt_view)


# -- the registry ------------------------------------------------------------------------


def test_registry_holds_route_specs_in_order() -> None:
    app = App("registry")

    def index() -> None:
        return None

    def pet(pet_id: str) -> None:
        return None

    def create_pet() -> None:
        return None

    def files(path: str) -> None:
        return None

    cors = CORSConfig(allow_origin="https://example.com")
    _register(app, "/", index)
    _register(app, "/pets/{pet_id}", pet)
    _register(app, "/pets", create_pet, methods=["post", "PUT"], name="create",
              content_types=["application/json", "Text/Plain"], cors=cors,
              api_key_required=True, compress=True)
    _register(app, "/files/{path+}", files)

    routes = app.registry.routes
    assert all(type(r) is RouteSpec for r in routes)
    assert [r.path for r in routes] == ["/", "/pets/{pet_id}", "/pets", "/files/{path+}"]
    assert [r.view for r in routes] == [index, pet, create_pet, files]

    first = routes[0]
    assert first.methods == ("GET",)
    assert first.name == "index"
    assert first.cors is None
    assert first.content_types == ("application/json",)
    assert first.authorizer is None
    assert first.api_key_required is None
    assert first.compress is False
    assert first.param_names == ()

    assert routes[1].param_names == ("pet_id",)
    assert routes[1].name == "pet"

    third = routes[2]
    assert third.methods == ("POST", "PUT")
    assert third.name == "create"
    assert third.cors == cors
    assert third.content_types == ("application/json", "text/plain")
    assert third.api_key_required is True
    assert third.compress is True

    assert routes[3].param_names == ("path",)


def test_route_with_cors_true_records_a_config() -> None:
    app = App("registry")

    def view() -> None:
        return None

    _register(app, "/x", view, cors=True)
    spec = app.registry.routes[0]
    assert isinstance(spec.cors, CORSConfig)


@pytest.mark.parametrize("attr", ["path", "methods", "name", "view", "cors", "content_types",
                                  "compress", "param_names", "new_attribute"])
def test_route_spec_is_frozen(attr: str) -> None:
    app = App("frozen")

    def view() -> None:
        return None

    _register(app, "/x", view)
    spec = app.registry.routes[0]
    with pytest.raises(AttributeError):
        setattr(spec, attr, "changed")
    assert spec.path == "/x"
    assert spec.view is view


@pytest.mark.parametrize("attr", ["path", "methods", "view"])
def test_route_spec_refuses_delete(attr: str) -> None:
    app = App("frozen")

    def view() -> None:
        return None

    _register(app, "/x", view)
    spec = app.registry.routes[0]
    with pytest.raises(AttributeError):
        delattr(spec, attr)
    assert getattr(spec, attr) is not None


def test_route_specs_compare_and_hash_by_value() -> None:
    app_a = App("a")
    app_b = App("b")

    def view() -> None:
        return None

    _register(app_a, "/x", view)
    _register(app_b, "/x", view)
    spec_a = app_a.registry.routes[0]
    spec_b = app_b.registry.routes[0]
    assert spec_a == spec_b
    assert hash(spec_a) == hash(spec_b)
    assert "/x" in repr(spec_a)


def test_app_routes_maps_path_to_method_to_spec() -> None:
    app = App("routes")

    def items() -> None:
        return None

    def delete_items() -> None:
        return None

    def item(item_id: str) -> None:
        return None

    _register(app, "/items", items, methods=["GET", "POST"])
    _register(app, "/items", delete_items, methods=["DELETE"])
    _register(app, "/items/{item_id}", item)

    routes = app.routes
    assert set(routes) == {"/items", "/items/{item_id}"}
    assert set(routes["/items"]) == {"GET", "POST", "DELETE"}
    assert routes["/items"]["GET"] is routes["/items"]["POST"]
    assert routes["/items"]["GET"].view is items
    assert routes["/items"]["DELETE"].view is delete_items
    assert routes["/items/{item_id}"]["GET"].param_names == ("item_id",)
    assert len(app.registry.routes) == 3


def test_app_routes_is_a_copy() -> None:
    app = App("routes")

    def view() -> str:
        return "ok"

    _register(app, "/x", view)
    app.routes["/x"].clear()
    app.routes.clear()
    assert Client(app).http.get("/x").body == b"ok"
    assert list(app.routes) == ["/x"]


def test_decorator_returns_the_function() -> None:
    app = App("deco")

    def view() -> str:
        return "ok"

    assert app.route("/x")(view) is view
