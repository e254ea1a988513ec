"""Runs every fenced code block of README.md as a new user would (`make test` runs this).

Each block says how it is tested in its info string, after the language (GitHub shows
only the language): ```sh test=<kind>. A block without a known kind fails the check, so
a new snippet cannot slip in untested.

  make           each `make X` line names a target that exists (`make -n X`)
  install        run as written (from the repository root), with /path/to/your-app
                 a fresh app folder: the package is built, packed and installed there
  app            the JS snippet, saved as app.mjs in that app and run with node against
                 `make demo`'s stack (local SSM <- gateway on workerd), once with a gateway
                 key and once with a bearer token; then the README's "Try" claims about
                 the demo are checked with boto3
  gateway-local  `make gateway-local` started, then the rest of the block run against it
  deploy         needs a Cloudflare account: each command is checked without one (the
                 pinned wrangler runs and knows the subcommand, the npm scripts exist,
                 the policies the block uploads validate and compile, `wrangler deploy --dry-run`
                 builds and bundles the Worker)
  check-config   run as written on a valid configuration (exit 0) and on a broken one
                 (fails, naming every problem), with gateway/.dev.vars a file written here
  cargo          compiled and run by `cargo test -p ssm-edge-tests --test readme`
  policy         Cedar policies: validated against the gateway's schema and compiled by
                 `make check-policy`'s program, as a user's policy file would be

Usage: .venv/bin/python tests/readme/check_readme.py [KIND...]
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
KINDS = ("make", "install", "app", "gateway-local", "deploy", "check-config", "cargo", "policy")


@dataclass
class Block:
    line: int  # 1-based line of the opening fence
    lang: str
    kind: str | None
    code: str

    def where(self) -> str:
        return f"README.md:{self.line} (```{self.lang} test={self.kind})"


class Failed(Exception):
    pass


def blocks(text: str) -> list[Block]:
    found, current = [], None
    for number, line in enumerate(text.splitlines(), 1):
        if current is None:
            m = re.match(r"^```(\S+)(.*)$", line)
            if m:
                kind = re.search(r"\btest=(\S+)", m.group(2))
                current = Block(number, m.group(1), kind and kind.group(1), "")
        elif line.strip() == "```":
            found.append(current)
            current = None
        else:
            current.code += line + "\n"
    if current is not None:
        raise Failed(f"README.md:{current.line}: a code fence that is never closed")
    return found


def run(cmd, *, cwd=ROOT, env=None, timeout=300, check=True, what=None) -> subprocess.CompletedProcess:
    shown = cmd if isinstance(cmd, str) else shlex.join(map(str, cmd))
    print(f"    $ {shown}", flush=True)
    p = subprocess.run(cmd, cwd=cwd, env=env, shell=isinstance(cmd, str), text=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, executable="/bin/bash" if isinstance(cmd, str) else None)
    if check and p.returncode != 0:
        raise Failed(f"{what or shown} exited {p.returncode}:\n{p.stdout[-4000:]}")
    return p


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_http(url: str, proc: subprocess.Popen, log: Path, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Failed(f"exited {proc.returncode} before {url} answered:\n{log.read_text()[-4000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer: it serves
        except OSError:
            time.sleep(0.5)
    raise Failed(f"{url} did not answer in {seconds:.0f} s:\n{log.read_text()[-4000:]}")


@contextmanager
def background(cmd: str, log: Path, env=None):
    """Runs a long-lived command in its own process group; stops the group afterwards."""
    print(f"    $ {cmd} &   (log: {log})", flush=True)
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, shell=True, executable="/bin/bash",
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        yield proc
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue


def commands(code: str) -> list[str]:
    """The block's shell commands: backslash continuations joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", code)
    out = []
    for line in joined.splitlines():
        line = re.sub(r"\s+#\s.*$", "", line).strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


# ---------------------------------------------------------------- the kinds


def check_make(block: Block, state: dict) -> None:
    for line in commands(block.code):
        m = re.fullmatch(r"make (\S+)", line)
        if not m:
            raise Failed(f"{block.where()}: expected only `make <target>` lines, got {line!r}")
        run(["make", "-n", m.group(1)], what=f"`make {m.group(1)}` (a target of the Makefile)")


def check_install(block: Block, state: dict) -> None:
    app = Path(tempfile.mkdtemp(prefix="your-app-"))
    (app / "package.json").write_text(json.dumps({"name": "your-app", "private": True}) + "\n")
    script = block.code.replace("/path/to/your-app", str(app))
    run("set -euo pipefail\n" + script, timeout=900, what=f"{block.where()} as written")
    if not (app / "node_modules/ssm-edge/package.json").exists():
        raise Failed(f"{block.where()}: ssm-edge is not installed in the app folder")
    state["app"] = app


