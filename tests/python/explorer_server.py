"""Starts `xsector serve` on a free loopback port for the explorer's tests
(test_serve.py, test_explorer.py) and talks to it with real HTTP requests."""
import http.client
import json
import signal
import subprocess
import time
from pathlib import Path


class Server:
    def __init__(self, xsector_bin: Path, output: Path, *extra: str):
        self.output = output
        self.proc = subprocess.Popen(
            [str(xsector_bin), "serve", "--port", "0", "--threads", "2", "--output-dir", str(output), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # The first line names the address: "xsector serve: the scenario explorer is at http://127.0.0.1:PORT/".
        self.banner = [self.proc.stdout.readline() for _ in range(3)]
        if "http://" not in self.banner[0]:
            self.proc.kill()
            raise RuntimeError(f"xsector serve did not start: {self.banner} {self.proc.stderr.read()}")
        self.url = self.banner[0].split(" is at ")[1].strip()
        self.host, port = self.url.removeprefix("http://").rstrip("/").split(":")
        self.port = int(port)

    def request(self, method: str, path: str, body=None, headers=None, timeout=60):
        """(status, headers, body bytes); path is sent as given, without normalisation."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def post_run(self, request):
        status, _, body = self.request("POST", "/api/runs", request, {"Content-Type": "application/json"})
        return status, json.loads(body)

    def wait(self, run_id: int, timeout=300):
        """The run's status once it is done or failed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, _, body = self.request("GET", f"/api/runs/{run_id}")
            assert status == 200, body
            answer = json.loads(body)
            if answer["state"] in ("done", "failed"):
                return answer
            time.sleep(0.05)
        raise TimeoutError(f"run {run_id} did not finish in {timeout} s")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode
