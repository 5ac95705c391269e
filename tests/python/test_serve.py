"""`xsector serve`, the explorer's server, through real HTTP requests on loopback:
paired runs equal `xsector compare`; malformed, oversized and out-of-range requests are
refused with a message (the scenario files' own, for a bad value); no request path reaches
a file outside the output folder; many concurrent requests are served or refused (429),
never crash it. The page itself is test_explorer.py's."""
import concurrent.futures
import json
import re
import subprocess

import h5py
import pytest

from explorer_server import Server


@pytest.fixture(scope="module")
def server(xsector_bin, tmp_path_factory):
    server = Server(xsector_bin, tmp_path_factory.mktemp("serve"))
    yield server
    assert server.stop() == 130  # SIGINT: interrupted, as README.md's exit codes say


def test_listens_on_loopback_only_by_default(server):
    assert server.host == "127.0.0.1"
    assert "other machines cannot reach it" in server.banner[1]


def test_another_host_is_announced(xsector_bin, tmp_path):
    # 0.0.0.0 listens on every interface: the start-up message must say that other machines
    # can reach it. The request goes through loopback, which 0.0.0.0 includes.
    other = Server(xsector_bin, tmp_path, "--host", "0.0.0.0")
    try:
        assert other.banner[0].startswith("xsector serve: the scenario explorer is at http://0.0.0.0:")
        assert other.banner[1].startswith("WARNING: listening on 0.0.0.0, so other machines can reach it")
        other.host = "127.0.0.1"
        assert other.request("GET", "/")[0] == 200
    finally:
        assert other.stop() == 130


