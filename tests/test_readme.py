"""The README opens with the two commands a new user runs, and CI runs the second one."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    blocks, inside, current = [], False, []
    for line in text.splitlines():
        if line.startswith("```"):
            if inside:
                blocks.append("\n".join(current).strip())
                current = []
            inside = not inside and line.strip() == "```bash"
            continue
        if inside:
            current.append(line)
    return blocks


def test_readme_opens_with_install_and_test_commands():
    first, second = _bash_blocks((ROOT / "README.md").read_text())[:2]
    assert "pip install" in first and "briefing build examples/pow-exchange" in first
    assert "pytest" in second


def test_ci_runs_the_readme_test_command():
    test_command = _bash_blocks((ROOT / "README.md").read_text())[1]
    assert test_command in (ROOT / ".ci" / "run").read_text()
