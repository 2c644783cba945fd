"""The Dockerfile and the systemd unit say what README promises (no Docker daemon or systemd needed).

Both are parsed, not grepped: Dockerfile instructions with their continuation lines joined, and
the unit as INI sections whose keys may repeat (systemd allows `Environment=` many times).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from bot.cli import EXIT_CONFIG, EXIT_DATA

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
UNIT = REPO / "deploy" / "greenbot.service"


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs; comments dropped, backslash continuations joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def unit_sections(text: str) -> dict[str, list[tuple[str, str]]]:
    """Sections of a systemd unit as ordered (key, value) lists."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        header = re.fullmatch(r"\[([A-Za-z]+)\]", line)
        if header:
            assert header.group(1) not in sections, f"section {header.group(1)} twice"
            current = sections.setdefault(header.group(1), [])
            continue
        assert current is not None, f"line {number} is outside a section: {line!r}"
        key, sep, value = line.partition("=")
        assert sep, f"line {number} is not Key=value: {line!r}"
        assert re.fullmatch(r"[A-Za-z]+", key), f"line {number} has an odd key: {line!r}"
        current.append((key, value))
    return sections


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [value for name, value in section if name == key]


def test_the_image_runs_greenbot_as_a_non_root_user() -> None:
    instructions = dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8"))
    stage = final_stage(instructions)
    users = [arguments for keyword, arguments in stage if keyword == "USER"]
    assert users, "the final stage sets no USER: it would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert json.loads(dict(stage)["ENTRYPOINT"]) == ["greenbot"]
    assert json.loads(dict(stage)["CMD"]) == ["run"]


def test_the_image_is_slim_python_311_with_the_database_on_a_volume() -> None:
    instructions = dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8"))
    arguments = dict(arg.split("=", 1) for keyword, arg in instructions if keyword == "ARG" and "=" in arg)
    images = [
        re.sub(r"\$\{(\w+)\}", lambda m: arguments[m.group(1)], arg.split()[0])
        for keyword, arg in instructions
        if keyword == "FROM"
    ]
    assert images
    assert all(image == "python:3.11-slim" for image in images), images
    stage = final_stage(instructions)
    assert "/data" in json.loads(dict(stage)["VOLUME"])
    environment = " ".join(arg for keyword, arg in stage if keyword == "ENV")
    assert "DATABASE_URL=sqlite+aiosqlite:////data/greenbot.sqlite3" in environment.split()
    assert "LOCALES_DIR=" in environment


def test_the_image_installs_without_dev_extras_and_compiles_the_catalogs() -> None:
    instructions = dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8"))
    runs = [arguments for keyword, arguments in instructions if keyword == "RUN"]
    installs = [run for run in runs if "pip install" in run]
    assert installs
    assert not any("[dev]" in run or "-e " in run for run in installs)
    assert any("scripts/i18n.sh compile" in run and "greenbot.mo" in run for run in runs)
    ignored = DOCKERIGNORE.read_text(encoding="utf-8").split()
    for pattern in (".venv", ".git", "demo-output", "*.sqlite3", ".env", "locales/*/LC_MESSAGES/*.mo"):
        assert pattern in ignored, pattern
    # Every file the build copies from the context exists in the repository.
    for keyword, arguments in instructions:
        if keyword == "COPY" and not arguments.startswith("--from"):
            *sources, _target = shlex.split(arguments)
            for source in sources:
                assert (REPO / source).exists(), f"COPY {source}: not in the repository"


def test_the_systemd_unit_migrates_runs_and_is_hardened() -> None:
    sections = unit_sections(UNIT.read_text(encoding="utf-8"))
    assert set(sections) == {"Unit", "Service", "Install"}
    service = sections["Service"]
    [user] = values(service, "User")
    assert user not in ("root", "0")
    assert values(service, "EnvironmentFile") == ["/etc/greenbot/greenbot.env"]

    [start] = values(service, "ExecStart")
    program, *arguments = shlex.split(start)
    assert program.startswith("/")
    assert program.endswith("/greenbot")
    assert arguments[0] == "run"
    [pre] = values(service, "ExecStartPre")
    assert shlex.split(pre)[1:] == ["db", "upgrade"]

    assert values(service, "Restart") == ["on-failure"]
    assert values(service, "TimeoutStopSec") == ["15"]  # the bot exits within 10 s of SIGTERM
    assert {int(code) for code in values(service, "RestartPreventExitStatus")[0].split()} == {EXIT_CONFIG, EXIT_DATA}
    assert values(service, "NoNewPrivileges") == ["yes"]
    assert values(service, "ProtectSystem") == ["strict"]
    environment = dict(value.split("=", 1) for value in values(service, "Environment"))
    assert environment["DATA_DIR"] in values(service, "ReadWritePaths")
    assert values(sections["Install"], "WantedBy") == ["multi-user.target"]