def test_page_and_assets(server):
    status, headers, body = server.request("GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'<script type="module" src="/explorer.js">' in body
    for asset in ("/explorer.js", "/charts.js", "/explorer.css"):
        assert server.request("GET", asset)[0] == 200


def test_library_comes_from_the_parameter_table(server):
    status, _, body = server.request("GET", "/api/library")
    library = json.loads(body)
    names = [s["name"] for s in library["scenarios"]]
    assert names[0] == "baseline" and "policy_mix" in names
    assert not any(name.startswith("sweep_") for name in names)  # sweeps are no base
    types = {i["type"]: {k["name"]: k for k in i["keys"]} for i in library["interventions"]}
    assert len(types) == 6
    share = types["compliance_toolkit"]["share"]
    assert (share["min"], share["max"], share["default"]) == (0, 1, 0.5)
    assert types["budget_change"]["sector"]["choices"] == ["government", "business", "nonprofit"]
    params = json.loads(server.request("GET", "/api/params")[2])
    assert any(p["name"] == "foundation.public_share" for p in params)


def test_run_equals_compare(server, xsector_bin, source_dir, tmp_path):
    request = {"base": "baseline", "replicates": 4,
               "interventions": [{"type": "budget_change", "start_year": 1, "factor": 3.0}]}
    status, answer = server.post_run(request)
    assert status == 202, answer
    done = server.wait(answer["id"])
    assert done["state"] == "done", done
    result = done["result"]

    # The arm's TOML from the server reproduces the run with the CLI.
    status, headers, arm = server.request("GET", f"/api/runs/{answer['id']}/arm.toml")
    assert status == 200 and 'filename="arm.toml"' in headers["Content-Disposition"]
    (tmp_path / "arm.toml").write_bytes(arm)
    proc = subprocess.run([xsector_bin, "compare", source_dir / "scenarios/baseline.toml", tmp_path / "arm.toml",
                           "--replicates", "4", "-o", tmp_path / "cmp.h5"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(result["printed"])  # then "wrote cmp.h5 ..."
    assert f"\n{result['verdict']}\n" in proc.stdout

    # The results file is the comparison file, run for run.
    status, _, h5 = server.request("GET", f"/api/runs/{answer['id']}/results.h5")
    assert status == 200
    (tmp_path / "served.h5").write_bytes(h5)
    with h5py.File(tmp_path / "served.h5") as served, h5py.File(tmp_path / "cmp.h5") as cli:
        assert served.attrs["kind"] == cli.attrs["kind"]
        for name in ("public_sector_gap", "support_spending", "capacity_mean"):
            assert (served[name][()] == cli[name][()]).all(), name

    # The curves' last year is compare's final year.
    gap = result["indicators"][0]
    assert gap["key"] == "gap" and len(result["years"]) == 10
    assert [a["name"] for a in gap["arms"]] == ["baseline", "arm"]
    printed_gap = proc.stdout.split("\npublic sector gap\n")[1].split("\n\n")[0]
    assert f" Δ {gap['delta']['text']}" in printed_gap
    assert f"  arm {'':24} {gap['arms'][1]['mean'][-1]:+.4f} [" in printed_gap


def refusal(server, request):
    status, answer = server.post_run(request)
    return status, answer.get("error", ""), answer


def test_malformed_json(server):
    for body in (b"{", b"not json", b'{"base": "baseline",}', b"\xff\xfe{", b'{"base": "\xc3"}', b""):
        status, _, answer = server.request("POST", "/api/runs", body)
        assert status == 400, body
        assert "not valid JSON" in json.loads(answer)["error"]
    for body in ("[]", "42", '"baseline"', "null"):
        status, _, answer = server.request("POST", "/api/runs", body)
        assert status == 400 and "JSON object" in json.loads(answer)["error"]


def test_deeply_nested_json(server):
    depth = 30_000  # within the body limit; neither parsing nor answering may recurse that deep
    for body in ("[" * depth + "]" * depth, '{"base": "baseline", "replicates": 1, "x": ' + "[" * depth + "]" * depth + "}"):
        status, _, answer = server.request("POST", "/api/runs", body)
        assert status in (202, 400), answer[:200]
        if status == 202:
            assert server.wait(json.loads(answer)["id"])["state"] == "done"
    assert server.request("GET", "/api/library")[0] == 200


def test_wrong_shapes(server):
    cases = [
        ({"base": 3}, "`base` must name a scenario"),
        ({"base": "../../etc/passwd"}, "is not a scenario of the library"),
        ({"base": "baseline", "replicates": 0}, "replicates must be a whole number"),
        ({"base": "baseline", "replicates": 2.5}, "replicates must be a whole number"),
        ({"base": "baseline", "interventions": {"type": "graduate_programs"}}, "must be a list"),
        ({"base": "baseline", "interventions": [["graduate_programs"]]}, "must be a table"),
        ({"base": "baseline", "interventions": [{"rate": 1}]}, "has no `type`"),
        ({"base": "baseline", "interventions": [{"type": "graduate_programs", "rate": [1]}]}, "must be a number"),
        ({"base": "baseline", "interventions": [{"type": "graduate_programs", 'x"\n[evil]': 1}]},
         "is not a key of an intervention table"),
        ({"base": "baseline", "interventions": [{"type": "graduate_programs"}] * 13}, "at most 12"),
    ]
    for request, message in cases:
        status, error, _ = refusal(server, request)
        assert status == 400 and message in error, (request, error)


def test_bad_values_get_the_scenario_files_message(server, xsector_bin, tmp_path):
    """The message is the one `xsector validate` prints for the same arm file."""
    for intervention in ({"type": "compliance_toolkit", "share": 1.5},
                         {"type": "graduate_programs", "rat": 0.2},
                         {"type": "budget_change", "sector": "army"},
                         {"type": "foundation_public_support", "public_channel": "voucher"},
                         {"type": "knowledge_mobilization", "p_extra": "lots"},
                         {"type": "graduate_programs", "start_year": 5, "end_year": 2},
                         {"type": "nonsense"}):
        status, error, answer = refusal(server, {"base": "baseline", "interventions": [intervention]})
        assert status == 400, intervention
        (tmp_path / "arm.toml").write_text(answer["scenario"])
        proc = subprocess.run([xsector_bin, "validate", "arm.toml"], capture_output=True, text=True,
                              cwd=tmp_path, timeout=60)
        assert proc.returncode == 2
        assert proc.stderr.splitlines()[-1] == f"error: {error}", intervention
        assert error.startswith("arm.toml:")


def test_too_much_work_is_refused(server):
    status, error, _ = refusal(server, {"base": "baseline", "replicates": 5000})
    assert status == 413 and "too much work" in error and "--max-agent-ticks" in error
    status, error, _ = refusal(server, {"base": "us_national", "replicates": 20})
    assert status == 413


def test_oversize_body_is_refused(server):
    body = json.dumps({"base": "baseline", "padding": "x" * 200_000})
    status, _, answer = server.request("POST", "/api/runs", body, {"Content-Type": "application/json"})
    assert status == 413


@pytest.mark.parametrize("path", [
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/api/runs/1/../../../../etc/passwd",
    "/api/runs/1/..%2f..%2f..%2fetc%2fpasswd",
    "/api/runs/..%2f..%2fetc/results.h5",
    "/api/runs/1/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/api/runs/-1/results.h5",
    "/api/runs/99999999999999999999/results.h5",
    "/api/runs/1/results.h5%00.toml",
    "/explorer.js/../../../etc/passwd",
    "/api/runs/1/run-1.h5",
    "/api/runs/999/arm.toml",
])
def test_no_file_outside_the_runs(server, path):
    status, _, body = server.request("GET", path)
    assert status in (400, 404), (path, status)
    assert b"root:" not in body and b"HDF" not in body


def test_many_concurrent_requests(server):
    small = {"base": "baseline", "replicates": 2, "interventions": [{"type": "graduate_programs", "rate": 0.5}]}
    with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
        posts = list(pool.map(lambda _: server.post_run(small), range(24)))
        gets = list(pool.map(lambda _: server.request("GET", "/api/library")[0], range(48)))
    statuses = [status for status, _ in posts]
    assert set(statuses) <= {202, 429}, statuses
    assert 202 in statuses and 429 in statuses  # at most --max-waiting (4) wait at once
    assert all("busy" in answer["error"] for status, answer in posts if status == 429)
    assert gets == [200] * 48
    accepted = [answer["id"] for status, answer in posts if status == 202]
    results = [server.wait(run_id) for run_id in accepted]
    assert all(r["state"] == "done" for r in results)
    deltas = {r["result"]["indicators"][0]["delta"]["text"] for r in results}
    assert len(deltas) == 1  # the same request gives the same answer, whoever else was running
    assert server.request("GET", "/api/library")[0] == 200


def test_files_only_in_the_output_folder(server):
    names = {p.name for p in server.output.iterdir()}
    assert names and all(re.fullmatch(r"run-\d+(\.h5|-arm\.toml|-base\.toml)", n) for n in names), names


def test_a_reused_output_folder_keeps_its_runs(xsector_bin, tmp_path):
    (tmp_path / "run-7.h5").write_bytes(b"an earlier session's results")
    server = Server(xsector_bin, tmp_path)
    try:
        status, answer = server.post_run({"base": "baseline", "replicates": 1})
        assert status == 202 and answer["id"] == 8
        assert server.wait(8)["state"] == "done"
    finally:
        assert server.stop() == 130
    assert (tmp_path / "run-7.h5").read_bytes() == b"an earlier session's results"
    assert (tmp_path / "run-8.h5").exists()
