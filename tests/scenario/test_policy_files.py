"""Role policies given as files (`{name, file}`), read relative to the scenario file when it is
loaded, with the scenario's line and the file's problem in every error."""

from __future__ import annotations

import json
import textwrap

import pytest

from sim.scenario import ScenarioError, load_scenario

SCENARIO = """
name: policy-files
clock: {start: 2022-01-01T00:00:00Z, duration: 1m}
resources:
  streams: [{name: s}]
  buckets: [{name: b-bucket}]
  delivery_streams:
    - name: d
      source: {stream: s}
      bucket: b-bucket
      role: {name: d-role, policies: [{name: dp, file: DFILE}]}
functions:
  - name: f
    handler: m:h
    role:
      policies:
        - name: write
          file: FFILE
"""

ALLOW = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "dynamodb:BatchWriteItem", "Resource": "*"}],
}


def write(tmp_path, ffile="policies/write.json", dfile="policies/write.json"):
    (tmp_path / "policies").mkdir(exist_ok=True)
    path = tmp_path / "x.yaml"
    path.write_text(textwrap.dedent(SCENARIO).replace("FFILE", ffile).replace("DFILE", dfile))
    return path


def test_a_policy_file_is_read_relative_to_the_scenario(tmp_path):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "write.json").write_text(json.dumps(ALLOW))
    scenario = load_scenario(write(tmp_path))
    assert scenario.functions[0].role.policies[0].document == ALLOW
    assert scenario.resources.delivery_streams[0].role.policies[0].document == ALLOW


def problems(path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(e) for e in getattr(caught.value, "errors", [caught.value])]


def test_a_missing_file_names_the_line_and_the_path(tmp_path):
    [first, second] = problems(write(tmp_path, ffile="policies/none.json", dfile="nope.json"))
    assert "x.yaml:11: resources.delivery_streams[0].role.policies[0].file" in first
    assert "nope.json: No such file or directory" in first
    assert "x.yaml:18: functions[0].role.policies[0].file" in second
    assert "expected a readable JSON policy file" in second


def test_a_file_that_is_not_json_or_not_a_policy_is_refused(tmp_path):
    path = write(tmp_path, ffile="policies/bad.json", dfile="policies/nover.json")
    (tmp_path / "policies" / "bad.json").write_text("{Version: 2012-10-17")
    (tmp_path / "policies" / "nover.json").write_text(json.dumps({"Statement": []}))
    [first, second] = problems(path)
    assert "expected a Version (2012-10-17 or 2008-10-17)" in first and "nover.json" in first
    assert "expected a JSON policy document" in second and "not JSON" in second


def test_document_and_file_are_alternatives(tmp_path):
    path = tmp_path / "y.yaml"
    path.write_text(
        textwrap.dedent(SCENARIO)
        .replace("FFILE", "a.json\n          document: {Version: '2012-10-17', Statement: []}")
        .replace("DFILE", "a.json")
    )
    found = problems(path)
    assert any("functions[0].role.policies[0]" in p and "file" in p for p in found)