def demo_env(ports: tuple[int, int]) -> dict:
    env = dict(os.environ, GATEWAY_PORT=str(ports[0]), WWW_PORT=str(ports[1]))
    env["LOCAL_SSM_STEP_MS"] = "200"  # the emulator's lifecycle, faster than the demo's 1 s
    return env


def check_app(block: Block, state: dict) -> None:
    if "app" not in state:
        raise Failed(f"{block.where()}: needs the app of the `test=install` block before it")
    app = state["app"]
    (app / "app.mjs").write_text(block.code)
    ports = (free_port(), free_port())
    log = Path(tempfile.mkdtemp(prefix="readme-demo-")) / "demo.log"
    with background("make demo", log, env=demo_env(ports)) as proc:
        wait_http(f"http://127.0.0.1:{ports[1]}/", proc, log, seconds=600)
        deadline = time.monotonic() + 120
        while "Ctrl-C stops everything" not in log.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise Failed(f"`make demo` did not print its banner:\n{log.read_text()[-4000:]}")
            time.sleep(0.5)
        gateway = f"http://127.0.0.1:{ports[0]}"
        keys = {k["principal"]: k for k in json.loads((ROOT / "tests/demo/gateway-keys.json").read_text())}
        issuer = json.loads((ROOT / f"target/demo/{ports[0]}/issuer.out").read_text().splitlines()[0])
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SSM_"))}
        as_key = dict(base, SSM_ENDPOINT=gateway, AWS_ACCESS_KEY_ID=keys["root"]["accessKeyId"],
                      AWS_SECRET_ACCESS_KEY=keys["root"]["secretAccessKey"])
        as_token = dict(base, SSM_ENDPOINT=gateway, SSM_TOKEN=issuer["tokens"]["root"])
        for who, env in (("a gateway key", as_key), ("a bearer token", as_token)):
            out = run(["node", "app.mjs"], cwd=app, env=env, timeout=180,
                      what=f"{block.where()} with {who}").stdout
            last = out.strip().splitlines()[-1] if out.strip() else ""
            if not last.startswith("Success"):
                raise Failed(f"{block.where()} with {who}: expected a last line `Success …`, got:\n{out}")
            print(f"      with {who}: {last[:70]!r}", flush=True)
        check_try_claims(gateway, keys["alice"])


def check_try_claims(gateway: str, alice: dict) -> None:
    """The README's "Try" paragraph, as alice: the shell script is refused with the
    policy's reason; the restart on env=staging ends as the README says."""
    sys.path.insert(0, str(ROOT / "tests/python"))
    import boto3
    from botocore.exceptions import ClientError

    ssm = boto3.client("ssm", region_name="us-east-1", endpoint_url=gateway,
                       aws_access_key_id=alice["accessKeyId"], aws_secret_access_key=alice["secretAccessKey"])
    try:
        ssm.send_command(DocumentName="AWS-RunShellScript", Comment="CHG-1 check",
                         InstanceIds=["i-0123456789abcdef0", "i-0fedcba9876543210"],
                         Parameters={"commands": ["uptime"]})
        raise Failed("README 'Try': alice's AWS-RunShellScript was not refused")
    except ClientError as e:
        error = e.response["Error"]
        policy = (ROOT / "gateway/policies/30-admins.cedar").read_text()
        reason = re.search(r'@reason\("([^"]*)"\)', policy).group(1)
        if error["Code"] != "AccessDeniedException" or not error["Message"].endswith(f"denied by policy: {reason}"):
            raise Failed(f"README 'Try': alice's AWS-RunShellScript is not refused with the policy's reason "
                         f"({reason!r}): {error}")
        print(f"      alice, AWS-RunShellScript: {error['Code']}: {error['Message']}", flush=True)
    command = ssm.send_command(DocumentName="Ops-RestartService", Comment="CHG-1 restart",
                               Targets=[{"Key": "tag:env", "Values": ["staging"]}],
                               Parameters={"service": ["nginx"]})["Command"]
    deadline = time.monotonic() + 120
    while True:
        listed = ssm.list_commands(CommandId=command["CommandId"])["Commands"][0]
        if listed["Status"] not in ("Pending", "InProgress", "Cancelling"):
            break
        if time.monotonic() > deadline:
            raise Failed(f"README 'Try': alice's restart is still {listed['Status']} after 120 s")
        time.sleep(1)
    invocations = ssm.list_command_invocations(CommandId=command["CommandId"])["CommandInvocations"]
    seen = {i["InstanceName"].split(".")[0] if i.get("InstanceName") else i["InstanceId"]:
            (i["Status"], i["StatusDetails"]) for i in invocations}
    want = {"web-1": ("Success", "Success"), "web-2": ("Success", "Success"),
            "batch-1": ("TimedOut", "DeliveryTimedOut")}
    if listed["Status"] != "TimedOut" or seen != want:
        raise Failed(f"README 'Try': alice's restart ended {listed['Status']} with {seen}; the README says "
                     f"TimedOut with {want}")
    print(f"      alice, Ops-RestartService on env=staging: {listed['Status']} {seen}", flush=True)

    # "Switch to account staging in eu-west-1 and the same restart runs there."
    staging = boto3.client("ssm", region_name="eu-west-1", endpoint_url=gateway,
                           aws_access_key_id=alice["accessKeyId"], aws_secret_access_key=alice["secretAccessKey"])
    staging.meta.events.register("before-sign.ssm.*",
                                 lambda request, **_: request.headers.__setitem__("X-Ssm-Edge-Account", "staging"))
    there = staging.send_command(DocumentName="Ops-RestartService", Comment="CHG-1 restart",
                                 Targets=[{"Key": "tag:env", "Values": ["staging"]}],
                                 Parameters={"service": ["nginx"]})["Command"]["CommandId"]
    home_ids = {c["CommandId"] for c in ssm.list_commands()["Commands"]}
    staging_ids = {c["CommandId"] for c in staging.list_commands()["Commands"]}
    if there not in staging_ids or there in home_ids or command["CommandId"] in staging_ids:
        raise Failed("README 'Try': the restart sent to account staging in eu-west-1 is not listed there only")
    print(f"      alice, the same restart in staging/eu-west-1: {there} (listed there, not at home)", flush=True)


