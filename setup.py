"""Builds the `lakehouse` wheel from lib/lakehouse, with the `lakehouse` command.

PySpark and awsglue are provided by AWS Glue: they live in the `local` extra, never in
install_requires, or Glue would pip-install them over its own runtime.
"""

from setuptools import find_packages, setup

LOCAL = ["pyspark==3.5.6", "AWSGlueDataplanePython==5.1.0", "isal>=1.7"]
AWS = ["boto3>=1.34"]
INGEST = ["requests>=2.31", "aws-lambda-powertools>=3.0"]
TEST = [
    "pytest>=8",
    "pytest-xdist>=3.5",
    "chispa==0.12.0",
    "moto[server]>=5.1",
    "psutil>=5.9",
    "parliament>=1.6",
    "principalmapper==1.1.5",
    "duckdb>=1.1",
    "packaging>=23",
    "setuptools>=68",
    "wheel>=0.41",
    "playwright>=1.40",  # drives Debian's chromium for the dashboard page test (no browser download)
    "sqlglot>=25",  # parses the dashboard's questions as Trino and as Spark SQL
]
DEV = ["ruff>=0.6", "mypy>=1.11", "boto3-stubs[essential]>=1.34"]

setup(
    name="lakehouse",
    version="0.1.0",
    description="A bronze/silver/gold lakehouse of GitHub's public events on AWS Glue, or on one laptop",
    python_requires=">=3.11,<3.12",
    package_dir={"": "lib"},
    packages=find_packages("lib"),
    package_data={"lakehouse": ["py.typed", "log4j2.properties"]},
    install_requires=["filelock>=3.12", "tqdm>=4.66", "plotly>=6.0"],  # plotly draws the dashboard page
    extras_require={
        "local": LOCAL,
        "aws": AWS,
        "ingest": INGEST,
        "test": LOCAL + AWS + INGEST + TEST,
        "dev": LOCAL + AWS + INGEST + TEST + DEV,
    },
    entry_points={"console_scripts": ["lakehouse = lakehouse.cli:main"]},
)
