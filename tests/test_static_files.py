"""The site's own files from memory (server/static_files.py): as Flask served them, without a file
open per request, and nothing kept for what is not there."""
from __future__ import annotations

from conftest import App

from kgpub.server import static_files


def test_a_static_file_has_its_type_etag_and_answers_304(seed_store):
    app = App(seed_store)
    first = app.get("/static/kgpub.css")
    assert first.status_code == 200 and first.headers["Content-Type"].startswith("text/css")
    assert first.content == (static_files.FOLDER / "kgpub.css").read_bytes()
    assert first.headers["Cache-Control"] == "no-cache" and first.headers["Last-Modified"]
    again = app.get("/static/kgpub.css", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert app.get("/static/yasgui/yasgui.min.js").headers["Content-Type"].startswith("text/javascript")


def test_paths_outside_the_folder_or_missing_are_404_and_not_kept(seed_store):
    app = App(seed_store)
    kept = len(static_files._files)
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/nothing-here.css", "/static/yasgui"):
        assert app.get(path).status_code == 404, path
    assert len(static_files._files) == kept