def check_gateway_local(block: Block, state: dict) -> None:
    lines = commands(block.code)
    if not lines or lines[0] != "make gateway-local":
        raise Failed(f"{block.where()}: expected `make gateway-local` first")
    port, rest = 8787, block.code.split("\n", 1)[1]
    env = dict(os.environ)
    if not port_free(port):  # something else has 8787: run it on another port, same commands
        port = free_port()
        env["GATEWAY_PORT"] = str(port)
        rest = rest.replace(":8787", f":{port}")
    log = Path(tempfile.mkdtemp(prefix="readme-gateway-local-")) / "gateway-local.log"
    with background("make gateway-local", log, env=env) as proc:
        wait_http(f"http://127.0.0.1:{port}/", proc, log)
        out = run("set -euo pipefail\n" + rest, env=env, timeout=120, what=f"{block.where()} as written").stdout
        expected = next(text for marker, text in GATEWAY_LOCAL_ANSWERS if marker in rest)
        if expected not in out:
            raise Failed(f"{block.where()}: expected {expected} in the answer, got:\n{out}")
        print(f"      {out.strip().splitlines()[-1][:100]}", flush=True)


# What a gateway-local block's output must show: the first whose marker the block holds.
GATEWAY_LOCAL_ANSWERS = [
    ("SsmEdge.", '"State":"Done"'),  # the Approvals walk-through: the approved command ran
    ("", "'Commands'"),  # list_commands' answer
]


def check_deploy(block: Block, state: dict) -> None:
    cwd, scripts, compiled = ROOT, {}, {}
    for line in commands(block.code):
        if line == "cd gateway":
            cwd = ROOT / "gateway"
            scripts = json.loads((cwd / "package.json").read_text()).get("scripts", {})
        elif line == "npm ci":  # setup.sh's own install of the same lock (npm ci would undo its stamp)
            run(["bash", str(ROOT / "scripts/npm-ci.sh"), "gateway"])
        elif m := re.fullmatch(r"cargo run -q -p ssm-edge-gateway --bin ssm-edge-check-policy -- --out (\S+) (\S+)", line):
            files = sorted(cwd.glob(m.group(2)))
            if not files:
                raise Failed(f"{block.where()}: {m.group(2)} matches no file in {cwd}")
            out = Path(tempfile.mkdtemp(prefix="readme-policies-")) / m.group(1)
            run(["cargo", "run", "--quiet", "--locked", "-p", "ssm-edge-gateway", "--bin",
                 "ssm-edge-check-policy", "--", "--out", str(out), *map(str, files)], what="the policies it uploads")
            if not out.read_text().startswith("// ssm-edge compiled policies"):
                raise Failed(f"{block.where()}: {m.group(1)} is not compiled policies")
            compiled[m.group(1)] = out
        elif m := re.fullmatch(r"npx wrangler (\w+)(?: (\w+))?(?: [A-Z_]+)?(?: < (\S+))?", line):
            if m.group(3) and m.group(3) not in compiled:
                raise Failed(f"{block.where()}: {m.group(3)} is not written by an earlier line")
            sub = [m.group(1)] + ([m.group(2)] if m.group(2) else [])
            out = run(["npx", "wrangler", *sub, "--help"], cwd=cwd, timeout=120).stdout
            if "Unknown argument" in out or "Unknown command" in out:
                raise Failed(f"{block.where()}: wrangler does not know `{' '.join(sub)}`:\n{out}")
        elif m := re.fullmatch(r"npm run (\w+)", line):
            if m.group(1) not in scripts:
                raise Failed(f"{block.where()}: gateway/package.json has no script {m.group(1)!r}")
            if m.group(1) == "deploy":
                out_dir = tempfile.mkdtemp(prefix="readme-deploy-")
                out = run(["npx", "wrangler", "deploy", "--dry-run", "--outdir", out_dir], cwd=cwd,
                          timeout=600, env=dict(os.environ, WRANGLER_SEND_METRICS="false")).stdout
                upload = re.search(r"Total Upload: .*", out)
                print(f"      wrangler deploy --dry-run: {upload.group(0) if upload else out[-200:]}", flush=True)
        else:
            raise Failed(f"{block.where()}: no check for {line!r}; add one to tests/readme/check_readme.py")
    if not (ROOT / "gateway/node_modules/.bin/node").exists():
        raise Failed("gateway/ has no Node of its own: `npx wrangler` there would use the system's")


