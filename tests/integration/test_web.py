"""The web pages served by the node (src/http/static_files.cpp): media types, validators,
security headers, --web-dir, and that no request reaches a file outside the allowed ones."""

import os
import shutil
import tempfile
import unittest

from harness import Server, ServerTest


class WebFilesTest(ServerTest):
    def get(self, target, headers=None, method="GET"):
        return self.server.request(method, target, headers=headers)

    def test_pages_have_their_type_validators_and_policy(self):
        for target, script in [("/", "home.js"), ("/events/7", "event.js"),
                               ("/checkout/abc", "checkout.js"), ("/orders/abc", "order.js"),
                               ("/organizer", "organizer.js"), ("/organizer/events/3", "sales.js")]:
            response = self.get(target)
            self.assertEqual(response.status, 200, target)
            self.assertEqual(response.headers["content-type"], "text/html; charset=utf-8")
            self.assertIn(f"/app/js/{script}", response.body, target)
            self.assertIn('<link rel="icon" href="/app/img/icon.svg"', response.body, target)
            self.assertEqual(response.headers["cache-control"], "no-cache")
            self.assertEqual(response.headers["x-content-type-options"], "nosniff")
            self.assertIn("script-src 'self'", response.headers["content-security-policy"])
            self.assertRegex(response.headers["etag"], r'^"[0-9a-f]{32}"$')

    def test_assets_have_their_media_types(self):
        for target, media_type, text in [
                ("/app/css/site.css", "text/css; charset=utf-8", ":root"),
                ("/app/js/seatmap.js", "text/javascript; charset=utf-8", "export class SeatMap"),
                ("/app/js/pow_worker.js", "text/javascript; charset=utf-8", "self.onmessage"),
                ("/app/vendor/qr.mjs", "text/javascript; charset=utf-8", "export {"),
                ("/app/img/icon.svg", "image/svg+xml", "<svg"),
                ("/favicon.ico", "image/svg+xml", "<svg")]:  # what browsers ask for anyway
            response = self.get(target)
            self.assertEqual(response.status, 200, target)
            self.assertEqual(response.headers["content-type"], media_type)
            self.assertIn(text, response.body)
            self.assertNotIn("content-security-policy", response.headers)

    def test_if_none_match_answers_304_and_head_no_body(self):
        first = self.get("/app/js/api.js")
        again = self.get("/app/js/api.js", {"If-None-Match": first.headers["etag"]})
        self.assertEqual(again.status, 304)
        self.assertEqual(again.body, "")
        self.assertEqual(again.headers["etag"], first.headers["etag"])
        other = self.get("/app/js/api.js", {"If-None-Match": '"0123"'})
        self.assertEqual(other.status, 200)
        head = self.get("/", method="HEAD")
        self.assertEqual(head.status, 200)
        self.assertEqual(head.body, "")

    def test_no_path_leaves_the_allowed_files(self):
        for target in ["/app/../CMakeLists.txt", "/app/js/../../CMakeLists.txt",
                       "/app/js/..%2f..%2fCMakeLists.txt", "/app/%2e%2e/CMakeLists.txt",
                       "/app/js/%2e%2e%2f%2e%2e%2fREADME.md", "/app/js/%2E%2E",
                       "/app/js/..", "/app/node_modules/package.json", "/app/vendor/index.mjs",
                       "/app/vendor/..%2fpackage.json", "/app/js/.hidden", "/app/js/api.js%00.css",
                       "/app/js/%2fetc%2fpasswd", "/app/..%2f..%2fetc/passwd", "/app/js/api.js/x",
                       "/app/package.json", "/app/event.html", "/index.html", "/web/index.html",
                       "/app/js/no-such-file.js", "/app/css/site.css%2f"]:
            response = self.get(target)
            self.assertEqual(response.status, 404, target)
            self.assertEqual(response.headers["content-type"], "application/problem+json", target)
            for leaked in ("cmake_minimum_required", "# boxoffice", "root:", '"dependencies"'):
                self.assertNotIn(leaked, response.body, target)

    def test_pages_only_answer_get(self):
        response = self.server.request("POST", "/", body={})
        self.assertProblem(response, 405, "method-not-allowed")
        self.assertIn("GET", response.headers["allow"])


class WebDirTest(unittest.TestCase):
    def test_another_folder_or_none(self):
        folder = tempfile.mkdtemp(prefix="boxoffice-web-")
        try:
            with open(os.path.join(folder, "index.html"), "w") as f:
                f.write("<!doctype html><title>ours</title>")
            server = Server(extra_args=["--web-dir", folder]).start()
            try:
                self.assertIn("<title>ours</title>", server.request("GET", "/").body)
                self.assertEqual(server.request("GET", "/organizer").status, 404)
            finally:
                server.cleanup()
            server = Server(extra_args=["--web-dir", ""]).start()
            try:
                self.assertEqual(server.request("GET", "/").status, 404)
                self.assertEqual(server.request("GET", "/app/css/site.css").status, 404)
                self.assertEqual(server.request("GET", "/healthz").status, 200)
            finally:
                server.cleanup()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
