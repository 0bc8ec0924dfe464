"""Metakocka for the contract test: an empty company that answers every documented call.

The contract test generates thousands of requests; those that reach Metakocka need a Metakocka
that answers, or the service (rightly) answers 502 for an unreachable upstream. This stub
answers as Metakocka's REST API documents (shapes from fixtures/external/metakocka/): every
call is a POST of JSON, `opr_code` "0" is success, lists are empty, writes get new ids, a
document that does not exist is Metakocka's opr_code error. It keeps nothing.

    python3 metakocka_stub.py PORT     # serves http://127.0.0.1:PORT/rest/eshop/v1/
"""

import itertools
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/rest/eshop/v1/"
ids = itertools.count(1600000001)


def answer(method: str, body: dict) -> dict:
    page = {"offset": str(body.get("offset", "0")), "limit": str(body.get("limit", "1000"))}
    if method == "json/product_list":
        return {"opr_code": "0", **page, "product_list_count": "0", "product_list": []}
    if method == "json/warehouse_list":
        return {"opr_code": "0", **page, "warehouse_list_count": "0", "warehouse_list": []}
    if method == "json/warehouse_stock":
        return {"opr_code": "0", **page, "stock_list": []}
    if method == "get_partner":
        # Partner calls answer without opr_code, as Metakocka's do.
        return {"partner_list_count": "0", "partner_list": []}
    if method == "search":
        return {"opr_code": "0", "result_all_records": "0", "result_count": "0", **page,
                "result": []}
    if method in ("json/product_add", "put_document"):
        n = next(ids)
        return {"opr_code": "0", "mk_id": str(n), "count_code": f"stub_{n}"}
    if method in ("json/product_update", "update_document"):
        return {"opr_code": "0", "mk_id": str(body.get("mk_id", next(ids)))}
    if method == "add_partner":
        return {"mk_id": str(next(ids)), "mk_contact_id": str(next(ids)), "mk_address_id_list": []}
    if method == "update_partner":
        return {"opr_code": "0", "mk_id": str(body.get("mk_id", next(ids)))}
    if method == "get_document":
        return {"opr_code": "2", "opr_desc": "Document not found."}
    return {"opr_code": "2", "opr_desc": f"Unknown method {method}."}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the standard library's name)
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = {}
        if not self.path.startswith(PREFIX) or not isinstance(body, dict):
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>Not found</body></html>")
            return
        data = json.dumps(answer(self.path[len(PREFIX):], body)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