def check_check_config(block: Block, state: dict) -> None:
    keys = (ROOT / "tests/demo/gateway-keys.json").read_text()
    good = {"UPSTREAM_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "UPSTREAM_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "GATEWAY_HOSTNAMES": "ssm-gateway.example.com", "GATEWAY_KEYS": keys}
    broken = dict(good, GATEWAY_KEYS=keys.replace("root-demo-secret-for-local-use-only-00001", "short"),
                  POLICIES="permit (principal, action, resource) when { context.comment like };")
    base = {k: v for k, v in os.environ.items() if k not in good and k != "POLICIES"}
    for name, config, status in (("a valid configuration", good, 0), ("a broken one", broken, 1)):
        dev_vars = Path(tempfile.mkdtemp(prefix="readme-config-")) / ".dev.vars"
        dev_vars.write_text("".join(f"{k}='{v}'\n" for k, v in config.items()))
        env = dict(base, UPSTREAM_REGION="us-east-1", **config)
        for line in commands(block.code):
            p = run(line.replace("gateway/.dev.vars", str(dev_vars)), env=env, check=False, timeout=600)
            if (p.returncode == 0) != (status == 0):  # make says 2 when its recipe fails
                raise Failed(f"`{line}` on {name} exited {p.returncode}:\n{p.stdout}")
            if status and not all(v in p.stdout for v in ("GATEWAY_KEYS[", "POLICIES:")):
                raise Failed(f"`{line}` did not name every broken variable:\n{p.stdout}")
            print(f"      {name}: exit {p.returncode}, {p.stdout.strip().splitlines()[-1][:90]!r}", flush=True)


def check_cargo(block: Block, state: dict) -> None:
    print("      compiled and run by `cargo test -p ssm-edge-tests --test readme` (tests/build.rs)")


def check_policy(block: Block, state: dict) -> None:
    folder = Path(tempfile.mkdtemp(prefix="readme-policy-"))
    source = folder / "readme.cedar"
    source.write_text(block.code)
    out = run(["cargo", "run", "--quiet", "--locked", "-p", "ssm-edge-gateway", "--bin", "ssm-edge-check-policy",
               "--", "--out", str(folder / "compiled.cedar"), str(source)], timeout=600,
              what=f"{block.where()} through ssm-edge-check-policy").stdout
    print(f"      {out.strip().splitlines()[0][:100]}", flush=True)


CHECKS = {"policy": check_policy, "make": check_make, "install": check_install, "app": check_app,
          "gateway-local": check_gateway_local, "deploy": check_deploy, "check-config": check_check_config,
          "cargo": check_cargo}


def main(argv: list[str]) -> int:
    wanted = set(argv) or set(KINDS)
    found = blocks(README.read_text())
    untested = [b for b in found if b.kind not in CHECKS]
    if untested:
        for b in untested:
            print(f"README.md:{b.line}: ```{b.lang} block without a known `test=` kind ({', '.join(KINDS)})")
        return 1
    state: dict = {}
    checked = 0
    for b in found:
        if b.kind not in wanted and not (b.kind == "install" and "app" in wanted):
            continue
        print(f"==> {b.where()}", flush=True)
        started = time.monotonic()
        try:
            CHECKS[b.kind](b, state)
        except (Failed, subprocess.TimeoutExpired) as e:
            print(f"FAILED {b.where()}: {e}", flush=True)
            return 1
        print(f"    ok ({time.monotonic() - started:.0f} s)", flush=True)
        checked += 1
    print(f"README.md: {checked} of {len(found)} code blocks ran as written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
