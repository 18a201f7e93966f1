"""Every relative link in README.md and docs/*.md names a file of the repository.

A link that leaves the repository (../something) fails too: a user's clone has nothing there.
Links to the web (http:, https:, mailto:) and to anchors of the same page are not checked.
Exits 1 listing every broken link, so a renamed or deleted file can't leave a dead link behind.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parents[2]
link = re.compile(r"\]\(([^)\s]+)\)|<img [^>]*src=\"([^\"]+)\"")
broken = []
pages = [root / "README.md", *sorted((root / "docs").glob("*.md")), root / "bench" / "README.md"]
for page in pages:
    for number, line in enumerate(page.read_text().splitlines(), 1):
        for match in link.finditer(line):
            target = (match.group(1) or match.group(2)).split("#")[0]
            if not target or re.match(r"^[a-z]+:", target):
                continue
            resolved = (page.parent / target).resolve()
            inside = resolved == root or root in resolved.parents
            if not inside or not resolved.exists():
                broken.append(f"{page.relative_to(root)}:{number}: {target}")
checked = len(pages)
if broken:
    print("broken links:\n  " + "\n  ".join(broken))
    sys.exit(1)
print(f"links of {checked} pages resolve")
