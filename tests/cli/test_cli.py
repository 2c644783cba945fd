"""The `greenbot` command as the IT officer runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import EXIT_CONFIG, EXIT_DATA, EXIT_OK, main

REPO = Path(__file__).resolve().parents[2]


def test_run_without_token_explains_botfather_in_both_languages(
    cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.count("@BotFather") == 2
    assert "Chưa có TELEGRAM_BOT_TOKEN" in err
    assert "TELEGRAM_BOT_TOKEN is not set" in err
    assert "Traceback" not in err


def test_run_without_token_as_a_process(cli_env: pytest.MonkeyPatch, compiled_locales: Path) -> None:
    """What the README's first command prints on a machine without a token: no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        capture_output=True, text=True, cwd=os.getcwd(), timeout=60, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == EXIT_CONFIG
    assert "@BotFather" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_refuses_an_unmigrated_database(
    cli_env: pytest.MonkeyPatch, fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_env.setenv("TELEGRAM_BOT_TOKEN", "123456:TEST-TOKEN-NEVER-PRINTED")
    cli_env.setenv("DATABASE_URL", fresh_database_url)
    assert main(["run", "--no-migrate"]) == EXIT_CONFIG
    captured = capsys.readouterr()
    assert "greenbot db upgrade" in captured.err
    assert "TEST-TOKEN-NEVER-PRINTED" not in captured.err + captured.out


def test_plan_check_prints_every_task_indicator_and_deadline(
    cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "check"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Phụ lục I: nhiệm vụ (19)" in out
    assert "Phụ lục II: chỉ tiêu (6)" in out
    for task_id in ("I.1", "I.9", "II.4", "III.4", "IV.1", "V.1"):
        assert f"\n{task_id} " in out
    assert "30/06/2013 hoàn thành" in out
    assert "31/12/2015 báo cáo đánh giá" in out
    assert "15/12/2020 báo cáo năm" in out  # indicator and regime deadlines are listed too
    assert "hằng năm, trước ngày 15/12, các đơn vị báo cáo Ủy ban nhân dân tỉnh" in out
    assert "one_off" not in out
    assert "100%" in out
    assert "90%" in out


def test_plan_show_json_has_the_documented_shape(
    cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "show", "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"plan", "departments", "tasks", "indicators"}
    assert data["plan"]["decision_number"] == "514/QĐ-UBND"
    assert all(set(d) >= {"code", "name", "aliases"} for d in data["departments"])
    assert len(data["tasks"]) == 19
    task = data["tasks"][0]
    assert set(task) >= {"id", "group", "title", "lead", "coordinators", "timeframe", "deadlines"}
    assert [(d["date"], d["kind"]) for d in task["deadlines"]] == [("2013-06-30", "one_off")]
    assert len(data["indicators"]) == 6
    assert [i["target"] for i in data["indicators"]] == [
        {"value": 100, "year": 2020},
        {"value": 60, "year": 2020},
        {"value": 40, "year": 2020},
        {"value": 100, "year": 2020},
        {"value": 90, "year": 2020},
        None,
    ]
    assert all(set(i) >= {"id", "name", "unit", "lead", "coordinators", "target"} for i in data["indicators"])


def test_plan_check_names_the_entry_of_a_bad_file(
    cli_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.plan.loader import DEFAULT_PLAN_PATH

    bad = tmp_path / "bad.yaml"
    text = DEFAULT_PLAN_PATH.read_text(encoding="utf-8")
    bad.write_text(text.replace('timeframe: "Quý II/2013"', 'timeframe: "Sắp tới"'), encoding="utf-8")
    assert main(["plan", "check", str(bad)]) == EXIT_DATA
    err = capsys.readouterr().err
    assert "bad.yaml" in err
    assert "I.1" in err
    assert "timeframe" in err


def test_db_upgrade_then_invite(
    cli_env: pytest.MonkeyPatch, fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_env.setenv("DATABASE_URL", fresh_database_url)
    cli_env.setenv("BOT_USERNAME", "kontum_xanh_bot")
    assert main(["db", "upgrade"]) == EXIT_OK
    assert main(["db", "current"]) == EXIT_OK
    capsys.readouterr()

    assert main(["invite", "sxd"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Đơn vị: SXD - Sở Xây dựng" in out
    token = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("Mã mời: "))
    assert 22 <= len(token) <= 64
    assert f"Đường dẫn gửi cho cán bộ: https://t.me/kontum_xanh_bot?start={token}" in out

    assert main(["invite", "SKHDT"]) == EXIT_DATA  # merged into the Sở Tài chính in 2025
    assert "nhiệm vụ đã chuyển sang STC (Sở Tài chính)" in capsys.readouterr().err
    assert main(["invite", "HSATHAY"]) == EXIT_DATA  # districts were abolished on 01/07/2025
    assert "không có đơn vị kế thừa" in capsys.readouterr().err
    assert main(["invite", "NOPE"]) == EXIT_DATA
    assert "Không có đơn vị nào mang mã NOPE" in capsys.readouterr().err


def test_unreachable_database_is_one_sentence(
    cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_env.setenv("DATABASE_URL", "postgresql+asyncpg://nobody:hunter2@127.0.0.1:1/nothing")
    assert main(["db", "upgrade"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "Không sử dụng được cơ sở dữ liệu" in err
    assert "hunter2" not in err
    assert "Traceback" not in err


def test_run_with_a_broken_holidays_file_names_the_entry(
    cli_env: pytest.MonkeyPatch, fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holidays = tmp_path / "holidays.toml"
    holidays.write_text('fixed = ["02-30"]\n', encoding="utf-8")
    cli_env.setenv("TELEGRAM_BOT_TOKEN", "123456:TEST-TOKEN-NEVER-PRINTED")
    cli_env.setenv("DATABASE_URL", fresh_database_url)
    cli_env.setenv("HOLIDAYS_FILE", str(holidays))
    assert main(["run"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "HOLIDAYS_FILE" in err
    assert "02-30" in err
    assert "Traceback" not in err


def test_report_writes_the_compile_and_its_files(
    cli_env: pytest.MonkeyPatch, fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl

    cli_env.setenv("DATABASE_URL", fresh_database_url)
    cli_env.setenv("SIMULATED_NOW", "2015-12-18T09:00:00+07:00")
    out = tmp_path / "bao-cao"
    assert main(["report", "--year", "2015", "--out", str(out)]) == EXIT_OK
    printed = capsys.readouterr().out
    assert "Đã ghi bản tổng hợp năm 2015:" in printed
    names = sorted(path.name for path in out.iterdir())
    assert names == ["bao-cao-2015.docx", "bieu-do-2015.png", "tong-hop-2015.txt", "tong-hop-2015.xlsx"]
    text = (out / "tong-hop-2015.txt").read_text(encoding="utf-8")
    assert text.startswith("📊 Tổng hợp năm 2015")
    assert "0/6 chỉ tiêu đã có số liệu" in text
    assert openpyxl.load_workbook(out / "tong-hop-2015.xlsx").sheetnames == ["Phụ lục I", "Phụ lục II", "Lịch sử"]

    assert main(["report", "--year", "1999", "--out", str(out)]) == EXIT_DATA
    assert "1999 không phải là năm báo cáo" in capsys.readouterr().out
