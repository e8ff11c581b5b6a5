#!/usr/bin/env python3
"""Push/pull throughput of one large layer and the rate of small-image pushes against a running Wharf.

Usage: bench.py BASE_URL [--layer-mib 1024] [--small 200] [--chunked-mib 128]
Prints one JSON object. The large layer is streamed (POST, one PATCH with the whole body, PUT), then
pulled with redirects followed (so a redirect to the bucket counts the bucket's speed). Small images
(config + 4 KiB layer + manifest) are pushed twice: each blob whole in one request (POST ?digest=), then
each blob as docker, podman and skopeo send it (POST, PATCH with the body, PUT without one). Last, a
blob of --chunked-mib is pushed in 16 MiB PATCHes with Content-Range, as chunking clients do."""
import argparse, hashlib, http.client, json, os, time, urllib.parse


def conn_for(url):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=600), u


def request(base, method, path, body=None, headers=None):
    c, u = conn_for(urllib.parse.urljoin(base, path))
    c.request(method, u.path + ("?" + u.query if u.query else ""), body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r, data


def push_blob(base, repo, data_iter, length, digest):
    r, _ = request(base, "POST", f"/v2/{repo}/blobs/uploads/", b"")
    assert r.status == 202, r.status
    loc = r.getheader("Location")
    r, _ = request(base, "PATCH", loc, data_iter, {"Content-Type": "application/octet-stream", "Content-Length": str(length)})
    assert r.status == 202, r.status
    loc = r.getheader("Location")
    sep = "&" if "?" in loc else "?"
    r, _ = request(base, "PUT", f"{loc}{sep}digest={digest}", b"", {"Content-Length": "0"})
    assert r.status == 201, (r.status)


def chunks(size, seed):
    block = hashlib.sha512(seed).digest() * 16384  # 1 MiB of fixed pseudo-random bytes
    left = size
    while left > 0:
        n = min(left, len(block))
        yield block[:n]
        left -= n


def pull(base, path):
    url = urllib.parse.urljoin(base, path)
    total = 0
    for _ in range(5):
        c, u = conn_for(url)
        c.request("GET", u.path + ("?" + u.query if u.query else ""))
        r = c.getresponse()
        if r.status in (301, 302, 307):
            url = urllib.parse.urljoin(url, r.getheader("Location"))
            r.read(); c.close()
            continue
        assert r.status == 200, r.status
        while True:
            b = r.read(1 << 20)
            if not b:
                break
            total += len(b)
        c.close()
        return total
    raise RuntimeError("too many redirects")


def push_chunked(base, repo, size, seed, chunk=16 << 20):
    """POST, PATCHes of `chunk` bytes with Content-Range, PUT without a body; returns seconds taken."""
    h = hashlib.sha256()
    for b in chunks(size, seed + b"chunked"):
        h.update(b)
    t = time.monotonic()
    r, _ = request(base, "POST", f"/v2/{repo}/blobs/uploads/", b"")
    assert r.status == 202, r.status
    loc = r.getheader("Location")
    offset = 0
    pending = b""
    for b in chunks(size, seed + b"chunked"):
        pending += b
        while len(pending) >= chunk or (pending and offset + len(pending) == size):
            part, pending = pending[:chunk], pending[chunk:]
            r, _ = request(base, "PATCH", loc, part, {"Content-Type": "application/octet-stream",
                                                       "Content-Range": f"{offset}-{offset + len(part) - 1}"})
            assert r.status == 202, r.status
            loc = r.getheader("Location")
            offset += len(part)
    sep = "&" if "?" in loc else "?"
    r, _ = request(base, "PUT", f"{loc}{sep}digest=sha256:{h.hexdigest()}", b"", {"Content-Length": "0"})
    assert r.status == 201, r.status
    return time.monotonic() - t


def push_small_images(base, repo, count, seed, streamed):
    t = time.monotonic()
    for i in range(count):
        config = json.dumps({"architecture": "amd64", "os": "linux", "n": i, "s": seed.hex(), "r": repo}).encode()
        layer = os.urandom(4096)
        descs = []
        for blob, mt in ((config, "application/vnd.oci.image.config.v1+json"), (layer, "application/vnd.oci.image.layer.v1.tar+gzip")):
            d = "sha256:" + hashlib.sha256(blob).hexdigest()
            if streamed:
                push_blob(base, repo, blob, len(blob), d)
            else:
                r, _ = request(base, "POST", f"/v2/{repo}/blobs/uploads/?digest={d}", blob, {"Content-Type": "application/octet-stream"})
                assert r.status == 201, r.status
            descs.append({"mediaType": mt, "digest": d, "size": len(blob)})
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": descs[0], "layers": descs[1:]}).encode()
        r, _ = request(base, "PUT", f"/v2/{repo}/manifests/v{i}", manifest, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        assert r.status == 201, r.status
    return time.monotonic() - t


def main():
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("--layer-mib", type=int, default=1024)
    p.add_argument("--small", type=int, default=200)
    p.add_argument("--chunked-mib", type=int, default=128)
    a = p.parse_args()
    size = a.layer_mib << 20
    seed = os.urandom(16)
    h = hashlib.sha256()
    for b in chunks(size, seed):
        h.update(b)
    digest = "sha256:" + h.hexdigest()

    t = time.monotonic()
    push_blob(a.base, "bench/large", chunks(size, seed), size, digest)
    push_s = time.monotonic() - t
    t = time.monotonic()
    got = pull(a.base, f"/v2/bench/large/blobs/{digest}")
    pull_s = time.monotonic() - t
    assert got == size

    small_s = push_small_images(a.base, "bench/small", a.small, seed, streamed=False)
    streamed_s = push_small_images(a.base, "bench/streamed", a.small, seed, streamed=True)
    chunked_s = push_chunked(a.base, "bench/chunked", a.chunked_mib << 20, seed)

    print(json.dumps({
        "layer_mib": a.layer_mib,
        "push_s": round(push_s, 2),
        "push_mib_s": round(a.layer_mib / push_s, 1),
        "pull_mib_s": round(a.layer_mib / pull_s, 1),
        "small_images": a.small,
        "small_images_per_s": round(a.small / small_s, 1),
        "small_streamed_per_s": round(a.small / streamed_s, 1),
        "chunked_mib": a.chunked_mib,
        "chunked_s": round(chunked_s, 2),
        "chunked_16mib_patches_mib_s": round(a.chunked_mib / chunked_s, 1),
    }))


if __name__ == "__main__":
    main()
