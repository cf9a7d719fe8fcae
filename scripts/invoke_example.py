#!/usr/bin/env python3
"""Invoke an app's Lambda handler with a realistic HTTP event and print the result.

    python3 scripts/invoke_example.py GET /pets/1
    python3 scripts/invoke_example.py POST /pets --body '{"name": "Kit"}'
    python3 scripts/invoke_example.py GET '/pets?kind=cat' --event-format http-api

The app is examples/petstore/app.py unless --app names another file. The
event is built exactly as API Gateway (or the chosen source) would send it, and
the handler's return value is printed as Lambda would hand it back.
"""
import argparse
import importlib.util
import json
import pathlib
import sys

from myframework import App
from myframework.testing import EVENT_FORMATS, FakeLambdaContext, make_event

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_app(path: pathlib.Path) -> App:
    spec = importlib.util.spec_from_file_location("example_app", path)
    if spec is None or spec.loader is None:
        sys.exit("error: cannot load %s" % path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    spec.loader.exec_module(module)
    app = getattr(module, "app", None)
    if not isinstance(app, App):
        sys.exit("error: %s has no `app = App(...)` object" % path)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("method", help="HTTP method, e.g. GET")
    parser.add_argument("path", help="path with an optional query string, e.g. /pets?kind=dog")
    parser.add_argument("--body", help="request body (JSON is sent as application/json)")
    parser.add_argument("--event-format", choices=EVENT_FORMATS, default="rest")
    parser.add_argument("--app", type=pathlib.Path, default=ROOT / "examples/petstore/app.py")
    args = parser.parse_args()
    if not args.app.is_file():
        sys.exit("error: no app file at %s" % args.app)
    app = load_app(args.app)
    headers = {"Accept": "application/json"}
    if args.body is not None:
        headers["Content-Type"] = "application/json"
    event = make_event(args.method, args.path, headers, args.body, args.event_format)
    result = app(event, FakeLambdaContext(app.app_name))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
