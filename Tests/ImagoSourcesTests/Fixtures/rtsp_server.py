#!/usr/bin/env python3
"""A small RTSP 1.0 server (RFC 2326) for Imago's tests, Python 3 standard library only.

It serves one H.264 video track, read from an Annex B elementary stream, looped forever
at real-time pace. RTP packetization follows RFC 6184 (packetization-mode=1: single NAL
unit packets and FU-A fragments). Transport is RTP over the RTSP connection
(RTP/AVP/TCP;interleaved) or RTP over UDP (RTP/AVP;unicast;client_port=a-b). Optional
Basic or Digest (RFC 2617) authentication.

Usage:
    python3 rtsp_server.py --input FILE.h264 [--port 0] [--fps 30]
                           [--user U --password P] [--auth basic|digest]

Once listening it prints exactly one line "PORT <n>" on stdout, then serves until it
gets SIGTERM or SIGINT. Diagnostics go to stderr. Any request path is accepted.

Access units are found by access unit delimiters (NAL type 9) when the file has them
(ffmpeg ... -c:v libx264 -x264opts aud=1 ...), otherwise by first-slice detection
(a VCL NAL with first_mb_in_slice == 0, or SEI/SPS/PPS after a VCL NAL, starts a new
access unit). RTP timestamps advance by 90000/fps per access unit in file (decode)
order, so streams with B-frames get decode-order timestamps.
"""

import argparse
import base64
import hashlib
import hmac
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
from email.utils import formatdate

SERVER_NAME = "imago-test-rtsp/1.0"
REALM = "imago-test"
PAYLOAD_TYPE = 96
CLOCK_RATE = 90000
MAX_RTP_PAYLOAD = 1400
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024
SOCKET_TIMEOUT = 15.0
SEND_BUFFER_BYTES = 512 * 1024
SESSION_TIMEOUT = 60
NTP_EPOCH_OFFSET = 2208988800  # seconds from 1900-01-01 to 1970-01-01

STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Request Entity Too Large",
    454: "Session Not Found",
    455: "Method Not Valid in This State",
    459: "Aggregate Operation Not Allowed",
    461: "Unsupported Transport",
    500: "Internal Server Error",
    501: "Not Implemented",
    505: "RTSP Version Not Supported",
    551: "Option not supported",
}

PUBLIC_METHODS = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER"

_log_lock = threading.Lock()
_quiet = False


def log(message, force=False):
    if _quiet and not force:
        return
    with _log_lock:
        sys.stderr.write("rtsp_server: %s\n" % message)
        sys.stderr.flush()


class BadRequest(Exception):
    pass


# ---------------------------------------------------------------------------
# H.264 Annex B parsing
# ---------------------------------------------------------------------------

def split_nal_units(data):
    """Return the NAL units of an Annex B byte stream, without start codes."""
    nals = []
    starts = []
    pos = 0
    while True:
        i = data.find(b"\x00\x00\x01", pos)
        if i < 0:
            break
        starts.append(i + 3)
        pos = i + 3
    for k, start in enumerate(starts):
        end = starts[k + 1] - 3 if k + 1 < len(starts) else len(data)
        # Zero bytes before the next start code belong to it (4-byte start code)
        # or are trailing_zero_8bits; neither is part of this NAL unit.
        while end > start and data[end - 1] == 0:
            end -= 1
        if end > start:
            nals.append(data[start:end])
    return nals


def nal_type(nal):
    return nal[0] & 0x1F


def is_vcl(t):
    return 1 <= t <= 5


def group_access_units(nals):
    """Group NAL units into access units (lists of NAL units)."""
    aus = []
    current = []
    if any(nal_type(n) == 9 for n in nals):
        for n in nals:
            if nal_type(n) == 9 and current:
                aus.append(current)
                current = []
            current.append(n)
    else:
        has_vcl = False
        for n in nals:
            t = nal_type(n)
            starts_au = False
            if has_vcl:
                if t in (6, 7, 8, 9, 14, 15, 16, 17, 18):
                    starts_au = True
                elif is_vcl(t) and len(n) > 1 and (n[1] & 0x80):
                    # ue(v) first_mb_in_slice == 0 is the single bit "1".
                    starts_au = True
            if starts_au:
                aus.append(current)
                current = []
                has_vcl = False
            current.append(n)
            if is_vcl(t):
                has_vcl = True
    if current:
        aus.append(current)
    return [au for au in aus if any(is_vcl(nal_type(n)) for n in au)]


