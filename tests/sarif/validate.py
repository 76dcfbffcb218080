#!/usr/bin/env python3
"""Checks `triage check --format sarif` against the published SARIF 2.1.0 schema, and what the
schema cannot say: every rule's help, and artifact URIs that are URIs.

Usage: validate.py TRIAGE_CLI SOURCE_DIR [DEFAULT_DOCS_URL]"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema

triage, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "sarif-schema-2.1.0.json"), encoding="utf-8") as f:
    schema = json.load(f)
validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
problems = []


def sarif(arguments, cwd):
    run = subprocess.run([triage, "check", "--format", "sarif", *arguments], cwd=cwd, capture_output=True)
    if run.returncode != 1:
        problems.append(f"check exited {run.returncode}, not 1: {run.stderr.decode()}")
    return json.loads(run.stdout)


def check(doc, help_base):
    for error in validator.iter_errors(doc):
        problems.append(f"schema: {'/'.join(map(str, error.absolute_path))}: {error.message}")
    run = doc["runs"][0]
    for rule in run["tool"]["driver"]["rules"]:
        rid = rule["id"]
        if not help_base:
            # No docs URL: no helpUri, the help names the offline page, no link is left relative.
            if "helpUri" in rule:
                problems.append(f"{rid}: a helpUri {rule['helpUri']} though no docs URL was given")
            if not rule["help"]["text"].endswith(f"triage help {rid}"):
                problems.append(f"{rid}: help.text does not name `triage help {rid}`: {rule['help']['text']}")
            if "](" in rule["help"]["markdown"].replace("](http", ""):
                problems.append(f"{rid}: help.markdown keeps a relative link with no base to resolve it")
        else:
            uri, _, anchor = rule["helpUri"].partition("#")
            if not uri.startswith(help_base) or not uri.endswith("diagnostics.md") or not anchor.startswith(rid.lower() + "--"):
                problems.append(f"{rid}: helpUri {rule['helpUri']} is not {help_base}...diagnostics.md#{rid.lower()}--...")
        if len(rule["fullDescription"]["text"]) < 20 or "**" in rule["fullDescription"]["text"]:
            problems.append(f"{rid}: fullDescription.text is not a plain description: {rule['fullDescription']}")
        markdown = rule["help"]["markdown"]
        if "```" not in markdown or "](#" in markdown or "](security.md" in markdown:
            problems.append(f"{rid}: help.markdown is not the docs section with absolute links")
    for result in run["results"]:
        for location in result["locations"] + result.get("relatedLocations", []):
            uri = location["physicalLocation"]["artifactLocation"]["uri"]
            if " " in uri or "#" in uri or not uri.isascii():
                problems.append(f"{result['ruleId']}: artifact URI not percent-encoded: {uri}")
            if uri.startswith("/"):
                problems.append(f"{result['ruleId']}: an absolute path, not a file:// URI: {uri}")
    return run


work = tempfile.mkdtemp()
try:
    # A relative path with a space, a '#' and a letter beyond ASCII; every diagnostics fixture by
    # its absolute path (every code, notes, fixes).
    os.makedirs(os.path.join(work, "flows dir"))
    shutil.copy(os.path.join(source, "tests/fixtures/cli/bad.flow"), os.path.join(work, "flows dir", "bad ü#1.flow"))
    fixtures = sorted(glob.glob(os.path.join(source, "tests/fixtures/diagnostics/*.flow")))
    base = "https://docs.example.org/triage/v1/docs/diagnostics.md"
    run = check(sarif(["--sarif-help-base", base, "flows dir/bad ü#1.flow", *fixtures], work), base)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    if uris[0] != "flows%20dir/bad%20%C3%BC%231.flow":
        problems.append(f"relative URI: {uris[0]}")
    if not any(u.startswith("file:///") and u.endswith("/T010-duplicate-field.flow") for u in uris):
        problems.append("no file:// URI for the absolute paths")
    rules = len(run["tool"]["driver"]["rules"])
    # The default help base, TRIAGE_DOCS_URL: none unless the build names published docs, and
    # then an https URL, which works wherever the report is read.
    default_base = sys.argv[3] + "/diagnostics.md" if len(sys.argv) > 3 and sys.argv[3] else ""
    if default_base and not default_base.startswith("https://"):
        problems.append(f"the default help base {default_base!r} is not an https URL")
    check(sarif([os.path.join(source, "tests/fixtures/cli/bad.flow"), *fixtures], work), default_base)
finally:
    shutil.rmtree(work)

for problem in problems:
    print(problem)
if problems:
    sys.exit(1)
print(f"sarif schema: ok, {len(run['results'])} results of {rules} rules valid")
