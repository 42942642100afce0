"""Imago's HTTP API from Python, standard library only: the latest frame at your own pace, and the frames around a moment."""
import os, urllib.request

BASE = os.environ.get("IMAGO_URL", "http://127.0.0.1:8080")
TOKEN = os.environ["IMAGO_TOKEN"]  # printed by imago at first start; also in ~/.local/share/imago/api-read-token

def get(path):
    request = urllib.request.Request(BASE + path, headers={"Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.headers, response.read()

def latest_frames(stream, wait=10):
    """Yields (seq, jpeg, headers) for the newest frame each time you ask: never one you had, never a stale one."""
    seq = -1
    while True:
        status, headers, jpeg = get(f"/v1/streams/{stream}/latest.jpg?after={seq}&timeout={wait}")
        if status == 200:  # 204: nothing newer within `wait` seconds; ask again
            seq = int(headers["X-Imago-Seq"])
            yield seq, jpeg, headers

def frames_between(stream, start, end, every=0):
    """Every decoded frame from `start` to `end` (seconds on the stream timeline, or "now-5"): [(pts, jpeg)]."""
    status, headers, body = get(f"/v1/streams/{stream}/frames?from={start}&to={end}&every={every}")
    boundary = b"--" + headers.get_param("boundary").encode()
    frames = []
    for part in body.split(boundary)[1:-1]:
        head, _, rest = part.partition(b"\r\n\r\n")
        fields = dict(line.split(": ", 1) for line in head.decode().strip().split("\r\n"))
        frames.append((float(fields["X-Imago-Pts"]), rest[: int(fields["Content-Length"])]))
    return frames

if __name__ == "__main__":
    import sys, time
    stream = sys.argv[1]  # an id from GET /v1/streams, e.g. live-3f9a2c1b7e04
    for seq, jpeg, headers in latest_frames(stream):
        print(f"frame {seq}: {len(jpeg)} bytes, {headers['X-Imago-Age-Ms']} ms old")
        time.sleep(0.5)  # your model's work: the relay keeps up with the stream meanwhile
