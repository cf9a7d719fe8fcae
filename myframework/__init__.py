"""myframework: a Python microframework for serverless apps on AWS Lambda.

``import myframework`` loads only the standard-library runtime; the CLI,
deployer and policy generator are imported on their own.
"""
from .runtime import *  # noqa: F403
from .runtime import __all__ as _runtime_all

__version__ = "0.1.0.dev0"
__all__ = ["__version__", *_runtime_all]
