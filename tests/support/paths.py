from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project folder
FIXTURES = ROOT / "tests" / "fixtures"