def packetize_nal(nal):
    """RTP payloads (RFC 6184) for one NAL unit: a single NAL unit packet or FU-A fragments."""
    if len(nal) <= MAX_RTP_PAYLOAD:
        return [nal]
    header = nal[0]
    indicator = bytes([(header & 0xE0) | 28])
    body = nal[1:]
    chunk = MAX_RTP_PAYLOAD - 2
    payloads = []
    for off in range(0, len(body), chunk):
        fu_header = header & 0x1F
        if off == 0:
            fu_header |= 0x80  # S
        if off + chunk >= len(body):
            fu_header |= 0x40  # E
        payloads.append(indicator + bytes([fu_header]) + body[off:off + chunk])
    return payloads


class Clip:
    """The parsed input: parameter sets and, per access unit, its RTP payloads."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        nals = split_nal_units(data)
        if not nals:
            raise ValueError("%s: no Annex B NAL units found" % path)
        sps = next((n for n in nals if nal_type(n) == 7), None)
        pps = next((n for n in nals if nal_type(n) == 8), None)
        if sps is None or pps is None or len(sps) < 4:
            raise ValueError("%s: no SPS/PPS found (is it an H.264 Annex B stream?)" % path)
        aus = group_access_units(nals)
        first_idr = next((i for i, au in enumerate(aus) if any(nal_type(n) == 5 for n in au)), None)
        if first_idr is None:
            raise ValueError("%s: no IDR picture found" % path)
        if first_idr > 0:
            log("skipping %d access units before the first IDR picture" % first_idr, force=True)
            aus = aus[first_idr:]
        self.sps = sps
        self.pps = pps
        self.used_aud = any(nal_type(n) == 9 for n in nals)
        self.access_units = []
        for au in aus:
            payloads = []
            for n in au:
                if nal_type(n) == 9:
                    continue  # AUDs carry nothing useful over RTP (the marker bit ends an AU)
                payloads.extend(packetize_nal(n))
            self.access_units.append(payloads)

    @property
    def profile_level_id(self):
        return self.sps[1:4].hex().upper()

    @property
    def sprop_parameter_sets(self):
        return "%s,%s" % (base64.b64encode(self.sps).decode("ascii"),
                          base64.b64encode(self.pps).decode("ascii"))


# ---------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------

class Authenticator:
    def __init__(self, user, password, scheme):
        self.user = user
        self.password = password
        self.scheme = scheme
        self._nonces = set()
        self._nonce_order = []
        self._lock = threading.Lock()

    def challenge(self):
        if self.scheme == "basic":
            return 'Basic realm="%s"' % REALM
        nonce = os.urandom(16).hex()
        with self._lock:
            self._nonces.add(nonce)
            self._nonce_order.append(nonce)
            if len(self._nonce_order) > 1000:
                self._nonces.discard(self._nonce_order.pop(0))
        return 'Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"' % (REALM, nonce)

    def check(self, method, header):
        if not header:
            return False
        scheme, _, rest = header.strip().partition(" ")
        scheme = scheme.lower()
        if self.scheme == "basic":
            if scheme != "basic":
                return False
            try:
                decoded = base64.b64decode(rest.strip(), validate=True).decode("utf-8")
            except Exception:
                return False
            user, sep, password = decoded.partition(":")
            return (sep == ":" and hmac.compare_digest(user, self.user)
                    and hmac.compare_digest(password, self.password))
        if scheme != "digest":
            return False
        params = {}
        for m in re.finditer(r'([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)', rest):
            value = m.group(3) if m.group(3) is not None else m.group(2)
            params[m.group(1).lower()] = value
        try:
            username = params["username"]
            realm = params["realm"]
            nonce = params["nonce"]
            uri = params["uri"]
            response = params["response"].lower()
        except KeyError:
            return False
        with self._lock:
            known = nonce in self._nonces
        if not known or username != self.user or realm != REALM:
            return False
        algorithm = params.get("algorithm", "MD5")
        if algorithm.upper() != "MD5":
            return False

        def md5(s):
            return hashlib.md5(s.encode("utf-8")).hexdigest()

        ha1 = md5("%s:%s:%s" % (self.user, REALM, self.password))
        ha2 = md5("%s:%s" % (method, uri))
        qop = params.get("qop")
        if qop:
            if qop.lower() != "auth" or "nc" not in params or "cnonce" not in params:
                return False
            expected = md5("%s:%s:%s:%s:%s:%s" % (ha1, nonce, params["nc"], params["cnonce"], qop, ha2))
        else:
            expected = md5("%s:%s:%s" % (ha1, nonce, ha2))
        return hmac.compare_digest(expected, response)


# ---------------------------------------------------------------------------
# RTP / RTCP
# ---------------------------------------------------------------------------

def udp_port_pair(host):
    """Bind two UDP sockets on consecutive ports (even RTP port, RTCP = RTP + 1)."""
    for _ in range(100):
        rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            rtp.bind((host, 0))
            port = rtp.getsockname()[1]
            if port % 2 == 0 and port < 65535:
                rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                try:
                    rtcp.bind((host, port + 1))
                    return rtp, rtcp
                except OSError:
                    rtcp.close()
        except OSError:
            pass
        rtp.close()
    raise OSError("could not bind a pair of consecutive UDP ports")


class Session:
    """One RTSP session: a single H.264 track and its RTP sender."""

    def __init__(self, connection):
        self.connection = connection
        self.id = "%016X" % random.getrandbits(64)
        self.ssrc = random.getrandbits(32)
        self.seq = random.getrandbits(16)
        self.ts_base = random.getrandbits(32)
        self.frames_sent = 0        # access units sent so far, across loops and pauses
        self.au_index = 0           # next access unit of the clip
        self.packet_count = 0
        self.octet_count = 0
        self.transport = None       # "tcp" or "udp"
        self.channels = (0, 1)
        self.udp_rtp = None
        self.udp_rtcp = None
        self.udp_dest = None        # (host, rtp_port, rtcp_port)
        self.cname = ("imago-test@%s" % connection.local_host).encode("ascii", "replace")
        self._stop = threading.Event()
        self._thread = None

    @property
    def playing(self):
        return self._thread is not None and self._thread.is_alive()

    def next_rtptime(self):
        return (self.ts_base + round(self.frames_sent * CLOCK_RATE / self.connection.server.fps)) & 0xFFFFFFFF

    def start(self):
        if self.playing:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="rtp-%s" % self.id, daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=SOCKET_TIMEOUT + 2)
        self._thread = None

    def close(self):
        self.stop()
        for s in (self.udp_rtp, self.udp_rtcp):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass
        self.udp_rtp = self.udp_rtcp = None

    # -- sending -----------------------------------------------------------

    def _send_rtp(self, packet):
        if self.transport == "tcp":
            self.connection.send_interleaved(self.channels[0], packet)
        else:
            try:
                self.udp_rtp.sendto(packet, (self.udp_dest[0], self.udp_dest[1]))
            except OSError as e:
                log("session %s: UDP RTP send failed: %s" % (self.id, e))

    def _send_rtcp(self, packet):
        if self.transport == "tcp":
            self.connection.send_interleaved(self.channels[1], packet)
        else:
            try:
                self.udp_rtcp.sendto(packet, (self.udp_dest[0], self.udp_dest[2]))
            except OSError as e:
                log("session %s: UDP RTCP send failed: %s" % (self.id, e))

    def _sender_report(self, rtptime):
        now = time.time() + NTP_EPOCH_OFFSET
        ntp_sec = int(now)
        ntp_frac = int((now - ntp_sec) * (1 << 32)) & 0xFFFFFFFF
        sr = struct.pack("!BBHIIIIII", 0x80, 200, 6, self.ssrc, ntp_sec & 0xFFFFFFFF, ntp_frac,
                         rtptime, self.packet_count & 0xFFFFFFFF, self.octet_count & 0xFFFFFFFF)
        # SDES with a CNAME item, so the compound packet is complete (RFC 3550 6.1).
        item = bytes([1, len(self.cname)]) + self.cname
        chunk = struct.pack("!I", self.ssrc) + item + b"\x00"
        chunk += b"\x00" * (-len(chunk) % 4)
        sdes = struct.pack("!BBH", 0x81, 202, len(chunk) // 4) + chunk
        return sr + sdes

    def _run(self):
        server = self.connection.server
        aus = server.clip.access_units
        fps = server.fps
        t0 = time.monotonic()
        n = 0
        next_sr = 0.0
        try:
            while not self._stop.is_set():
                target = t0 + n / fps
                delay = target - time.monotonic()
                if delay > 0:
                    if self._stop.wait(delay):
                        break
                elif delay < -2.0:
                    # Far behind (a slow reader): resynchronise instead of bursting.
                    t0 = time.monotonic() - n / fps
                rtptime = self.next_rtptime()
                if time.monotonic() >= next_sr:
                    self._send_rtcp(self._sender_report(rtptime))
                    next_sr = time.monotonic() + 1.0
                payloads = aus[self.au_index]
                last = len(payloads) - 1
                for i, payload in enumerate(payloads):
                    header = struct.pack("!BBHII", 0x80, (0x80 if i == last else 0) | PAYLOAD_TYPE,
                                         self.seq, rtptime, self.ssrc)
                    self._send_rtp(header + payload)
                    self.seq = (self.seq + 1) & 0xFFFF
                    self.packet_count += 1
                    self.octet_count += len(payload)
                self.au_index = (self.au_index + 1) % len(aus)
                self.frames_sent += 1
                n += 1
        except (OSError, ValueError) as e:
            log("session %s: streaming stopped: %s" % (self.id, e))
            self.connection.abort()


# ---------------------------------------------------------------------------
# RTSP connection
# ---------------------------------------------------------------------------

class Connection:
    def __init__(self, server, sock, addr):
        self.server = server
        self.sock = sock
        self.peer = addr
        self.local_host = sock.getsockname()[0]
        self.write_lock = threading.Lock()
        self.session = None
        self.closed = False

    def log(self, message):
        log("%s:%d: %s" % (self.peer[0], self.peer[1], message))

    # -- output ------------------------------------------------------------

    def send_bytes(self, data):
        with self.write_lock:
            if self.closed:
                raise OSError("connection closed")
            self.sock.sendall(data)

    def send_interleaved(self, channel, packet):
        self.send_bytes(b"$" + struct.pack("!BH", channel, len(packet)) + packet)

    def respond(self, cseq, code, headers=None, body=b""):
        lines = ["RTSP/1.0 %d %s" % (code, STATUS_TEXT.get(code, "Unknown"))]
        if cseq is not None:
            lines.append("CSeq: %s" % cseq)
        lines.append("Server: %s" % SERVER_NAME)
        lines.append("Date: %s" % formatdate(usegmt=True))
        for name, value in (headers or []):
            lines.append("%s: %s" % (name, value))
        if body:
            lines.append("Content-Length: %d" % len(body))
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body
        self.send_bytes(data)
        return code

    def abort(self):
        """Close the connection from any thread (the reader then ends)."""
        with self.write_lock:
            if self.closed:
                return
            self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- input -------------------------------------------------------------

    def serve(self):
        self.sock.settimeout(SOCKET_TIMEOUT)
        self.log("connected")
        buf = b""
        idle = 0.0
        try:
            while not self.closed:
                msg, buf = self._take_message(buf)
                if msg is None:
                    try:
                        data = self.sock.recv(65536)
                    except socket.timeout:
                        idle += SOCKET_TIMEOUT
                        if idle >= SESSION_TIMEOUT and not (self.session and self.session.playing):
                            self.log("idle for %ds, closing" % idle)
                            break
                        continue
                    if not data:
                        self.log("closed by peer")
                        break
                    idle = 0.0
                    buf += data
                    continue
                if msg == "interleaved":
                    continue  # RTCP receiver reports etc. from the client: ignored
                if not self._handle(*msg):
                    break
        except BadRequest as e:
            self.log("malformed request: %s" % e)
            try:
                self.respond(None, 400)
            except OSError:
                pass
        except OSError as e:
            if not self.closed:
                self.log("socket error: %s" % e)
        except Exception as e:  # never let one client take the server down
            self.log("internal error: %r" % e)
        finally:
            self._cleanup()

    def _take_message(self, buf):
        """Return (message, rest). message is None (need more data), "interleaved" or
        (method, url, headers, body)."""
        if not buf:
            return None, buf
        if buf[0:1] == b"$":
            if len(buf) < 4:
                return None, buf
            length = struct.unpack("!H", buf[2:4])[0]
            if len(buf) < 4 + length:
                return None, buf
            return "interleaved", buf[4 + length:]
        if buf[0:1] in (b"\r", b"\n"):
            # Tolerate stray line breaks between messages.
            buf = buf.lstrip(b"\r\n")
            return self._take_message(buf)
        end = buf.find(b"\r\n\r\n")
        sep = 4
        alt = buf.find(b"\n\n")
        if alt >= 0 and (end < 0 or alt < end):
            end, sep = alt, 2
        if end < 0:
            if len(buf) > MAX_HEADER_BYTES:
                raise BadRequest("header section too long")
            return None, buf
        try:
            head = buf[:end].decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("header section is not UTF-8")
        lines = head.replace("\r\n", "\n").split("\n")
        parts = lines[0].split()
        if len(parts) != 3:
            raise BadRequest("bad request line %r" % lines[0][:200])
        method, url, version = parts
        headers = {}
        for line in lines[1:]:
            if not line.strip():
                continue
            name, colon, value = line.partition(":")
            if not colon or not name.strip():
                raise BadRequest("bad header line %r" % line[:200])
            headers[name.strip().lower()] = value.strip()
        length = headers.get("content-length", "0")
        if not length.isdigit():
            raise BadRequest("bad Content-Length %r" % length)
        length = int(length)
        if length > MAX_BODY_BYTES:
            raise BadRequest("body too large")
        total = end + sep + length
        if len(buf) < total:
            return None, buf
        body = buf[end + sep:total]
        headers[":version"] = version
        return (method, url, headers, body), buf[total:]

    def _handle(self, method, url, headers, body):
        """Handle one request; return False to close the connection."""
        code, keep_open = self._dispatch(method, url, headers)
        self.log("%s %s -> %d" % (method, url, code))
        return keep_open

    def _dispatch(self, method, url, headers):
        """Answer one request; return (status code, keep the connection open)."""
        cseq = headers.get("cseq")
        if headers[":version"] != "RTSP/1.0":
            return self.respond(cseq, 505), False
        if cseq is None:
            return self.respond(None, 400), False
        auth = self.server.auth
        if auth is not None and not auth.check(method, headers.get("authorization")):
            return self.respond(cseq, 401, [("WWW-Authenticate", auth.challenge())]), True
        if "require" in headers:
            return self.respond(cseq, 551, [("Unsupported", headers["require"])]), True
        session_id = headers.get("session", "").split(";")[0].strip()
        if session_id and (self.session is None or session_id != self.session.id):
            return self.respond(cseq, 454), True
        handler = {
            "OPTIONS": self._options,
            "DESCRIBE": self._describe,
            "SETUP": self._setup,
            "PLAY": self._play,
            "PAUSE": self._pause,
            "TEARDOWN": self._teardown,
            "GET_PARAMETER": self._keepalive,
            "SET_PARAMETER": self._keepalive,
        }.get(method)
        if handler is None:
            return self.respond(cseq, 501, [("Public", PUBLIC_METHODS)]), True
        return handler(cseq, url, headers), True

    # -- methods -----------------------------------------------------------

    def _session_header(self):
        return ("Session", "%s;timeout=%d" % (self.session.id, SESSION_TIMEOUT))

    def _options(self, cseq, url, headers):
        return self.respond(cseq, 200, [("Public", PUBLIC_METHODS)])

    def _describe(self, cseq, url, headers):
        accept = headers.get("accept")
        if accept and "application/sdp" not in accept and "*/*" not in accept:
            return self.respond(cseq, 406)
        clip = self.server.clip
        host = self.local_host
        sdp = "\r\n".join([
            "v=0",
            "o=- %d 1 IN IP4 %s" % (self.server.sdp_session_id, host),
            "s=Imago test stream",
            "c=IN IP4 0.0.0.0",
            "t=0 0",
            "a=tool:%s" % SERVER_NAME,
            "a=control:*",
            "a=range:npt=0-",
            "m=video 0 RTP/AVP %d" % PAYLOAD_TYPE,
            "a=rtpmap:%d H264/%d" % (PAYLOAD_TYPE, CLOCK_RATE),
            "a=fmtp:%d packetization-mode=1;sprop-parameter-sets=%s;profile-level-id=%s"
            % (PAYLOAD_TYPE, clip.sprop_parameter_sets, clip.profile_level_id),
            "a=framerate:%g" % self.server.fps,
            "a=control:trackID=0",
            "",
        ]).encode("ascii")
        base = url if url.endswith("/") else url + "/"
        return self.respond(cseq, 200, [("Content-Base", base), ("Content-Type", "application/sdp")], sdp)

    def _setup(self, cseq, url, headers):
        if self.session is not None and self.session.playing:
            return self.respond(cseq, 455, [self._session_header()])
        transport = headers.get("transport")
        if not transport:
            return self.respond(cseq, 461)
        chosen = None
        for spec in transport.split(","):
            fields = [f.strip() for f in spec.split(";") if f.strip()]
            if not fields:
                continue
            proto = fields[0].upper()
            params = {}
            for f in fields[1:]:
                k, _, v = f.partition("=")
                params[k.strip().lower()] = v.strip()
            if "multicast" in params:
                continue
            if proto == "RTP/AVP/TCP":
                chans = params.get("interleaved", "0-1")
                m = re.fullmatch(r"(\d+)(?:-(\d+))?", chans)
                if not m:
                    continue
                a = int(m.group(1))
                b = int(m.group(2)) if m.group(2) else a + 1
                if a > 255 or b > 255:
                    continue
                chosen = ("tcp", (a, b))
                break
            if proto in ("RTP/AVP", "RTP/AVP/UDP"):
                m = re.fullmatch(r"(\d+)(?:-(\d+))?", params.get("client_port", ""))
                if not m:
                    continue
                a = int(m.group(1))
                b = int(m.group(2)) if m.group(2) else a + 1
                if not (0 < a < 65536 and 0 < b < 65536):
                    continue
                chosen = ("udp", (a, b))
                break
        if chosen is None:
            return self.respond(cseq, 461)
        if self.session is None:
            self.session = Session(self)
            self.server.register(self.session)
        s = self.session
        kind, (a, b) = chosen
        if kind == "tcp":
            s.transport = "tcp"
            s.channels = (a, b)
            reply = "RTP/AVP/TCP;unicast;interleaved=%d-%d;ssrc=%08X" % (a, b, s.ssrc)
        else:
            if s.udp_rtp is None:
                s.udp_rtp, s.udp_rtcp = udp_port_pair(self.local_host)
            s.transport = "udp"
            s.udp_dest = (self.peer[0], a, b)
            sp = s.udp_rtp.getsockname()[1]
            reply = ("RTP/AVP;unicast;client_port=%d-%d;server_port=%d-%d;ssrc=%08X"
                     % (a, b, sp, sp + 1, s.ssrc))
        return self.respond(cseq, 200, [("Transport", reply), self._session_header()])

    def _play(self, cseq, url, headers):
        s = self.session
        if s is None or s.transport is None:
            return self.respond(cseq, 455)
        base = url.rstrip("/")
        if not base.endswith("trackID=0"):
            base = base + "/trackID=0"
        info = "url=%s;seq=%d;rtptime=%d" % (base, s.seq, s.next_rtptime())
        code = self.respond(cseq, 200, [("Range", "npt=0.000-"), self._session_header(), ("RTP-Info", info)])
        s.start()
        return code

    def _pause(self, cseq, url, headers):
        s = self.session
        if s is None:
            return self.respond(cseq, 455)
        s.stop()
        return self.respond(cseq, 200, [self._session_header()])

    def _teardown(self, cseq, url, headers):
        s = self.session
        if s is None:
            return self.respond(cseq, 454)
        header = self._session_header()
        self._end_session()
        return self.respond(cseq, 200, [header])

    def _keepalive(self, cseq, url, headers):
        extra = [self._session_header()] if self.session else []
        return self.respond(cseq, 200, extra)

    # -- teardown ----------------------------------------------------------

    def _end_session(self):
        s = self.session
        if s is not None:
            self.session = None
            s.close()
            self.server.unregister(s)

    def _cleanup(self):
        with self.write_lock:
            self.closed = True
        self._end_session()
        try:
            self.sock.close()
        except OSError:
            pass
        self.server.forget(self)
        self.log("disconnected")


# ---------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------

class Server:
    def __init__(self, clip, fps, auth, host, port):
        self.clip = clip
        self.fps = fps
        self.auth = auth
        self.sdp_session_id = random.getrandbits(32)
        self._lock = threading.Lock()
        self._connections = set()
        self._sessions = set()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((host, port))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]

    def register(self, session):
        with self._lock:
            self._sessions.add(session)

    def unregister(self, session):
        with self._lock:
            self._sessions.discard(session)

    def forget(self, connection):
        with self._lock:
            self._connections.discard(connection)

    def serve_forever(self):
        while True:
            try:
                sock, addr = self.listener.accept()
            except OSError as e:
                log("accept failed: %s" % e, force=True)
                time.sleep(0.1)
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # A bounded send buffer (a second or so of video), so a client that stops
            # reading makes sendall time out instead of queueing megabytes.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
            conn = Connection(self, sock, addr)
            with self._lock:
                self._connections.add(conn)
            threading.Thread(target=conn.serve, name="rtsp-%s:%d" % addr, daemon=True).start()

    def shutdown(self):
        try:
            self.listener.close()
        except OSError:
            pass
        with self._lock:
            conns = list(self._connections)
        for c in conns:
            c.abort()


class _Terminate(Exception):
    pass


def _on_signal(signum, frame):
    raise _Terminate()


def main(argv=None):
    global _quiet
    parser = argparse.ArgumentParser(
        description="Serve an H.264 Annex B file over RTSP (RTP over TCP interleaved or UDP), looped "
                    "forever at real-time pace. Access units are split at AUD NAL units (type 9) when the "
                    "file has them, e.g. made with ffmpeg ... -c:v libx264 -x264opts aud=1 "
                    "-bsf:v h264_mp4toannexb -f h264 out.h264; otherwise at the first slice of each picture. "
                    "Prints 'PORT <n>' on stdout once listening.")
    parser.add_argument("--input", required=True, help="H.264 Annex B elementary stream")
    parser.add_argument("--port", type=int, default=0, help="TCP port (0 = ephemeral, the default)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--fps", type=float, default=30.0, help="access units per second (default 30)")
    parser.add_argument("--user", help="require this user name")
    parser.add_argument("--password", help="require this password")
    parser.add_argument("--auth", choices=("basic", "digest"), default="basic",
                        help="authentication scheme when --user/--password are given (default basic)")
    parser.add_argument("--quiet", action="store_true", help="log only errors to stderr")
    args = parser.parse_args(argv)
    _quiet = args.quiet

    if (args.user is None) != (args.password is None):
        parser.error("--user and --password go together")
    if not (args.fps > 0):
        parser.error("--fps must be positive")
    try:
        clip = Clip(args.input)
    except (OSError, ValueError) as e:
        log(str(e), force=True)
        return 2
    auth = Authenticator(args.user, args.password, args.auth) if args.user is not None else None

    try:
        server = Server(clip, args.fps, auth, args.host, args.port)
    except OSError as e:
        log("cannot listen on %s:%d: %s" % (args.host, args.port, e), force=True)
        return 1
    log("serving %s: %d access units (%s), %g fps, profile-level-id %s, auth %s"
        % (args.input, len(clip.access_units), "split at AUDs" if clip.used_aud else "split at first slices",
           args.fps, clip.profile_level_id, args.auth if auth else "none"))
    # Handlers go in just before the try, so a signal right after "PORT" still exits cleanly.
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        sys.stdout.write("PORT %d\n" % server.port)
        sys.stdout.flush()
        server.serve_forever()
    except _Terminate:
        pass
    finally:
        # Ignore further signals while closing down.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        log("terminating")
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
