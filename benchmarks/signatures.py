"""Cost of signing and verifying one request, per scheme and key type.

    .venv/bin/python benchmarks/signatures.py [--seconds 1.0]

Signs and verifies a POST of a typical Create activity (about 1.5 kB) with
`treffpunkt.federation.httpsig`, each for a fixed time (it stops by itself), and prints
microseconds per operation. No network: the key is handed over directly.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from treffpunkt.federation import httpsig, keys

URL = "https://treffpunkt.example/blogs/verein/inbox"
ACTIVITY = {
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": "https://remote.example/users/alice/statuses/1/activity",
    "type": "Create",
    "actor": "https://remote.example/users/alice",
    "object": {
        "id": "https://remote.example/users/alice/statuses/1",
        "type": "Note",
        "content": "<p>" + "Danke für den Beitrag, das hilft uns sehr weiter. " * 20 + "</p>",
        "inReplyTo": "https://treffpunkt.example/blogs/verein/2026/ein-beitrag/",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    },
}


def per_operation(function, seconds):
    count = 0
    start = time.perf_counter()
    while True:
        function()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / count * 1e6, count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    options = parser.parse_args()
    body = json.dumps(ACTIVITY).encode()
    print(f"load average {os.getloadavg()[0]:.2f}, body {len(body)} bytes")
    for name, key in (
        ("rsa-2048", keys.generate_rsa_key()),
        ("ed25519", keys.generate_ed25519_key()),
    ):
        public = key.public_key()
        for scheme in httpsig.SCHEMES:

            def sign(key=key, scheme=scheme):
                return httpsig.sign_request(
                    "POST", URL, {}, body, key_id="k", private_key=key, scheme=scheme
                )

            headers = sign()

            def verify(headers=headers, public=public):
                return httpsig.verify_request(
                    "POST", URL, headers, body, resolve_key=lambda key_id, refresh: public
                )

            signing, n_sign = per_operation(sign, options.seconds)
            verifying, n_verify = per_operation(verify, options.seconds)
            print(
                f"{scheme:8} {name:9} sign {signing:8.1f} µs ({n_sign} runs)   "
                f"verify {verifying:8.1f} µs ({n_verify} runs)"
            )


if __name__ == "__main__":
    main()
