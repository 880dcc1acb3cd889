from sales_service.config import PROJECT_ROOT, SETTINGS


def test_readme_starts_with_the_two_commands_and_documents_every_setting():
    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    opening = readme.split("\n## ")[0]
    assert "make run" in opening and "make test" in opening
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in readme]
    assert missing == []
